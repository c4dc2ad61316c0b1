"""Create realistic synthetic cases (demo data): `manage.py generate_cases --count 40`."""

import time

from django.core.management.base import BaseCommand, CommandError

from screening.casework.models import Case
from screening.demo.cases import generate


class Command(BaseCommand):
    help = (
        "Create N synthetic cases with fake names from a fixed seed (never use on production data)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when cases exist.")

    def handle(self, *args, count: int, seed: int, if_empty: bool, **options) -> None:
        if count < 1:
            raise CommandError("--count must be 1 or more.")
        if if_empty and Case.objects.exists():
            self.stdout.write("Cases already present: nothing generated.")
            return
        started = time.perf_counter()
        try:
            made = generate(count=count, seed=seed)
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Generated {made} cases in {time.perf_counter() - started:.1f} s.")
