"""Delete closed cases and audit rows past retention (run daily from cron or a systemd timer: see
docs/retention.md). Prints counts, never a reference or a name."""

from django.conf import settings
from django.core.management.base import BaseCommand

from screening.staff.retention import purge_retained


class Command(BaseCommand):
    help = (
        "Delete closed cases unchanged for CASE_RETENTION_DAYS (with everything recorded about them) "
        "and audit events older than AUDIT_RETENTION_YEARS. The run itself is audited."
    )

    def handle(self, *args, **options) -> None:
        purged = purge_retained()
        days = settings.CASE_RETENTION_DAYS
        if days:
            self.stdout.write(
                f"Deleted {purged.cases} closed case(s) unchanged for more than {days} days."
            )
        else:
            self.stdout.write("Closed cases are kept (CASE_RETENTION_DAYS=0).")
        self.stdout.write(
            f"Deleted {purged.audit_events} audit event(s) older than "
            f"{settings.AUDIT_RETENTION_YEARS} years."
        )
        if options["verbosity"] > 1:
            for label, count in purged.by_model.items():
                self.stdout.write(f"  {label}: {count}")
