"""Anti-automation on the public intake: hourly limits per address and per draft, held in the database,
a clear message that keeps what was typed, a multiplier for load tests, and a honeypot field."""

import logging
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.test import Client
from django.urls import reverse

from screening.casework.models import ScreeningResult
from screening.intake.models import Intake
from screening.staff.models import AttemptWindow
from tests.intake_data import FULL_INTAKE
from tests.personas import Patient

pytestmark = pytest.mark.django_db

HOME = "203.0.113.5"
ELSEWHERE = "198.51.100.23"


def begin(address: str = HOME, **data) -> tuple[Client, object]:
    """A fresh browser at ``address`` pressing "Start now"."""
    client = Client(REMOTE_ADDR=address)
    return client, client.post(reverse("screening:begin"), {"extra_details": "", **data})


def patient_at(address: str) -> Patient:
    return Patient(Client(REMOTE_ADDR=address))


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def logged(caplog) -> str:
    return repr([record.__dict__ for record in caplog.records])


# --- new drafts per address ----------------------------------------------------------------------
def test_it_refuses_new_drafts_past_the_hourly_limit_and_says_what_to_do(settings, caplog):
    settings.INTAKE_DRAFTS_PER_HOUR = 3
    for _ in range(3):
        assert begin()[1].status_code == 302
    _client, response = begin()
    assert response.status_code == 429
    html = text_of(response)
    assert "You have started many forms from this connection" in html
    assert "Wait an hour and try again, or call the clinic on (555) 010-0199" in html
    assert "<title>Error:" in html
    assert response["Retry-After"] == "3600"
    assert Intake.objects.count() == 3
    assert "intake limit reached: drafts" in caplog.text and HOME not in logged(caplog)


def test_it_counts_drafts_per_address(settings):
    settings.INTAKE_DRAFTS_PER_HOUR = 1
    assert begin(HOME)[1].status_code == 302
    assert begin(HOME)[1].status_code == 429
    assert begin(ELSEWHERE)[1].status_code == 302


def test_a_double_click_on_start_now_uses_no_more_of_the_limit(settings):
    settings.INTAKE_DRAFTS_PER_HOUR = 1
    client, first = begin()
    second = client.post(reverse("screening:begin"))
    assert first.status_code == second.status_code == 302
    assert Intake.objects.count() == 1


# --- page saves per draft ------------------------------------------------------------------------
def test_a_page_save_over_the_limit_shows_the_page_again_with_what_was_typed(settings, patient):
    settings.INTAKE_PAGE_SAVES_PER_HOUR = 2
    patient.begin()
    patient.post_page("about-you")
    patient.post_page("contact")
    response = patient.post_page("height-and-weight")
    assert response.status_code == 429
    html = text_of(response)
    assert "this form has been saved many times in the last hour" in html
    assert "call the clinic on (555) 010-0199" in html
    assert 'value="72.5"' in html and 'value="168"' in html
    assert "height" not in patient.intake.answers  # not saved: shown again, not lost


@pytest.mark.parametrize("action", ["save", "back"])
def test_every_kind_of_page_save_counts(settings, patient, action):
    settings.INTAKE_PAGE_SAVES_PER_HOUR = 1
    patient.begin()
    patient.post_page("about-you")
    response = patient.post_page("contact", action=action)
    assert response.status_code == 429
    assert 'value="zelda.q@example.org"' in response.content.decode()


def test_page_saves_are_counted_per_draft(settings, patient, other_patient):
    settings.INTAKE_PAGE_SAVES_PER_HOUR = 1
    patient.begin()
    assert patient.post_page("about-you").status_code == 302
    assert patient.post_page("contact").status_code == 429
    other_patient.begin()  # the same address, another draft
    assert other_patient.post_page("about-you").status_code == 302


def test_a_page_with_errors_is_not_counted_as_a_save(settings, patient):
    settings.INTAKE_PAGE_SAVES_PER_HOUR = 1
    patient.begin()
    wrong = {**FULL_INTAKE["about-you"], "date_of_birth_year": "3000"}
    assert patient.post_page("about-you", wrong).status_code == 200
    assert patient.post_page("about-you").status_code == 302


# --- submissions per address ---------------------------------------------------------------------
def test_a_submission_over_the_limit_keeps_the_answers_and_says_what_to_do(settings, default_rules):
    settings.INTAKE_SUBMISSIONS_PER_HOUR = 1
    first, second = patient_at(HOME), patient_at(HOME)
    for person in (first, second):
        person.fill()
    assert first.submit().url == reverse("screening:receipt")
    response = second.submit()
    assert response.status_code == 429
    html = text_of(response)
    assert "Many forms have been sent from this connection" in html
    assert "Wait an hour and send it again, or call the clinic on (555) 010-0199" in html
    assert "Check your answers before sending your form" in html
    assert "Quarrington" in html and "Ibuprofen 400 mg when needed" in html
    assert response["Retry-After"] == "3600"
    assert second.intake.status == Intake.Status.DRAFT
    assert second.intake.answers["medicines"] == "Ibuprofen 400 mg when needed"
    # From another address the same kind of form goes through.
    third = patient_at(ELSEWHERE)
    third.fill()
    assert third.submit().url == reverse("screening:receipt")


def test_a_resent_submission_uses_no_more_of_the_limit(settings, patient):
    settings.INTAKE_SUBMISSIONS_PER_HOUR = 1
    patient.fill()
    assert patient.submit().url == reverse("screening:receipt")
    assert patient.submit().url == reverse("screening:receipt")


# --- resume attempts per address (tests/test_save_and_resume.py tests them in depth) ---------------
def test_resume_attempts_over_the_limit_keep_what_was_typed(settings, default_rules):
    guesser = Client(REMOTE_ADDR=HOME)
    data = {
        "code": "AAAAA-AAAAA-AAAAA",
        "date_of_birth_day": "14",
        "date_of_birth_month": "7",
        "date_of_birth_year": "1971",
    }
    for _ in range(settings.INTAKE_RESUME_MAX_FAILURES):
        guesser.post(reverse("screening:resume"), data)
    response = guesser.post(reverse("screening:resume"), data)
    assert response.status_code == 429
    html = text_of(response)
    assert "too many times" in html and "(555) 010-0199" in html
    assert 'value="AAAAA-AAAAA-AAAAA"' in html and 'value="1971"' in html


# --- where the counts live -----------------------------------------------------------------------
def test_the_counts_are_rows_in_the_database_shared_by_every_process_and_hold_no_address(
    default_rules,
):
    person = patient_at(HOME)
    person.fill()
    person.submit()
    begin(HOME)
    keys = list(AttemptWindow.objects.values_list("key", "count"))
    drafts = [(k, n) for k, n in keys if k.startswith("begin:")]
    assert len(drafts) == 1 and drafts[0][1] == 2  # one per address, counted across browsers
    assert any(k.startswith("save:draft:") for k, _n in keys)
    assert any(k.startswith("submit:") for k, _n in keys)
    assert not any(HOME in k for k, _n in keys)


def test_the_default_cache_is_the_shared_database_cache_and_its_table_exists():
    assert isinstance(caches["default"], DatabaseCache)
    cache.set("anti-automation-probe", 1, 30)
    assert cache.get("anti-automation-probe") == 1


# --- the multiplier for load tests ---------------------------------------------------------------
def test_the_multiplier_raises_the_draft_limit(settings):
    settings.INTAKE_DRAFTS_PER_HOUR = 2
    settings.INTAKE_LIMITS_MULTIPLIER = 3
    statuses = [begin()[1].status_code for _ in range(7)]
    assert statuses == [302] * 6 + [429]


def test_the_multiplier_raises_the_page_save_and_submission_limits(settings, patient):
    settings.INTAKE_PAGE_SAVES_PER_HOUR = 1
    settings.INTAKE_SUBMISSIONS_PER_HOUR = 1
    settings.INTAKE_LIMITS_MULTIPLIER = len(FULL_INTAKE)
    patient.fill()  # one save per page
    assert patient.submit().url == reverse("screening:receipt")
    second = patient_at("127.0.0.1")
    second.fill()
    assert second.submit().url == reverse("screening:receipt")


def test_the_multiplier_raises_the_resume_limit(settings, default_rules):
    settings.INTAKE_LIMITS_MULTIPLIER = 2
    guesser = Client(REMOTE_ADDR=HOME)
    data = {"code": "AAAAA-AAAAA-AAAAA", "date_of_birth_day": "1"}
    data |= {"date_of_birth_month": "1", "date_of_birth_year": "1971"}
    statuses = [
        guesser.post(reverse("screening:resume"), data).status_code
        for _ in range(2 * settings.INTAKE_RESUME_MAX_FAILURES + 1)
    ]
    assert statuses.index(429) == 2 * settings.INTAKE_RESUME_MAX_FAILURES - 1


# --- the honeypot --------------------------------------------------------------------------------
def test_the_honeypot_is_hidden_from_people_without_an_inline_style(client, patient):
    pages = [client.get(reverse("screening:start"))]
    patient.fill()
    pages.append(patient.client.get(reverse("screening:check")))
    for response in pages:
        html = response.content.decode()
        trap = re.search(r'<div class="fc-trap" aria-hidden="true">(.*?)</div>', html, re.S)
        assert trap, "no honeypot on the page"
        field = trap.group(1)
        assert 'name="extra_details"' in field
        assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
        assert "Leave this field empty" in field
        assert "style=" not in trap.group(0)
    css = Path(django_settings.BASE_DIR, "screening/static/screening/site.css").read_text()
    assert re.search(r"\.fc-trap\s*\{[^}]*left:\s*-10000px", css)


def test_a_filled_honeypot_on_start_makes_no_draft(caplog):
    caplog.set_level(logging.INFO)
    client, response = begin(extra_details="https://spam.example")
    assert response.status_code == 400
    assert "We could not accept this form" in text_of(response)
    assert "(555) 010-0199" in text_of(response)
    assert Intake.objects.count() == 0
    assert "intake_id" not in client.session
    assert "spam.example" not in logged(caplog)
    assert "intake honeypot filled: begin form" in caplog.text


def test_a_filled_honeypot_on_check_answers_sends_nothing(patient, caplog):
    caplog.set_level(logging.INFO)
    patient.fill()
    response = patient.client.post(reverse("screening:submit"), {"extra_details": "Hello there"})
    assert response.status_code == 400
    assert "We could not accept this form" in text_of(response)
    assert "Quarrington" in text_of(response)  # the answers are still there to send
    assert patient.intake.status == Intake.Status.DRAFT
    trigger = ScreeningResult.Trigger.SUBMIT
    assert not ScreeningResult.objects.filter(trigger=trigger).exists()
    assert "Hello there" not in logged(caplog)
    assert "intake honeypot filled: submit form" in caplog.text


# --- people are unaffected -----------------------------------------------------------------------
def test_one_whole_intake_goes_through_with_the_default_limits(patient):
    patient.fill()
    assert patient.submit().url == reverse("screening:receipt")
    assert patient.intake.status == Intake.Status.SUBMITTED


def test_an_empty_honeypot_as_a_browser_sends_it_is_accepted(patient):
    response = patient.client.post(reverse("screening:begin"), {"extra_details": ""})
    assert response.status_code == 302
    for slug, data in FULL_INTAKE.items():
        assert patient.post_page(slug, data).status_code == 302
    response = patient.client.post(reverse("screening:submit"), {"extra_details": ""})
    assert response.url == reverse("screening:receipt")


@pytest.mark.parametrize(
    "scope", ["begin", "submit", "resume", "completion", "staff-login-failures", "otp:9999999999"]
)
def test_every_limit_key_fits_its_column(scope, rf):
    """PostgreSQL refuses a key longer than the column (SQLite would store it): every scope in use fits."""
    from screening.staff.attempt_limits import client_key
    from screening.staff.models import AttemptWindow

    key = client_key(scope, rf.get("/", REMOTE_ADDR="2001:db8::1"))
    assert len(key) <= AttemptWindow._meta.get_field("key").max_length
