"""Red-flag answers lead at once to advice for the most urgent tier; the form can still be finished."""

from datetime import date

import pytest
from django.urls import reverse

from screening.intake.safety import CLINIC_CALL, EMERGENCY, SAME_DAY, red_flag_tier
from tests.intake_data import FULL_INTAKE

pytestmark = pytest.mark.django_db

AGE_40 = {"age": 40}


@pytest.mark.parametrize(
    ("answers", "ctx", "tier"),
    [
        ({"saddle_numbness": "yes"}, AGE_40, EMERGENCY),
        ({"weakness_both_legs": "not_sure"}, AGE_40, EMERGENCY),
        ({"fever_chills": "yes", "weight_loss": "yes"}, AGE_40, SAME_DAY),
        ({"major_trauma": "not_sure"}, AGE_40, SAME_DAY),
        ({"minor_fall": "yes"}, {"age": 51}, SAME_DAY),
        ({"minor_fall": "yes"}, AGE_40, None),
        ({"minor_fall": "yes", "osteoporosis": "yes"}, AGE_40, SAME_DAY),
        ({"minor_fall": "yes", "long_term_steroids": "not_sure"}, AGE_40, SAME_DAY),
        ({"weight_loss": "yes"}, AGE_40, CLINIC_CALL),
        ({"iv_drug_use": "yes"}, AGE_40, CLINIC_CALL),
        ({"weight_loss": "not_sure"}, AGE_40, None),
        ({"cancer": "past"}, AGE_40, CLINIC_CALL),
        ({"cancer": "not_sure"}, AGE_40, None),
        ({"saddle_numbness": "no", "fever_chills": "no"}, AGE_40, None),
    ],
)
def test_the_most_urgent_tier_wins(answers, ctx, tier):
    assert red_flag_tier(answers, ctx) == tier


def test_a_tier_one_answer_shows_emergency_advice_at_once(patient, settings):
    patient.fill(upto="safety")
    response = patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})
    assert response.url == reverse("screening:safety-advice")
    html = patient.client.get(response.url).content.decode()
    emergency = settings.CLINIC["emergency_number"]
    assert f"Go to an emergency department now, or call {emergency}" in html
    assert "fc-advice--emergency" in html and "Emergency" in html
    assert 'href="/privacy/"' not in html  # no links away from the advice
    assert (
        f'href="{reverse("screening:page", args=["imaging"])}"' in html
    )  # continuing is secondary
    assert patient.intake.safety_tier == EMERGENCY


def test_not_sure_on_a_tier_two_question_shows_same_day_advice(patient):
    patient.fill(upto="safety")
    response = patient.post_page("safety", {**FULL_INTAKE["safety"], "fever_chills": "not_sure"})
    html = patient.client.get(response.url).content.decode()
    assert "Get medical help today" in html


def test_advice_is_shown_once_per_tier_and_again_when_it_gets_more_urgent(patient):
    patient.fill(upto="safety")
    data = {**FULL_INTAKE["safety"], "weight_loss": "yes"}
    assert patient.post_page("safety", data).url == reverse("screening:safety-advice")
    assert patient.post_page("safety", data).url == reverse("screening:page", args=["imaging"])
    data["bladder_problem"] = "yes"
    assert patient.post_page("safety", data).url == reverse("screening:safety-advice")


def test_a_cancer_history_in_the_health_page_leads_to_the_clinic_call_advice(patient):
    patient.fill(upto="health")
    response = patient.post_page("health", {**FULL_INTAKE["health"], "cancer": "past"})
    html = patient.client.get(response.url).content.decode()
    assert "The clinic will call you" in html


def test_no_red_flag_means_no_interruption(patient):
    patient.fill(upto="imaging")
    assert patient.intake.safety_tier is None


def test_a_red_flag_draft_is_marked_for_staff_before_submission(patient):
    patient.fill(upto="safety")
    patient.post_page("safety", {**FULL_INTAKE["safety"], "bowel_incontinence": "yes"})
    intake = patient.intake
    assert intake.status == intake.Status.DRAFT
    assert intake.safety_tier == EMERGENCY
    assert intake.identity.phone  # the clinic can call


def test_the_fall_rule_uses_the_age_from_the_date_of_birth(patient):
    patient.fill(
        upto="safety", overrides={"about-you": {"date_of_birth_year": str(date.today().year - 45)}}
    )
    response = patient.post_page("safety", {**FULL_INTAKE["safety"], "minor_fall": "yes"})
    assert response.url == reverse("screening:page", args=["imaging"])


def test_advice_comes_before_the_height_and_weight_check(patient):
    unusual = {"height_cm": "212", "weight_kg": "45"}
    patient.fill(upto="safety", overrides={"body-and-work": {}})
    patient.post_page("body-and-work", {**FULL_INTAKE["body-and-work"], **unusual})
    response = patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})
    assert response.url == reverse("screening:safety-advice")


def test_a_less_urgent_tier_after_a_correction_gets_its_own_advice(patient):
    patient.fill(upto="safety")
    patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})
    response = patient.post_page("safety", {**FULL_INTAKE["safety"], "fever_chills": "yes"})
    assert response.url == reverse("screening:safety-advice")
    assert "Get medical help today" in patient.client.get(response.url).content.decode()


def test_saving_for_later_on_a_red_flag_shows_the_advice_and_the_resume_code(patient):
    patient.fill(upto="safety")
    data = {**FULL_INTAKE["safety"], "bladder_problem": "yes"}
    response = patient.post_page("safety", data, action="save")
    html = response.content.decode()
    assert "Go to an emergency department now" in html
    assert "Your resume code" in html
    assert patient.intake.resume_digest
