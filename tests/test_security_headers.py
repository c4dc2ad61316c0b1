"""The browser-side baseline on every page: CSP with nonces, nosniff, referrer policy, no caching."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def _directives(header: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in header.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def test_every_patient_page_sends_a_strict_content_security_policy(patient):
    patient.begin()
    for url in (
        reverse("screening:start"),
        reverse("screening:page", args=["about-you"]),
        reverse("screening:resume"),
        reverse("screening:privacy"),
    ):
        response = patient.client.get(url)
        csp = _directives(response.headers["Content-Security-Policy"])
        assert csp["default-src"] == ["'self'"]
        assert csp["object-src"] == ["'none'"]
        assert csp["base-uri"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert not any("'unsafe-inline'" in v for values in csp.values() for v in values)
        nonce = next(v for v in csp["script-src"] if v.startswith("'nonce-"))
        assert f'nonce="{nonce[7:-1]}"' in response.content.decode()


def test_pages_with_answers_are_never_cached_and_headers_harden_the_browser(patient):
    patient.fill(upto="safety")
    response = patient.client.get(reverse("screening:page", args=["pain-where"]))
    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/", "/staff/", "/admin/login/", "/intake/nowhere/"])
def test_a_request_for_an_unknown_host_is_refused_with_the_same_hardening(client, path):
    response = client.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]


def test_state_changes_refuse_get(patient):
    assert patient.client.get(reverse("screening:begin")).status_code == 405
    patient.fill()
    # A refused send reloaded (a GET) sends nothing: it shows the check page again
    assert patient.client.get(reverse("screening:submit")).url == reverse("screening:check")
    assert patient.intake.status == patient.intake.Status.DRAFT


def test_the_session_cookie_is_http_only(patient):
    response = patient.begin()
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def _settings_in_production(**env):
    """Read settings in a fresh process with a production-like environment."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECRET_KEY"}
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.DEBUG)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**clean, "DJANGO_SETTINGS_MODULE": "facetclinic.settings", **env},
    )


def test_production_settings_use_secure_http_only_cookies_and_https():
    result = _settings_in_production(SECRET_KEY="a-real-secret-from-the-environment")
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "False"], result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings_in_production()
    assert result.returncode != 0
    assert "Set the environment variable SECRET_KEY" in result.stderr


def test_a_mistyped_boolean_stops_the_server_instead_of_guessing():
    result = _settings_in_production(SECRET_KEY="x", DEBUG="flase")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr
