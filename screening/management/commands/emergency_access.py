"""Break glass: a single-use emergency code for one staff account, when no clinic admin can help.

Run on the server by whoever operates it (shell access is the first check), with a reason. The code
replaces the account's second factor for one sign-in (with the account's own password); it is printed once, kept
as django-otp keeps backup codes, used up at sign-in, and the use of this command is in the audit log. docs/security.md has the procedure.
"""

import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from screening.staff import audit_log as audit
from screening.staff.second_factor import EMERGENCY_CODE, issue_code


class Command(BaseCommand):
    help = "Print a single-use emergency sign-in code for a staff account (audited)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--reason", required=True, help="Why: kept in the audit log.")

    def handle(self, *args, username: str, reason: str, **options) -> None:
        if len(reason.strip()) < 10:
            raise CommandError(
                "Give a reason of at least 10 characters: it is kept in the audit log."
            )
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account named {username!r}.")
        code = issue_code(user, EMERGENCY_CODE)
        audit.record(
            actor=None,
            action="auth.break_glass",
            object_type="user",
            object_ref=user.username,
            detail={"reason": reason.strip()[:500], "operator": getpass.getuser()},
        )
        self.stdout.write(
            f"Emergency code for {user.username} (works once, with the account's password): {code}"
        )
