"""The second-factor pages: set up an authenticator app (with backup codes), and enter a code at sign-in.
The checks, limits and records are the second factor's service's (second_factor.py); a refused attempt
says to wait, and for how long; only a code that was tried is called wrong."""

import math

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening.forms_base import StaffForm
from screening.staff import attempt_limits as throttle
from screening.staff import second_factor


class CodeForm(StaffForm):
    code = forms.CharField(
        label="Code",
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        max_length=20,
        # Backup codes have letters: a phone shows its full keyboard, without capitals forced on.
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def __init__(self, *args, app_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if app_only:  # digits only: the number pad
            self.fields["code"].help_text = "The 6-digit code the app shows now."
            self.fields["code"].widget.attrs["inputmode"] = "numeric"
        self.describe()  # the hint is tied to the input from the first view

    def clean_code(self) -> str:
        return self.cleaned_data["code"].replace(" ", "").strip()


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed and target.startswith("/") else settings.LOGIN_REDIRECT_URL


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if not user_has_device(user):
        return redirect("screening:two-factor-setup")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        checked = second_factor.verify_code(
            user=user,
            code=form.cleaned_data["code"],
            address_key=throttle.client_key(f"otp:{user.pk}", request),
        )
        if checked.device is not None:
            otp_login(request, checked.device)
            request.session.cycle_key()
            return redirect(_next(request))
        if checked.wait_seconds:
            form.add_error(
                "code",
                f"Too many wrong codes. Wait {math.ceil(checked.wait_seconds / 60)} minutes and try "
                "again, or ask a clinic admin.",
            )
            status = 429
        else:
            form.add_error("code", "The code is not right. Enter the code your app shows now")
    if form.is_bound and form.errors and status == 200:
        status = 400
    return render(
        request,
        "screening/staff/two_factor_verify.html",
        {"form": form, "next": _next(request)},
        status=status,
    )


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
        codes = second_factor.confirm_app(user=user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            request.session.cycle_key()
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
