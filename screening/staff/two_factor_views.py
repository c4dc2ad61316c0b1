"""The second factor: set up an authenticator app (with backup codes), and verify a code at sign-in.

django-otp holds the devices (TOTP, and static backup codes). Wrong codes are limited here, not by
django-otp's per-device delay, which would let a stranger who has the password block the real code from
any other address: per account and address (STAFF_OTP_MAX_FAILURES in 15 minutes), as the password's
lockout is, and per account from all addresses together (STAFF_OTP_ACCOUNT_MAX_FAILURES in
STAFF_OTP_ACCOUNT_WINDOW_MINUTES), which e-mails the account's owner once a window. A refused attempt
says to wait, and for how long; only a code that was tried is called wrong. Every verification, failure,
refusal and setup is in the audit log.
"""

import math
from datetime import timedelta

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening.casework import notifications as notify
from screening.forms_base import StaffForm
from screening.staff import attempt_limits as throttle
from screening.staff import audit_log as audit
from screening.staff.second_factor import EMERGENCY_CODE, new_backup_codes

WINDOW = timedelta(minutes=15)


class CodeForm(StaffForm):
    code = forms.CharField(
        label="Code",
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def __init__(self, *args, app_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if app_only:
            self.fields["code"].help_text = "The 6-digit code the app shows now."
        self.describe()  # the hint is tied to the input from the first view

    def clean_code(self) -> str:
        return self.cleaned_data["code"].replace(" ", "").strip()


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed and target.startswith("/") else settings.LOGIN_REDIRECT_URL


def _log(request, action: str, **detail) -> None:
    audit.record(
        actor=request.user,
        action=action,
        object_type="user",
        object_ref=request.user.username,
        detail=detail,
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if not user_has_device(user):
        return redirect("screening:two-factor-setup")
    address_key = throttle.client_key(f"otp:{user.pk}", request)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        refused_for, by_ceiling = _take_attempt(user, address_key)
        # Under the account-wide ceiling only the operator's emergency code is tried (break glass must
        # work while someone with the password is guessing); the address's own limit still counts it.
        device = (
            _match(user, code, emergency_only=by_ceiling) if not refused_for or by_ceiling else None
        )
        if device is not None:
            throttle.refund(address_key)
            if not by_ceiling:
                throttle.refund(_account_key(user))
            otp_login(request, device)
            request.session.cycle_key()
            _log(request, "auth.second_factor", device=device.name)
            return redirect(_next(request))
        if refused_for:
            _log(request, "auth.second_factor_refused", seconds=refused_for)
            form.add_error(
                "code",
                f"Too many wrong codes. Wait {math.ceil(refused_for / 60)} minutes and try again, "
                "or ask a clinic admin.",
            )
            status = 429
        else:
            _log(request, "auth.second_factor_failed")
            _tell_the_owner_if_locked(request, user)
            form.add_error("code", "The code is not right. Enter the code your app shows now")
    if form.is_bound and form.errors and status == 200:
        status = 400
    return render(
        request,
        "screening/staff/two_factor_verify.html",
        {"form": form, "next": _next(request)},
        status=status,
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


def _tell_the_owner_if_locked(request, user) -> None:
    """After a wrong code: when the account-wide ceiling is reached, e-mail the owner, once a window."""
    if not throttle.blocked(_account_key(user), limit=settings.STAFF_OTP_ACCOUNT_MAX_FAILURES):
        return
    window = timedelta(minutes=settings.STAFF_OTP_ACCOUNT_WINDOW_MINUTES)
    if throttle.take(f"otp-account-told:{user.pk}", limit=1, window=window):
        notify.second_factor_locked(user)
        _log(request, "auth.second_factor_locked", failures=settings.STAFF_OTP_ACCOUNT_MAX_FAILURES)


def _match(user, token: str, *, emergency_only: bool = False):
    """The confirmed device that accepts the token, if any (django-otp's own delay is off: settings)."""
    with transaction.atomic():
        for device in devices_for_user(user, for_verify=True):
            if emergency_only and device.name != EMERGENCY_CODE:
                continue
            if device.verify_token(token):
                return device
    return None


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """First sign-in: scan a QR code (or type the key), confirm with a code, get backup codes once."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect(_next(request) if user.is_verified() else "screening:two-factor-verify")
    if not user.is_verified():
        if user_has_device(user):
            # A setup code from a clinic admin, backup codes or an emergency code: verify with it first.
            return redirect("screening:two-factor-verify")
        # No second factor at all: a password alone must not be enough to enrol one (it may be a
        # stolen password). A clinic admin gives a one-time setup code after checking who asks.
        return render(request, "screening/staff/two_factor_no_code.html")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or (
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    )
    form = CodeForm(request.POST or None, app_only=True)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = new_backup_codes(user)
            otp_login(request, device)
            request.session.cycle_key()
            _log(request, "auth.second_factor_setup")
            return render(
                request,
                "screening/staff/two_factor_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error("code", "The code is not right. Enter the code your app shows now")
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return render(
        request,
        "screening/staff/two_factor_setup.html",
        {
            "form": form,
            # An image from a data: address (the CSP allows data: images): no markup to trust.
            "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=4),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next(request),
        },
        status=400 if form.is_bound else 200,
    )


@require_POST
@login_required
def keep_alive(request: HttpRequest) -> HttpResponse:
    """The "stay signed in" button: the middleware has already noted this request as activity."""
    return HttpResponse(status=204)
