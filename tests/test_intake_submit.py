"""Submitting: one transaction, idempotent, frozen answers, a receipt that never gives a verdict."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from screening.intake import scoring
from screening.intake.models import Consent, Intake
from tests.intake_data import FULL_INTAKE

pytestmark = pytest.mark.django_db


def test_submitting_freezes_answers_with_scores_versions_and_consents(patient):
    patient.fill()
    response = patient.submit()
    assert response.url == reverse("screening:receipt")
    intake = patient.intake
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.submitted_at is not None
    assert intake.questionnaire_version
    assert intake.derived["odi"] == {
        "percent": 42,
        "band": "severe",
        "answered": 10,
        "version": scoring.ODI_VERSION,
    }
    assert intake.derived["startback"]["risk"] == "medium"
    assert intake.derived["bmi"]["value"] == 25.7
    assert intake.derived["age"] >= 55
    consents = {c.kind: c for c in Consent.objects.filter(intake=intake)}
    assert set(consents) == {
        "consent_costs",
        "consent_privacy",
        "consent_not_diagnosis",
        "consent_safety_call",
        "consent_contact",
    }
    assert all(c.version and c.given_at for c in consents.values())


def test_a_second_post_a_refresh_and_a_resent_post_give_the_same_receipt(patient):
    patient.fill()
    first = patient.submit()
    reference = patient.intake.reference
    second = patient.submit()
    assert first.url == second.url == reverse("screening:receipt")
    refreshed = patient.client.get(reverse("screening:receipt"))
    assert reference in refreshed.content.decode()
    assert Intake.objects.count() == 1


def test_the_receipt_gives_the_reference_next_steps_and_contact_but_no_verdict(patient, settings):
    patient.fill()
    patient.submit()
    html = patient.client.get(reverse("screening:receipt")).content.decode()
    assert patient.intake.reference in html
    assert "What happens next" in html
    assert settings.CLINIC["phone"] in html and settings.CLINIC["address"] in html
    assert "If your symptoms get worse" in html
    for word in ("eligible", "candidate", "diagnosis", "diagnosed"):
        assert word not in html.lower()


def test_answers_cannot_change_after_submission(patient):
    patient.fill()
    patient.submit()
    response = patient.post_page(
        "contact",
        {"email": "changed@example.org", "phone": "555 010 1111", "contact_method": "email"},
    )
    assert response.url == reverse("screening:receipt")
    assert patient.intake.identity.email == "zelda.q@example.org"
    assert patient.client.get(reverse("screening:check")).url == reverse("screening:receipt")


def test_an_incomplete_intake_is_not_submitted_and_the_gaps_are_listed(patient):
    patient.fill(upto="goals")
    response = patient.submit()
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter what you hope treatment will help you do" in html
    assert "Confirm that you have read the privacy notice" in html
    assert patient.intake.status == Intake.Status.DRAFT
    # Each problem links to its row on the page, whose "Answer" link opens the question
    assert '<a href="#answer-hopes">Enter what you hope treatment will help you do</a>' in html
    assert 'id="answer-hopes"' in html
    assert 'href="/intake/goals/?change=1#div_id_hopes"' in html
    # Reloading the refused send shows the check page again, not an error
    assert patient.client.get(reverse("screening:submit")).url == reverse("screening:check")


def test_a_new_form_can_be_started_after_sending_with_nothing_carried_over(patient):
    patient.fill()
    patient.submit()
    old_session = patient.client.session.session_key
    patient.client.post(reverse("screening:start-again"))
    assert patient.client.session.session_key != old_session
    assert "intake_id" not in patient.client.session
    assert "Start now" in patient.client.get(reverse("screening:start")).content.decode()
    patient.begin()
    assert Intake.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_of_one_draft_give_one_intake(patient):
    patient.fill()
    cookie = patient.client.cookies["sessionid"].value
    barrier = threading.Barrier(2)
    results = []

    def submit():
        browser = Client()
        browser.cookies["sessionid"] = cookie
        barrier.wait()
        try:
            results.append(browser.post(reverse("screening:submit")))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [302, 302]
    assert {r.url for r in results} == {reverse("screening:receipt")}
    assert Intake.objects.filter(status=Intake.Status.SUBMITTED).count() == 1
    assert Intake.objects.count() == 1


# --- Clearer (issue 17) -----------------------------------------------------------------------------
def test_the_check_page_says_agreed_without_a_version_and_warns_when_odi_is_short(patient):
    import html

    from screening.intake.instruments import ODI_SECTIONS

    function = dict(FULL_INTAKE["function"])
    for key in ODI_SECTIONS[:3]:
        function[f"odi_{key}"] = ""  # three daily-life sections left out
    patient.fill(overrides={"function": function})
    page = html.unescape(patient.client.get(reverse("screening:check")).content.decode())
    assert "Agreed" in page and "version" not in page.lower()
    assert "You answered 7 of the 10 daily-life questions." in page
    assert "Your daily-life score needs at least 8 of them." in page
    patient.fill()
    page = patient.client.get(reverse("screening:check")).content.decode()
    assert "daily-life score needs" not in page
    # Not asked at all (pain under 3 months): nothing to warn about
    patient.fill(overrides={"pain-where": {"pain_months": "1"}})
    page = html.unescape(patient.client.get(reverse("screening:check")).content.decode())
    assert "daily-life score needs" not in page
    assert "1 month</span>" in page  # not "1 months"


def test_the_consent_page_links_the_privacy_notice(patient):
    patient.fill(upto="consent")
    page = patient.client.get(reverse("screening:page", args=["consent"])).content.decode()
    assert f'href="{reverse("screening:privacy")}"' in page
