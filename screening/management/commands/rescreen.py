"""Screen submitted intakes again with the latest published rules, now: `manage.py rescreen` (open cases),
`--include-closed` (every submitted intake), `--jobs N` (N processes, one per core, share the work)."""

import argparse
import os
import re
import subprocess  # nosec B404: starts this same command with fixed arguments
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from screening.casework.case_screening import rescreen
from screening.rules.models import RulesetVersion
from screening.rules.rulesets import latest_version

DONE = re.compile(r"^Re-screened (\d+) intakes")


class Command(BaseCommand):
    help = (
        "Screen every submitted intake of an open case (or, with --include-closed, every submitted "
        "intake) again with the latest published ruleset. Intakes already re-screened with it are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--include-closed", action="store_true")
        parser.add_argument(
            "--jobs", type=int, default=1, help="processes sharing the work, at most one per core"
        )
        # One share of the work, i/n, in a process started by --jobs.
        parser.add_argument("--part", default="0/1", help=argparse.SUPPRESS)
        parser.add_argument("--ruleset", type=int, help=argparse.SUPPRESS)

    def handle(self, *args, include_closed: bool, jobs: int, part: str, ruleset, **options):
        version = (
            RulesetVersion.objects.filter(number=ruleset).first() if ruleset else latest_version()
        )
        if version is None:
            raise CommandError("No ruleset is published: run `manage.py load_default_rules` first.")
        if jobs < 1:
            raise CommandError("--jobs must be 1 or more.")
        started = time.perf_counter()
        if jobs == 1:
            index, parts = (int(n) for n in part.split("/"))
            count = rescreen(version, include_closed=include_closed, part=(index, parts))
        else:
            count = self._in_processes(version, jobs, include_closed)
        self.stdout.write(
            f"Re-screened {count} intakes with {version} in {time.perf_counter() - started:.1f} s."
        )

    def _in_processes(self, version: RulesetVersion, jobs: int, include_closed: bool) -> int:
        """Start ``jobs`` processes of this command, each with its share, the same version and settings."""
        command = [sys.executable, "-m", "django", "rescreen", f"--ruleset={version.number}"]
        command += ["--include-closed"] if include_closed else []
        env = os.environ | {"DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        children = [
            subprocess.Popen(  # noqa: S603  # nosec B603: this command, fixed arguments
                [*command, f"--part={i}/{jobs}"],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            for i in range(jobs)
        ]
        count = 0
        for child in children:
            out, _err = child.communicate()
            done = DONE.match(out.strip().splitlines()[-1] if out.strip() else "")
            if child.returncode or done is None:
                raise CommandError(f"A re-screening process failed (exit {child.returncode}).")
            count += int(done.group(1))
        return count
