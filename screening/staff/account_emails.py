"""E-mails about staff accounts, rendered when the background task sends them (casework/email_sending.py):
approvers told a request waits for them, a person told what an approved change did to their account (with
a link to set their password for a new account or a reset), an owner told of wrong second-factor codes.
They name no patient and no case."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from screening.casework.models import OutgoingEmail
from screening.staff import approval_kinds

KINDS = {
    OutgoingEmail.Kind.APPROVAL_ASKED,
    OutgoingEmail.Kind.ACCOUNT_CHANGED,
    OutgoingEmail.Kind.SECOND_FACTOR_LOCKED,
}


class NobodyToTell(Exception):
    """No one the e-mail is for has an e-mail address: there is nothing to send."""

    reason = "no e-mail address to send to"


def message(email: OutgoingEmail) -> EmailMessage:
    if email.kind == OutgoingEmail.Kind.APPROVAL_ASKED:
        return _approval_asked_message(email.approval)
    return _account_message(email)


def _approval_asked_message(request) -> EmailMessage:
    """To everyone who may approve the request but the person who asked (each sees only their own
    address). Staff details only: names no patient and no case."""
    approvers = get_user_model().objects.with_perm(
        approval_kinds.KINDS[request.kind].permission,
        is_active=True,
        backend="screening.staff.sign_in.OneQueryPermissionsBackend",
    )
    addresses = sorted({u.email for u in approvers.exclude(pk=request.requested_by_id) if u.email})
    if not addresses:
        raise NobodyToTell
    body = render_to_string(
        "email/approval_asked.txt",
        {
            "request": request,
            "lines": approval_kinds.describe(request),
            "url": settings.SITE_URL
            + reverse("admin:screening_approvalrequest_change", args=[request.pk]),
        },
    )
    return EmailMessage(f"Waiting for your approval: {request}", body, bcc=addresses)


def _account_message(email: OutgoingEmail) -> EmailMessage:
    """An e-mail to a staff member about their own account: names no patient and no case."""
    user = email.user
    context = {"user": user, "clinic": settings.CLINIC, "site_url": settings.SITE_URL}
    if email.kind == OutgoingEmail.Kind.SECOND_FACTOR_LOCKED:
        if not user.email:
            raise NobodyToTell
        context["minutes"] = settings.STAFF_OTP_ACCOUNT_WINDOW_MINUTES
        context["failures"] = settings.STAFF_OTP_ACCOUNT_MAX_FAILURES
        body = render_to_string("email/second_factor_locked.txt", context)
        return EmailMessage("Wrong second-factor codes for your account", body, to=[user.email])
    if email.kind == OutgoingEmail.Kind.ACCOUNT_CHANGED:
        return _account_changed_message(email.approval, user, context)
    raise ValueError(f"unknown e-mail kind {email.kind!r}")


def _account_changed_message(request, user, context: dict) -> EmailMessage:
    """What an approved change did to the account. A new account, or a reset password, gets a link to
    set a password, made now from the account's state: it stops working once used, once the password
    changes otherwise, or after PASSWORD_RESET_TIMEOUT."""

    kind = request.kind
    context |= {"request": request, "kind": kind, "lines": approval_kinds.describe(request)}
    if kind in ("account.create", "account.password"):
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        context["set_password_url"] = settings.SITE_URL + reverse(
            "screening:set-password", args=[uid, token]
        )
        context["days"] = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    to = {user.email}
    if kind == "account.email":
        to.add(request.content["before"])  # the old address hears of it too
    to.discard("")
    if not to:
        raise NobodyToTell
    body = render_to_string("email/account_changed.txt", context)
    return EmailMessage(f"Your {settings.CLINIC['name']} staff account", body, to=sorted(to))
