"""Screen submitted intakes again with the latest published rules, now, in this process:
`manage.py rescreen` (open cases) or `manage.py rescreen --include-closed` (every submitted intake)."""

import time

from django.core.management.base import BaseCommand, CommandError

from screening.rules.store import latest_version, rescreen


class Command(BaseCommand):
    help = (
        "Screen every submitted intake of an open case (or, with --include-closed, every submitted "
        "intake) again with the latest published ruleset. Intakes already re-screened with it are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--include-closed", action="store_true")

    def handle(self, *args, include_closed: bool, **options) -> None:
        version = latest_version()
        if version is None:
            raise CommandError("No ruleset is published: run `manage.py load_default_rules` first.")
        started = time.perf_counter()
        count = rescreen(version, include_closed=include_closed)
        self.stdout.write(
            f"Re-screened {count} intakes with {version} in {time.perf_counter() - started:.1f} s."
        )
