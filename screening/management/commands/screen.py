"""Screen intakes from a file (docs/intake-format.md) with the published rules and print the results as
JSON. Nothing is saved."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from screening import clock
from screening.intake import file_format as intake_format
from screening.intake.facts import engine_facts
from screening.rules.explaining import screen_explained
from screening.rules.rulesets import compiled_version, latest_version

# The JSON Schema of one intake's result (docs/intake-format.md shows it; a test holds both to the output).
OUTPUT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "FacetClinic: the result of manage.py screen, per intake",
    "type": "object",
    "required": ["outcome", "findings", "near_miss", "next_step", "ruleset_version"],
    "additionalProperties": False,
    "properties": {
        "outcome": {
            "enum": [
                "screening_error",
                "urgent",
                "not_suitable_now",
                "needs_info",
                "specialist_review",
                "routine",
            ]
        },
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["rule", "title", "outcome", "state", "reason", "because", "note"],
                "additionalProperties": False,
                "properties": {
                    "rule": {"type": "string"},
                    "title": {"type": "string"},
                    "outcome": {
                        "enum": [
                            "urgent",
                            "not_suitable_now",
                            "needs_info",
                            "specialist_review",
                            "routine",
                        ]
                    },
                    "state": {"enum": ["fired", "needs_info", "not_known"]},
                    "reason": {"type": "string"},
                    "because": {"type": "array", "items": {"type": "string"}},
                    "note": {"type": "string"},
                },
            },
        },
        "near_miss": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["rule", "title", "lines"],
                "additionalProperties": False,
                "properties": {
                    "rule": {"type": "string"},
                    "title": {"type": "string"},
                    "lines": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "next_step": {"type": "string"},
        "ruleset_version": {"type": "string"},
    },
}


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
            explained = screen_explained(
                engine_facts(intake.answers, today), ruleset, version, today
            )
            results.append(
                {
                    "outcome": explained.outcome,
                    "findings": [
                        {
                            key: finding[key]
                            for key in (
                                "rule",
                                "title",
                                "outcome",
                                "state",
                                "reason",
                                "because",
                                "note",
                            )
                        }
                        for finding in explained.findings
                    ],
                    "near_miss": [
                        {key: miss[key] for key in ("rule", "title", "lines")}
                        for miss in explained.near_miss
                    ],
                    "next_step": explained.next_step,
                    "ruleset_version": f"v{version.number}",
                }
            )
        self.stdout.write(json.dumps(results[0] if len(results) == 1 else results, indent=2))
