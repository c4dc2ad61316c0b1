"""Create one demo account per staff role and print the passwords once (development only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from screening.demo.staff import create_demo_staff


class Command(BaseCommand):
    help = "Create demo staff accounts (only with DEBUG=true) and print their passwords once."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo accounts are for development only: run with DEBUG=true.")
        created = create_demo_staff()
        if not created:
            self.stdout.write(
                "Demo staff accounts already exist (their passwords were shown when made)."
            )
            return
        self.stdout.write(
            "Demo staff accounts (shown once; write them down). Sign in at /staff/ with the password,"
            " then a backup code (each works once) or an authenticator app you set up:"
        )
        for username, password, roles, codes in created:
            self.stdout.write(
                f"  {username:<14} {password:<18} {roles:<14} codes: {' '.join(codes)}"
            )
