"""A coordinator's actions on a case: assign, note, contact, missing information by phone, booking,
re-screen. Each is recorded with who and when, shows on the timeline, and a wrong entry says what to fix
without losing what was typed."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from screening.casework.models import (
    Amendment,
    Booking,
    Case,
    ContactAttempt,
    OutgoingEmail,
    ScreeningResult,
)
from screening.staff.models import AuditEvent
from tests.intake_data import FULL_INTAKE
from tests.personas import signed_in, staff_member

pytestmark = pytest.mark.django_db

NO_BLOCKS = {"treatments": {"treatments_tried": ["nsaids", "physical_therapy"]}}


def _staff(username: str, group: str, **names) -> Client:
    return signed_in(staff_member(username, group, **names))


@pytest.fixture
def submitted(patient):
    patient.fill()
    patient.submit()
    return patient.intake


@pytest.fixture
def needs_info(patient):
    patient.fill(overrides=NO_BLOCKS)
    patient.submit()
    intake = patient.intake
    assert intake.case.outcome == "needs_info"
    return intake


def _case_url(intake, action: str = "") -> str:
    return f"/staff/cases/{intake.reference}/" + (f"{action}/" if action else "")


def _actions(intake) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_ref=intake.reference)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_assigning_to_another_coordinator_is_recorded_and_shown(coordinator, submitted):
    other = _staff("robin", "Coordinator", first_name="Robin", last_name="Hale").user
    response = coordinator.post(_case_url(submitted, "assign"), {"assignee": other.pk})
    assert response.status_code == 302
    case = Case.objects.get(intake=submitted)
    assert case.assignee == other
    event = AuditEvent.objects.get(action="case.assign")
    assert event.actor == coordinator.user
    assert event.detail == {"from": "", "to": "robin", "address": "127.0.0.1"}  # who, what, where
    html = coordinator.get(_case_url(submitted)).content.decode()
    assert "Assigned to robin" in html and "by Casey Moss" in html


def test_a_rules_admin_cannot_be_assigned_a_case(coordinator, submitted):
    rules_admin = _staff("rosa", "Rules admin").user
    response = coordinator.post(_case_url(submitted, "assign"), {"assignee": rules_admin.pk})
    assert response.status_code == 400
    assert "Select a coordinator from the list" in response.content.decode()
    assert Case.objects.get(intake=submitted).assignee is None


def test_an_empty_note_says_what_to_do_and_a_note_shows_as_text(coordinator, submitted):
    response = coordinator.post(_case_url(submitted, "notes"), {"text": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#id_text"' in html and "Enter the note" in html
    note = "Called <b>twice</b>; patient asks for a morning appointment"
    assert coordinator.post(_case_url(submitted, "notes"), {"text": note}).status_code == 302
    html = coordinator.get(_case_url(submitted)).content.decode()
    assert "Called &lt;b&gt;twice&lt;/b&gt;; patient asks for a morning appointment" in html
    assert "case.note" in _actions(submitted)
    event = AuditEvent.objects.get(action="case.note")
    assert "twice" not in str(event.detail)  # the audit log names the note, never its words


def test_a_contact_attempt_keeps_what_was_typed_when_something_is_missing(coordinator, submitted):
    response = coordinator.post(
        _case_url(submitted, "contacts"), {"channel": "phone", "note": "Rang the mobile"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select what came of it" in html and 'value="Rang the mobile"' in html
    phone_radio = re.search(r'<input[^>]*name="channel"[^>]*value="phone"[^>]*>', html).group()
    assert "checked" in phone_radio
    response = coordinator.post(
        _case_url(submitted, "contacts"),
        {"channel": "phone", "result": "left_message", "note": "Rang the mobile"},
    )
    assert response.status_code == 302
    attempt = ContactAttempt.objects.get()
    assert (attempt.channel, attempt.result, attempt.by) == (
        "phone",
        "left_message",
        coordinator.user,
    )
    html = coordinator.get(_case_url(submitted)).content.decode()
    assert "Phone call: left a message" in html and "Rang the mobile" in html
    assert AuditEvent.objects.get(action="case.contact").detail == {
        "channel": "phone",
        "result": "left_message",
        "address": "127.0.0.1",
    }


def _all_answers() -> dict:
    data = {}
    for page in FULL_INTAKE.values():
        data.update(page)
    return data


def test_answers_given_by_phone_are_amendments_and_the_case_is_screened_again(
    coordinator, needs_info
):
    html = coordinator.get(_case_url(needs_info)).content.decode()
    assert "Missing information" in html and "Record answers given by phone" in html
    page = coordinator.get(_case_url(needs_info, "complete-by-phone"))
    assert page.status_code == 200
    form_html = page.content.decode()
    # The case names what is missing in the reasons' words; the form asks only that, for staff.
    assert "Number of diagnostic blocks" in html.split("Missing information")[1]
    assert "Treatments tried" in form_html and "Block 1: relief (%)" in form_html
    assert "Which treatments have you tried for this pain?" not in form_html  # the patient's words
    assert (
        "NSAIDs: relief" not in form_html and "Pain duration" not in form_html
    )  # answered already

    # A wrong value: the error is next to the field, and nothing is stored.
    version = page.context["version"]
    wrong = _all_answers() | {"block_1_relief_percent": "180", "version": version}
    response = coordinator.post(_case_url(needs_info, "complete-by-phone"), wrong)
    assert response.status_code == 400
    assert not Amendment.objects.exists()
    assert 'value="85"' not in response.content.decode()  # block 1 kept what was typed: 180
    assert 'value="180"' in response.content.decode()

    response = coordinator.post(
        _case_url(needs_info, "complete-by-phone"), _all_answers() | {"version": version}
    )
    assert response.status_code == 302
    amendments = {a.question: a for a in Amendment.objects.all()}
    tried = amendments["treatments_tried"]
    assert tried.original == ["nsaids", "physical_therapy"]
    assert tried.new == ["nsaids", "physical_therapy", "mbb"]
    assert tried.source == "phone" and tried.by == coordinator.user
    assert amendments["block_1_relief_percent"].original is None
    assert amendments["block_1_relief_percent"].new == 85

    case = Case.objects.get(intake=needs_info)
    assert case.outcome == "specialist_review"
    results = list(needs_info.screenings.order_by("screened_at", "pk"))
    assert [r.trigger for r in results][-2:] == ["submit", "amend"]
    assert [r.outcome for r in results][-2:] == ["needs_info", "specialist_review"]
    needs_info.refresh_from_db()
    assert needs_info.derived["odi"]  # scores recomputed with the new answers
    assert "mbb_amount" not in needs_info.not_asked

    html = coordinator.get(_case_url(needs_info)).content.decode()
    # One entry for the call, each answer named by what it belongs to.
    timeline = html.split('id="timeline"')[1]
    assert timeline.count("given by phone") == 1
    assert "answers given by phone" in timeline
    assert (
        "Treatments tried: NSAIDs, Physical therapy → NSAIDs, Physical therapy, Medial branch blocks"
        in timeline
    )
    assert "Number of diagnostic blocks (as answered): not answered → 2 blocks" in timeline
    assert "Block 1: relief (%): not answered → 85%" in timeline
    event = AuditEvent.objects.get(action="case.amend")
    assert event.detail["source"] == "phone" and "treatments_tried" in event.detail["questions"]
    assert "85" not in str(event.detail)


def test_a_case_without_missing_information_offers_no_completion(coordinator, submitted):
    assert submitted.case.outcome != "needs_info"
    html = coordinator.get(_case_url(submitted)).content.decode()
    assert "Record answers given by phone" not in html
    response = coordinator.get(_case_url(submitted, "complete-by-phone"))
    assert response.status_code == 302


def test_booking_a_consultation_moves_the_case_and_queues_a_confirmation(coordinator, submitted):
    past = timezone.localdate() - timedelta(days=1)
    response = coordinator.post(
        _case_url(submitted, "book"),
        {"date": past.isoformat(), "time": "10:30", "clinician": "Dr Amara Osei", "mode": "video"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The consultation must be in the future" in html and 'value="Dr Amara Osei"' in html
    response = coordinator.post(_case_url(submitted, "book"), {"clinician": "Dr Amara Osei"})
    html = response.content.decode()
    assert "Enter the date of the consultation" in html and "Select in person or video" in html

    day = timezone.localdate() + timedelta(days=7)
    response = coordinator.post(
        _case_url(submitted, "book"),
        {"date": day.isoformat(), "time": "10:30", "clinician": "Dr Amara Osei", "mode": "video"},
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert timezone.localtime(booking.starts_at).strftime("%H:%M") == "10:30"
    assert booking.booked_by == coordinator.user
    case = Case.objects.get(intake=submitted)
    assert case.status == "consultation_booked"
    assert OutgoingEmail.objects.filter(kind="booking", booking=booking).exists()
    assert _actions(submitted)[-2:] == ["case.status", "case.book"]
    html = coordinator.get(_case_url(submitted)).content.decode()
    assert f"Consultation booked for {day:%d %b %Y} 10:30 (video) with Dr Amara Osei" in html


def test_a_closed_case_cannot_be_booked(coordinator, submitted):
    Case.objects.filter(intake=submitted).update(status="closed", close_reason="declined")
    response = coordinator.post(
        _case_url(submitted, "book"),
        {
            "date": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "time": "09:00",
            "clinician": "Dr Osei",
            "mode": "in_person",
        },
    )
    assert response.status_code == 302 and not Booking.objects.exists()


def test_screening_again_adds_a_result_and_keeps_the_old_one(coordinator, submitted):
    before = list(submitted.screenings.values_list("pk", flat=True))
    response = coordinator.post(_case_url(submitted, "rescreen"), follow=True)
    assert "Screened again with ruleset v1" in response.content.decode()
    results = submitted.screenings.all()
    assert len(results) == len(before) + 1
    assert set(before) <= {r.pk for r in results}
    assert results.first().trigger == ScreeningResult.Trigger.RESCREEN
    assert "case.rescreen" in _actions(submitted)


@pytest.mark.parametrize(
    "action", ["assign", "notes", "contacts", "rescreen", "completion-link", "claim", "status"]
)
def test_actions_are_post_only_and_refused_to_other_staff(default_rules, submitted, action):
    rules_admin = _staff("rosa", "Rules admin")
    assert rules_admin.post(_case_url(submitted, action), {}).status_code == 403
    coordinator = _staff("casey", "Coordinator")
    assert coordinator.get(_case_url(submitted, action)).status_code == 405


def test_possible_duplicates_are_linked(coordinator, submitted, other_patient):
    other_patient.fill()
    other_patient.submit()
    second = other_patient.intake
    html = coordinator.get(_case_url(second)).content.decode()
    assert "Possible duplicates" in html and f"/staff/cases/{submitted.reference}/" in html
    # Each with the day it came in and its status, as words.
    assert re.search(
        rf">{submitted.reference}</a> <span class=\"fc-hint\">received \d{{1,2}} [A-Z][a-z]{{2}} "
        r"\d{4}, new</span>",
        html,
    )


def test_the_block_table_shows_each_block(coordinator, submitted):
    html = coordinator.get(_case_url(submitted)).content.decode()
    assert "Medial branch blocks" in html
    assert '<th scope="row">1</th>' in html and '<th scope="row">2</th>' in html
    assert "85%" in html and "Bupivacaine" in html


def test_every_change_records_where_it_came_from(coordinator, submitted):
    url = _case_url(submitted)
    coordinator.post(url + "claim/", REMOTE_ADDR="192.0.2.7")
    coordinator.post(url + "status/", {"status": "in_review"}, REMOTE_ADDR="192.0.2.7")
    coordinator.post(url + "notes/", {"text": "Left a voicemail"}, REMOTE_ADDR="192.0.2.7")
    coordinator.post(url + "rescreen/", REMOTE_ADDR="192.0.2.7")
    changes = AuditEvent.objects.filter(object_ref=submitted.reference).exclude(action="case.view")
    assert {e.action for e in changes} == {
        "case.claim",
        "case.status",
        "case.note",
        "case.rescreen",
    }
    assert {e.detail["address"] for e in changes} == {"192.0.2.7"}
    assert {e.actor for e in changes} == {coordinator.user}


def test_answers_changed_while_the_phone_form_was_open_are_not_undone(coordinator, needs_info):
    opened = coordinator.get(_case_url(needs_info, "complete-by-phone")).context
    # Meanwhile the patient's answers change (here: a colleague records them by phone).
    colleague = _staff("robin", "Coordinator")
    version = colleague.get(_case_url(needs_info, "complete-by-phone")).context["version"]
    colleague.post(
        _case_url(needs_info, "complete-by-phone"), _all_answers() | {"version": version}
    )
    assert Case.objects.get(intake=needs_info).outcome == "specialist_review"

    stale = _all_answers() | {
        "treatments_tried": ["nsaids"],
        "version": opened["version"],
        "questions": opened["questions"],
    }
    response = coordinator.post(_case_url(needs_info, "complete-by-phone"), stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert "The answers changed while you were typing" in html
    nsaids = re.search(r'<input[^>]*name="treatments_tried"[^>]*value="nsaids"[^>]*>', html).group()
    mbb = re.search(r'<input[^>]*name="treatments_tried"[^>]*value="mbb"[^>]*>', html).group()
    assert "checked" in nsaids and "checked" not in mbb  # what was typed, kept
    needs_info.refresh_from_db()
    assert needs_info.answers["treatments_tried"] == ["nsaids", "physical_therapy", "mbb"]


def test_a_case_closed_while_booking_keeps_what_was_typed(coordinator, submitted):
    booking_page = coordinator.get(_case_url(submitted, "book"))
    assert booking_page.status_code == 200
    Case.objects.filter(intake=submitted).update(status="closed", close_reason="declined")
    day = timezone.localdate() + timedelta(days=5)
    data = {"date": day.isoformat(), "time": "09:15", "clinician": "Dr Osei", "mode": "video"}
    response = coordinator.post(_case_url(submitted, "book"), data)
    assert response.status_code == 302  # the case is closed: the page says so
    assert not Booking.objects.exists()
