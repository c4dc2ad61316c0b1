"""The people the tests act as, each a fixture: a patient at a browser (and another), a coordinator and a
second one, a rules admin, a clinic admin and a second one, and a stranger.

Staff are signed in with both factors by ``sign_in`` (their session carries a verified device, as the
"Enter your code" page would leave it); a test that means a password alone uses Django's
``client.force_login``. The sign-in pages themselves are tested in tests/test_two_factor.py.
"""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse

from tests.intake_data import EVERY_PAGE, FULL_INTAKE


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
        default = FULL_INTAKE[slug] if slug in FULL_INTAKE else EVERY_PAGE[slug]
        payload = dict(default if data is None else data)
        payload["action"] = action
        return self.client.post(url, payload)

    def fill(
        self,
        upto: str | None = None,
        overrides: dict[str, dict] | None = None,
        pages: dict[str, dict] = FULL_INTAKE,
    ):
        """Answer every page in order (with overrides per page), stopping before ``upto``; ``pages``
        the walk (tests.intake_data.EVERY_PAGE shows every page there is)."""
        self.begin()
        overrides = overrides or {}
        for slug, data in pages.items():
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


# --- staff ---------------------------------------------------------------------------------------------
def staff_member(username: str, *roles: str, permissions: tuple[str, ...] = (), **fields) -> User:
    """A staff account with these roles (groups) and permissions of its own; no password (no slow
    hashing) unless ``password`` is given."""
    password = fields.pop("password", None)
    user = User.objects.create_user(username, password=password, **fields)
    user.groups.add(*Group.objects.filter(name__in=roles))
    user.user_permissions.add(*Permission.objects.filter(codename__in=permissions))
    return user


def pass_second_factor(client: Client, user) -> None:
    """Give a signed-in test client's session a verified second factor, as the verify page would."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or (
        TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()


def sign_in(client: Client, user) -> Client:
    """Sign ``user`` in on ``client`` with a password and a second factor; the client knows its user."""
    client.force_login(user)
    pass_second_factor(client, user)
    client.user = user
    return client


def run_previews() -> None:
    """Run every rules preview still running, as the task worker would (tests/test_rescreen.py shows the
    worker itself running a queued task; in a test's transaction nothing is queued until it commits)."""
    from screening.rules.models import RulePreview
    from screening.rules.previews import run_preview

    for pk in RulePreview.objects.filter(state="running").values_list("pk", flat=True):
        run_preview.call(pk)


def signed_in(user) -> Client:
    """A new browser with ``user`` signed in (both factors)."""
    return sign_in(Client(), user)


@pytest.fixture
def patient(client, default_rules) -> Patient:
    return Patient(client)


@pytest.fixture
def other_patient(default_rules) -> Patient:
    return Patient(Client())


@pytest.fixture
def coordinator(default_rules) -> Client:
    return signed_in(staff_member("casey", "Coordinator", first_name="Casey", last_name="Moss"))


@pytest.fixture
def second_coordinator(default_rules) -> Client:
    return signed_in(staff_member("jordan", "Coordinator", first_name="Jordan", last_name="Lee"))


@pytest.fixture
def rules_admin(default_rules) -> Client:
    return signed_in(staff_member("rosa", "Rules admin", is_staff=True))


@pytest.fixture
def rules_approver(default_rules) -> Client:
    """A clinician who is a rules admin too, and signs off rules others submit."""
    return signed_in(
        staff_member(
            "idris", "Rules admin", "Rules approver", is_staff=True, email="idris@clinic.example"
        )
    )


@pytest.fixture
def clinic_admin(default_rules) -> Client:
    return signed_in(
        staff_member("morgan", "Clinic admin", is_staff=True, email="morgan@clinic.example")
    )


@pytest.fixture
def second_clinic_admin(default_rules) -> Client:
    return signed_in(
        staff_member("avery", "Clinic admin", is_staff=True, email="avery@clinic.example")
    )


@pytest.fixture
def stranger() -> Client:
    """Someone with no account and no draft."""
    return Client()
