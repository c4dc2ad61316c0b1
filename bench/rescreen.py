"""Benchmark 2: re-screen every submitted intake with a new ruleset version on PostgreSQL, results stored.

    make bench-rescreen        # or: .venv/bin/python -m bench.rescreen [--jobs 2]

Two databases of the bench's own (``facetclinic_bench_rescreen`` with 100,000 generated cases and
``facetclinic_bench_rescreen10k`` with 10,000), made once and topped up with ``generate_cases``. Each run
publishes a new version of the rules (one rule switched off, or on again, so outcomes really move), then
times ``manage.py rescreen --include-closed --jobs 2`` as an operator runs it (two processes, one per core,
each taking every other intake), start-up included, and reads the peak resident memory of its largest
process. The floor is the database alone: one ``INSERT ... SELECT`` that copies as many result rows (rolled
back). Then the run's results are deleted and the tables vacuumed, so every run starts from the same data.

Goals (issue 6): 100,000 in under 60 s on this 2-core machine; peak memory for 100,000 at most 1.2 times
that for 10,000 (the work is streamed in batches of 500).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from bench import _common

# A new version: switch one non-urgent rule off (or on again), so outcomes move between versions.
PUBLISH = """
import django
django.setup()
from screening.rules.models import RuleDraft
from screening.rules.rulesets import ruleset_publish
rule = RuleDraft.objects.filter(outcome="specialist_review").order_by("key").first()
rule.enabled = not rule.enabled
rule.save(update_fields=["enabled"])
print(ruleset_publish(actor=None, note="bench: re-screen").number)
"""
# The command as an operator runs it, in a process whose children's peak memory is reported.
RUN = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run([sys.executable, "manage.py", "rescreen", "--include-closed", "--jobs", sys.argv[1]],
                      capture_output=True, text=True)
seconds = time.perf_counter() - started
if done.returncode:
    sys.exit(done.stdout + done.stderr)
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest process's peak
print(json.dumps({"out": done.stdout.strip(), "seconds": seconds, "peak_mb": peak_kb / 1024}))
"""
# The database alone: as many result rows written by one statement (rolled back); then the run's results
# are deleted and the tables vacuumed, so the next run starts from the same database.
FLOOR_AND_CLEAN = """
import json, time
import django
django.setup()
from django.db import connection
from screening.casework.models import ScreeningResult
with connection.cursor() as cursor:
    cursor.execute("BEGIN")
    started = time.perf_counter()
    cursor.execute(
        "INSERT INTO screening_screeningresult"
        " (intake_id, ruleset_id, outcome, findings, near_miss, next_step, trigger, screened_at)"
        " SELECT intake_id, ruleset_id, outcome, findings, near_miss, next_step, 'rescreen', now()"
        " FROM screening_screeningresult"
        " WHERE trigger = 'rescreen'"
    )
    floor = time.perf_counter() - started
    cursor.execute("ROLLBACK")
ScreeningResult.objects.filter(trigger="rescreen").delete()
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")
print(json.dumps({"floor": floor}))
"""


def _python(name: str, code: str, *args: str) -> str:
    done = subprocess.run(  # noqa: S603  # nosec B603: our own interpreter and code
        [_common.PYTHON, "-c", code, *args],
        cwd=_common.ROOT,
        env=_common.env_for(name, DJANGO_SETTINGS_MODULE="facetclinic.settings"),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"re-screen benchmark step failed in {name}:\n{done.stdout}{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def ensure_cases(name: str, count: int) -> int:
    _common.prepare_database(name)
    import psycopg

    with psycopg.connect(_common.database_url(name)) as conn:
        have = conn.execute("SELECT count(*) FROM screening_case").fetchone()[0]
    if have < count:
        started = time.perf_counter()
        print(f"  generating {count - have} cases in {name} ...", flush=True)
        _common.manage(name, "generate_cases", "--count", str(count - have), "--seed", str(have))
        print(f"  ... in {time.perf_counter() - started:.0f} s", flush=True)
    return max(have, count)


def run(name: str, jobs: int) -> dict:
    version = int(_python(name, PUBLISH))
    figures = json.loads(_python(name, RUN, str(jobs)))
    figures |= json.loads(_python(name, FLOOR_AND_CLEAN)) | {"version": version}
    figures["count"] = int(figures["out"].split()[1])
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2, help="processes (manage.py rescreen --jobs)")
    args = parser.parse_args()
    print(
        f"Re-screen benchmark: {args.cases} and {args.small} cases on PostgreSQL, {args.jobs} processes"
    )
    ensure_cases("rescreen", args.cases)
    ensure_cases("rescreen10k", args.small)
    small, large = run("rescreen10k", args.jobs), run("rescreen", args.jobs)
    for label, figures in (("small", small), ("large", large)):
        print(
            f"  {label}: {figures['count']} intakes re-screened with v{figures['version']} in "
            f"{figures['seconds']:.1f} s ({figures['count'] / figures['seconds']:.0f}/s), "
            f"peak {figures['peak_mb']:.0f} MB; database floor {figures['floor']:.1f} s"
        )
    return _common.verdict(
        [
            (
                f"seconds for {large['count']} intakes",
                large["seconds"],
                "< 60",
                large["seconds"] < 60,
            ),
            (
                "time / database floor",
                large["seconds"] / large["floor"],
                "(shown)",
                True,
            ),
            (
                "peak memory large / small",
                large["peak_mb"] / small["peak_mb"],
                "<= 1.2",
                large["peak_mb"] / small["peak_mb"] <= 1.2,
            ),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
