"""Print the JSON Schema of the intake file format, generated from the catalogue."""

import json

from django.core.management.base import BaseCommand

from screening.intake.file_format import schema


class Command(BaseCommand):
    help = "Print the intake format's JSON Schema (save it as docs/intake-format.schema.json)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(json.dumps(schema(), indent=1, sort_keys=True, ensure_ascii=False))
