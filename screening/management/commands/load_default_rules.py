"""Load the default screening rules on a fresh database and publish them as version 1. Idempotent."""

from django.core.management.base import BaseCommand

from screening.rules.rulesets import rules_load_defaults


class Command(BaseCommand):
    help = "Load the default screening rules (only on a database that has none) and publish them."

    def handle(self, *args, **options) -> None:
        version = rules_load_defaults()
        if version is None:
            self.stdout.write("Rules already present: nothing loaded.")
        else:
            self.stdout.write(f"Loaded the default rules as ruleset {version}.")
