"""Run the rules' test cases from a shell: against the published version, or the draft (--draft). Exits
non-zero on a failure, naming each failing case (for a deployment check or a cron job)."""

from django.core.management.base import BaseCommand, CommandError

from screening.rules import rule_tests
from screening.rules.rulesets import latest_version
from screening.rules.terms import RulesetError


class Command(BaseCommand):
    help = "Run the rules' test cases against the published rules (or the draft with --draft)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--draft", action="store_true", help="Test the draft, not the published version."
        )

    def handle(self, *args, draft: bool = False, **options) -> None:
        if draft:
            try:
                results, name = rule_tests.run_draft(), "the draft"
            except RulesetError as error:
                raise CommandError(
                    "The draft does not compile: " + "; ".join(error.problems)
                ) from None
        else:
            version = latest_version()
            if version is None:
                raise CommandError("No rules are published yet: run manage.py load_default_rules.")
            results, name = rule_tests.run_version(version), str(version)
        failing = rule_tests.failing(results)
        for result in failing:
            self.stderr.write(f"FAIL {result.summary}")
        if failing:
            raise CommandError(f"{len(failing)} of {len(results)} test cases fail on {name}.")
        self.stdout.write(f"All {len(results)} test cases pass on {name}.")
