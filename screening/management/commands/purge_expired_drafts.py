"""Delete intake drafts past their expiry (run daily, e.g. from cron: see docs/intake.md)."""

from django.core.management.base import BaseCommand

from screening.intake.services import purge_expired_drafts


class Command(BaseCommand):
    help = "Delete intake drafts that have expired, with their identifying details and consents."

    def handle(self, *args, **options) -> None:
        count = purge_expired_drafts()
        self.stdout.write(f"Deleted {count} expired draft(s).")
