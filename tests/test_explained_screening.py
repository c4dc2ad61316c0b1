"""What staff read about a screening: reasons written from the rules with the patient's values, the near miss
of a case that is not for specialist review, the next step, and nothing of it on the patient's side."""

import pytest

from screening.casework.case_screening import rescreen
from screening.casework.models import Case
from screening.rules.models import ConditionDraft, RuleDraft
from screening.rules.rulesets import ruleset_publish

pytestmark = pytest.mark.django_db


def _case_page(client, reference) -> str:
    return client.get(f"/staff/cases/{reference}/").content.decode()


@pytest.fixture
def routine(patient):
    """Pain for two months: not for specialist review, and the case says why."""
    patient.fill(overrides={"pain-where": {"pain_months": "2"}})
    receipt = patient.submit()
    patient.receipt = patient.client.get(receipt.url).content.decode()
    return patient


@pytest.fixture
def one_block(patient):
    """One block with 90 % relief where the candidacy rule asks for two."""
    patient.fill(
        overrides={
            "blocks": {"mbb_amount": "1"},
            "block-1": {"block_1_relief_percent": "90"},
        }
    )
    patient.submit()
    return patient


def test_a_routine_case_says_why_it_is_not_for_specialist_review(coordinator, routine):
    case = Case.objects.get(intake=routine.intake)
    assert case.outcome == "routine"
    html = _case_page(coordinator, routine.intake.reference)
    assert "Why not for specialist review" in html
    assert "Not met: Pain duration: at least 3 months (has 2 months)" in html
    assert "Pain for less time than candidacy asks" in html  # the informational finding says it too
    assert "Next step:" in html and "no specialist review for now" in html
    assert "No rule fired" not in html
    # The queue row gives the near miss in one line.
    assert case.top_finding.startswith(
        "Not for specialist review: Pain duration: at least 3 months"
    )
    assert "Not for specialist review: Pain duration" in coordinator.get("/staff/").content.decode()


def test_the_near_miss_is_never_shown_to_the_patient(routine):
    assert "specialist review" not in routine.receipt.lower()
    assert "Not met" not in routine.receipt and "Pain duration" not in routine.receipt


def test_a_case_with_one_good_block_needs_a_confirming_block(coordinator, one_block):
    case = Case.objects.get(intake=one_block.intake)
    assert case.outcome == "needs_info" and case.top_finding == "One diagnostic block so far"
    html = _case_page(coordinator, one_block.intake.reference)
    assert "Number of diagnostic blocks: 1 (has 1)" in html
    assert "Best block relief: at least 80 % (has 90 %)" in html
    assert "a confirming block is the usual next step" in html
    assert "Not met: Number of diagnostic blocks: at least 2 (has 1)" in html
    assert "Ask the patient for what is missing" in html
    # Its queue row names the finding, and under it what kept it from specialist review.
    assert case.why_not_review == (
        "Not for specialist review: Number of diagnostic blocks: at least 2 (has 1)"
    )
    assert case.why_not_review in coordinator.get("/staff/").content.decode()


def test_a_specialist_review_reason_lists_each_condition_with_the_patients_value(
    coordinator, patient
):
    patient.fill()
    patient.submit()
    html = _case_page(coordinator, patient.intake.reference)
    assert "Number of diagnostic blocks: at least 2 (has 2)" in html
    assert "Best block relief: at least 80 % (has 85 %)" in html
    assert "Why not for specialist review" not in html
    assert "set the block count" not in html  # no instruction meant for rules admins


def test_a_threshold_change_changes_the_reason_once_published(coordinator, one_block):
    rule = RuleDraft.objects.get(key="sr_facet_candidate")
    ConditionDraft.objects.filter(rule=rule, fact="block_count").update(value=1)
    ConditionDraft.objects.filter(rule=rule, fact="best_block_relief").update(value=50)
    ConditionDraft.objects.filter(rule=rule, fact="second_best_block_relief").delete()
    RuleDraft.objects.filter(key="ni_confirming_block").update(enabled=False)
    rescreen(ruleset_publish(actor=None, note="The consensus alternative: one block at 50 %"))
    html = _case_page(coordinator, one_block.intake.reference)
    assert Case.objects.get(intake=one_block.intake).outcome == "specialist_review"
    assert "Number of diagnostic blocks: at least 1 (has 1)" in html
    assert "Best block relief: at least 50 % (has 90 %)" in html
    assert "at least 2" not in html and "at least 80 %" not in html


def test_an_existing_database_gets_the_new_clinical_notes_where_nobody_changed_them(default_rules):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("screening.migrations.0025_clinical_notes")
    old_note = migration.NOTES["sr_facet_candidate"][0]
    assert "set the block count" in old_note
    RuleDraft.objects.filter(key="sr_facet_candidate").update(explanation=old_note)
    RuleDraft.objects.filter(key="ci_recent_rfa").update(explanation="Our own note.")
    migration.renew_notes(apps, None)
    assert (
        RuleDraft.objects.get(key="sr_facet_candidate").explanation
        == (migration.NOTES["sr_facet_candidate"][1])
    )
    assert RuleDraft.objects.get(key="ci_recent_rfa").explanation == "Our own note."
