"""Staff sign-ins, sign-outs and failed sign-ins go to the audit log, with the client's address.

Receivers only record; they change nothing else (DESIGN.md: no business logic in signals)."""

import getpass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import pre_save
from django.dispatch import receiver

from screening.staff import attempt_limits as throttle
from screening.staff import audit_log as audit
from screening.staff.sign_in import address_blocked, count_failure


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
    if address_blocked(request):
        # Refused before any password was checked: counted once already, not written again (a
        # stranger must not fill the audit log, which is kept for 6 years).
        return
    count_failure(request)
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


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="audit_password_change")
def _password_changed(sender, instance, **kwargs):
    """Every password change, whichever page or command made it (the admin's, a user's own, or
    ``manage.py changepassword``), by whom if it was a signed-in person, else the operator."""
    if instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if before is None or before == instance.password:
        return
    actor = audit.request_user.get()
    audit.record(
        actor=actor,
        action="user.password",
        object_type="user",
        object_ref=instance.username,
        detail={} if actor is not None else {"operator": getpass.getuser()},
    )
