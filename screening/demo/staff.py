"""Demo staff accounts, one per role, with passwords made up on the spot and shown once, each with a
few second-factor backup codes (so a newcomer can sign in before setting up an authenticator app)."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from screening.staff.second_factor import new_backup_codes

DEMO_STAFF = (
    ("coordinator", "Casey", "Coordinator", ("Coordinator",), False),
    ("coordinator2", "Jordan", "Coordinator", ("Coordinator",), False),
    ("specialist", "Sam", "Specialist", ("Specialist",), False),
    ("rulesadmin", "Riley", "Rules admin", ("Rules admin",), True),
    # A clinician who edits rules too and approves those another rules admin submits.
    ("rulesapprover", "Idris", "Rules approver", ("Rules admin", "Rules approver"), True),
    ("clinicadmin", "Morgan", "Clinic admin", ("Clinic admin",), True),
    # A second clinic admin: changes to staff accounts need another clinic admin's approval.
    ("clinicadmin2", "Avery", "Clinic admin", ("Clinic admin",), True),
)


DEMO_BACKUP_CODES = 3


def create_demo_staff() -> list[tuple[str, str, str, list[str]]]:
    """Create the demo accounts that do not exist yet; returns (username, password, roles, backup
    codes) of the new ones."""
    User = get_user_model()
    created = []
    for username, first, last, groups, is_staff in DEMO_STAFF:
        if User.objects.filter(username=username).exists():
            continue
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            username, password=password, first_name=first, last_name=last, is_staff=is_staff
        )
        user.groups.set(Group.objects.filter(name__in=groups))
        codes = new_backup_codes(user, DEMO_BACKUP_CODES)
        created.append((username, password, ", ".join(groups), codes))
    return created
