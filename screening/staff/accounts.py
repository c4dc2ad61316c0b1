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

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening.staff import approvals
from screening.staff import audit_log as audit
from screening.staff.approvals import ApprovalError, Outcome
from screening.staff.models import ApprovalRequest
from screening.staff.roles import ADMIN_SITE_ROLES, MANAGES_ACCOUNTS, READS_PATIENT_DATA
from screening.staff.second_factor import SETUP_CODE, issue_code

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


def _permissions(keys: Iterable[str]) -> list[Permission]:
    wanted = {tuple(key.split(".", 1)) for key in keys}
    found = Permission.objects.select_related("content_type").filter(
        codename__in=[codename for _app, codename in wanted]
    )
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


def _everything_held(groups: Iterable[str], permissions: Iterable[str]) -> set[str]:
    through_groups = Permission.objects.filter(group__name__in=list(groups)).values_list(
        "content_type__app_label", "codename"
    )
    return set(permissions) | {f"{app}.{codename}" for app, codename in through_groups}


def roles_problem(groups: Iterable[str], permissions: Iterable[str]) -> str:
    """Why an account may not hold these roles and permissions together, or ""."""
    held = _everything_held(groups, permissions)
    return SEPARATION if held & READS_PATIENT_DATA and held & MANAGES_ACCOUNTS else ""


def roles_of(user) -> tuple[list[str], list[str]]:
    """The account's roles (group names) and its own permissions ("app.codename"), sorted."""
    groups = sorted(user.groups.values_list("name", flat=True))
    permissions = sorted(
        permission_key(p) for p in user.user_permissions.select_related("content_type")
    )
    return groups, permissions


def _set_staff_status(user, groups: Iterable[str]) -> None:
    user.is_staff = bool(set(groups) & ADMIN_SITE_ROLES) or user.is_superuser


def _permission_names(keys: Iterable[str]) -> str:
    return ", ".join(sorted(p.name.removeprefix("Can ") for p in _permissions(keys))) or "none"


LAST_APPROVERS = (
    "This would leave fewer than two people who can approve changes to staff accounts. Ask for the "
    "Clinic admin role for someone else first, and take it away from this account once that is "
    "approved."
)


def _approvers():
    return User.objects.with_perm(
        APPROVING_PERMISSION,
        is_active=True,
        include_superusers=False,
        backend="screening.staff.sign_in.OneQueryPermissionsBackend",
    )


def _approves(user) -> bool:
    return _approvers().filter(pk=user.pk).exists()


def approvers_problem(user, groups: Iterable[str], permissions: Iterable[str], active: bool) -> str:
    """Why an account may not lose its approving permission or be deactivated now, or "": four eyes
    need two people who can approve (one clinic admin could otherwise shut the other out, and no
    change could be approved again). Not counted where a clinic has turned four eyes off."""
    if not settings.STAFF_CHANGES_NEED_SECOND_ADMIN or not _approves(user):
        return ""
    if active and APPROVING_PERMISSION in _everything_held(groups, permissions):
        return ""
    return LAST_APPROVERS if _approvers().exclude(pk=user.pk).count() < 2 else ""


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
            user.user_permissions.remove(*_permissions(removed_permissions))
            at_once.append("roles taken away")
        _set_staff_status(user, set(held_groups) - set(removed_groups))
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


# --- What each kind reads as, whether it still applies, and what approving it does --------------------
def _subject_user(request: ApprovalRequest):
    """The account a request is about, if it is still the one it was asked for."""
    return User.objects.filter(pk=request.content.get("user"), username=request.subject).first()


def _may_decide(request: ApprovalRequest, person) -> bool:
    """Nobody decides a change to their own account, and only a superuser one to a superuser's."""
    if person.username == request.subject:
        return False
    subject = User.objects.filter(username=request.subject).only("is_superuser").first()
    return person.is_superuser or subject is None or not subject.is_superuser


def requests_visible_to(person, queryset):
    """The requests a person may read: not those about a superuser's account, unless a superuser."""
    if person.is_superuser:
        return queryset
    superusers = User.objects.filter(is_superuser=True).values_list("username", flat=True)
    return queryset.exclude(subject__in=superusers)


def _gone(request: ApprovalRequest) -> str:
    return "" if _subject_user(request) else f"The account {request.subject} is not there any more."


def _create_lines(request: ApprovalRequest) -> list[str]:
    c = request.content
    name = f"{c['first_name']} {c['last_name']}".strip() or "no name given"
    return [
        f"Create the staff account {c['username']} for {name}, e-mail address {c['email']}.",
        f"Roles: {', '.join(c['groups']) or 'none'}.",
        f"Permissions of their own: {_permission_names(c['permissions'])}.",
        "They set their own password from a link they are e-mailed. You are shown a one-time setup "
        "code, to give them in person or by phone, for their first sign-in.",
    ]


def _create_still_applies(request: ApprovalRequest) -> str:
    if User.objects.filter(username=request.subject).exists():
        return f"An account named {request.subject} exists now."
    return roles_problem(request.content["groups"], request.content["permissions"])


def _create(request: ApprovalRequest, approver) -> dict:
    c = request.content
    user = User(
        username=c["username"],
        first_name=c["first_name"],
        last_name=c["last_name"],
        email=c["email"],
        is_active=True,
    )
    user.set_unusable_password()
    _set_staff_status(user, c["groups"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=c["groups"]))
    user.user_permissions.set(_permissions(c["permissions"]))
    code = issue_code(user, SETUP_CODE)
    audit.record(
        actor=approver,
        action="user.create",
        object_type="user",
        object_ref=user.username,
        detail={
            "request": request.pk,
            "requested_by": request.requested_by.username,
            "groups": c["groups"],
            "permissions": c["permissions"],
        },
    )
    return {"setup_code": code, "username": user.username}


def _email_lines(request: ApprovalRequest) -> list[str]:
    c = request.content
    return [
        f"Change the e-mail address of {request.subject} from {c['before'] or '(none)'} to "
        f"{c['after'] or '(none)'}.",
        "Password-set links go to this address: check it is theirs.",
    ]


def _email_still_applies(request: ApprovalRequest) -> str:
    user = _subject_user(request)
    if user is None:
        return _gone(request)
    if user.email != request.content["before"]:
        return f"The e-mail address of {request.subject} has changed since this was asked."
    return ""


def _change_email(request: ApprovalRequest, approver) -> dict:
    user = _subject_user(request)
    user.email = request.content["after"]
    user.save(update_fields=["email"])
    audit.record(
        actor=approver,
        action="user.email",
        object_type="user",
        object_ref=user.username,
        detail={"request": request.pk},
    )
    return {}


def _password_lines(request: ApprovalRequest) -> list[str]:
    return [
        f"Reset the password of {request.subject}: their password stops working at once, and they "
        "are e-mailed a link to set a new one.",
    ]


def _reset_password(request: ApprovalRequest, approver) -> dict:
    user = _subject_user(request)
    user.set_unusable_password()  # also ends their sessions (the session's hash is the password's)
    user.save(update_fields=["password"])
    return {}


def _second_factor_lines(request: ApprovalRequest) -> list[str]:
    return [
        f"Reset the second factor of {request.subject}: their authenticator app and backup codes "
        "stop working. You are shown a one-time setup code to give them in person or by phone, "
        "after checking who they are.",
    ]


def _reset_second_factor(request: ApprovalRequest, approver) -> dict:
    user = _subject_user(request)
    removed = sum(
        model.objects.filter(user=user).delete()[0] for model in (TOTPDevice, StaticDevice)
    )
    code = issue_code(user, SETUP_CODE)
    audit.record(
        actor=approver,
        action="user.reset_second_factor",
        object_type="user",
        object_ref=user.username,
        detail={"request": request.pk, "devices_removed": removed},
    )
    return {"setup_code": code, "username": user.username}


def _grant_lines(request: ApprovalRequest) -> list[str]:
    c = request.content
    lines = []
    if c["add_groups"]:
        lines.append(f"Give {request.subject} the roles: {', '.join(c['add_groups'])}.")
    if c["add_permissions"]:
        lines.append(
            f"Give {request.subject} the permissions: {_permission_names(c['add_permissions'])}."
        )
    if c["activate"]:
        lines.append(f"Make the account {request.subject} active again.")
    return lines


def account_now(request: ApprovalRequest) -> str:
    """What the account a request is about holds now, for the approver beside the change."""
    user = _subject_user(request)
    if user is None:
        return ""
    groups, permissions = roles_of(user)
    return (
        f"Roles {', '.join(groups) or 'none'}; permissions of their own "
        f"{_permission_names(permissions)}; {'active' if user.is_active else 'inactive'}; e-mail "
        f"address {user.email or '(none)'}."
    )


def _grant_still_applies(request: ApprovalRequest) -> str:
    user = _subject_user(request)
    if user is None:
        return _gone(request)
    groups, permissions = roles_of(user)
    before = request.content["before"]
    if (groups, permissions, user.is_active) != (
        before["groups"],
        before["permissions"],
        before["active"],
    ):
        return f"The roles or access of {request.subject} have changed since this was asked."
    return roles_problem(
        groups + request.content["add_groups"], permissions + request.content["add_permissions"]
    )


def _grant(request: ApprovalRequest, approver) -> dict:
    c = request.content
    user = _subject_user(request)
    user.groups.add(*Group.objects.filter(name__in=c["add_groups"]))
    user.user_permissions.add(*_permissions(c["add_permissions"]))
    if c["activate"]:
        user.is_active = True
    groups, permissions = roles_of(user)
    _set_staff_status(user, groups)
    user.save(update_fields=["is_active", "is_staff"])
    audit.record(
        actor=approver,
        action="user.roles",
        object_type="user",
        object_ref=user.username,
        detail={
            "request": request.pk,
            "added_groups": c["add_groups"],
            "added_permissions": c["add_permissions"],
            "activated": c["activate"],
            "groups": groups,
            "permissions": permissions,
        },
    )
    return {}


for _kind, _describe, _applies, _apply in [
    (Kind.ACCOUNT_CREATE, _create_lines, _create_still_applies, _create),
    (Kind.ACCOUNT_EMAIL, _email_lines, _email_still_applies, _change_email),
    (Kind.ACCOUNT_PASSWORD, _password_lines, _gone, _reset_password),
    (Kind.ACCOUNT_SECOND_FACTOR, _second_factor_lines, _gone, _reset_second_factor),
    (Kind.ACCOUNT_GRANT, _grant_lines, _grant_still_applies, _grant),
]:
    approvals.register(
        _kind,
        approvals.Kind(
            permission=APPROVING_PERMISSION,
            object_type="user",
            describe=_describe,
            still_applies=_applies,
            apply=_apply,
            may_decide=_may_decide,
        ),
    )
