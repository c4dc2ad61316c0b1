"""Screen intakes from a file (docs/intake-format.md) with the published rules and print the results as
JSON. Nothing is saved."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from screening import clock
from screening.intake import file_format as intake_format
from screening.intake.facts import engine_facts
from screening.rules.engine import screen
from screening.rules.rulesets import compiled_version, latest_version


def load_file(path: str) -> object:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    except ValueError as error:
        raise CommandError(f"{path} is not valid JSON: {error}.") from None
    except RecursionError:
        raise CommandError(f"{path} is nested too deeply to be an intake file.") from None


def check_file(path: str) -> intake_format.Checked:
    checked = intake_format.read(load_file(path), clock.today())
    if checked.problems:
        raise CommandError(
            f"{path} has {len(checked.problems)} problem(s); nothing was done:\n"
            + "\n".join(f"  {p}" for p in checked.problems)
        )
    return checked


class Command(BaseCommand):
    help = "Screen the intakes in FILE with the published rules and print each result as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", help="one intake, or {'format_version': 1, 'intakes': [...]}")

    def handle(self, *args, **options) -> None:
        checked = check_file(options["file"])
        version = latest_version()
        if version is None:
            raise CommandError("No ruleset is published: run `manage.py load_default_rules` first.")
        ruleset, today = compiled_version(version), clock.today()
        results = []
        for intake in checked.intakes:
            result = screen(engine_facts(intake.answers, today), ruleset, today)
            results.append(
                {
                    "outcome": result.outcome.value,
                    "findings": [
                        {"rule": f.rule, "outcome": f.outcome.value, "reason": f.reason}
                        for f in result.findings
                    ],
                    "ruleset_version": result.ruleset_version,
                }
            )
        self.stdout.write(json.dumps(results[0] if len(results) == 1 else results, indent=2))
