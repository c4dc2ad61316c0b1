"""The case page: everything a coordinator needs to read, and every read on the record."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from screening.staff.models import AuditEvent
from tests.intake_data import FULL_INTAKE
from tests.personas import sign_in, signed_in, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(patient):
    patient.fill(
        overrides={
            "health-more": {
                "medicines": "<script>alert('x')</script> Ibuprofen",
                "allergies": "",
            },
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
    # A question branching did not ask is behind a disclosure; a skipped optional one reads neutrally.
    not_asked = " ".join(
        part.split("</details>")[0] for part in html.split('class="fc-not-asked"')[1:]
    )
    assert "Which language?" in not_asked and "Not asked" in not_asked
    assert "question not asked" in not_asked or "questions not asked" in not_asked
    assert 'fc-answer--skipped"' in html and "Not answered" in html  # allergies left empty
    assert "Unanswered" not in html


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
    sign_in(client, rules_admin)
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
    other_patient.fill(overrides={"health-more": {"blood_thinners": "yes", "osteoporosis": "yes"}})
    other_patient.submit()
    reference = other_patient.intake.reference
    with CaptureQueriesContext(connection) as second:
        coordinator.get(f"/staff/cases/{reference}/")
    # Session, user, permissions (2), second-factor device, case, audit insert, screenings, audit
    # trail, consents and files (answers), duplicates, assignees, the scan reports listed, an open
    # completion link (a report is missing: an MRI without its report), the treatments; no session write
    # within the minute.
    assert len(second) == len(first) <= 14


def test_the_timeline_reads_only_the_tables_its_audit_trail_names(coordinator, submitted):
    from screening.casework.models import Case
    from screening.casework.timeline import case_history

    case = Case.objects.select_related("intake").get(intake=submitted)
    with CaptureQueriesContext(connection) as quiet:
        case_history(case)
    assert len(quiet) == 2  # screenings and audit trail: no notes, contacts, bookings, links
    coordinator.post(f"/staff/cases/{submitted.reference}/notes/", {"text": "Rang, no answer"})
    with CaptureQueriesContext(connection) as noted:
        history = case_history(case)
    assert len(noted) == 3
    assert [e.text for e in history.entries if e.kind == "note"] == ["Rang, no answer"]
    assert history.booking is None


def test_a_long_trail_reads_every_table(coordinator, submitted, monkeypatch):
    """A trail cut at its limit may have left out the event that names a table: all are read."""
    from screening.casework import timeline
    from screening.casework.models import Case

    coordinator.post(f"/staff/cases/{submitted.reference}/notes/", {"text": "First note"})
    for status in ("in_review", "contacted"):
        coordinator.post(f"/staff/cases/{submitted.reference}/status/", {"status": status})
    monkeypatch.setattr(timeline, "LIMIT", 2)  # the note's event is the third change back
    case = Case.objects.select_related("intake").get(intake=submitted)
    with CaptureQueriesContext(connection) as queries:
        history = timeline.case_history(case)
    assert len(queries) == 7  # screenings, audit trail and the five tables
    assert [e.text for e in history.entries if e.kind == "note"] == ["First note"]


def test_views_are_capped_apart_from_changes(coordinator, submitted, monkeypatch):
    from screening.casework import timeline
    from screening.casework.models import Case

    monkeypatch.setattr(timeline, "VIEWS_LIMIT", 3)
    coordinator.post(f"/staff/cases/{submitted.reference}/status/", {"status": "in_review"})
    for _ in range(5):
        coordinator.get(f"/staff/cases/{submitted.reference}/")
    case = Case.objects.select_related("intake").get(intake=submitted)
    entries = timeline.case_history(case).entries
    kinds = [e.kind for e in entries]
    assert kinds.count("view") == 1 and entries[0].title == "Viewed 3 times"  # the last three
    assert "status" in kinds and "submitted" in kinds and "screened" in kinds


def test_the_timeline_and_answers_show_what_was_typed_as_text(coordinator, submitted):
    note = '<b>Call after 5</b> & ask for "Zelda"'
    coordinator.post(f"/staff/cases/{submitted.reference}/notes/", {"text": note})
    html = coordinator.get(f"/staff/cases/{submitted.reference}/").content.decode()
    assert "&lt;b&gt;Call after 5&lt;/b&gt; &amp; ask for &quot;Zelda&quot;" in html
    assert "<b>Call after 5</b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Ibuprofen" in html


def test_the_assign_form_shows_the_current_assignee_and_a_refused_note_its_error(
    coordinator, submitted
):
    url = f"/staff/cases/{submitted.reference}/"
    assert 'value="" selected' in coordinator.get(url).content.decode()  # nobody has the case
    coordinator.post(f"{url}claim/")
    mine = coordinator.get(url).content.decode()
    assert f'value="{coordinator.user.pk}" selected' in mine
    wrong = coordinator.post(f"{url}notes/", {"text": ""})
    assert wrong.status_code == 400 and "Enter the note" in wrong.content.decode()


def test_the_timeline_names_who_viewed_the_case_and_who_changed_it(coordinator, submitted):
    """Views and changes come from the audit trail, each with the staff member's name (their username
    when they have none)."""
    robin = signed_in(staff_member("robin", "Coordinator", first_name="Robin", last_name="Hale"))
    nameless = signed_in(staff_member("kim", "Coordinator"))
    page = f"/staff/cases/{submitted.reference}/"
    robin.get(page)
    nameless.post(f"{page}claim/")
    html = coordinator.get(page).content.decode()
    assert (
        '<span class="fc-timeline__title">Viewed</span> <span class="fc-hint">by Robin Hale</span>'
        in html
    )
    assert (
        '<span class="fc-timeline__title">Took the case</span> <span class="fc-hint">by kim</span>'
        in html
    )


def test_views_are_one_line_per_person_per_day(coordinator, submitted):
    """A case read again and again, after each action, does not bury what was done on it."""
    page = f"/staff/cases/{submitted.reference}/"
    robin = signed_in(staff_member("robin", "Coordinator", first_name="Robin", last_name="Hale"))
    for _ in range(3):
        robin.get(page)
    robin.post(f"{page}claim/")
    robin.get(page)
    html = coordinator.get(page).content.decode()
    titles = re.findall(
        r'fc-timeline__title">([^<]+)</span>(?: <span class="fc-hint">by ([^<]+))?', html
    )
    assert titles[:4] == [
        ("Viewed", "Casey Moss"),
        ("Viewed 4 times", "Robin Hale"),  # dated by the latest, after the claim
        ("Status: In review", "Robin Hale"),  # claiming a new case puts it in review
        ("Took the case", "Robin Hale"),
    ]


def test_an_interpreter_need_shows_with_the_contact_details(patient, coordinator):
    from tests.intake_data import FULL_INTAKE

    contact = {**FULL_INTAKE["contact"], "interpreter": "yes", "interpreter_language": "Vietnamese"}
    patient.fill(overrides={"contact": contact})
    patient.submit()
    page = coordinator.get(f"/staff/cases/{patient.intake.reference}/")
    assert "Needs an interpreter: Vietnamese" in page.content.decode()


def test_blocks_are_listed_in_the_order_they_were_had_whatever_their_numbers():
    from screening.intake.selectors import block_table

    table = block_table(
        {
            "block_1_date": "2026-06",
            "block_1_relief_percent": 85,
            "block_2_date": "2026-02",
            "block_2_relief_percent": 40,
        }
    )
    assert [row["number"] for row in table["rows"]] == [2, 1]  # February, then June
