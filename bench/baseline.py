"""The default screening rules written out by hand: the baseline the rules engine is timed against.

The same criteria as ``screening/rules/default_rules.json`` (docs/rules.md), as plain if/else code over the
same facts dict the engine gets (``screening.intake.facts.engine_facts``). It imports nothing from the engine, and
reads a fact's state from its value alone:

- ``None`` (or a missing key) is unknown: a rule that needs it asks for it (``needs_info``), unless it is
  informational: then it is listed as ``routine`` with the facts it misses (a "not known" line);
- a value of the wrong kind for the fact (the engine's "not asked" marker) is not asked: false, never missing;
- ``"not_sure"`` counts as unknown, unless the rule names it (the red flags' "yes or not sure").

``screen_baseline`` returns the outcome and the rules that fired, as ``(rule, outcome, missing facts)``:
a rule that came out unknown is listed with the outcome ``needs_info`` and the facts it misses.
bench/rules_engine.py checks that it agrees with the engine on generated intakes before timing either.
If a default rule changes, change it here too (tests/test_bench_rules.py fails until you do).
"""

from __future__ import annotations

from typing import Any

UNSURE = "not_sure"
SEVERITY = ("urgent", "not_suitable_now", "needs_info", "specialist_review", "routine")

Finding = tuple[str, str, tuple[str, ...]]  # (rule, outcome, missing facts)


# --- conditions: True, False, or None when the answer is unknown -----------------------------------
def yes_or_unsure(value: Any) -> bool | None:
    """A red flag's question answered "yes" or "not sure" (both count)."""
    if value is None:
        return None
    return value in ("yes", UNSURE)


def is_yes(value: Any) -> bool | None:
    if value is None or value == UNSURE:
        return None
    return value == "yes"


def equals(value: Any, code: str) -> bool | None:
    if value is None or value == UNSURE:
        return None
    return value == code


def one_of(value: Any, codes: tuple[str, ...]) -> bool | None:
    """One answer among ``codes``, or any of ``codes`` ticked in a list of answers."""
    if value is None:
        return None
    names_unsure = UNSURE in codes
    if isinstance(value, list):
        if UNSURE in value and not names_unsure:
            return None
        return any(code in value for code in codes)
    if value == UNSURE and not names_unsure:
        return None
    return value in codes


def is_number(value: Any) -> bool:
    """An answered number (anything else but None is the "not asked" marker: comparisons are false)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def number_equals(value: Any, limit: float) -> bool | None:
    return None if value is None else is_number(value) and value == limit


def less_than(value: Any, limit: float) -> bool | None:
    return None if value is None else is_number(value) and value < limit


def greater_than(value: Any, limit: float) -> bool | None:
    return None if value is None else is_number(value) and value > limit


def at_most(value: Any, limit: float) -> bool | None:
    return None if value is None else is_number(value) and value <= limit


def at_least(value: Any, limit: float) -> bool | None:
    return None if value is None else is_number(value) and value >= limit


def is_not_answered(value: Any) -> bool:
    """Left unanswered (the "not asked" marker is not: a question not asked is no gap)."""
    return value is None


def all_of(findings: list[Finding], rule: str, outcome: str, *checks: tuple[str, bool | None]):
    """A rule whose conditions must all hold: ``checks`` are (fact, result) in the rule's order."""
    missing: list[str] = []
    for fact, result in checks:
        if result is False:
            return
        if result is None and fact not in missing:
            missing.append(fact)
    if missing:
        # An informational rule that is unknown is a "not known" line: it raises nothing.
        findings.append((rule, "routine" if outcome == "routine" else "needs_info", tuple(missing)))
    else:
        findings.append((rule, outcome, ()))


# --- the rules --------------------------------------------------------------------------------------
def screen_baseline(facts: dict[str, Any]) -> tuple[str, list[Finding]]:
    f = facts.get
    found: list[Finding] = []

    # Red flags (urgent): "yes" or "not sure" to any of them.
    for rule, fact in (
        ("rf_saddle_numbness", "saddle_numbness"),
        ("rf_bladder", "bladder_problem"),
        ("rf_bowel", "bowel_incontinence"),
        ("rf_leg_weakness_worsening", "leg_weakness_worsening"),
        ("rf_weakness_both_legs", "weakness_both_legs"),
        ("rf_fever", "fever_chills"),
        ("rf_major_trauma", "major_trauma"),
    ):
        all_of(found, rule, "urgent", (fact, yes_or_unsure(f(fact))))

    # A minor fall, with age over 50 or a fragile spine.
    fall = ("minor_fall", yes_or_unsure(f("minor_fall")))
    all_of(found, "rf_minor_fall_over_50", "urgent", fall, ("age", greater_than(f("age"), 50)))
    for rule, fact in (
        ("rf_minor_fall_osteoporosis", "osteoporosis"),
        ("rf_minor_fall_steroids", "long_term_steroids"),
        ("rf_minor_fall_immunosuppressed", "immunosuppressants"),
    ):
        all_of(found, rule, "urgent", fall, (fact, yes_or_unsure(f(fact))))

    all_of(
        found, "rf_cancer_history", "urgent", ("cancer", one_of(f("cancer"), ("current", "past")))
    )
    all_of(found, "rf_weight_loss", "urgent", ("weight_loss", is_yes(f("weight_loss"))))
    all_of(found, "rf_iv_drug_use", "urgent", ("iv_drug_use", is_yes(f("iv_drug_use"))))

    # New pain at either end of adult life (informational).
    new_pain = ("pain_months", less_than(f("pain_months"), 3))
    all_of(found, "info_new_pain_under_20", "routine", ("age", less_than(f("age"), 20)), new_pain)
    all_of(found, "info_new_pain_over_50", "routine", ("age", greater_than(f("age"), 50)), new_pain)

    # Contraindications: not suitable now.
    not_now = "not_suitable_now"
    all_of(found, "ci_spinal_infection", not_now, ("infection_spine", is_yes(f("infection_spine"))))
    all_of(found, "ci_active_malignancy", not_now, ("cancer", equals(f("cancer"), "current")))
    pregnant = one_of(f("pregnancy"), ("pregnant", "breastfeeding"))
    all_of(found, "ci_pregnancy", not_now, ("pregnancy", pregnant))
    all_of(found, "ci_autoimmune", not_now, ("autoimmune", is_yes(f("autoimmune"))))
    immuno = ("immunosuppressants", is_yes(f("immunosuppressants")))
    all_of(found, "ci_immunosuppressants", not_now, immuno)
    for rule, fact in (
        ("ci_recent_facet_steroid", "months_since_facet_steroid"),
        ("ci_recent_epidural", "months_since_epidural"),
        ("ci_recent_rfa", "months_since_rfa"),
    ):
        all_of(found, rule, not_now, (fact, at_most(f(fact), 3)))
    diagnoses = f("diagnoses_told")
    radiculopathy = ("diagnoses_told", one_of(diagnoses, ("radiculopathy",)))
    all_of(found, "ci_radiculopathy", not_now, radiculopathy)
    below_knee = ("pain_spread", one_of(f("pain_spread"), ("below_knee",)))
    herniation = ("diagnoses_told", one_of(diagnoses, ("disc_herniation",)))
    all_of(found, "ci_disc_herniation_leg_pain", not_now, herniation, below_knee)

    # Chronic pain, conservative care failed: a diagnostic block first, or a candidate for review.
    chronic = ("pain_months", at_least(f("pain_months"), 3))
    care_failed = ("conservative_care_failed", equals(f("conservative_care_failed"), "yes"))
    no_block = ("block_count", number_equals(f("block_count"), 0))
    all_of(found, "ni_no_diagnostic_block", "needs_info", chronic, care_failed, no_block)
    # One block with good relief where candidacy asks for two: a confirming block next.
    one_block = ("block_count", number_equals(f("block_count"), 1))
    good_relief = ("best_block_relief", at_least(f("best_block_relief"), 80))
    all_of(found, "ni_confirming_block", "needs_info", chronic, care_failed, one_block, good_relief)
    all_of(
        found,
        "sr_facet_candidate",
        "specialist_review",
        ("pain_regions", one_of(f("pain_regions"), ("low_back", "neck"))),
        chronic,
        ("pain_average", at_least(f("pain_average"), 4)),
        care_failed,
        ("block_count", at_least(f("block_count"), 2)),
        ("best_block_relief", at_least(f("best_block_relief"), 80)),
        ("second_best_block_relief", at_least(f("second_best_block_relief"), 80)),
    )

    # For staff to know (informational).
    info = "routine"
    all_of(found, "info_blood_thinners", info, ("blood_thinners", is_yes(f("blood_thinners"))))
    all_of(found, "info_bmi_over_40", info, ("bmi", greater_than(f("bmi"), 40)))
    surgery_here = f("surgery_at_painful_level")
    all_of(
        found,
        "info_surgery_painful_level",
        info,
        ("surgery_at_painful_level", is_yes(surgery_here)),
    )
    surgery_elsewhere = None if surgery_here is None else surgery_here == "no"
    all_of(found, "info_surgery_other_level", info, ("surgery_at_painful_level", surgery_elsewhere))
    past = ("past_spinal_infection", is_yes(f("past_spinal_infection")))
    all_of(found, "info_past_spinal_infection", info, past)
    ratio = ("block_relief_ratio", at_most(f("block_relief_ratio"), 1))
    all_of(found, "info_discordant_blocks", info, ratio)
    # What keeps a case from specialist review, for staff.
    all_of(found, "info_pain_short", info, ("pain_months", less_than(f("pain_months"), 3)))
    care = f("conservative_care_failed")
    all_of(
        found,
        "info_conservative_care_not_failed",
        info,
        ("conservative_care_failed", one_of(care, ("not_tried", "no"))),
    )
    all_of(found, "info_pain_mild", info, ("pain_average", less_than(f("pain_average"), 4)))
    nsaids = ("months_since_nsaids", at_most(f("months_since_nsaids"), 1))
    all_of(found, "info_recent_nsaids", info, nsaids)
    undiagnosed = ("diagnoses_told", one_of(diagnoses, ("none", UNSURE)))
    leg_numbness = ("leg_numbness", is_yes(f("leg_numbness")))
    all_of(found, "info_leg_numbness_undiagnosed", info, leg_numbness, undiagnosed)
    all_of(found, "info_leg_pain_undiagnosed", info, below_knee, undiagnosed)
    stenosis = ("diagnoses_told", one_of(diagnoses, ("stenosis",)))
    all_of(found, "info_stenosis", info, stenosis)
    fracture = ("diagnoses_told", one_of(diagnoses, ("fracture",)))
    all_of(found, "info_fracture", info, fracture)
    all_of(found, "info_osteoporosis", info, ("osteoporosis", is_yes(f("osteoporosis"))))

    # Age outside the trials' range: under 18 or over 75 (either one).
    age = f("age")
    if age is None:
        found.append(("info_age_outside_trials", info, ("age",)))
    elif is_number(age) and (age < 18 or age > 75):
        found.append(("info_age_outside_trials", info, ()))

    planning = ("pregnancy", one_of(f("pregnancy"), ("planning",)))
    all_of(found, "info_planning_pregnancy", info, planning)
    steroids = ("long_term_steroids", is_yes(f("long_term_steroids")))
    all_of(found, "info_long_term_steroids", info, steroids)
    all_of(
        found,
        "info_mri_report_missing",
        info,
        ("scans_done", one_of(f("scans_done"), ("mri",))),
        ("report_mri", is_not_answered(f("report_mri"))),
    )

    raising = [outcome for _rule, outcome, _missing in found if outcome != "routine"]
    outcome = min(raising, key=SEVERITY.index) if raising else "routine"
    return outcome, found
