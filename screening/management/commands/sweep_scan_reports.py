"""Delete stored scan-report files that no row names (daily): a file whose row was never written, or whose
deletion was interrupted. Only files older than a day: an upload in flight has its file before its row."""

from django.core.management.base import BaseCommand

from screening.intake.report_services import sweep_orphans


class Command(BaseCommand):
    help = "Delete scan-report files that no row names, older than a day (run daily)."

    def handle(self, *args, **options) -> None:
        swept = sweep_orphans()
        self.stdout.write(f"Deleted {swept} scan-report file(s) that no intake names.")
