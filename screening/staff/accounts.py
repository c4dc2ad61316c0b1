"""Staff accounts: what a clinic admin changes at once, and what waits for a second clinic admin.

Waits for approval (approvals.py): creating an account, changing its e-mail address, resetting its
password or its second factor, and giving it a role, a permission or back its access (making an inactive
account active). Takes effect at once, because it gives nothing: a name, taking a role or permission
away, deactivating. A new account has no password: its owner sets one from the link they are e-mailed
once the account is approved, and signs in the first time with a one-time setup code that only the
approver is shown (to give in person or by phone). So no single clinic admin can make an account, or take
over one, and sign in with it.

An account never both manages accounts and reads patient data: a person who does both has two accounts.
"Staff status" (the Django admin's door) follows the roles and is never set by hand.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from screening.staff import approvals
from screening.staff import audit_log as audit
from screening.staff.account_roles import (
    approvers_problem,
    permissions_named,
    roles_of,
    roles_problem,
    set_staff_status,
)
from screening.staff.approvals import ApprovalError, Outcome
from screening.staff.models import ApprovalRequest

Kind = ApprovalRequest.Kind
User = get_user_model()


# --- Asking ---------------------------------------------------------------------------------------
def account_create_request(
    *,
    actor,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    groups: list[str],
    permissions: list[str],
    note: str = "",
) -> Outcome:
    if User.objects.filter(username=username).exists():
        raise ApprovalError("An account with this username exists", field_name="username")
    problem = roles_problem(groups, permissions)
    if problem:
        raise ApprovalError(problem, field_name="groups")
    content = {
        "username": username,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "groups": sorted(groups),
        "permissions": sorted(permissions),
    }
    return approvals.approval_ask(
        kind=Kind.ACCOUNT_CREATE, subject=username, content=content, requested_by=actor, note=note
    )


@dataclass
class Changed:
    """What an account change did at once, and the requests it made for the rest."""

    at_once: list[str]
    requests: list[Outcome]


def account_change(
    *,
    actor,
    user,
    first_name: str,
    last_name: str,
    email: str,
    is_active: bool,
    groups: list[str],
    permissions: list[str],
    note: str = "",
) -> Changed:
    """Apply what gives nothing at once; ask for approval of the rest (a new e-mail address, a role or
    permission more, access given back)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        held_groups, held_permissions = roles_of(user)
        added_groups = sorted(set(groups) - set(held_groups))
        added_permissions = sorted(set(permissions) - set(held_permissions))
        removed_groups = sorted(set(held_groups) - set(groups))
        removed_permissions = sorted(set(held_permissions) - set(permissions))
        reactivate = is_active and not user.is_active
        final_groups = sorted(set(held_groups) - set(removed_groups) | set(added_groups))
        final_permissions = sorted(
            set(held_permissions) - set(removed_permissions) | set(added_permissions)
        )
        problem = roles_problem(final_groups, final_permissions)
        if problem:
            raise ApprovalError(problem, field_name="groups")
        problem = approvers_problem(user, final_groups, final_permissions, is_active)
        if problem:
            raise ApprovalError(problem, field_name="groups")

        at_once = []
        if (first_name, last_name) != (user.first_name, user.last_name):
            user.first_name, user.last_name = first_name, last_name
            at_once.append("name")
        if user.is_active and not is_active:
            user.is_active = False
            at_once.append("deactivated")
        if removed_groups or removed_permissions:
            user.groups.remove(*Group.objects.filter(name__in=removed_groups))
            user.user_permissions.remove(*permissions_named(removed_permissions))
            at_once.append("roles taken away")
        set_staff_status(user, set(held_groups) - set(removed_groups))
        user.save(update_fields=["first_name", "last_name", "is_active", "is_staff"])
        if at_once:
            audit.record(
                actor=actor,
                action="user.change",
                object_type="user",
                object_ref=user.username,
                detail={
                    "changed": at_once,
                    "groups_removed": removed_groups,
                    "permissions_removed": removed_permissions,
                    "active": user.is_active,
                },
            )

        requests = []
        if email != user.email:
            requests.append(
                approvals.approval_ask(
                    kind=Kind.ACCOUNT_EMAIL,
                    subject=user.username,
                    content={"user": user.pk, "before": user.email, "after": email},
                    requested_by=actor,
                    note=note,
                )
            )
        if added_groups or added_permissions or reactivate:
            now_groups, now_permissions = roles_of(user)
            content = {
                "user": user.pk,
                "add_groups": added_groups,
                "add_permissions": added_permissions,
                "activate": reactivate,
                "before": {
                    "groups": now_groups,
                    "permissions": now_permissions,
                    "active": user.is_active,
                },
            }
            requests.append(
                approvals.approval_ask(
                    kind=Kind.ACCOUNT_GRANT,
                    subject=user.username,
                    content=content,
                    requested_by=actor,
                    note=note,
                )
            )
        return Changed(at_once=at_once, requests=requests)


def account_reset_request(*, actor, user, what: str, note: str = "") -> Outcome:
    """Ask to reset an account's password ("password") or second factor ("second_factor")."""
    kind = {"password": Kind.ACCOUNT_PASSWORD, "second_factor": Kind.ACCOUNT_SECOND_FACTOR}[what]
    return approvals.approval_ask(
        kind=kind, subject=user.username, content={"user": user.pk}, requested_by=actor, note=note
    )
