"""Queue the daily digest of new non-urgent cases (run daily from cron or a systemd timer: see
docs/notifications.md). The e-mail itself is sent by the task worker."""

from django.core.management.base import BaseCommand

from screening.casework import notifications as notify


class Command(BaseCommand):
    help = (
        "Queue an e-mail to DIGEST_EMAIL listing the non-urgent cases received since the last one."
    )

    def handle(self, *args, **options) -> None:
        email = notify.digest()
        if email is None:
            self.stdout.write("No new cases since the last digest: nothing to send.")
            return
        self.stdout.write(f"Queued the digest of {len(email.references)} new case(s).")
        if options["verbosity"] > 1:
            self.stdout.write("\n".join(email.references))
