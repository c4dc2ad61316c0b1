"""The default ruleset: every bullet of clinical.md sections 1-3a has a rule, and every rule fires when it
should, stays quiet when it should, and asks for information when a fact it needs is missing."""

from datetime import date

import pytest

from screening.intake.facts import engine_facts, fact_specs
from screening.rules.defaults import default_rules
from screening.rules.engine import compile_ruleset, near_miss, screen
from screening.rules.outcomes import Outcome
from screening.rules.terms import FindingState
from tests.intake_data import FULL_INTAKE

TODAY = date(2026, 11, 25)
RULES = {r.key: r for r in default_rules()}

# clinical.md, bullet by bullet (sections 1 to 3a) -> the rules that carry it.
CLINICAL_BULLETS = {
    "1: saddle numbness": ["rf_saddle_numbness"],
    "1: new bladder trouble": ["rf_bladder"],
    "1: new bowel incontinence": ["rf_bowel"],
    "1: leg weakness getting worse": ["rf_leg_weakness_worsening"],
    "1: weakness in both legs": ["rf_weakness_both_legs"],
    "1: fever or chills with the back pain": ["rf_fever"],
    "1: recent major trauma": ["rf_major_trauma"],
    "1: minor fall with osteoporosis or age over 50, with new pain": [
        "rf_minor_fall_over_50",
        "rf_minor_fall_osteoporosis",
    ],
    "1: immune suppression or long-term steroids with fever or a fall": [
        "rf_fever",
        "rf_minor_fall_steroids",
        "rf_minor_fall_immunosuppressed",
    ],
    "1: history of cancer": ["rf_cancer_history"],
    "1: unexplained weight loss": ["rf_weight_loss"],
    "1: intravenous drug use": ["rf_iv_drug_use"],
    "1: new back pain under 20 or over 50, informational": [
        "info_new_pain_under_20",
        "info_new_pain_over_50",
    ],
    "2: axial pain for at least 3 months": ["sr_facet_candidate", "info_pain_short"],
    "2: moderate to severe pain (NRS)": ["sr_facet_candidate", "info_pain_mild"],
    "2: failed conservative care": [
        "sr_facet_candidate",
        "ni_no_diagnostic_block",
        "info_conservative_care_not_failed",
    ],
    "2: no untreated radiculopathy or neurogenic claudication": [
        "ci_radiculopathy",
        "info_stenosis",
    ],
    "2: no other pathology (fracture, tumour, infection)": [
        "info_fracture",
        "ci_active_malignancy",
        "ci_spinal_infection",
    ],
    "2: diagnostic medial branch blocks at the relief threshold": ["sr_facet_candidate"],
    "2: concordant relief (comparative blocks)": ["info_discordant_blocks"],
    "3a: one block at the threshold where the rule asks for two": ["ni_confirming_block"],
    "2: no block yet: needs more information": ["ni_no_diagnostic_block"],
    "2: prior RFA and steroid facet injections, when": ["ci_recent_rfa", "ci_recent_facet_steroid"],
    "3: active spinal infection; prior infection at the level": [
        "ci_spinal_infection",
        "info_past_spinal_infection",
    ],
    "3: autoimmune or inflammatory disease; immunosuppressive drugs": [
        "ci_autoimmune",
        "ci_immunosuppressants",
    ],
    "3: active malignancy": ["ci_active_malignancy"],
    "3: anticoagulant or antiplatelet therapy, or a bleeding disorder": ["info_blood_thinners"],
    "3: pregnancy, breastfeeding, or planning pregnancy": [
        "ci_pregnancy",
        "info_planning_pregnancy",
    ],
    "3: BMI over 40": ["info_bmi_over_40"],
    "3: steroid or facet injection, or RFA, in the last 3 months": [
        "ci_recent_facet_steroid",
        "ci_recent_epidural",
        "ci_recent_rfa",
    ],
    "3: NSAIDs in the last 30 days": ["info_recent_nsaids"],
    "3: prior surgery or fusion at the painful level": [
        "info_surgery_painful_level",
        "info_surgery_other_level",
    ],
    "3: fracture in the last 6 months; severe osteoporosis": ["info_fracture", "info_osteoporosis"],
    "3: pain more likely from another structure": [
        "ci_disc_herniation_leg_pain",
        "info_stenosis",
        "info_leg_numbness_undiagnosed",
        "info_leg_pain_undiagnosed",
    ],
    "3: age outside trial ranges, informational": ["info_age_outside_trials"],
    "3a: long-term steroids, informational": ["info_long_term_steroids"],
    "5: MRI review by specialists before treatment": ["info_mri_report_missing"],
}


def test_every_clinical_bullet_maps_to_rules_that_exist_and_every_rule_to_a_bullet():
    mapped = {key for keys in CLINICAL_BULLETS.values() for key in keys}
    assert mapped - set(RULES) == set()
    assert set(RULES) - mapped == set()


def test_the_default_ruleset_compiles_against_the_catalogues_facts():
    compile_ruleset("defaults", list(RULES.values()), fact_specs())


def test_every_rule_cites_its_source_and_explains_itself_and_only_red_flags_speak_to_patients():
    for rule in RULES.values():
        assert rule.source.startswith("clinical.md section"), rule.key
        assert rule.explanation, rule.key
        assert (rule.patient_message is not None) == (rule.outcome == Outcome.URGENT), rule.key


# rule -> (facts that meet it, facts that do not). The unknown case drops a fact the rule needs.
YES, NO = "yes", "no"
CASES = {
    "rf_saddle_numbness": ({"saddle_numbness": "not_sure"}, {"saddle_numbness": NO}),
    "rf_bladder": ({"bladder_problem": YES}, {"bladder_problem": NO}),
    "rf_bowel": ({"bowel_incontinence": YES}, {"bowel_incontinence": NO}),
    "rf_leg_weakness_worsening": ({"leg_weakness_worsening": YES}, {"leg_weakness_worsening": NO}),
    "rf_weakness_both_legs": ({"weakness_both_legs": "not_sure"}, {"weakness_both_legs": NO}),
    "rf_fever": ({"fever_chills": YES}, {"fever_chills": NO}),
    "rf_major_trauma": ({"major_trauma": "not_sure"}, {"major_trauma": NO}),
    "rf_minor_fall_over_50": ({"minor_fall": YES, "age": 51}, {"minor_fall": YES, "age": 50}),
    "rf_minor_fall_osteoporosis": (
        {"minor_fall": YES, "osteoporosis": YES},
        {"minor_fall": NO, "osteoporosis": YES},
    ),
    "rf_minor_fall_steroids": (
        {"minor_fall": "not_sure", "long_term_steroids": YES},
        {"minor_fall": YES, "long_term_steroids": NO},
    ),
    "rf_minor_fall_immunosuppressed": (
        {"minor_fall": YES, "immunosuppressants": "not_sure"},
        {"minor_fall": YES, "immunosuppressants": NO},
    ),
    "rf_cancer_history": ({"cancer": "past"}, {"cancer": "no"}),
    "rf_weight_loss": ({"weight_loss": YES}, {"weight_loss": NO}),
    "rf_iv_drug_use": ({"iv_drug_use": YES}, {"iv_drug_use": NO}),
    "info_new_pain_under_20": ({"age": 19, "pain_months": 1}, {"age": 19, "pain_months": 3}),
    "info_mri_report_missing": (
        {"scans_done": ["mri"]},
        {"scans_done": ["mri"], "report_mri": 1},
    ),
    "info_new_pain_over_50": ({"age": 62, "pain_months": 2}, {"age": 45, "pain_months": 2}),
    "ci_spinal_infection": ({"infection_spine": YES}, {"infection_spine": NO}),
    "ci_active_malignancy": ({"cancer": "current"}, {"cancer": "past"}),
    "ci_pregnancy": ({"pregnancy": ["breastfeeding"]}, {"pregnancy": ["planning"]}),
    "ci_autoimmune": ({"autoimmune": YES}, {"autoimmune": NO}),
    "ci_immunosuppressants": ({"immunosuppressants": YES}, {"immunosuppressants": NO}),
    "ci_recent_facet_steroid": (
        {"months_since_facet_steroid": 3},
        {"months_since_facet_steroid": 4},
    ),
    "ci_recent_epidural": ({"months_since_epidural": 0}, {"months_since_epidural": 12}),
    "ci_recent_rfa": ({"months_since_rfa": 2}, {"months_since_rfa": 7}),
    "ci_radiculopathy": (
        {"diagnoses_told": ["radiculopathy"]},
        {"diagnoses_told": ["spondylosis"]},
    ),
    "ci_disc_herniation_leg_pain": (
        {"diagnoses_told": ["disc_herniation"], "pain_spread": ["buttock", "below_knee"]},
        {"diagnoses_told": ["disc_herniation"], "pain_spread": ["buttock"]},
    ),
    "ni_no_diagnostic_block": (
        {"pain_months": 6, "conservative_care_failed": YES, "block_count": 0},
        {"pain_months": 6, "conservative_care_failed": YES, "block_count": 2},
    ),
    "sr_facet_candidate": (
        {
            "pain_regions": ["low_back"],
            "pain_months": 18,
            "pain_average": 5,
            "conservative_care_failed": YES,
            "block_count": 2,
            "best_block_relief": 90,
            "second_best_block_relief": 80,
        },
        {
            "pain_regions": ["low_back"],
            "pain_months": 18,
            "pain_average": 5,
            "conservative_care_failed": YES,
            "block_count": 2,
            "best_block_relief": 90,
            "second_best_block_relief": 70,
        },
    ),
    "info_blood_thinners": ({"blood_thinners": YES}, {"blood_thinners": NO}),
    "info_bmi_over_40": ({"bmi": 40.2}, {"bmi": 40.0}),
    "info_surgery_painful_level": (
        {"surgery_at_painful_level": YES},
        {"surgery_at_painful_level": NO},
    ),
    "info_surgery_other_level": (
        {"surgery_at_painful_level": NO},
        {"surgery_at_painful_level": YES},
    ),
    "info_past_spinal_infection": ({"past_spinal_infection": YES}, {"past_spinal_infection": NO}),
    "info_discordant_blocks": ({"block_relief_ratio": 0.5}, {"block_relief_ratio": 2.5}),
    "ni_confirming_block": (
        {
            "pain_months": 6,
            "conservative_care_failed": YES,
            "block_count": 1,
            "best_block_relief": 90,
        },
        {
            "pain_months": 6,
            "conservative_care_failed": YES,
            "block_count": 1,
            "best_block_relief": 60,
        },
    ),
    "info_pain_short": ({"pain_months": 2}, {"pain_months": 3}),
    "info_conservative_care_not_failed": (
        {"conservative_care_failed": "not_tried"},
        {"conservative_care_failed": YES},
    ),
    "info_pain_mild": ({"pain_average": 3}, {"pain_average": 4}),
    "info_recent_nsaids": ({"months_since_nsaids": 0}, {"months_since_nsaids": 2}),
    "info_leg_numbness_undiagnosed": (
        {"leg_numbness": YES, "diagnoses_told": ["none"]},
        {"leg_numbness": YES, "diagnoses_told": ["radiculopathy"]},
    ),
    "info_leg_pain_undiagnosed": (
        {"pain_spread": ["below_knee"], "diagnoses_told": ["not_sure"]},
        {"pain_spread": ["thigh"], "diagnoses_told": ["not_sure"]},
    ),
    "info_stenosis": ({"diagnoses_told": ["stenosis"]}, {"diagnoses_told": ["none"]}),
    "info_fracture": ({"diagnoses_told": ["fracture"]}, {"diagnoses_told": ["scoliosis"]}),
    "info_osteoporosis": ({"osteoporosis": YES}, {"osteoporosis": NO}),
    "info_age_outside_trials": ({"age": 76}, {"age": 75}),
    "info_planning_pregnancy": ({"pregnancy": ["planning"]}, {"pregnancy": ["none"]}),
    "info_long_term_steroids": ({"long_term_steroids": YES}, {"long_term_steroids": NO}),
}


def _alone(key):
    return compile_ruleset("test", [RULES[key]], fact_specs())


def test_every_default_rule_has_its_cases():
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("key", sorted(CASES))
def test_each_default_rule_when_met_not_met_and_unknown(key):
    met, not_met = CASES[key]
    rule, ruleset = RULES[key], _alone(key)
    fired = screen(met, ruleset, TODAY)
    assert [f.rule for f in fired.findings] == [key]
    assert fired.findings[0].outcome == rule.outcome
    assert screen(not_met, ruleset, TODAY).findings == ()
    # unknown: the facts that met it, with every fact of the rule's first condition left unanswered
    needed = rule.conditions[0].fact if rule.join == "all" else None
    unknown_facts = {k: v for k, v in met.items() if k != needed} if needed else {}
    result = screen(unknown_facts, ruleset, TODAY)
    # An informational rule that is unknown is a "not known" line and raises nothing (clinical.md 3a).
    informational = rule.outcome == Outcome.ROUTINE
    assert [f.state for f in result.findings] == [
        FindingState.NOT_KNOWN if informational else FindingState.NEEDS_INFO
    ]
    assert result.outcome == (Outcome.ROUTINE if informational else Outcome.NEEDS_INFO)
    assert (needed or rule.conditions[0].fact) in result.findings[0].missing


def test_not_sure_on_a_contraindication_asks_for_information():
    result = screen({"infection_spine": "not_sure"}, _alone("ci_spinal_infection"), TODAY)
    assert result.outcome == Outcome.NEEDS_INFO
    assert result.findings[0].missing == ("infection_spine",)


def _intake_answers(overrides=None):
    """The full intake's answers as stored (through the real page forms)."""
    from screening.intake.catalogue import page_by_slug
    from screening.intake.page_forms import PageForm

    stored = {}
    for slug, data in FULL_INTAKE.items():
        form = PageForm(
            {**data, **(overrides or {}).get(slug, {})},
            page=page_by_slug(slug),
            stored=stored,
            today=TODAY,
        )
        assert form.is_valid(), form.errors
        stored.update(form.answers)
    return {k: v for k, v in stored.items() if v is not None}


def test_the_full_example_intake_is_a_candidate_for_specialist_review():
    ruleset = compile_ruleset("defaults", list(RULES.values()), fact_specs())
    facts = engine_facts(_intake_answers(), TODAY)
    assert facts["conservative_care_failed"] == "yes"
    assert (
        facts["block_count"],
        facts["best_block_relief"],
        facts["second_best_block_relief"],
    ) == (2, 85, 80)
    assert facts["months_since_facet_steroid"] is not None  # not asked: a marker, not missing
    result = screen(facts, ruleset, TODAY)
    assert result.outcome == Outcome.SPECIALIST_REVIEW, result.findings


def test_an_intake_without_blocks_needs_a_diagnostic_block_first():
    ruleset = compile_ruleset("defaults", list(RULES.values()), fact_specs())
    answers = _intake_answers({"treatments": {"treatments_tried": ["nsaids", "physical_therapy"]}})
    for key in [k for k in answers if k.startswith(("mbb_", "block_"))]:
        del answers[key]
    facts = engine_facts(answers, TODAY)
    assert facts["block_count"] == 0
    result = screen(facts, ruleset, TODAY)
    assert result.outcome == Outcome.NEEDS_INFO
    assert [f.rule for f in result.findings if f.outcome == Outcome.NEEDS_INFO] == [
        "ni_no_diagnostic_block"
    ]


@pytest.mark.parametrize(
    ("key", "facts"),
    [
        ("ci_pregnancy", {"pregnancy": ["not_sure"]}),
        ("ci_radiculopathy", {"diagnoses_told": ["not_sure"]}),
        ("ci_autoimmune", {"autoimmune": "not_sure"}),
        ("rf_cancer_history", {"cancer": "not_sure"}),
    ],
)
def test_not_sure_on_a_contraindication_or_cancer_asks_for_information(key, facts):
    result = screen(facts, _alone(key), TODAY)
    assert [f.outcome for f in result.findings] == [Outcome.NEEDS_INFO]


CANDIDACY = [key for key, rule in RULES.items() if rule.outcome == Outcome.SPECIALIST_REVIEW]


@pytest.mark.parametrize("key", CANDIDACY)
def test_the_near_miss_of_each_default_candidacy_rule_met_not_met_and_unknown(key):
    met, not_met = CASES[key]
    ruleset = _alone(key)
    assert near_miss(met, ruleset, TODAY) == ()
    (miss,) = near_miss(not_met, ruleset, TODAY)
    differs = [c.fact for c in RULES[key].conditions if met.get(c.fact) != not_met.get(c.fact)]
    assert [c.condition.fact for c in miss.unmet] == differs and miss.unknown == ()
    first = RULES[key].conditions[0].fact
    (unknown,) = near_miss({k: v for k, v in met.items() if k != first}, ruleset, TODAY)
    assert unknown.unmet == () and [c.condition.fact for c in unknown.unknown] == [first]
