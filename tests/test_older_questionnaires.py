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


def _older(**changes) -> dict:
    older = json.loads(OLDER.read_text())
    older["answers"] |= changes
    return older


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        # A retired answer is checked as its own question was
        (
            {"mbb_last": "zz"},
            "answers.mbb_last: Medial branch blocks (a numbing test injection): enter both the "
            "month and the year of the last time you had it",
        ),
        ({"smoking": "sometimes"}, "answers.smoking: Select one of the options"),
        # An answer today's narrower branching would not ask is kept only if valid
        ({"pain_months": 1, "odi_walking": "9"}, "answers.odi_walking: Select one of the options"),
        # Other answers that do not apply are refused, as from any file
        ({"mbb_amount": 1}, "answers.block_2_date: this question does not apply"),
    ],
)
def test_an_older_files_answers_kept_as_sent_are_checked_all_the_same(
    default_rules, tmp_path, changes, problem
):
    from django.core.management import CommandError

    path = tmp_path / "older.json"
    path.write_text(json.dumps(_older(**changes)))
    with pytest.raises(CommandError) as refused:
        _run("import_intakes", str(path))
    assert problem in str(refused.value)
    assert Intake.objects.count() == 0


def test_an_older_intake_of_short_pain_keeps_its_daily_life_answers(default_rules, tmp_path):
    path = tmp_path / "older.json"
    path.write_text(json.dumps(_older(pain_months=1)))
    _run("import_intakes", str(path))
    intake = Intake.objects.get()
    assert intake.answers["odi_walking"] == "2" and intake.derived["odi"]["percent"] == 42


def test_the_ehr_export_of_an_older_intake_carries_its_answers_no_longer_asked(default_rules):
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    from screening.casework.fhir_export import questionnaire_response

    _run("import_intakes", str(OLDER))
    data = questionnaire_response(Intake.objects.get(), identifiable=False)
    QuestionnaireResponse.model_validate(data)
    retired = next(group for group in data["item"] if group["linkId"] == "no_longer_asked")
    answers = {item["linkId"]: item["answer"] for item in retired["item"]}
    assert answers["occupation"] == [{"valueString": "Warehouse supervisor"}]
    assert answers["xray_done"][0]["valueCoding"]["code"] == "yes"


def test_amending_an_older_intake_keeps_its_answers_no_longer_asked(default_rules, coordinator):
    from screening.casework.models import Case
    from screening.casework.services import case_amend

    _run("import_intakes", str(OLDER))
    case = Case.objects.get()
    case_amend(case_id=case.pk, values={"pain_average": 7}, source="phone", user=coordinator.user)
    answers = Intake.objects.get().answers
    assert answers["pain_average"] == 7
    assert answers["occupation"] == "Warehouse supervisor" and answers["xray_done"] == "yes"


def test_an_older_intake_without_blocks_does_not_list_the_new_block_question_as_unanswered(
    default_rules, coordinator, tmp_path
):
    data = json.loads(OLDER.read_text())
    data["answers"] = {
        k: v for k, v in data["answers"].items() if not k.startswith(("block_", "mbb_"))
    } | {"treatments_tried": ["nsaids", "physical_therapy"]}
    path = tmp_path / "older.json"
    path.write_text(json.dumps(data))
    _run("import_intakes", str(path))
    html = coordinator.get(f"/staff/cases/{Intake.objects.get().reference}/").content.decode()
    assert "Not answered yet" not in html


def test_a_draft_rule_on_a_removed_question_can_still_be_saved_but_no_new_one_made(default_rules):
    from screening.rules.forms import ConditionForm
    from screening.rules.models import ConditionDraft, RuleDraft

    rule = RuleDraft.objects.get(key="info_osteoporosis")
    kept = ConditionDraft.objects.create(rule=rule, position=9, fact="diabetes", op="is_yes")
    data = {"position": 9, "fact": "diabetes", "op": "is_yes"}
    assert ConditionForm(data, instance=kept).is_valid()
    new = ConditionForm(data, instance=ConditionDraft(rule=rule))
    assert not new.is_valid() and "fact" in new.errors


def test_a_page_address_from_before_leads_to_its_successor(patient):
    patient.fill(upto="pain-where")
    moved = patient.client.get("/intake/body-and-work/")
    assert moved.url == reverse("screening:page", args=["height-and-weight"])
    assert patient.client.post("/intake/treatment-details/").url == "/intake/treatments/"
