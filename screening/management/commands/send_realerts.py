"""Alert on-call again to tier-1 and screening-error cases nobody has taken (run every few minutes from cron or
a systemd timer: see docs/notifications.md). The e-mails themselves are sent by the task worker."""

from django.core.management.base import BaseCommand

from screening.casework import notifications as notify


class Command(BaseCommand):
    help = (
        "Queue an alert to ONCALL_EMAIL for each open tier-1 or screening-error case that nobody has "
        "taken URGENT_REALERT_MINUTES after its last alert."
    )

    def handle(self, *args, **options) -> None:
        sent = notify.realert_unclaimed()
        if not sent:
            self.stdout.write(
                "Every urgent case is taken, or was alerted recently: nothing to send."
            )
            return
        self.stdout.write(f"Queued {len(sent)} alert(s) again.")
