"""The case page: everything a coordinator needs to read, and every read on the record."""

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from screening.models import AuditEvent
from tests.intake_data import FULL_INTAKE

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(default_rules):
    from django.test import Client

    user = User.objects.create_user("casey", password="a-long-password-for-tests")
    user.groups.add(Group.objects.get(name="Coordinator"))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def submitted(patient):
    patient.fill(
        overrides={
            "pain-how": {"morning_stiffness": "no"},
            "health": {"medicines": "<script>alert('x')</script> Ibuprofen"},
            "goals": {"heard_from": ""},
        }
    )
    patient.submit()
    return patient.intake


def test_a_coordinator_reads_the_case_with_findings_scores_and_answers(coordinator, submitted):
    html = coordinator.get(f"/staff/cases/{submitted.reference}/").content.decode()
    assert f"Case {submitted.reference}" in html
    assert "Zelda Quarrington, born 14 July 1971" in html and "555 010 7788" in html
    assert "Facet pain candidacy signals" in html and "rule sr_facet_candidate, ruleset v1" in html
    assert "42% (severe)" in html and "medium risk" in html and "25.7 (overweight)" in html
    assert "How long does the morning stiffness last?" in html and "Not asked" in html
    assert (
        "Unanswered" in html
    )  # spinal levels is optional... and answered here; heard_from? see below


def test_what_the_patient_typed_is_shown_as_text(coordinator, submitted):
    html = coordinator.get(f"/staff/cases/{submitted.reference}/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Ibuprofen" in html


def test_every_read_is_recorded_with_who_and_from_where(coordinator, submitted):
    coordinator.get(f"/staff/cases/{submitted.reference}/", REMOTE_ADDR="203.0.113.7")
    coordinator.get(f"/staff/cases/{submitted.reference}/", REMOTE_ADDR="203.0.113.7")
    events = AuditEvent.objects.filter(action="case.view", object_ref=submitted.reference)
    assert events.count() == 2
    assert {(e.actor.username, e.detail["address"]) for e in events} == {("casey", "203.0.113.7")}


def test_an_urgent_case_carries_a_warning_banner(coordinator, patient):
    patient.fill(upto="safety")
    patient.post_page("safety", {**FULL_INTAKE["safety"], "bladder_problem": "yes"})
    html = coordinator.get(f"/staff/cases/{patient.intake.reference}/").content.decode()
    assert "A red-flag answer: contact the patient today" in html and "not submitted" in html


def test_only_coordinators_read_cases(client, submitted):
    url = f"/staff/cases/{submitted.reference}/"
    assert client.get(url).status_code == 302  # to sign in
    rules_admin = User.objects.create_user(
        "rosa", password="a-long-password-for-tests", is_staff=True
    )
    rules_admin.groups.add(Group.objects.get(name="Rules admin"))
    client.force_login(rules_admin)
    assert client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(action="case.view").exists()


def test_an_unknown_reference_is_not_found(coordinator):
    assert coordinator.get("/staff/cases/FC-XXXX-XXXX/").status_code == 404


def test_the_case_page_query_count_does_not_grow_with_findings(
    coordinator, submitted, other_patient
):
    coordinator.get(f"/staff/cases/{submitted.reference}/")  # warm the per-process caches
    with CaptureQueriesContext(connection) as first:
        coordinator.get(f"/staff/cases/{submitted.reference}/")
    other_patient.fill(overrides={"health": {"blood_thinners": "yes", "osteoporosis": "yes"}})
    other_patient.submit()
    reference = other_patient.intake.reference
    with CaptureQueriesContext(connection) as second:
        coordinator.get(f"/staff/cases/{reference}/")
    # Session, user, permissions, second-factor device, session save (activity), case, screening,
    # audit insert, answers, timeline sources (8), duplicates, assignees.
    assert len(second) == len(first) <= 24
