"""The completion link, end to end: a coordinator sends it, the real worker e-mails it, the patient
proves their date of birth, answers only the missing questions, and the case is screened again. The link
works once and then not again; wrong dates of birth close it."""

import re

import pytest
from django.core import mail
from django.test import Client

from screening.casework.models import Amendment, Case, CompletionLink
from screening.staff.models import AuditEvent
from tests.intake_data import FULL_INTAKE
from tests.test_notifications import run_worker

# The e-mail is queued once the write commits: real commits, and the real worker.
pytestmark = pytest.mark.django_db(transaction=True)

NO_BLOCKS = {"treatments": {"treatments_tried": ["nsaids", "physical_therapy"]}}
BIRTH = {"date_of_birth_day": "14", "date_of_birth_month": "7", "date_of_birth_year": "1971"}


@pytest.fixture
def needs_info(patient):
    patient.fill(overrides=NO_BLOCKS)
    patient.submit()
    assert patient.intake.case.outcome == "needs_info"
    return patient.intake


def _send_link(coordinator, intake) -> str:
    mail.outbox.clear()
    response = coordinator.post(f"/staff/cases/{intake.reference}/completion-link/", follow=True)
    assert "A completion link is on its way to the patient" in response.content.decode()
    run_worker()
    (message,) = mail.outbox
    return re.search(r"https?://[^/\s]+(/complete/[^/\s]+/)", message.body).group(1)


def _answers() -> dict:
    data = {}
    for page in FULL_INTAKE.values():
        data.update(page)
    return data


def test_the_patient_completes_the_missing_answers_once(coordinator, needs_info):
    path = _send_link(coordinator, needs_info)
    patient = Client()

    landing = patient.get(path)
    assert landing.status_code == 302 and landing["Location"] == "/complete/"  # the token leaves
    form_url = landing["Location"]
    page = patient.get(form_url).content.decode()
    assert "Answer a few more questions" in page
    assert "Zelda" not in page and needs_info.reference not in page  # nothing before the check

    wrong = patient.post(form_url, BIRTH | {"date_of_birth_year": "1972"})
    assert wrong.status_code == 400
    assert "The date of birth does not match our records" in wrong.content.decode()
    assert patient.post(form_url, BIRTH).status_code == 302

    form = patient.get(form_url).content.decode()
    assert "Which treatments have you tried for this pain?" in form
    assert "Your name" not in form and "Send answers" in form

    done = patient.post(form_url, _answers())
    assert done.status_code == 302 and done["Location"] == "/complete/done/"
    assert "Answers sent" in patient.get("/complete/done/").content.decode()

    case = Case.objects.get(intake=needs_info)
    assert case.outcome == "specialist_review"
    tried = Amendment.objects.get(question="treatments_tried")
    assert tried.source == "link" and tried.by is None
    assert tried.new == ["nsaids", "physical_therapy", "mbb"]
    assert AuditEvent.objects.get(action="case.amend").detail["source"] == "link"

    # Once only: the same browser is told its answers were sent; anyone else, that it is closed.
    assert patient.get(path)["Location"] == "/complete/done/"
    assert patient.post(form_url, _answers())["Location"] == "/complete/done/"
    again = Client().get(path)
    assert again.status_code == 404 and "This link no longer works" in again.content.decode()
    assert Amendment.objects.filter(question="treatments_tried").count() == 1

    html = coordinator.get(f"/staff/cases/{needs_info.reference}/").content.decode()
    assert "Completion link used by the patient" in html
    assert "given by the patient through a link" in html


def test_a_new_link_replaces_the_old_one(coordinator, needs_info):
    first = _send_link(coordinator, needs_info)
    second = _send_link(coordinator, needs_info)
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 302
    assert CompletionLink.objects.filter(withdrawn_at__isnull=False).count() == 1


def test_wrong_dates_of_birth_close_the_link(coordinator, needs_info):
    path = _send_link(coordinator, needs_info)
    for year in range(1980, 1985):
        guesser = Client(REMOTE_ADDR=f"198.51.100.{year - 1970}")
        guesser.get(path)
        guesser.post("/complete/", BIRTH | {"date_of_birth_year": str(year)})
    closed = Client().get(path)
    assert closed.status_code == 404
    link = CompletionLink.objects.get()
    assert link.withdrawn_at is not None and link.failures == 5


def test_an_unknown_token_shows_the_closed_page(default_rules):
    response = Client().get("/complete/not-a-real-token/")
    assert response.status_code == 404 and "This link no longer works" in response.content.decode()


def test_opening_the_link_does_not_clear_the_wrong_dates_before_it(
    coordinator, needs_info, settings
):
    """Per address, wrong dates of birth are counted whatever succeeds in between."""
    limit = settings.INTAKE_RESUME_MAX_FAILURES
    guesser = Client(REMOTE_ADDR="198.51.100.77")
    for _ in range(limit - 1):
        guesser.get(_send_link(coordinator, needs_info))
        assert guesser.post("/complete/", BIRTH | {"date_of_birth_year": "1980"}).status_code == 400
    guesser.get(_send_link(coordinator, needs_info))
    assert guesser.post("/complete/", BIRTH).status_code == 302  # right: the form opens
    # The next wrong date is the limit's last: the page says to wait (with a reset it would not).
    guesser.get(_send_link(coordinator, needs_info))
    assert guesser.post("/complete/", BIRTH | {"date_of_birth_year": "1980"}).status_code == 429
    assert guesser.post("/complete/", BIRTH).status_code == 429


def test_the_link_goes_in_the_language_the_patient_filled_the_form_in(
    coordinator, needs_info, settings
):
    type(needs_info).objects.filter(pk=needs_info.pk).update(language="es")
    _send_link(coordinator, needs_info)
    (message,) = mail.outbox
    assert message.subject.endswith(": unas preguntas más")
    assert "https://" in message.body or "http://" in message.body
    # The link's last day in Spanish words, the time on a 24-hour clock, the clinic's hours in Spanish
    assert re.search(r"solo hasta las \d{1,2}:\d\d del \d{1,2} de [a-z]+ de \d{4}\.", message.body)
    assert re.search(
        r"de (enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre) de",
        message.body,
    )
    assert f"({settings.CLINIC_HOURS['es']})" in message.body
    assert settings.CLINIC_HOURS["en"] not in message.body and "p.m." not in message.body


def test_the_questions_come_in_the_language_the_form_was_filled_in(
    coordinator, needs_info, settings
):
    settings.PATIENT_LANGUAGES = ["en", "es"]
    type(needs_info).objects.filter(pk=needs_info.pk).update(language="es")
    path = _send_link(coordinator, needs_info)
    patient = Client(HTTP_ACCEPT_LANGUAGE="en")
    form_url = patient.get(path)["Location"]
    opened = patient.post(form_url, BIRTH, follow=True).content.decode()
    assert '<html lang="es">' in opened
