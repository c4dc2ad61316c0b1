"""Shared fixtures: a patient's browser session driven through the intake with Django's test client."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.intake_data import FULL_INTAKE


class Patient:
    """A patient at a browser: posts pages of the intake as a person would, one after another."""

    def __init__(self, client: Client):
        self.client = client

    def begin(self):
        return self.client.post(reverse("screening:begin"))

    def post_page(self, slug: str, data: dict | None = None, action: str = "continue", **params):
        url = reverse("screening:page", args=[slug])
        if params:
            url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
        payload = dict(FULL_INTAKE[slug] if data is None else data)
        payload["action"] = action
        return self.client.post(url, payload)

    def fill(self, upto: str | None = None, overrides: dict[str, dict] | None = None):
        """Answer every page in order (with overrides per page), stopping before ``upto``."""
        self.begin()
        overrides = overrides or {}
        for slug, data in FULL_INTAKE.items():
            if slug == upto:
                return
            response = self.post_page(slug, {**data, **overrides.get(slug, {})})
            assert response.status_code == 302, (slug, _errors(response))

    def submit(self):
        return self.client.post(reverse("screening:submit"))

    @property
    def intake(self):
        from screening.intake.models import Intake

        return Intake.objects.select_related("identity").get(pk=self.client.session["intake_id"])


def _errors(response) -> object:
    form = getattr(response, "context", None) and response.context.get("form")
    return form.errors if form is not None else response.status_code


@pytest.fixture
def default_rules(db):
    """The default screening rules, published as version 1 (as `make run` loads them), and the staff
    groups (which a flush after a transactional test removes, unlike the migration that made them)."""
    import django.apps

    from screening.rules.rulesets import rules_load_defaults
    from screening.staff.roles import ensure_groups

    ensure_groups(django.apps.apps)
    rules_load_defaults()


@pytest.fixture
def patient(client, default_rules) -> Patient:
    return Patient(client)


@pytest.fixture
def other_patient(default_rules) -> Patient:
    return Patient(Client())


# --- Staff sign-in in tests ---------------------------------------------------------------------------
def pass_second_factor(client: Client, user) -> None:
    """Give a signed-in test client's session a verified second factor, as the verify page would."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or (
        TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()


_force_login = Client.force_login


def _force_login_with_second_factor(self, user, backend=None):
    """Tests sign staff in with both factors unless they ask for the password only
    (``client.force_login_password_only``); the sign-in pages themselves are tested in
    tests/test_two_factor.py."""
    _force_login(self, user, backend)
    pass_second_factor(self, user)


Client.force_login = _force_login_with_second_factor
Client.force_login_password_only = _force_login
