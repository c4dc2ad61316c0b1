"""Load the default screening rules on a fresh database and publish them as version 1, with their test
cases (one per bullet of clinical.md). Idempotent: each part only where none exists."""

from django.core.management.base import BaseCommand

from screening.rules.rule_tests import load_default_cases
from screening.rules.rulesets import latest_version, rules_load_defaults


class Command(BaseCommand):
    help = "Load the default screening rules and their test cases (only where none exist), and publish them."

    def handle(self, *args, **options) -> None:
        version = rules_load_defaults()
        if version is None:
            self.stdout.write("Rules already present: nothing loaded.")
        else:
            self.stdout.write(f"Loaded the default rules as ruleset {version}.")
        # Rules changed from the defaults keep only the default test cases they pass.
        cases, left_out = load_default_cases(None if version is not None else latest_version())
        if cases:
            self.stdout.write(f"Loaded {cases} test cases of the default rules.")
        for name in left_out:
            self.stdout.write(f"Left out (your rules give another result): {name}")
