"""Save intakes from a file (docs/intake-format.md) as submitted intakes and screen them. All or nothing."""

from django.core.management.base import BaseCommand

from screening.intake.services import intake_import
from screening.management.commands.screen import check_file


class Command(BaseCommand):
    help = "Import the intakes in FILE as submitted intakes (for clinics bringing earlier intakes over)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="one intake, or {'format_version': 1, 'intakes': [...]}")

    def handle(self, *args, **options) -> None:
        checked = check_file(options["file"])
        references = intake_import(intakes=checked.intakes)
        self.stdout.write(f"Imported {len(references)} intake(s): {', '.join(references)}")
