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
        f'href="{reverse("screening:page", args=["safety-more"])}"' in html
    )  # continuing is secondary
    assert patient.intake.safety_tier == EMERGENCY


def test_not_sure_on_a_tier_two_question_shows_same_day_advice(patient):
    patient.fill(upto="safety-more")
    more = FULL_INTAKE["safety-more"]
    response = patient.post_page("safety-more", {**more, "fever_chills": "not_sure"})
    html = patient.client.get(response.url).content.decode()
    assert "Get medical help today" in html


def test_advice_is_shown_once_per_tier_and_again_when_it_gets_more_urgent(patient):
    patient.fill(upto="safety-more")
    data = {**FULL_INTAKE["safety-more"], "weight_loss": "yes"}
    assert patient.post_page("safety-more", data).url == reverse("screening:safety-advice")
    assert patient.post_page("safety-more", data).url == reverse("screening:tasks")
    emergency = {**FULL_INTAKE["safety"], "bladder_problem": "yes"}
    assert patient.post_page("safety", emergency).url == reverse("screening:safety-advice")


def test_a_cancer_history_in_the_health_page_leads_to_the_clinic_call_advice(patient):
    patient.fill(upto="health-more")
    response = patient.post_page("health-more", {**FULL_INTAKE["health-more"], "cancer": "past"})
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
        upto="safety-more",
        overrides={"about-you": {"date_of_birth_year": str(date.today().year - 45)}},
    )
    more = FULL_INTAKE["safety-more"]
    response = patient.post_page("safety-more", {**more, "minor_fall": "yes"})
    assert response.url == reverse("screening:tasks")


def test_advice_comes_before_the_height_and_weight_check(patient):
    unusual = {"height_cm": "212", "weight_kg": "45"}
    patient.fill(upto="safety", overrides={"height-and-weight": {}})
    patient.post_page("height-and-weight", {**FULL_INTAKE["height-and-weight"], **unusual})
    response = patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})
    assert response.url == reverse("screening:safety-advice")


def test_a_less_urgent_tier_after_a_correction_gets_its_own_advice(patient):
    patient.fill(upto="safety")
    patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})
    more = {**FULL_INTAKE["safety-more"], "fever_chills": "yes"}
    assert patient.post_page("safety-more", more).url == reverse("screening:tasks")  # tier 1 seen
    response = patient.post_page("safety", FULL_INTAKE["safety"])  # the numbness taken back
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


# --- Unmistakable in an emergency (issue 17) ---------------------------------------------------------
def _html(response) -> str:
    import html

    return html.unescape(response.content.decode())


def test_the_advice_says_what_to_tell_and_never_repeats_its_heading_as_a_point(patient):
    patient.fill(upto="safety")
    patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})
    patient.post_page("safety-more", {**FULL_INTAKE["safety-more"], "fever_chills": "not_sure"})
    page = _html(patient.client.get(reverse("screening:safety-advice")))
    assert (
        "“I have back pain. I have numbness around my bottom, genitals or inner thighs. "
        "I have fever or chills, I think.”" in page
    )
    assert page.count("Go to an emergency department now") == 2  # the title and the heading only
    assert "Do not wait for the clinic to call you." in page
    # The fever rule's own (tier 2) message never sits under the tier-1 advice.
    assert "Get medical help today" not in page
    assert "Change my answer: Numbness around your bottom, genitals or inner thighs?" in page
    assert "Change my answer: Fever or chills along with the back or neck pain?" in page


def test_after_a_tier_one_flag_the_receipt_leads_with_the_advice_and_makes_no_promise(patient):
    patient.fill(overrides={"safety": {**FULL_INTAKE["safety"], "bladder_problem": "yes"}})
    check = _html(patient.client.get(reverse("screening:check")))
    assert check.index("Go to an emergency department now") < check.index("About you")
    patient.submit()
    page = _html(patient.client.get(reverse("screening:receipt")))
    assert "<h1>Go to an emergency department now" in page
    assert page.index("Go to an emergency department now") < page.index("Your form was sent.")
    assert "Do not wait for the clinic to call you." in page
    assert "working days" not in page
    assert "I have new problems passing urine or controlling my bladder." in page
    assert "Form sent</h1>" not in page


def test_after_a_tier_three_flag_the_receipt_says_the_clinic_calls_first(patient):
    patient.fill(overrides={"safety-more": {**FULL_INTAKE["safety-more"], "weight_loss": "yes"}})
    patient.submit()
    page = _html(patient.client.get(reverse("screening:receipt")))
    assert "The clinic will call you before anything else." in page
    assert "Tell your own doctor about your back pain too." in page
    assert "working days" not in page


def test_without_a_red_flag_the_receipt_gives_the_usual_promise(patient, settings):
    patient.fill()
    patient.submit()
    page = _html(patient.client.get(reverse("screening:receipt")))
    assert "Form sent</h1>" in page
    assert f"within {settings.CLINIC['reply_days']} working days" in page
    assert "Do not wait for the clinic" not in page


def test_a_withdrawn_red_flag_never_lowers_a_case_staff_can_see_and_the_timeline_says_so(
    patient, coordinator
):
    from screening.casework.models import Case

    patient.fill(upto="safety")
    patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})
    case = Case.objects.get(intake=patient.intake)
    assert case.outcome == "urgent" and case.tier == 1  # staff can see it before it is sent
    # A mis-tap, corrected with "Change my answer", then the form is sent.
    patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "no"}, change=1)
    case.refresh_from_db()
    assert case.outcome == "urgent" and case.tier == 1
    patient.fill()
    patient.submit()
    case.refresh_from_db()
    assert case.outcome == "urgent" and case.tier == 1  # still: staff decide
    assert patient.intake.screenings.first().outcome != "urgent"  # what the answers say now is kept
    page = _html(coordinator.get(reverse("screening:case", args=[patient.intake.reference])))
    assert (
        "The patient changed an answer that had raised a red flag, before sending the form" in page
    )
    assert page.count("changed an answer that had raised a red flag") == 1  # once, not per page


def test_a_withdrawn_tier_one_flag_does_not_lower_the_tier_while_a_tier_three_one_remains(patient):
    from screening.casework.models import Case

    patient.fill(upto="safety")
    patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})
    patient.post_page("safety-more", {**FULL_INTAKE["safety-more"], "weight_loss": "yes"})
    patient.post_page("safety", FULL_INTAKE["safety"], change=1)
    case = Case.objects.get(intake=patient.intake)
    assert (case.outcome, case.tier) == ("urgent", 1)


def test_the_task_list_keeps_the_advice_one_click_away(patient):
    patient.fill(upto="safety")
    patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})
    patient.post_page("safety-more")
    html = _html(patient.client.get(reverse("screening:tasks")))
    reminder = html.split('id="advice-reminder"')[1].split("</div>")[0]
    assert "Go to an emergency department now" in reminder
    assert reverse("screening:safety-advice") in reminder
    patient.post_page("safety", FULL_INTAKE["safety"], change=1)  # the mis-tap corrected
    assert 'id="advice-reminder"' not in _html(patient.client.get(reverse("screening:tasks")))
