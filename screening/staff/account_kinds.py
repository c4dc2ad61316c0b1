"""The kinds of approval request that change a staff account: how each reads to the approver, whether it
still applies when approved, and what approving it does (approvals.py calls these)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening.staff import approval_kinds
from screening.staff import audit_log as audit
from screening.staff.account_roles import (
    APPROVING_PERMISSION,
    permission_names,
    permissions_named,
    roles_of,
    roles_problem,
    set_staff_status,
)
from screening.staff.models import ApprovalRequest
from screening.staff.second_factor import SETUP_CODE, issue_code

Kind = ApprovalRequest.Kind
User = get_user_model()


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
        f"Permissions of their own: {permission_names(c['permissions'])}.",
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
    set_staff_status(user, c["groups"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=c["groups"]))
    user.user_permissions.set(permissions_named(c["permissions"]))
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
            f"Give {request.subject} the permissions: {permission_names(c['add_permissions'])}."
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
        f"{permission_names(permissions)}; {'active' if user.is_active else 'inactive'}; e-mail "
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
    user.user_permissions.add(*permissions_named(c["add_permissions"]))
    if c["activate"]:
        user.is_active = True
    groups, permissions = roles_of(user)
    set_staff_status(user, groups)
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
    approval_kinds.register(
        _kind,
        approval_kinds.Kind(
            permission=APPROVING_PERMISSION,
            object_type="user",
            describe=_describe,
            still_applies=_applies,
            apply=_apply,
            may_decide=_may_decide,
        ),
    )
