"""Staff sign-ins, sign-outs and failed sign-ins go to the audit log, with the client's address.

Receivers only record; they change nothing else (DESIGN.md: no business logic in signals)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from screening import audit, throttle


def _address(request) -> str:
    return throttle.client_address(request) if request is not None else ""


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit.record(
        actor=user,
        action="auth.login",
        object_type="user",
        object_ref=user.username,
        detail={"address": _address(request)},
    )


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(
            actor=user,
            action="auth.logout",
            object_type="user",
            object_ref=user.username,
            detail={"address": _address(request)},
        )


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Only a username that exists is kept: what was typed may be a password in the wrong box.
    typed = str(credentials.get("username", ""))[:150]
    known = get_user_model().objects.filter(username=typed).exists()
    audit.record(
        actor=None,
        action="auth.login_failed",
        object_type="user",
        object_ref=typed if known else "(unknown username)",
        detail={"address": _address(request)},
    )
