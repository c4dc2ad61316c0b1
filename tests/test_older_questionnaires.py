"""Intakes of an older questionnaire (issue 17 removed and merged questions): they keep importing and
screening as before, a draft begun before carries on, staff still read every answer given, and a rule
naming a removed question still compiles."""

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from screening.casework.models import ScreeningResult
from screening.intake.catalogue import QUESTIONNAIRE_VERSION, RETIRED
from screening.intake.facts import engine_facts, fact_groups
from screening.intake.models import Intake
from screening.rules.rulesets import compile_data
from screening.rules.terms import NOT_ASKED

pytestmark = pytest.mark.django_db
OLDER = Path(__file__).resolve().parent / "data" / "specialist_review_2026-12-07.2.json"
TODAY = date(2026, 12, 7)


def _run(command, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_the_older_file_holds_answers_to_questions_no_longer_asked():
    older = json.loads(OLDER.read_text())
    assert older["questionnaire_version"] != QUESTIONNAIRE_VERSION
    assert {"occupation", "xray_done", "block_1_levels", "mbb_relief"} <= set(older["answers"])


def test_an_older_file_screens_as_it_did(default_rules):
    assert json.loads(_run("screen", str(OLDER)))["outcome"] == "specialist_review"


def test_an_older_file_imports_with_its_answers_as_sent_and_the_merged_ones_worked_out(
    default_rules, coordinator
):
    _run("import_intakes", str(OLDER))
    intake = Intake.objects.get()
    assert intake.answers["occupation"] == "Warehouse supervisor"  # as sent
    assert intake.answers["xray_done"] == "yes" and intake.answers["scans_done"] == ["xray", "mri"]
    assert intake.answers["mbb_levels"] == ["l4_l5"]
    assert ScreeningResult.objects.get(intake=intake).outcome == "specialist_review"
    html = coordinator.get(f"/staff/cases/{intake.reference}/").content.decode()
    assert "Questions no longer asked (an older questionnaire)" in html
    assert "What is your job or main daily activity?" in html and "Warehouse supervisor" in html
    assert "Have you had an X-ray of your spine?" in html


def test_surgery_at_a_blocked_level_is_found_from_an_older_intakes_block_levels():
    older = {
        "treatments_tried": ["mbb", "surgery"],
        "surgery_amount": ["l4_l5"],
        "mbb_amount": 1,
        "block_1_levels": ["l4_l5"],
        "block_1_date": "2026-01",
    }
    facts = engine_facts(older, TODAY)
    assert facts["surgery_at_painful_level"] == "yes"
    assert facts["months_since_mbb"] == 11  # from the block's month, as the mbb_last once was


def test_a_draft_begun_before_carries_on_with_its_answers_read_in_todays_questions(patient):
    patient.fill(upto="imaging")
    intake = patient.intake
    intake.answers |= {"xray_done": "yes", "mri_done": "no", "ct_done": "not_sure"}
    intake.questionnaire_version = "2026-12-07.2"
    intake.save()
    html = patient.client.get(reverse("screening:page", args=["imaging"])).content.decode()
    assert 'value="xray" id="id_scans_done_0" class="form-check-input" checked' in html


def test_a_rule_naming_a_removed_question_still_compiles_and_is_not_asked_for_new_intakes():
    rule = {
        "key": "info_diabetes",
        "title": "Diabetes",
        "outcome": "routine",
        "conditions": [{"fact": "diabetes", "op": "is_yes"}],
    }
    compile_data("test", [rule])
    assert engine_facts({"treatments_tried": ["none"]}, TODAY)["diabetes"] is NOT_ASKED
    offered = {key for _section, facts in fact_groups() for key, _label in facts}
    assert not offered & set(RETIRED)
    assert "months_since_physical_therapy" not in offered
