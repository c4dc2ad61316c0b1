"""Branching is honest: a question that no longer applies is hidden, its answer cleared, and stored as not asked."""

from datetime import date

import pytest
from django.urls import reverse

from screening.intake import branching as answers
from tests.intake_data import FULL_INTAKE

pytestmark = pytest.mark.django_db


def test_unticking_blocks_clears_every_block_answer_and_skips_the_blocks_page(patient):
    patient.fill(upto="health")
    assert patient.intake.answers["block_1_relief_percent"] == 85
    response = patient.post_page("treatments", {"treatments_tried": ["nsaids", "physical_therapy"]})
    assert response.url == reverse("screening:page", args=["treatment-nsaids"])
    stored = patient.intake.answers
    assert not any(key.startswith(("block_", "mbb_")) for key in stored)
    assert stored["physical_therapy_amount"] == 8  # answers that still apply are kept
    response = patient.post_page("treatment-physical-therapy")
    assert response.url == reverse("screening:tasks")
    tasks = patient.client.get(response.url).content.decode()
    assert "Medial branch blocks" not in tasks  # the section does not apply now
    skipped = patient.client.get(reverse("screening:page", args=["blocks"]))
    assert skipped.url == reverse("screening:tasks")


def test_cleared_answers_are_stored_as_not_asked_not_as_unanswered(patient):
    patient.fill(overrides={"contact": {"interpreter": "no"}, "health-more": {"medicines": ""}})
    patient.submit()
    intake = patient.intake
    assert "interpreter_language" in intake.not_asked
    assert "interpreter_language" not in intake.answers
    assert "block_3_date" in intake.not_asked  # two blocks had, the third not asked
    assert "block_2_date" not in intake.not_asked
    assert "painful_levels" in intake.not_asked  # no surgery
    assert "medicines" not in intake.not_asked  # optional and shown: unanswered, not "not asked"


def test_fewer_blocks_hides_the_later_blocks(patient):
    patient.fill(upto="health")
    patient.post_page("blocks", {**FULL_INTAKE["blocks"], "mbb_amount": "1"})
    stored = patient.intake.answers
    assert "block_1_relief_percent" in stored
    assert "block_2_relief_percent" not in stored


def test_pregnancy_is_not_asked_of_a_man(patient):
    patient.fill(overrides={"about-you": {"sex": "male"}}, upto="health-more")
    html = patient.client.get(reverse("screening:page", args=["health-more"])).content.decode()
    assert 'name="pregnancy"' not in html
    health = {k: v for k, v in FULL_INTAKE["health-more"].items() if k != "pregnancy"}
    assert patient.post_page("health-more", health).status_code == 302


def test_changing_sex_later_clears_the_pregnancy_answer(patient):
    patient.fill(upto="function")
    assert patient.intake.answers["pregnancy"] == ["none"]
    patient.post_page("about-you", {**FULL_INTAKE["about-you"], "sex": "male"})
    assert "pregnancy" not in patient.intake.answers


def test_pregnancy_is_not_asked_from_sixty():
    stored = {"sex": "female", "date_of_birth": "1960-01-01"}
    assert "pregnancy" in answers.not_asked(stored, date(2026, 11, 25))
    stored["date_of_birth"] = "1980-01-01"
    assert "pregnancy" not in answers.not_asked(stored, date(2026, 11, 25))


def test_a_follow_up_on_the_same_page_is_cleared_when_its_answer_changes(patient):
    tagalog = {"interpreter": "yes", "interpreter_language": "Tagalog"}
    patient.fill(upto="height-and-weight", overrides={"contact": tagalog})
    assert patient.intake.answers["interpreter_language"] == "Tagalog"
    patient.post_page("contact", {**FULL_INTAKE["contact"], "interpreter": "no"})
    assert "interpreter_language" not in patient.intake.answers


def test_the_daily_life_questions_are_asked_from_3_months_of_pain(patient):
    patient.fill(upto="goals")
    assert patient.intake.answers["odi_walking"] == "2"
    patient.post_page("pain-where", {**FULL_INTAKE["pain-where"], "pain_months": "2"})
    assert not any(k.startswith(("odi_", "startback_")) for k in patient.intake.answers)
    skipped = patient.client.get(reverse("screening:page", args=["function"]))
    assert skipped.url == reverse("screening:tasks")
    assert "Your daily life" not in patient.client.get(skipped.url).content.decode()


def test_hiding_cascades_until_nothing_else_changes():
    stored = {
        "treatments_tried": ["mbb"],
        "mbb_amount": 2,
        "mbb_levels": ["l4_l5"],
        "block_2_date": "2025-01",
    }
    pruned = answers.prune({**stored, "treatments_tried": ["none"]}, date(2026, 11, 25))
    assert pruned == {"treatments_tried": ["none"]}
