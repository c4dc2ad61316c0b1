"""A coordinator's day, in Chromium: a demo case from the queue to a booked consultation, a needs_info
case completed by phone so that it is screened again to another outcome, and a third case closed. With
UPDATE_SCREENSHOTS=1 (`make screenshots`) it also writes the README's queue and case screenshots."""

import os
from datetime import timedelta
from pathlib import Path

import django.apps
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from screening.casework.models import Booking, Case, OutgoingEmail
from screening.demo.cases import generate
from screening.rules.rulesets import rules_load_defaults
from screening.staff.roles import ensure_groups
from tests.browser.helpers import (
    assert_clean_console,
    authenticator_code,
    enter_second_factor,
    fill_page,
)
from tests.intake_data import FULL_INTAKE
from tests.personas import Patient

pytestmark = pytest.mark.browser
PASSWORD = "a-long-password-for-tests"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _needs_info_case() -> Case:
    patient = Patient(Client())
    patient.fill(overrides={"treatments": {"treatments_tried": ["nsaids", "physical_therapy"]}})
    patient.submit()
    case = Case.objects.get(intake=patient.intake)
    assert case.outcome == "needs_info"
    return case


def _click(page, role: str, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name).first.click()


def _shoot(page, name: str, height: int = 900) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        page.set_viewport_size({"width": 1280, "height": height})
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(DOCS / f"{name}-1280.png"), animations="disabled", caret="hide")


def test_a_coordinator_books_one_case_completes_another_by_phone_and_closes_a_third(
    page, server, console
):
    ensure_groups(django.apps.apps)  # the live server's database is flushed between tests
    rules_load_defaults()
    user = User.objects.create_user(
        "casey", password=PASSWORD, first_name="Casey", last_name="Moss"
    )
    user.groups.add(Group.objects.get(name="Coordinator"))
    generate(count=30, drafts_share=0)
    needs_info = _needs_info_case()
    candidate = Patient(Client())
    candidate.fill()
    candidate.submit()
    # A patient sends an intake with an emergency red flag now.
    emergency = Patient(Client())
    emergency.fill(overrides={"safety": {**FULL_INTAKE["safety"], "saddle_numbness": "yes"}})
    emergency.submit()

    page.goto(server + "/staff/")
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(PASSWORD)
    authenticator_code(user)  # the account has an authenticator app
    _click(page, "button", "Sign in")
    assert "Enter your code" in page.inner_text("main")
    enter_second_factor(page, user)
    assert page.get_by_role("heading", name="Cases", exact=True).is_visible()
    assert page.locator("svg.fc-chart").is_visible()
    _shoot(page, "queue", height=1400)

    # The default queue: open cases only, the new emergency on the first screen above every case that is
    # not urgent (with the demo's own fresh tier-1 case, both unclaimed, longest waiting first).
    rows = page.locator("table.fc-queue tbody tr")
    statuses = page.locator("table.fc-queue tbody tr td:nth-child(5)").all_inner_texts()
    assert "Closed" not in statuses
    references = page.locator("table.fc-queue tbody th a").all_inner_texts()
    place = references.index(emergency.intake.reference)
    assert place < 5 and rows.nth(place).is_visible()
    outcomes = page.locator("table.fc-queue tbody td:nth-child(3)").all_inner_texts()
    assert outcomes[place] == "Urgent, tier 1"
    assert all(o.startswith("Urgent") for o in outcomes[: place + 1])
    page.get_by_label("Status", exact=True).select_option("all")
    _click(page, "button", "Filter")
    assert "Closed" in page.locator("table.fc-queue tbody tr td:nth-child(5)").all_inner_texts()
    page.goto(server + "/staff/")

    # 1. A new specialist-review case, to a booked consultation.
    page.get_by_label("Outcome", exact=True).select_option("specialist_review")
    page.get_by_label("Status", exact=True).select_option("new")
    _click(page, "button", "Filter")
    reference = page.locator("table.fc-queue tbody th a").first.inner_text()
    _click(page, "link", reference)
    _click(page, "button", "Take this case")
    assert "You have this case." in page.inner_text("main")
    assert "Move to: contacted" in page.inner_text("main")  # taking a new case put it in review
    _shoot(page, "case")
    _click(page, "link", "Book a consultation")
    day = timezone.localdate() + timedelta(days=10)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Time").fill("10:30")
    page.get_by_label("Clinician").fill("Dr Amara Osei")
    page.get_by_label("Video").check()
    _click(page, "button", "Book the consultation")
    assert "Consultation booked" in page.inner_text("main")
    case = Case.objects.get(intake__reference=reference)
    assert case.status == "consultation_booked" and case.assignee == user
    assert Booking.objects.get(case=case).clinician == "Dr Amara Osei"
    assert OutgoingEmail.objects.filter(kind="booking", case=case).exists()

    # 2. The needs_info case: the patient says by phone they had two blocks; screened again.
    page.goto(server + "/staff/")
    page.get_by_label("Reference or surname").fill(needs_info.intake.reference)
    _click(page, "button", "Filter")
    _click(page, "link", needs_info.intake.reference)
    assert "Missing information" in page.inner_text("main")
    # It says what is missing and why it is not for specialist review, with the patient's values.
    main = page.inner_text("main")
    assert "Information needed" in main or "No diagnostic block yet" in main
    assert "Not met: Number of diagnostic blocks: at least 2 (has 0)" in main
    assert "Next step:" in main
    _shoot(page, "case-needs-info", height=1100)
    _click(page, "link", "Record answers given by phone")
    # Only what is missing, in staff words: the blocks, reached through the treatments tried.
    form = page.inner_text("main")
    assert (
        "Treatments tried" in form and "Pain duration" not in form and "NSAIDs: relief" not in form
    )
    assert not page.get_by_text("Block 1: relief (%)").is_visible()  # opens with the blocks
    fill_page(page, {"treatments_tried": ["mbb"]})
    fill_page(page, FULL_INTAKE["blocks"])
    fill_page(page, FULL_INTAKE["block-1"] | FULL_INTAKE["block-2"])
    _click(page, "button", "Save answers and screen again")
    assert "Answers recorded and screened again: specialist review." in page.inner_text("main")
    timeline = page.inner_text("#timeline")
    assert timeline.count("given by phone") == 1  # one entry for the call, naming each item
    assert "Block 1: relief (%): not answered → 85%" in timeline
    assert "Number of diagnostic blocks (as answered): not answered → 2 blocks" in timeline
    needs_info.refresh_from_db()
    assert needs_info.outcome == "specialist_review"

    # A routine case says why it is not for specialist review.
    routine = Case.objects.filter(outcome="routine").first().intake
    page.goto(f"{server}/staff/cases/{routine.reference}/")
    assert "Why not for specialist review" in page.inner_text("main")
    assert "No rule fired" not in page.inner_text("main")
    _shoot(page, "case-routine", height=1100)

    # 3. A third case, closed with a reason.
    third = (
        Case.objects.filter(status="new").exclude(pk__in=[case.pk, needs_info.pk]).first().intake
    )
    page.goto(f"{server}/staff/cases/{third.reference}/")
    # A contact attempt sent empty: each error by its field and in the summary, and axe finds nothing.
    _click(page, "button", "Record")
    main = page.inner_text("main")
    assert "Select how you tried to reach the patient" in main and "Select what came of it" in main
    results = Axe().run(page)
    assert not results.violations_count, results.generate_report()
    console.entries = [e for e in console.entries if "status of 400" not in e.text]
    _click(page, "button", "Close the case")
    assert "Select why the case is closed." in page.inner_text("main")
    page.get_by_label("Close the case because").select_option("declined")
    _click(page, "button", "Close the case")
    assert Case.objects.get(intake=third).status == "closed"
    assert "Status: Closed (declined)" in page.inner_text("#timeline")
    assert_clean_console(console)
