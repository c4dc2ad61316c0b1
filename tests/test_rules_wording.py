"""Rules in words (screening/rules/wording.py): every operator, the patient's value beside each condition,
finding reasons and the near miss written from the rule as it stands. Pure: no database."""

from datetime import date

import pytest

from screening.rules import wording
from screening.rules.engine import compile_ruleset, near_miss, screen
from screening.rules.outcomes import Outcome
from screening.rules.terms import NOT_ASKED, Checked, Condition, FactSpec, FactType, Op, Rule

TODAY = date(2026, 12, 7)
YES_NO = (("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure"))
SPECS = {
    "saddle": FactSpec(
        "saddle", FactType.CHOICE, frozenset(c for c, _ in YES_NO), "Saddle numbness", YES_NO
    ),
    "blocks": FactSpec("blocks", FactType.NUMBER, label="Number of diagnostic blocks"),
    "relief": FactSpec("relief", FactType.NUMBER, label="Best block relief", unit="%"),
    "months": FactSpec("months", FactType.NUMBER, label="Pain duration", unit="months"),
    "spread": FactSpec(
        "spread",
        FactType.MULTI,
        frozenset({"thigh", "below_knee"}),
        "Pain spreads to",
        (("thigh", "Thigh"), ("below_knee", "Below the knee")),
    ),
    "rfa": FactSpec("rfa", FactType.MONTH, label="Last radiofrequency ablation"),
    "notes": FactSpec("notes", FactType.TEXT, label="Notes"),
}


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        (Condition("saddle", Op.EQUALS, "yes"), "Saddle numbness: Yes"),
        (Condition("saddle", Op.NOT_EQUALS, "yes"), "Saddle numbness: not Yes"),
        (Condition("saddle", Op.ONE_OF, ["yes", "not_sure"]), "Saddle numbness: Yes or Not sure"),
        (Condition("saddle", Op.NONE_OF, ["yes"]), "Saddle numbness: not Yes"),
        (
            Condition("saddle", Op.NONE_OF, ["yes", "not_sure"]),
            "Saddle numbness: neither Yes nor Not sure",
        ),
        (Condition("saddle", Op.IS_YES), "Saddle numbness: Yes"),
        (Condition("saddle", Op.IS_NO), "Saddle numbness: No"),
        (
            Condition("spread", Op.ONE_OF, ["below_knee"]),
            "Pain spreads to: includes Below the knee",
        ),
        (
            Condition("spread", Op.ONE_OF, ["thigh", "below_knee"]),
            "Pain spreads to: includes Thigh or Below the knee",
        ),
        (Condition("spread", Op.NONE_OF, ["thigh"]), "Pain spreads to: does not include Thigh"),
        (
            Condition("spread", Op.NONE_OF, ["thigh", "below_knee"]),
            "Pain spreads to: includes none of Thigh and Below the knee",
        ),
        (Condition("blocks", Op.AT_LEAST, 2), "Number of diagnostic blocks: at least 2"),
        (Condition("blocks", Op.EQUALS, 0), "Number of diagnostic blocks: 0"),
        (Condition("blocks", Op.NOT_EQUALS, 0), "Number of diagnostic blocks: not 0"),
        (Condition("relief", Op.GREATER_THAN, 79.5), "Best block relief: more than 79.5 %"),
        (Condition("months", Op.LESS_THAN, 3), "Pain duration: less than 3 months"),
        (Condition("months", Op.AT_MOST, 1), "Pain duration: at most 1 month"),
        (
            Condition("rfa", Op.WITHIN_LAST, {"amount": 3, "unit": "months"}),
            "Last radiofrequency ablation: within the last 3 months",
        ),
        (Condition("notes", Op.IS_ANSWERED), "Notes: answered"),
        (Condition("notes", Op.IS_NOT_ANSWERED), "Notes: not answered"),
    ],
)
def test_every_operator_in_words(condition, words):
    assert wording.condition_text(condition, SPECS) == words


@pytest.mark.parametrize(
    ("actual", "beside"),
    [
        (1, "(has 1)"),
        (None, "(not known)"),
        (NOT_ASKED, "(not asked)"),
    ],
)
def test_the_patients_value_is_beside_the_condition(actual, beside):
    checked = Checked(Condition("blocks", Op.AT_LEAST, 2), actual, None)
    assert (
        wording.checked_text(checked, SPECS) == f"Number of diagnostic blocks: at least 2 {beside}"
    )


def test_values_in_words_choices_lists_months_and_units():
    assert wording.actual_text(SPECS["saddle"], "not_sure") == "not sure"
    assert (
        wording.actual_text(SPECS["spread"], ["thigh", "below_knee"]) == "has Thigh, Below the knee"
    )
    assert wording.actual_text(SPECS["rfa"], "2026-04") == "has Apr 2026"
    assert wording.actual_text(SPECS["relief"], 95) == "has 95 %"


def _candidacy(blocks, relief):
    return Rule(
        key="sr",
        title="Facet pain candidacy signals",
        outcome=Outcome.SPECIALIST_REVIEW,
        conditions=(
            Condition("blocks", Op.AT_LEAST, blocks),
            Condition("relief", Op.AT_LEAST, relief),
        ),
    )


def test_a_threshold_change_changes_the_reason_and_the_near_miss():
    facts = {"blocks": 1, "relief": 95}
    before = compile_ruleset("v1", [_candidacy(2, 80)], SPECS)
    (miss,) = near_miss(facts, before, TODAY)
    assert wording.near_miss_lines(miss, SPECS) == [
        "Not met: Number of diagnostic blocks: at least 2 (has 1)"
    ]
    assert screen(facts, before, TODAY).outcome == Outcome.ROUTINE

    after = compile_ruleset("v2", [_candidacy(1, 50)], SPECS)
    result = screen(facts, after, TODAY)
    assert result.outcome == Outcome.SPECIALIST_REVIEW
    assert wording.reason(result.findings[0], SPECS) == (
        "Number of diagnostic blocks: at least 1 (has 1); Best block relief: at least 50 % (has 95 %)."
    )
    assert near_miss(facts, after, TODAY) == ()


def test_a_finding_that_needs_information_says_so_with_what_is_unknown():
    rules = compile_ruleset("v1", [_candidacy(2, 80)], SPECS)
    (finding,) = screen({"blocks": 2}, rules, TODAY).findings
    assert wording.reason(finding, SPECS) == (
        "Information needed: Best block relief: at least 80 % (not known)."
    )


def test_the_near_miss_summary_for_the_queue():
    rules = compile_ruleset("v1", [_candidacy(2, 80)], SPECS)
    misses = near_miss({"blocks": 1}, rules, TODAY)
    assert wording.near_miss_summary(misses, SPECS) == (
        "Not for specialist review: Number of diagnostic blocks: at least 2 (has 1); "
        "Best block relief: at least 80 % (not known)"
    )


def test_a_condition_on_a_question_not_asked_is_left_out_when_another_says_why():
    rules = compile_ruleset("v1", [_candidacy(2, 80)], SPECS)
    (miss,) = near_miss({"blocks": 0, "relief": NOT_ASKED}, rules, TODAY)
    assert wording.near_miss_lines(miss, SPECS) == [
        "Not met: Number of diagnostic blocks: at least 2 (has 0)"
    ]
    (alone,) = near_miss({"blocks": 3, "relief": NOT_ASKED}, rules, TODAY)
    assert wording.near_miss_lines(alone, SPECS) == [
        "Not met: Best block relief: at least 80 % (not asked)"
    ]
