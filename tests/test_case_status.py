"""Moving a case along new -> in review -> contacted -> consultation booked -> closed; closing needs a reason."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from screening.casework.models import Case
from screening.staff.models import AuditEvent
from tests.personas import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(patient):
    patient.fill()
    patient.submit()
    user = User.objects.create_user(
        "casey", first_name="Casey", password="a-long-password-for-tests"
    )
    user.groups.add(Group.objects.get(name="Coordinator"))
    client = Client()
    sign_in(client, user)
    case = Case.objects.select_related("intake").get()
    return client, f"/staff/cases/{case.intake.reference}/status/"


def _status():
    case = Case.objects.get()
    return case.status, case.close_reason


def test_a_case_moves_forward_one_step_at_a_time_and_is_audited(setup):
    client, url = setup
    for step in ("in_review", "contacted", "consultation_booked"):
        page = client.post(url, {"status": step}, follow=True).content.decode()
        assert "Status changed." in page
        assert _status() == (step, "")
    assert list(
        AuditEvent.objects.filter(action="case.status").values_list("detail__to", flat=True)
    ) == ["consultation_booked", "contacted", "in_review"]


def test_skipping_a_step_is_refused_with_a_reason(setup):
    client, url = setup
    page = client.post(url, {"status": "consultation_booked"}, follow=True).content.decode()
    assert "A case that is new cannot move to that status." in page
    assert _status() == ("new", "")


def test_closing_needs_a_reason_and_a_closed_case_can_be_reopened(setup):
    client, url = setup
    page = client.post(url, {"status": "closed"}, follow=True).content.decode()
    assert "Select why the case is closed." in page
    assert _status() == ("new", "")
    client.post(url, {"status": "closed", "close_reason": "referred_elsewhere"})
    assert _status() == ("closed", "referred_elsewhere")
    assert "(Referred elsewhere)" in client.get(url.replace("status/", "")).content.decode()
    client.post(url, {"status": "in_review"})
    assert _status() == ("in_review", "")


def test_status_changes_are_post_only(setup):
    client, url = setup
    assert client.get(url).status_code == 405
