"""Benchmark 2: re-screen every submitted intake with a new ruleset version on PostgreSQL, results stored.

    .venv/bin/python bench/rescreen.py            # 100,000 cases (and 10,000 for the memory comparison)

Two databases of the bench's own (``facetclinic_bench_rescreen`` with 100,000 generated cases and
``facetclinic_bench_rescreen10k`` with 10,000), made once and topped up with ``generate_cases``. Each run
publishes a new version of the rules (one rule switched off, or on again, so outcomes really move), then
``manage.py rescreen --include-closed``'s code (``screening.rules.store.rescreen``) screens every submitted
intake again in a child process that reports its wall time and its peak resident memory. The floor is the
database alone: one ``INSERT ... SELECT`` that copies as many result rows (rolled back).

Goals (issue 6): 100,000 in under 60 s on this 2-core machine; peak memory for 100,000 at most 1.2 times
that for 10,000 (the work is streamed in batches). The results of the run are deleted afterwards so the
databases stay the same from run to run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common

CHILD = """
import json, resource, sys, time
import django
django.setup()
from django.db import connection
from screening.models import RuleDraft, ScreeningResult
from screening.rules.store import latest_version, rescreen, ruleset_publish

# A new version: switch one non-urgent rule off (or on again), so outcomes move between versions.
rule = RuleDraft.objects.filter(outcome="specialist_review").order_by("key").first()
rule.enabled = not rule.enabled
rule.save(update_fields=["enabled"])
version = ruleset_publish(actor=None, note="bench: re-screen")
started = time.perf_counter()
count = rescreen(version, include_closed=True)
seconds = time.perf_counter() - started
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with connection.cursor() as cursor:
    # The database alone: as many result rows written by one statement (rolled back).
    cursor.execute("BEGIN")
    floor_started = time.perf_counter()
    cursor.execute(
        "INSERT INTO screening_screeningresult (intake_id, ruleset_id, outcome, findings, trigger, screened_at)"
        " SELECT intake_id, ruleset_id, outcome, findings, 'rescreen', now() FROM screening_screeningresult"
        " WHERE ruleset_id = %s AND trigger = 'rescreen'",
        [version.pk],
    )
    floor = time.perf_counter() - floor_started
    cursor.execute("ROLLBACK")
ScreeningResult.objects.filter(trigger="rescreen").delete()
print(json.dumps({"count": count, "seconds": seconds, "peak_mb": peak_kb / 1024, "floor": floor,
                  "version": version.number}))
"""


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


def run_child(name: str) -> dict:
    done = subprocess.run(  # noqa: S603  # nosec B603: our own interpreter and code
        [_common.PYTHON, "-c", CHILD],
        cwd=_common.ROOT,
        env=_common.env_for(name, DJANGO_SETTINGS_MODULE="facetclinic.settings"),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"re-screen in {name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    args = parser.parse_args()
    print(f"Re-screen benchmark: {args.cases} and {args.small} cases on PostgreSQL")
    ensure_cases("rescreen", args.cases)
    ensure_cases("rescreen10k", args.small)
    small, large = run_child("rescreen10k"), run_child("rescreen")
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
