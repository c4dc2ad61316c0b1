"""Clinic admins manage staff accounts in the admin: create, deactivate, give roles, reset a lost second
factor; none of it reaches beyond their role. The emergency-access command is audited."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic_admin(default_rules) -> Client:
    user = User.objects.create(username="morgan", is_staff=True)
    user.groups.add(Group.objects.get(name="Clinic admin"))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def test_a_clinic_admin_creates_a_coordinator_and_the_change_is_audited(clinic_admin):
    response = clinic_admin.post(
        "/admin/auth/user/add/",
        {
            "username": "newcoord",
            "password1": "plover-tundra-ochre-7",
            "password2": "plover-tundra-ochre-7",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newcoord")
    coordinators = Group.objects.get(name="Coordinator")
    change_url = f"/admin/auth/user/{user.pk}/change/"
    form = clinic_admin.get(change_url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data |= {
        "groups": [coordinators.pk],
        "is_active": "on",
        "date_joined_0": "",
        "last_login_0": "",
    }
    data.pop("user_permissions", None)
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = clinic_admin.post(change_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(user.groups.all()) == [coordinators]
    actions = set(AuditEvent.objects.filter(object_ref="newcoord").values_list("action", flat=True))
    assert {"user.create", "user.roles"} <= actions


def test_a_weak_password_is_refused_with_a_message(clinic_admin):
    response = clinic_admin.post(
        "/admin/auth/user/add/",
        {
            "username": "weak",
            "password1": "password1234",
            "password2": "password1234",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_a_clinic_admin_cannot_make_a_superuser_or_reach_one(clinic_admin):
    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    assert clinic_admin.get(f"/admin/auth/user/{root.pk}/change/").status_code == 302  # not found
    own = clinic_admin.get(f"/admin/auth/user/{clinic_admin.user.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in own
    colleague = User.objects.create(username="casey2")
    choices = (
        clinic_admin.get(f"/admin/auth/user/{colleague.pk}/change/")
        .context["adminform"]
        .form.fields["user_permissions"]
        .queryset
    )
    assert [p.codename for p in choices] == ["export_identifiable_case"]


def test_resetting_a_lost_second_factor_is_audited(clinic_admin):
    casey = User.objects.create(username="casey")
    TOTPDevice.objects.create(user=casey, name="Phone", confirmed=True)
    StaticDevice.objects.create(user=casey, name="Backup codes", confirmed=True)
    response = clinic_admin.post(
        "/admin/auth/user/",
        {"action": "reset_second_factor", "_selected_action": [casey.pk]},
        follow=True,
    )
    assert "Second factor reset for 1 account(s)." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=casey).exists()
    event = AuditEvent.objects.get(action="user.reset_second_factor")
    assert event.actor == clinic_admin.user and event.object_ref == "casey"
    assert event.detail["devices_removed"] == 2
    # A setup code is shown to the admin, and the account can only verify with it (no enrolling
    # a new app with a password alone).
    assert "Setup code for casey:" in response.content.decode()
    assert StaticDevice.objects.get(user=casey).name == "Setup code"


def test_a_clinic_admin_cannot_change_their_own_roles(clinic_admin):
    own = clinic_admin.get(f"/admin/auth/user/{clinic_admin.user.pk}/change/")
    form = own.context["adminform"].form
    assert "groups" not in form.fields and "user_permissions" not in form.fields


def test_a_coordinator_cannot_manage_accounts(default_rules):
    user = User.objects.create(username="casey", is_staff=True)
    user.groups.add(Group.objects.get(name="Coordinator"))
    client = Client()
    client.force_login(user)
    assert client.get("/admin/auth/user/").status_code == 403


def test_emergency_access_prints_a_single_use_code_and_is_audited(default_rules, capsys):
    casey = User.objects.create_user("casey", password="a-long-password-for-tests")
    with pytest.raises(CommandError):
        call_command("emergency_access", "--username", "casey", "--reason", "short")
    call_command(
        "emergency_access", "--username", "casey", "--reason", "Phone lost, no clinic admin on duty"
    )
    code = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    event = AuditEvent.objects.get(action="auth.break_glass")
    assert event.object_ref == "casey" and "Phone lost" in event.detail["reason"]
    assert code not in str(event.detail)

    client = Client()
    client.post("/staff/login/", {"username": "casey", "password": "a-long-password-for-tests"})
    assert client.post("/staff/two-factor/", {"code": code}).status_code == 302
    again = Client()
    again.post("/staff/login/", {"username": "casey", "password": "a-long-password-for-tests"})
    assert again.post("/staff/two-factor/", {"code": code}).status_code == 400
    assert casey.is_active
