"""The catalogue holds every question the clinic asked for (issue #2), once, in ten sections."""

import pytest
from django.utils.functional import Promise

from screening.intake import catalogue, instruments
from screening.intake.catalogue import QUESTIONS, RETIRED, SECTIONS, TREATMENTS, Kind

# The issue's list of questions, section by section: nothing may be silently dropped. Issue 17 removed or
# merged some (docs/intake.md lists each with why): those are retired, kept for older intakes.
REQUIRED_QUESTIONS = {
    "about_you": [
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "email",
        "phone",
        "contact_method",
        "height",
        "weight",
        "occupation",
        "heavy_lifting",
    ],
    "pain": [
        "pain_regions",
        "pain_side",
        "pain_spread",
        "pain_months",
        "pain_now",
        "pain_average",
        "pain_worst",
        "morning_stiffness",
        "stiffness_duration",
        "pain_turning_night",
        "pain_twist_extend",
        "leg_numbness",
        "pain_onset",
        "spinal_levels",
    ],
    "safety": [
        "saddle_numbness",
        "bladder_problem",
        "bowel_incontinence",
        "leg_weakness_worsening",
        "weakness_both_legs",
        "fever_chills",
        "major_trauma",
        "minor_fall",
        "weight_loss",
        "iv_drug_use",
    ],
    "imaging": [
        "xray_done",
        "xray_when",
        "scans_done",
        "mri_done",
        "mri_when",
        "ct_done",
        "ct_when",
        "diagnoses_told",
    ],
    "treatments": ["treatments_tried", "painful_levels"]
    + [
        f"{t}_{part}"
        for t in (
            "nsaids",
            "muscle_relaxants",
            "physical_therapy",
            "chiropractic",
            "facet_steroid",
            "epidural",
            "mbb",
            "rfa",
            "surgery",
            "regenerative",
        )
        for part in ("last", "amount", "relief", "relief_duration")
        if f"{t}_{part}" != "mbb_amount"
    ],
    "blocks": ["mbb_amount", "mbb_levels"]
    + [
        f"block_{n}_{part}"
        for n in (1, 2, 3)
        for part in ("date", "levels", "medicine", "relief_percent", "relief_hours")
    ],
    "health": [
        "infection_now",
        "infection_spine",
        "autoimmune",
        "autoimmune_which",
        "immunosuppressants",
        "long_term_steroids",
        "blood_thinners",
        "pregnancy",
        "cancer",
        "osteoporosis",
        "diabetes",
        "smoking",
        "medicines",
        "allergies",
    ],
    "daily_life": [f"odi_{k}" for k in instruments.ODI_SECTIONS]
    + [f"startback_{k}" for k in instruments.STARTBACK_ITEMS],
    "goals": ["hopes", "therapies_interest", "heard_from"],
    "consent": [
        "consent_costs",
        "consent_privacy",
        "consent_not_diagnosis",
        "consent_safety_call",
        "consent_contact",
    ],
}


def _keys(section):
    return [q.key for page in section.pages for q in page.questions]


def test_it_has_the_ten_sections_in_order():
    assert [s.key for s in SECTIONS] == list(REQUIRED_QUESTIONS)


REMOVED_IN_ISSUE_17 = {
    "spinal_levels",  # asked as painful_levels, of a patient who had surgery
    "occupation",
    "heavy_lifting",
    "pain_side",
    "pain_onset",
    "morning_stiffness",
    "stiffness_duration",
    "pain_turning_night",
    "pain_twist_extend",
    "xray_done",
    "xray_when",
    "mri_done",
    "ct_done",
    "nsaids_amount",
    "nsaids_relief_duration",
    "muscle_relaxants_last",
    "muscle_relaxants_amount",
    "muscle_relaxants_relief_duration",
    "physical_therapy_last",
    "physical_therapy_relief_duration",
    "chiropractic_last",
    "chiropractic_relief_duration",
    "facet_steroid_amount",
    "epidural_amount",
    "mbb_last",
    "mbb_relief",
    "mbb_relief_duration",
    "surgery_relief_duration",
    "block_1_levels",
    "block_2_levels",
    "block_3_levels",
    "diabetes",
    "smoking",
    "therapies_interest",
    "heard_from",
}


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.key)
def test_each_section_asks_every_question_the_clinic_needs_or_retired_it_on_purpose(section):
    missing = set(REQUIRED_QUESTIONS[section.key]) - set(_keys(section)) - REMOVED_IN_ISSUE_17
    assert not missing
    assert not set(_keys(section)) & set(RETIRED)


def test_the_retired_questions_are_exactly_those_issue_17_removed():
    assert set(RETIRED) == REMOVED_IN_ISSUE_17


def test_no_question_a_red_flag_or_contraindication_rule_reads_was_retired():
    import json
    from pathlib import Path

    from screening.intake.facts import source_questions

    rules = json.loads(Path("screening/rules/default_rules.json").read_text())["rules"]
    read = {
        q
        for rule in rules
        if rule["outcome"] in ("urgent", "not_suitable_now") or rule["key"].startswith("ci_")
        for condition in rule["conditions"]
        for q in source_questions(condition["fact"])
    }
    assert read and not read & set(RETIRED)
    assert read <= set(QUESTIONS) | {"date_of_birth"}


def test_every_required_question_says_what_to_do_when_left_empty():
    vague = [q.key for q in QUESTIONS.values() if q.required and not str(q.error_required)]
    assert not vague


def test_no_error_message_uses_words_the_style_guide_forbids():
    for q in QUESTIONS.values():
        message = str(q.error_required).lower()
        assert "invalid" not in message and "please" not in message and "required" not in message


def test_choice_questions_have_choices_and_exclusive_answers_are_among_them():
    for q in QUESTIONS.values():
        if q.kind in {Kind.CHOICE, Kind.MULTI, Kind.YES_NO, Kind.YES_NO_UNSURE}:
            assert q.choices, q.key
        codes = {code for code, _label in q.choices}
        assert set(q.exclusive) <= codes, q.key


def test_every_treatment_is_offered_in_the_tried_list():
    offered = {code for code, _label in QUESTIONS["treatments_tried"].choices}
    assert {t.key for t in TREATMENTS} | {"none"} == offered


def test_safety_questions_carry_their_red_flag_tier():
    tiers = {q.key: q.safety_tier for q in QUESTIONS.values() if q.safety_tier}
    assert tiers == {
        "saddle_numbness": 1,
        "bladder_problem": 1,
        "bowel_incontinence": 1,
        "leg_weakness_worsening": 1,
        "weakness_both_legs": 1,
        "fever_chills": 2,
        "major_trauma": 2,
        "minor_fall": 2,
        "weight_loss": 3,
        "iv_drug_use": 3,
    }


def test_identifying_details_are_marked_to_be_stored_apart():
    assert set(catalogue.IDENTIFYING_KEYS) == {
        "given_name",
        "family_name",
        "date_of_birth",
        "email",
        "phone",
        "contact_method",
    }


def test_odi_sections_offer_six_statements_and_startback_items_their_scale():
    for key in instruments.ODI_SECTIONS:
        assert [c for c, _l in QUESTIONS[f"odi_{key}"].choices] == ["0", "1", "2", "3", "4", "5"]
    for key in instruments.STARTBACK_ITEMS:
        expected = 5 if key == "item_9" else 2
        assert len(QUESTIONS[f"startback_{key}"].choices) == expected


def test_every_patient_facing_string_is_marked_for_translation():
    """Lazy translation objects, not strings already fixed in English when the module was imported."""
    untranslatable = []
    for q in QUESTIONS.values():
        texts = [
            q.label,
            q.hint,
            q.error_required,
            q.group,
            q.unit,
            *(label for _c, label in q.choices),
        ]
        for text in texts:
            is_level_name = text in {
                label for _c, label in catalogue.SPINAL_LEVELS if isinstance(label, str)
            }
            if text and text != "%" and not isinstance(text, Promise) and not is_level_name:
                untranslatable.append((q.key, str(text)))
    assert not untranslatable


# The choices the issue names, which must not be dropped silently either.
REQUIRED_CHOICES = {
    "pain_regions": {"low_back", "neck", "mid_back"},
    "pain_spread": {"buttock", "thigh", "below_knee", "arm"},
    "pain_onset": {"injury", "lifting", "gradual"},
    "diagnoses_told": {
        "facet_arthritis",
        "disc_herniation",
        "stenosis",
        "spondylolisthesis",
        "spondylosis",
        "radiculopathy",
        "fracture",
        "scoliosis",
    },
    "block_1_medicine": {"lidocaine", "bupivacaine", "not_sure"},
    "nsaids_relief": {"none", "some", "good"},
    "therapies_interest": {
        "prp",
        "adipose_cells",
        "bone_marrow_cells",
        "umbilical_cells",
        "hydrodissection",
        "not_sure",
    },
    "contact_method": {"phone", "text", "email"},
    "cancer": {"no", "current", "past", "not_sure"},
    "painful_levels": {"c2_c3", "l5_s1", "not_sure"},
}


@pytest.mark.parametrize("key", REQUIRED_CHOICES)
def test_the_choices_the_clinic_named_are_offered(key):
    offered = {code for code, _label in {**QUESTIONS, **RETIRED}[key].choices}
    assert REQUIRED_CHOICES[key] <= offered


def test_no_page_repeats_its_heading_as_a_question():
    from screening.intake.catalogue import PAGES

    def plain(text) -> str:
        return str(text).strip().rstrip("?.").casefold()

    for page in PAGES:
        assert all(plain(q.label) != plain(page.title) for q in page.questions), page.slug
