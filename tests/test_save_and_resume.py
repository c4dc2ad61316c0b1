"""Save and come back later: a resume code shown once, opened only with the date of birth, guesses limited."""

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from screening.intake import reference_codes as codes
from screening.intake.models import Intake
from screening.staff import attempt_limits as throttle
from screening.staff.models import AttemptWindow

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b([3-9A-Z]{5}-[3-9A-Z]{5}-[3-9A-Z]{5})\b")
DOB = {"date_of_birth_day": "14", "date_of_birth_month": "7", "date_of_birth_year": "1971"}


def save_for_later(patient, slug="pain-where"):
    response = patient.post_page(slug, action="save")
    assert response.status_code == 200
    match = CODE.search(response.content.decode())
    assert match, "no resume code on the page"
    return response, match.group(1)


def resume(client, code, dob=DOB, address="203.0.113.9"):
    return client.post(reverse("screening:resume"), {"code": code, **dob}, REMOTE_ADDR=address)


def test_saving_shows_a_readable_code_of_at_least_60_bits_and_stores_only_its_hash(patient):
    patient.fill(upto="pain-where")
    response, code = save_for_later(patient)
    assert "Your answers have been saved" in response.content.decode()
    assert codes.RESUME_BITS >= 60
    assert not set(code.replace("-", "")) & set("01258BILOSUVZ")  # no look-alike characters
    intake = patient.intake
    assert intake.resume_digest == codes.resume_digest(code.replace("-", ""))
    assert code not in str(Intake.objects.filter(pk=intake.pk).values().get())
    assert code not in response.headers.get("Location", "")
    assert response.headers["Cache-Control"].count("no-store") == 1


def test_saving_keeps_what_was_typed_on_the_page(patient):
    patient.fill(upto="pain-where")
    save_for_later(patient)
    assert patient.intake.answers["pain_months"] == 18


def test_a_fresh_browser_resumes_with_the_code_and_date_of_birth(patient):
    patient.fill(upto="pain-where")
    _response, code = save_for_later(patient)
    elsewhere = Client()
    response = resume(elsewhere, code.lower().replace("-", " "))
    assert response.status_code == 302
    assert response.url == reverse("screening:page", args=["pain-how"])  # the first unanswered page
    html = elsewhere.get(reverse("screening:page", args=["pain-where"])).content.decode()
    assert 'value="18"' in html
    assert elsewhere.session["intake_id"] == patient.intake.pk


def test_a_wrong_date_of_birth_opens_nothing_and_says_what_to_check(patient):
    patient.fill(upto="pain-where")
    _response, code = save_for_later(patient)
    response = resume(Client(), code, {**DOB, "date_of_birth_year": "1972"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "do not match a saved form" in html
    assert "intake_id" not in response.wsgi_request.session


def test_wrong_guesses_from_one_address_are_limited(patient, settings):
    patient.fill(upto="pain-where")
    _response, code = save_for_later(patient)
    guesser = Client()
    for _ in range(settings.INTAKE_RESUME_MAX_FAILURES):
        resume(guesser, "AAAAA-AAAAA-AAAAA")
    response = resume(guesser, code)  # even the right code is refused now
    assert response.status_code == 429
    assert "too many times" in response.content.decode()
    assert resume(Client(), code, address="198.51.100.7").status_code == 302


def test_a_right_resume_does_not_clear_the_wrong_guesses_before_it(patient, settings):
    """Wrong guesses mixed with resumes of one's own draft: only the wrong ones count, and none is
    forgotten because a resume worked (a reset would allow four guesses per resume, for ever)."""
    patient.fill(upto="pain-where")
    _response, code = save_for_later(patient)
    guesser = Client()
    limit = settings.INTAKE_RESUME_MAX_FAILURES
    for _ in range(limit - 1):
        assert resume(guesser, "AAAAA-AAAAA-AAAAA").status_code == 200
    assert resume(guesser, code).status_code == 302  # right: opens the draft, counted as no failure
    # The next wrong guess is the limit's last: the page says to wait (with a reset it would not).
    assert resume(guesser, "AAAAA-AAAAA-AAAAA").status_code == 429
    assert resume(guesser, code).status_code == 429  # the limit holds, right code or not


def test_a_draft_locks_after_too_many_wrong_birth_dates_from_anywhere(patient, settings):
    patient.fill(upto="pain-where")
    _response, code = save_for_later(patient)
    for n in range(settings.INTAKE_RESUME_MAX_FAILURES):
        resume(Client(), code, {**DOB, "date_of_birth_year": "1980"}, address=f"198.51.100.{n}")
    response = resume(Client(), code, address="192.0.2.1")
    assert response.status_code == 200
    assert "do not match a saved form" in response.content.decode()
    # the patient's own browser still has the draft
    assert patient.client.get(reverse("screening:page", args=["pain-where"])).status_code == 200


def test_a_new_code_replaces_the_old_one(patient):
    patient.fill(upto="pain-where")
    _r, first = save_for_later(patient)
    _r, second = save_for_later(patient)
    assert first != second
    assert resume(Client(), first).status_code == 200
    assert resume(Client(), second).status_code == 302


def test_a_draft_expires_after_its_days(patient, settings):
    patient.fill(upto="pain-where")
    assert patient.intake.expires_at > timezone.now() + timedelta(
        days=settings.INTAKE_DRAFT_DAYS - 1
    )
    _r, code = save_for_later(patient)
    Intake.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = resume(Client(), code)
    assert "expired" in response.content.decode()
    page = patient.client.get(reverse("screening:page", args=["contact"]))
    assert page.url == reverse("screening:start") + "?expired=1"
    assert "Your saved answers have expired" in patient.client.get(page.url).content.decode()


def test_a_submitted_form_cannot_be_resumed(patient):
    patient.fill(upto="consent")
    _r, code = save_for_later(patient, "consent")
    patient.post_page("consent")
    patient.submit()
    assert resume(Client(), code).status_code == 200
    assert patient.intake.resume_digest is None


def test_the_code_is_never_in_a_link_or_form_address(patient):
    patient.fill(upto="pain-where")
    response, code = save_for_later(patient)
    links = re.findall(r'(?:href|action)="([^"]*)"', response.content.decode())
    assert links and not any(code in link for link in links)


def test_the_limit_lasts_its_window_and_then_lifts(patient, settings):
    patient.fill(upto="pain-where")
    _response, code = save_for_later(patient)
    guesser = Client()
    for _ in range(settings.INTAKE_RESUME_MAX_FAILURES):
        resume(guesser, "AAAAA-AAAAA-AAAAA")
    guesses = AttemptWindow.objects.filter(key__startswith="resume:")
    window = guesses.get()
    assert window.window_ends > timezone.now() + timedelta(
        minutes=settings.INTAKE_RESUME_WINDOW_MINUTES - 1
    )
    assert resume(guesser, code).status_code == 429
    guesses.update(window_ends=timezone.now())
    assert resume(guesser, code).status_code == 302


def test_an_empty_resume_form_says_what_to_enter(client):
    response = client.post(reverse("screening:resume"), {})
    html = response.content.decode()
    assert "Enter your resume code" in html and "Enter your date of birth" in html


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_cannot_slip_under_the_limit(patient, settings):
    patient.fill(upto="pain-where")
    _response, code = save_for_later(patient)
    barrier = threading.Barrier(12)
    statuses = []

    def guess(year):
        barrier.wait()
        try:
            statuses.append(
                resume(Client(), code, {**DOB, "date_of_birth_year": str(year)}).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(1940 + n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 12
    assert statuses.count(429) >= 12 - settings.INTAKE_RESUME_MAX_FAILURES
    assert Intake.objects.get().resume_failures <= settings.INTAKE_RESUME_MAX_FAILURES


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.5"),
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # a forged left-hand entry is ignored
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.9", "198.51.100.1"),
    ],
)
def test_the_client_address_is_read_through_trusted_proxies_only(
    settings, hops, forwarded, expected
):
    settings.TRUSTED_PROXY_HOPS = hops
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)
    assert throttle.client_address(request) == expected
