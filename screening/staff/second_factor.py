"""The second factor: devices (django-otp) the app hands out, checking a code, and confirming an app.

A one-time code stands in for the second factor at one sign-in: the approver of a new account or a reset
gives a "Setup code" (so that a password alone never enrols an app), and the operator's emergency command
gives an "Emergency code". Each is a static device with one token, replaced when a new one is issued and
used up at sign-in.

Wrong codes are limited here, not by django-otp's per-device delay, which would let a stranger who has the
password block the real code from any other address: per account and address (STAFF_OTP_MAX_FAILURES in
15 minutes), as the password's lockout is, and per account from all addresses together
(STAFF_OTP_ACCOUNT_MAX_FAILURES in STAFF_OTP_ACCOUNT_WINDOW_MINUTES), which e-mails the account's owner
once a window. Every verification, failure, refusal and setup is in the audit log.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from screening.casework import notifications as notify
from screening.staff import attempt_limits as throttle
from screening.staff import audit_log as audit

BACKUP_CODES = 10
SETUP_CODE, EMERGENCY_CODE, BACKUP = "Setup code", "Emergency code", "Backup codes"


def issue_code(user, name: str) -> str:
    StaticDevice.objects.filter(user=user, name=name).delete()
    device = StaticDevice.objects.create(user=user, name=name, confirmed=True)
    code = StaticToken.random_token()
    device.token_set.create(token=code)
    return code


def new_backup_codes(user, count: int = BACKUP_CODES) -> list[str]:
    StaticDevice.objects.filter(user=user, name=BACKUP).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Checked:
    """A code checked: the device that took it, or how long to wait (0: the code was wrong)."""

    device: object | None = None
    wait_seconds: int = 0


def verify_code(*, user, code: str, address_key: str) -> Checked:
    """Check a code at sign-in against both limits, and record what came of it. Under the account-wide
    ceiling only the operator's emergency code is tried (break glass must work while someone with the
    password is guessing); the address's own limit still counts it."""
    refused_for, by_ceiling = _take_attempt(user, address_key)
    device = (
        _match(user, code, emergency_only=by_ceiling) if not refused_for or by_ceiling else None
    )
    if device is not None:
        throttle.refund(address_key)
        if not by_ceiling:
            throttle.refund(_account_key(user))
        _log(user, "auth.second_factor", device=device.name)
        return Checked(device=device)
    if refused_for:
        _log(user, "auth.second_factor_refused", seconds=refused_for)
        return Checked(wait_seconds=refused_for)
    _log(user, "auth.second_factor_failed")
    _tell_the_owner_if_locked(user)
    return Checked()


def confirm_app(*, user, device, code: str) -> list[str] | None:
    """Confirm a new authenticator app with the code it shows; returns the new backup codes (shown once),
    or None when the code is not right."""
    if not device.verify_token(code):
        return None
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_backup_codes(user)
        _log(user, "auth.second_factor_setup")
    return codes


def _log(user, action: str, **detail) -> None:
    audit.record(
        actor=user, action=action, object_type="user", object_ref=user.username, detail=detail
    )


def _account_key(user) -> str:
    return f"otp-account:{user.pk}"


def _take_attempt(user, address_key: str) -> tuple[int, bool]:
    """Count an attempt against both limits. Returns the seconds to wait (0: it may be tried) and
    whether only the account-wide ceiling refused it (the address's limit has room and counted it)."""
    if not throttle.take(address_key, limit=settings.STAFF_OTP_MAX_FAILURES, window=WINDOW):
        return max(1, throttle.seconds_left(address_key)), False
    account_key = _account_key(user)
    account_window = timedelta(minutes=settings.STAFF_OTP_ACCOUNT_WINDOW_MINUTES)
    if not throttle.take(
        account_key, limit=settings.STAFF_OTP_ACCOUNT_MAX_FAILURES, window=account_window
    ):
        return max(1, throttle.seconds_left(account_key)), True
    return 0, False


def _tell_the_owner_if_locked(user) -> None:
    """After a wrong code: when the account-wide ceiling is reached, e-mail the owner, once a window."""
    if not throttle.blocked(_account_key(user), limit=settings.STAFF_OTP_ACCOUNT_MAX_FAILURES):
        return
    window = timedelta(minutes=settings.STAFF_OTP_ACCOUNT_WINDOW_MINUTES)
    if throttle.take(f"otp-account-told:{user.pk}", limit=1, window=window):
        notify.second_factor_locked(user)
        _log(user, "auth.second_factor_locked", failures=settings.STAFF_OTP_ACCOUNT_MAX_FAILURES)


def _match(user, token: str, *, emergency_only: bool = False):
    """The confirmed device that accepts the token, if any (django-otp's own delay is off: settings)."""
    with transaction.atomic():
        for device in devices_for_user(user, for_verify=True):
            if emergency_only and device.name != EMERGENCY_CODE:
                continue
            if device.verify_token(token):
                return device
    return None
