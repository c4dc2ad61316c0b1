"""Demo staff accounts, one per role, with passwords made up on the spot and shown once."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

DEMO_STAFF = (
    ("coordinator", "Casey", "Coordinator", ("Coordinator",), False),
    ("coordinator2", "Jordan", "Coordinator", ("Coordinator",), False),
    ("rulesadmin", "Riley", "Rules admin", ("Rules admin",), True),
    ("clinicadmin", "Morgan", "Clinic admin", ("Clinic admin",), True),
)


def create_demo_staff() -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist yet; returns (username, password, roles) of new ones."""
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
        created.append((username, password, ", ".join(groups)))
    return created
