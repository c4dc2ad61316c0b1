"""Screening in the flow: every submitted intake carries a result with findings and a ruleset version."""

import logging
from io import StringIO

import pytest
from django.core.management import call_command

from screening.casework.models import ScreeningResult
from screening.intake.models import Intake
from screening.rules.models import ConditionDraft, RuleDraft, RulesetVersion
from screening.rules.rulesets import rules_load_defaults, ruleset_publish
from screening.rules.terms import RulesetError
from screening.staff.models import AuditEvent
from tests.intake_data import FULL_INTAKE, TYPED_MARKERS

pytestmark = pytest.mark.django_db


def test_loading_the_defaults_is_idempotent():
    out = StringIO()
    call_command("load_default_rules", stdout=out)
    call_command("load_default_rules", stdout=out)
    assert "Loaded the default rules as ruleset v1." in out.getvalue()
    assert "Rules already present: nothing loaded." in out.getvalue()
    assert RulesetVersion.objects.count() == 1
    version = RulesetVersion.objects.get()
    assert len(version.content) == 48 and len(version.content_hash) == 64
    assert AuditEvent.objects.filter(action="ruleset.publish", object_ref="v1").exists()


def test_a_submitted_intake_carries_its_screening_result(patient):
    patient.fill()
    patient.submit()
    result = ScreeningResult.objects.get(intake=patient.intake, trigger="submit")
    assert result.outcome == "specialist_review"
    assert result.trigger == "submit"
    assert result.ruleset.number == 1
    review = next(f for f in result.findings if f["rule"] == "sr_facet_candidate")
    assert review["ruleset_version"] == "v1"
    assert ["best_block_relief", 85] in review["decided_by"]


def test_a_second_submit_does_not_screen_twice(patient):
    patient.fill()
    patient.submit()
    patient.submit()
    assert ScreeningResult.objects.filter(trigger="submit").count() == 1


def test_a_failing_screen_still_saves_the_submission_and_logs_no_patient_data(patient, caplog):
    patient.fill()
    # A published version that no longer fits the catalogue (a fact it names was removed).
    broken = [{**RulesetVersion.objects.get().content[0]}]
    broken[0]["conditions"] = [{"fact": "a_removed_question", "op": "is_yes", "value": None}]
    RulesetVersion.objects.create(
        number=2,
        content=broken,
        content_hash="x" * 64,
        note="broken",
        published_at=RulesetVersion.objects.get().published_at,
    )
    caplog.set_level(logging.INFO)
    response = patient.submit()
    assert response.status_code == 302
    intake = patient.intake
    assert intake.status == Intake.Status.SUBMITTED
    result = ScreeningResult.objects.get(intake=intake, trigger="submit")
    assert result.outcome == ScreeningResult.SCREENING_ERROR
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"screening failed for intake {intake.reference}: RulesetError" in logged
    assert not any(marker in logged for marker in TYPED_MARKERS)


def test_an_edited_threshold_is_published_as_a_new_version_and_screens_the_next_intake(
    patient, other_patient
):
    patient.fill()
    patient.submit()
    threshold = ConditionDraft.objects.get(
        rule__key="sr_facet_candidate", fact="second_best_block_relief"
    )
    threshold.value = 90
    threshold.save()
    version = ruleset_publish(actor=None, note="Second block must reach 90%")
    assert version.number == 2
    other_patient.fill()
    other_patient.submit()
    result = ScreeningResult.objects.get(intake=other_patient.intake, trigger="submit")
    assert result.ruleset == version
    assert result.outcome == "routine"  # 80% on the second block no longer reaches the threshold
    assert (
        ScreeningResult.objects.get(intake=patient.intake, trigger="submit").outcome
        == "specialist_review"
    )


def test_publishing_refuses_an_invalid_draft_and_says_what_to_fix(default_rules):
    condition = ConditionDraft.objects.get(rule__key="info_bmi_over_40")
    condition.value = "forty"
    condition.save()
    with pytest.raises(RulesetError) as refused:
        ruleset_publish(actor=None, note="typo")
    assert refused.value.problems == ["rule info_bmi_over_40: 'greater_than' on bmi needs a number"]
    assert RulesetVersion.objects.count() == 1


def test_the_audit_log_is_append_only(default_rules):
    event = AuditEvent.objects.get()
    event.action = "something else"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_a_fresh_database_gets_the_defaults_once_only(db):
    assert rules_load_defaults() is not None
    assert rules_load_defaults() is None


def test_the_safety_page_is_screened_when_saved_so_staff_see_an_urgent_draft(patient):
    patient.fill(upto="safety")
    patient.post_page("safety", {**FULL_INTAKE["safety"], "bowel_incontinence": "yes"})
    intake = patient.intake
    draft = ScreeningResult.objects.filter(intake=intake, trigger="draft").first()  # the latest
    assert intake.status == Intake.Status.DRAFT
    assert draft.outcome == "urgent"
    assert [f["rule"] for f in draft.findings if f["outcome"] == "urgent"] == ["rf_bowel"]


def test_the_advice_shows_the_red_flag_rules_own_messages(patient):
    rule = RuleDraft.objects.get(key="rf_bowel")
    rule.patient_message = (
        "Go to the emergency department at St Example's now, or call %(emergency_number)s."
    )
    rule.save()
    ruleset_publish(actor=None, note="local hospital")
    patient.fill(upto="safety")
    response = patient.post_page("safety", {**FULL_INTAKE["safety"], "bowel_incontinence": "yes"})
    html = patient.client.get(response.url).content.decode()
    assert "Go to the emergency department at St Example&#x27;s now, or call 911." in html


def test_a_red_flag_that_only_the_rules_know_still_interrupts(patient):
    rule = RuleDraft.objects.create(
        key="rf_past_infection_demo",
        title="Demo red flag",
        outcome="urgent",
        explanation="demo",
        source="clinical.md section 1 (demo)",
        patient_message="The clinic will call you about the infection.",
        tier=3,
    )
    ConditionDraft.objects.create(rule=rule, fact="past_spinal_infection", op="is_yes")
    ruleset_publish(actor=None, note="demo red flag")
    patient.fill(upto="health")
    response = patient.post_page(
        "health", {**FULL_INTAKE["health"], "past_spinal_infection": "yes"}
    )
    html = patient.client.get(response.url).content.decode()
    assert "The clinic will call you about the infection." in html


def test_without_published_rules_the_fixed_advice_is_the_fallback(client):
    from tests.personas import Patient

    patient = Patient(client)  # no rules loaded
    patient.fill(upto="safety")
    response = patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})
    html = patient.client.get(response.url).content.decode()
    assert "Do not drive yourself." in html  # the fixed text


def test_a_ruleset_without_red_flags_or_with_a_silent_red_flag_is_not_published(default_rules):
    RuleDraft.objects.filter(outcome="urgent").update(enabled=False)
    with pytest.raises(RulesetError, match="no enabled red-flag"):
        ruleset_publish(actor=None, note="oops")
    RuleDraft.objects.update(enabled=True)
    RuleDraft.objects.filter(key="rf_bowel").update(patient_message="")
    RuleDraft.objects.filter(key="info_bmi_over_40").update(patient_message="Lose weight")
    with pytest.raises(RulesetError) as refused:
        ruleset_publish(actor=None, note="oops")
    assert sorted(refused.value.problems) == [
        "rule info_bmi_over_40: only red-flag rules speak to patients; remove its message",
        "rule rf_bowel: a red-flag rule needs the message the patient is shown",
    ]
    assert RulesetVersion.objects.count() == 1


def test_the_rules_decide_the_advice_level(patient):
    RuleDraft.objects.filter(key="rf_minor_fall_over_50").update(enabled=False)
    RuleDraft.objects.filter(key="rf_weight_loss").update(tier=1, patient_message="Go now.")
    ruleset_publish(actor=None, note="local policy")
    patient.fill(upto="safety-more", overrides={"about-you": {"date_of_birth_year": "1950"}})
    more = FULL_INTAKE["safety-more"]
    response = patient.post_page("safety-more", {**more, "minor_fall": "yes"})
    assert response.url == "/intake/your-form/"  # the fall rule for over-50s is off: no advice
    response = patient.post_page("safety-more", {**more, "weight_loss": "yes"})
    html = patient.client.get(response.url).content.decode()
    assert "Go to an emergency department now" in html and "Go now." in html  # tier 1 by the rule
