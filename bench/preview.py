"""Benchmark 5: a rules preview (screening/rules/previews.py) beside a re-screen of the same intakes.

    make bench-preview        # or: .venv/bin/python -m bench.preview [--cases 100000]

Uses the re-screen benchmark's databases (``facetclinic_bench_rescreen10k`` by default, or
``facetclinic_bench_rescreen`` with ``--cases 100000``), made once and topped up with ``generate_cases``.
Each run switches one specialist-review rule of the draft (so cases really move), then, in one process:
times the preview task over every submitted intake (the draft and the published version, both screened,
nothing written but the result), and, as the floor measured in the same run, re-screens the same intakes
with the published version in one process (``rescreen``: screened once, results written). The re-screen's
results are deleted afterwards and the draft put back, so every run starts from the same data.

Goal (issue 16): a preview takes about as long as a re-screen, at most 1.5 times the one-process
re-screen: it screens each intake twice but writes nothing; that is why it runs in the background.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from bench import _common
from bench.rescreen import ensure_cases

RUN = """
import json, time
import django
django.setup()
from screening.casework.case_screening import rescreen
from screening.casework.models import ScreeningResult
from screening.rules import previews
from screening.rules.models import RuleDraft, RulePreview
from screening.rules.rulesets import latest_version
rule = RuleDraft.objects.filter(outcome="specialist_review").order_by("key").first()
rule.enabled = not rule.enabled
rule.save(update_fields=["enabled"])
RulePreview.objects.all().delete()  # a preview of the same draft would be kept, not run
try:
    preview = previews.start(days=None, actor=None)
    started = time.perf_counter()
    count = previews.run_preview.call(preview.pk)
    preview_seconds = time.perf_counter() - started
    preview.refresh_from_db()
    moved = sum(len(m["cases"]) for m in preview.result["moves"])
    started = time.perf_counter()
    rescreened = rescreen(latest_version(), include_closed=True)
    rescreen_seconds = time.perf_counter() - started
finally:
    rule.enabled = not rule.enabled
    rule.save(update_fields=["enabled"])
    ScreeningResult.objects.filter(trigger="rescreen").delete()
print(json.dumps({"count": count, "moved": moved, "preview": preview_seconds,
                  "rescreened": rescreened, "rescreen": rescreen_seconds}))
"""


def run(name: str) -> dict:
    done = subprocess.run(  # noqa: S603  # nosec B603: our own interpreter and code
        [_common.PYTHON, "-c", RUN],
        cwd=_common.ROOT,
        env=_common.env_for(
            name, DJANGO_SETTINGS_MODULE="facetclinic.settings", TASKS_BACKEND="database"
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"preview benchmark failed in {name}:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()
    name = "rescreen" if args.cases > 10_000 else "rescreen10k"
    print(f"Preview benchmark: {args.cases} cases on PostgreSQL ({name})")
    ensure_cases(name, args.cases)
    figures = run(name)
    ratio = figures["preview"] / figures["rescreen"]
    print(
        f"  preview: {figures['count']} intakes in {figures['preview']:.1f} s "
        f"({figures['count'] / figures['preview']:.0f}/s), {figures['moved']} would move; "
        f"re-screen (one process, the floor): {figures['rescreened']} in {figures['rescreen']:.1f} s"
    )
    return _common.verdict([("preview / one-process re-screen", ratio, "<= 1.5", ratio <= 1.5)])


if __name__ == "__main__":
    sys.exit(main())
