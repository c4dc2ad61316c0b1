"""The FHIR export: a valid QuestionnaireResponse, every answer typed, identifying details only on request."""

import json

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from screening.casework.fhir_export import questionnaire_response
from screening.intake.branching import is_answered
from screening.intake.catalogue import IDENTIFYING_KEYS, QUESTIONS, SECTIONS
from screening.intake.selectors import load_answers
from tests.intake_data import LAST_YEAR

pytestmark = pytest.mark.django_db

# What the patient of FULL_INTAKE typed or chose that says who they are.
IDENTIFYING_MARKERS = ("Zelda", "Quarrington", "zelda.q@example.org", "555 010 7788", "1971-07-14")


@pytest.fixture
def submitted(patient):
    patient.fill()
    patient.submit()
    return patient.intake


def answers_by_link(items: list[dict]) -> dict[str, list[dict]]:
    """Every answered item of a response, at any depth, by linkId."""
    found = {}
    for item in items:
        if "answer" in item:
            found[item["linkId"]] = item["answer"]
        found |= answers_by_link(item.get("item", []))
    return found


def link_ids(items: list[dict]) -> list[str]:
    return [i["linkId"] for item in items for i in (item, *_nested(item))]


def _nested(item: dict) -> list[dict]:
    return [n for child in item.get("item", []) for n in (child, *_nested(child))]


@pytest.mark.parametrize("identifiable", [True, False])
def test_it_validates_as_a_fhir_questionnaire_response(submitted, settings, identifiable):
    data = questionnaire_response(submitted, identifiable=identifiable)
    resource = QuestionnaireResponse.model_validate(data)
    assert resource.status == "completed"
    assert resource.id == submitted.reference
    assert resource.identifier.value == submitted.reference
    assert resource.identifier.system == f"{settings.SITE_URL}/fhir/intake-reference"
    assert data["questionnaire"] == (
        f"{settings.SITE_URL}/fhir/Questionnaire/facetclinic-intake|{submitted.questionnaire_version}"
    )
    assert data["authored"] == submitted.submitted_at.isoformat()
    assert json.loads(json.dumps(data)) == data
    ids = link_ids(data["item"])
    assert len(ids) == len(set(ids))


def test_it_gives_every_answered_clinical_question_in_its_section(submitted):
    data = questionnaire_response(submitted, identifiable=False)
    stored = load_answers(submitted)
    expected = []
    for section in SECTIONS:
        keys = [
            q.key
            for page in section.pages
            for q in page.questions
            if is_answered(stored.get(q.key)) and q.key not in IDENTIFYING_KEYS
        ]
        if keys:
            expected.append((section.key, str(section.title), keys))
    groups = data["item"][:-1]  # the last group holds the scores
    assert [(g["linkId"], g["text"], [i["linkId"] for i in g["item"]]) for g in groups] == expected
    assert len([k for _key, _title, keys in expected for k in keys]) > 60


def test_it_types_each_answer_by_the_kind_of_its_question(submitted, settings):
    answers = answers_by_link(questionnaire_response(submitted, identifiable=False)["item"])
    assert answers["sex"] == [
        {
            "valueCoding": {
                "system": f"{settings.SITE_URL}/fhir/CodeSystem/sex",
                "code": "female",
                "display": "Female",
            }
        }
    ]
    assert answers["interpreter"][0]["valueCoding"]["code"] == "no"
    assert answers["pain_months"] == [{"valueInteger": 18}]
    assert answers["pain_now"] == [{"valueInteger": 6}]
    assert answers["mri_when"] == [{"valueDate": f"{LAST_YEAR}-05"}]
    assert answers["medicines"] == [{"valueString": "Ibuprofen 400 mg when needed"}]
    assert answers["height"] == [
        {
            "valueQuantity": {
                "value": 168,
                "unit": "cm",
                "system": "http://unitsofmeasure.org",
                "code": "cm",
            }
        }
    ]
    assert answers["weight"][0]["valueQuantity"]["value"] == 72.5
    assert answers["weight"][0]["valueQuantity"]["code"] == "kg"
    assert answers["consent_privacy"] == [{"valueBoolean": True}]
    assert answers["odi_pain_intensity"][0]["valueCoding"]["code"] == "3"


def test_it_gives_one_coding_per_ticked_choice_of_a_multi_question(submitted):
    answers = answers_by_link(questionnaire_response(submitted, identifiable=False)["item"])
    assert [a["valueCoding"]["code"] for a in answers["scans_done"]] == ["xray", "mri"]
    assert [a["valueCoding"]["display"] for a in answers["treatments_tried"]] == [
        str(QUESTIONS["treatments_tried"].choice_label(code))
        for code in ("nsaids", "physical_therapy", "mbb")
    ]


def test_it_labels_grouped_questions_with_their_group(submitted):
    data = questionnaire_response(submitted, identifiable=False)
    texts = {item["linkId"]: item["text"] for group in data["item"] for item in group["item"]}
    assert texts["block_1_date"] == "Block 1: When was it?"


def test_it_leaves_out_questions_that_were_not_asked(submitted):
    assert {"ct_when", "block_3_date", "infection_spine"} <= set(submitted.not_asked)
    ids = set(link_ids(questionnaire_response(submitted, identifiable=True)["item"]))
    assert not ids & set(submitted.not_asked)


def test_it_adds_the_derived_scores_with_their_versions(submitted):
    data = questionnaire_response(submitted, identifiable=False)
    scores = data["item"][-1]
    assert scores["linkId"] == "scores"
    answers = answers_by_link([scores])
    assert answers["odi_percent"] == [{"valueInteger": 42}]
    assert answers["startback_risk"] == [{"valueString": "medium"}]
    assert answers["bmi"] == [{"valueDecimal": 25.7}]
    assert answers["nrs_pain_now_band"] == [{"valueString": "moderate"}]
    texts = {item["linkId"]: item["text"] for item in scores["item"]}
    assert submitted.derived["odi"]["version"] in texts["odi_percent"]


def test_it_leaves_out_everything_identifying_when_not_identifiable(submitted):
    data = questionnaire_response(submitted, identifiable=False)
    text = json.dumps(data)
    for marker in IDENTIFYING_MARKERS:
        assert marker not in text
    assert not set(link_ids(data["item"])) & set(IDENTIFYING_KEYS)
    assert "age" not in link_ids(data["item"])


def test_it_gives_the_identifying_answers_when_identifiable(submitted):
    data = questionnaire_response(submitted, identifiable=True)
    text = json.dumps(data)
    for marker in IDENTIFYING_MARKERS:
        assert marker in text
    answers = answers_by_link(data["item"])
    assert set(IDENTIFYING_KEYS) <= set(answers)
    assert answers["date_of_birth"] == [{"valueDate": "1971-07-14"}]
    assert answers["given_name"] == [{"valueString": "Zelda"}]
    assert answers["contact_method"][0]["valueCoding"]["code"] == "phone"


def test_a_draft_exports_as_in_progress_without_scores(patient):
    patient.fill(upto="goals")
    draft = patient.intake
    data = questionnaire_response(draft, identifiable=False)
    QuestionnaireResponse.model_validate(data)
    assert data["status"] == "in-progress"
    assert data["authored"] == draft.updated_at.isoformat()
    assert "scores" not in link_ids(data["item"])
    assert "hopes" not in answers_by_link(data["item"])
    assert answers_by_link(data["item"])["pain_now"] == [{"valueInteger": 6}]
