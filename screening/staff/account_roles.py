"""What a staff account holds, by name: its roles (groups) and its own permissions; the two rules on them
(an account never both manages accounts and reads patient data; four eyes need two people who can
approve); and "staff status", which follows the roles."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from screening.staff.models import ApprovalRequest
from screening.staff.roles import ADMIN_SITE_ROLES, MANAGES_ACCOUNTS, READS_PATIENT_DATA

Kind = ApprovalRequest.Kind
User = get_user_model()
APPROVING_PERMISSION = "screening.approve_account_change"
SEPARATION = (
    "An account that manages staff accounts cannot also read patient data: a person who does both "
    "has two accounts. Remove one of the roles."
)


# --- Roles and permissions, by name ---------------------------------------------------------------
def permission_key(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def permissions_named(keys: Iterable[str]) -> list[Permission]:
    wanted = {tuple(key.split(".", 1)) for key in keys}
    found = Permission.objects.select_related("content_type").filter(
        codename__in=[codename for _app, codename in wanted]
    )
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


def everything_held(groups: Iterable[str], permissions: Iterable[str]) -> set[str]:
    through_groups = Permission.objects.filter(group__name__in=list(groups)).values_list(
        "content_type__app_label", "codename"
    )
    return set(permissions) | {f"{app}.{codename}" for app, codename in through_groups}


def roles_problem(groups: Iterable[str], permissions: Iterable[str]) -> str:
    """Why an account may not hold these roles and permissions together, or ""."""
    held = everything_held(groups, permissions)
    return SEPARATION if held & READS_PATIENT_DATA and held & MANAGES_ACCOUNTS else ""


def roles_of(user) -> tuple[list[str], list[str]]:
    """The account's roles (group names) and its own permissions ("app.codename"), sorted."""
    groups = sorted(user.groups.values_list("name", flat=True))
    permissions = sorted(
        permission_key(p) for p in user.user_permissions.select_related("content_type")
    )
    return groups, permissions


def set_staff_status(user, groups: Iterable[str]) -> None:
    user.is_staff = bool(set(groups) & ADMIN_SITE_ROLES) or user.is_superuser


def permission_names(keys: Iterable[str]) -> str:
    return ", ".join(sorted(p.name.removeprefix("Can ") for p in permissions_named(keys))) or "none"


LAST_APPROVERS = (
    "This would leave fewer than two people who can approve changes to staff accounts. Ask for the "
    "Clinic admin role for someone else first, and take it away from this account once that is "
    "approved."
)


def approvers():
    return User.objects.with_perm(
        APPROVING_PERMISSION,
        is_active=True,
        include_superusers=False,
        backend="screening.staff.sign_in.OneQueryPermissionsBackend",
    )


def approves(user) -> bool:
    return approvers().filter(pk=user.pk).exists()


def approvers_problem(user, groups: Iterable[str], permissions: Iterable[str], active: bool) -> str:
    """Why an account may not lose its approving permission or be deactivated now, or "": four eyes
    need two people who can approve (one clinic admin could otherwise shut the other out, and no
    change could be approved again). Not counted where a clinic has turned four eyes off."""
    if not settings.STAFF_CHANGES_NEED_SECOND_ADMIN or not approves(user):
        return ""
    if active and APPROVING_PERMISSION in everything_held(groups, permissions):
        return ""
    return LAST_APPROVERS if approvers().exclude(pk=user.pk).count() < 2 else ""
