"""Sign-ins, sign-outs and failed sign-ins are in the audit log, with the address they came from."""

import pytest
from django.contrib.auth.models import User

from screening.staff.models import AuditEvent
from tests.personas import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def casey(default_rules):
    return User.objects.create_user("casey", password="a-long-password-for-tests")


def test_a_sign_in_and_sign_out_are_recorded(client, casey):
    response = client.post(
        "/staff/login/",
        {"username": "casey", "password": "a-long-password-for-tests"},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302
    login = AuditEvent.objects.get(action="auth.login")
    assert login.actor == casey and login.detail == {"address": "203.0.113.9"}
    client.post("/staff/logout/")
    assert AuditEvent.objects.filter(action="auth.logout", actor=casey).exists()


def test_a_failed_sign_in_is_recorded_without_what_was_typed(client, casey):
    response = client.post(
        "/staff/login/", {"username": "casey", "password": "wrong"}, REMOTE_ADDR="198.51.100.4"
    )
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.object_ref == "casey" and failed.detail == {"address": "198.51.100.4"}
    # A password typed into the username box is not kept.
    client.post("/staff/login/", {"username": "hunter2-secret", "password": "x"})
    unknown = AuditEvent.objects.filter(action="auth.login_failed").first()
    assert unknown.object_ref == "(unknown username)"
    assert not AuditEvent.objects.filter(object_ref__contains="hunter2").exists()
    assert "wrong" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_a_clinic_admin_searches_the_whole_log_by_person_and_reference(client, casey):
    from django.contrib.auth.models import Group

    from screening.staff import audit_log as audit

    audit.record(actor=casey, action="case.view", object_type="case", object_ref="FC-AAAA-BBBB")
    admin = User.objects.create_user("alex", password="a-long-password-for-tests", is_staff=True)
    admin.groups.add(Group.objects.get(name="Clinic admin"))
    sign_in(client, admin)
    by_person = client.get("/admin/screening/auditevent/?q=casey").content.decode()
    assert "FC-AAAA-BBBB" in by_person
    by_reference = client.get("/admin/screening/auditevent/?q=FC-AAAA").content.decode()
    assert "case.view" in by_reference
