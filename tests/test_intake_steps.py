"""Each page of the intake, as a patient's browser session sees it through the server."""

import pytest
from django.urls import reverse

from screening.intake.catalogue import page_by_slug, section_of
from screening.intake.draft_session import is_task
from screening.intake.models import Intake
from tests.intake_data import FULL_INTAKE

pytestmark = pytest.mark.django_db


def test_a_double_click_on_start_now_makes_one_draft(patient):
    first, second = patient.begin(), patient.begin()
    assert first.url == second.url == reverse("screening:page", args=["about-you"])
    assert Intake.objects.count() == 1


def test_the_full_walk_answers_every_page_its_answers_show(patient):
    patient.fill()
    from screening.intake.branching import shown_pages
    from screening.intake.selectors import load_answers

    shown = shown_pages(load_answers(patient.intake), patient.intake.created_at.date())
    assert list(FULL_INTAKE) == [p.slug for p in shown]


def test_starting_creates_a_draft_tied_to_the_session_with_an_unguessable_reference(patient):
    response = patient.begin()
    assert response.url == reverse("screening:page", args=["about-you"])
    intake = patient.intake
    assert intake.status == Intake.Status.DRAFT
    assert intake.reference.startswith("FC-") and len(intake.reference) == 12
    assert str(intake.pk) not in response.url


def test_each_page_saves_and_leads_to_the_next_of_its_section_then_the_task_list(patient):
    """The first three sections in order; after them, each section ends on the task list (the blocks
    follow on from the treatments)."""
    patient.begin()
    slugs = list(FULL_INTAKE)
    for index, slug in enumerate(slugs):
        page = patient.client.get(reverse("screening:page", args=[slug]))
        assert page.status_code == 200, slug
        html = page.content.decode()
        title, section = page_by_slug(slug).title, section_of(page_by_slug(slug)).title
        caption = f'<span class="fc-caption__section">{section}'
        assert (caption in html) == (section != title), slug  # never the heading said twice
        response = patient.post_page(slug)
        following = page_by_slug(slugs[index + 1]) if index + 1 < len(slugs) else None
        section = section_of(page_by_slug(slug))
        if following is not None and (
            section_of(following) == section
            or section_of(following).follows_on  # the blocks, straight after the treatments
            or not is_task(section_of(following))
        ):
            expected = reverse("screening:page", args=[following.slug])
        else:
            expected = reverse("screening:tasks")
        assert response.status_code == 302, slug
        assert response.url == expected, slug


def test_the_caption_names_the_section(patient):
    patient.fill(upto="safety")
    html = patient.client.get(reverse("screening:page", args=["safety"])).content.decode()
    assert "Symptoms that need care quickly" in html


def test_identifying_details_are_stored_apart_from_clinical_answers(patient):
    patient.fill(upto="pain-where")
    intake = patient.intake
    assert intake.identity.family_name == "Quarrington"
    assert intake.identity.email == "zelda.q@example.org"
    assert str(intake.identity.date_of_birth) == "1971-07-14"
    for key in ("given_name", "family_name", "date_of_birth", "email", "phone", "contact_method"):
        assert key not in intake.answers
    assert "Quarrington" not in str(intake.answers)
    assert intake.answers["height"] == {"cm": 168.0}


def test_a_validation_error_keeps_every_other_typed_value(patient):
    patient.begin()
    data = {**FULL_INTAKE["about-you"], "date_of_birth_year": "2031"}
    response = patient.post_page("about-you", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: About you" in html
    assert "There is a problem" in html
    assert 'href="#id_date_of_birth_0"' in html
    assert "Date of birth must be in the past" in html
    assert 'value="Zelda"' in html and 'value="Quarrington"' in html
    assert 'value="2031"' in html and 'value="14"' in html
    assert 'value="female" id="id_sex_0" class="form-check-input" checked' in html
    assert patient.intake.identity.given_name == ""  # nothing half-saved from an invalid page


def test_an_error_is_tied_to_its_field_for_screen_readers(patient):
    patient.begin()
    html = patient.post_page(
        "contact", {**FULL_INTAKE["contact"], "email": "nope"}
    ).content.decode()
    assert 'aria-describedby="email-error"' in html
    assert 'id="email-error"' in html
    assert 'aria-invalid="true"' in html


def test_answers_are_shown_again_when_the_patient_comes_back_to_a_page(patient):
    patient.fill(upto="safety")
    html = patient.client.get(reverse("screening:page", args=["pain-where"])).content.decode()
    assert 'value="18"' in html
    assert 'value="low_back" id="id_pain_regions_0" class="form-check-input" checked' in html


def test_a_double_click_on_continue_gives_the_same_result_and_one_draft(patient):
    patient.fill(upto="contact")
    first = patient.post_page("contact")
    second = patient.post_page("contact")
    assert first.url == second.url == reverse("screening:page", args=["height-and-weight"])
    assert Intake.objects.count() == 1
    assert patient.intake.identity.email == "zelda.q@example.org"


def test_back_saves_what_was_typed_and_goes_to_the_previous_page(patient):
    patient.fill(upto="contact")
    response = patient.post_page("contact", {"email": "z@example.org"}, action="back")
    assert response.url == reverse("screening:page", args=["about-you"])
    assert patient.intake.identity.email == "z@example.org"


def test_pages_cannot_be_opened_without_a_draft(client):
    response = client.get(reverse("screening:page", args=["health"]))
    assert response.url == reverse("screening:start")


def test_an_unknown_page_is_not_found(patient):
    patient.begin()
    assert patient.client.get("/intake/not-a-page/").status_code == 404


def test_check_your_answers_lists_answers_by_section_with_a_change_link_each(patient):
    patient.fill()
    html = patient.client.get(reverse("screening:check")).content.decode()
    assert "Check your answers before sending your form" in html
    assert "Quarrington" in html and "14 July 1971" in html and "168 cm" in html
    assert "6 out of 10" in html
    assert f'href="{reverse("screening:page", args=["about-you"])}?change=1"' in html
    assert 'Change<span class="visually-hidden"> About you</span>' in html
    assert 'Change<span class="visually-hidden"> Your health</span>' in html
    assert html.count(">Change<") == 10  # one per section shown (all ten apply here)
    assert "Confirm and send" in html


def test_changing_a_section_from_check_your_answers_walks_it_and_returns_there(patient):
    patient.fill()
    response = patient.post_page(
        "contact", {**FULL_INTAKE["contact"], "phone": "555 010 9999"}, change=1
    )
    assert response.url == reverse("screening:page", args=["height-and-weight"]) + "?change=1"
    assert patient.intake.identity.phone == "555 010 9999"
    response = patient.post_page("height-and-weight", change=1)
    assert response.url == reverse("screening:check") + "#section-about_you"  # its card
    html = patient.client.get(reverse("screening:check")).content.decode()
    assert 'id="section-about_you"' in html


def test_a_change_that_opens_new_questions_leads_to_them_first(patient):
    patient.fill()
    tried = {"treatments_tried": ["nsaids", "physical_therapy", "mbb", "rfa"]}
    response = patient.post_page("treatments", tried, change=1)
    assert response.url == reverse("screening:page", args=["treatment-nsaids"]) + "?change=1"
    patient.post_page("treatment-nsaids", change=1)
    response = patient.post_page("treatment-physical-therapy", change=1)
    assert response.url == reverse("screening:page", args=["treatment-rfa"]) + "?change=1"


def test_an_unusual_height_and_weight_are_checked_rather_than_refused(patient):
    patient.fill(upto="height-and-weight")
    unusual = {**FULL_INTAKE["height-and-weight"], "height_cm": "212", "weight_kg": "45"}
    response = patient.post_page("height-and-weight", unusual)
    assert response.url == reverse("screening:check-body")
    html = patient.client.get(response.url).content.decode()
    assert "You told us you are 212 cm tall and weigh 45 kg" in html
    refused = patient.client.post(response.url, {})
    assert "Select yes if your height and weight are right" in refused.content.decode()
    back = patient.client.post(response.url, {"right": "no"})
    assert back.url == reverse("screening:page", args=["height-and-weight"])
    patient.post_page("height-and-weight", unusual)
    onward = patient.client.post(response.url, {"right": "yes"})
    assert onward.url == reverse("screening:page", args=["pain-where"])
    # once confirmed, saving the same values again does not ask again
    assert patient.post_page("height-and-weight", unusual).url == reverse(
        "screening:page", args=["pain-where"]
    )
    assert patient.intake.answers["height"] == {"cm": 212.0}


def test_an_unknown_button_is_refused_rather_than_skipping_required_answers(patient):
    patient.fill(upto="contact")
    response = patient.post_page("contact", {}, action="skip")
    assert response.status_code == 400
    assert patient.intake.identity.email == ""


def test_the_instrument_pages_say_the_wording_is_demo_wording_and_keep_their_instructions(patient):
    patient.fill(upto="function")
    html = patient.client.get(reverse("screening:page", args=["function"])).content.decode()
    assert "Demo wording, not the validated instrument." in html
    assert "Skip a section only if it does not apply to you: your score needs at least 8" in html


def test_the_task_list_opens_after_the_first_sections_and_says_what_is_done(patient):
    patient.fill(upto="safety")
    early = patient.client.get(reverse("screening:tasks"))
    assert early.url == reverse("screening:page", args=["safety"])  # not before they are answered
    patient.fill(upto="imaging")
    html = patient.client.get(reverse("screening:tasks")).content.decode()
    assert "You have completed 3 of 9 sections." in html  # no blocks known of yet
    assert (
        html.count("Not yet started") == 6
    )  # scans, treatments, health, daily life, goals, consent
    assert "Cannot start yet" in html and 'href="/intake/check-your-answers/"' not in html
    patient.fill()
    html = patient.client.get(reverse("screening:tasks")).content.decode()
    assert "You have completed 10 of 10 sections." in html
    assert 'href="/intake/check-your-answers/"' in html


def test_a_section_opened_from_the_task_list_ends_on_it_and_back_leads_there(patient):
    patient.fill()
    assert patient.post_page("contact").url == reverse("screening:page", args=["height-and-weight"])
    assert patient.post_page("height-and-weight").url == reverse("screening:tasks")
    page = patient.client.get(reverse("screening:page", args=["imaging"])).content.decode()
    assert 'href="/intake/your-form/" class="fc-back-link"' in page


def test_back_from_a_section_changed_from_the_check_page_leads_back_there(patient):
    patient.fill()
    url = reverse("screening:page", args=["about-you"]) + "?change=1"
    page = patient.client.get(url).content.decode()
    assert 'href="/intake/check-your-answers/" class="fc-back-link"' in page
