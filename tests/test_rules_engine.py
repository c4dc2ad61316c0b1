"""The rules engine on its own: plain data in, outcome and findings out. No database, no Django."""

import itertools
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from screening.rules.engine import (
    NOT_ASKED,
    Condition,
    FactSpec,
    FactType,
    Op,
    Rule,
    RulesetError,
    compile_ruleset,
    screen,
)
from screening.rules.outcomes import Outcome

TODAY = date(2026, 11, 25)
YES_NO_UNSURE = frozenset({"yes", "no", "not_sure"})
FACTS = {
    "a": FactSpec("a", FactType.CHOICE, YES_NO_UNSURE),
    "b": FactSpec("b", FactType.CHOICE, YES_NO_UNSURE),
    "c": FactSpec("c", FactType.CHOICE, YES_NO_UNSURE),
    "bmi": FactSpec("bmi", FactType.NUMBER),
    "spread": FactSpec(
        "spread", FactType.MULTI, frozenset({"buttock", "thigh", "below_knee", "none", "not_sure"})
    ),
    "cancer": FactSpec("cancer", FactType.CHOICE, frozenset({"no", "current", "past", "not_sure"})),
    "rfa_last": FactSpec("rfa_last", FactType.MONTH),
    "fall_date": FactSpec("fall_date", FactType.DATE),
    "notes": FactSpec("notes", FactType.TEXT),
}


def ruleset(*rules, version="v7"):
    return compile_ruleset(version, rules, FACTS)


def rule(*conditions, key="r", outcome=Outcome.NOT_SUITABLE_NOW, join="all", **kwargs):
    return Rule(
        key=key, title=f"Rule {key}", outcome=outcome, conditions=conditions, join=join, **kwargs
    )


def test_importing_the_engine_loads_no_django():
    code = "import sys, screening.rules.engine; print(sorted(m for m in sys.modules if m.startswith('django')))"
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# Each fact's state -> the value that puts a yes/no condition ("is yes") in that state.
STATE = {True: "yes", False: "no", None: None}


@pytest.mark.parametrize("states", list(itertools.product([True, False, None], repeat=3)))
@pytest.mark.parametrize("join", ["all", "any"])
def test_the_three_valued_truth_tables(states, join):
    conditions = [Condition(k, Op.IS_YES) for k in "abc"]
    facts = {k: STATE[s] for k, s in zip("abc", states, strict=True)}
    result = screen(facts, ruleset(rule(*conditions, join=join)), TODAY)
    if join == "all":
        expected = False if False in states else (None if None in states else True)
    else:
        expected = True if True in states else (None if None in states else False)
    if expected is True:
        assert result.outcome == Outcome.NOT_SUITABLE_NOW
    elif expected is None:
        assert result.outcome == Outcome.NEEDS_INFO
        missing = tuple(k for k, s in zip("abc", states, strict=True) if s is None)
        assert result.findings[0].missing == missing
    else:
        assert result.findings == ()
        assert result.outcome == Outcome.ROUTINE


def test_a_not_asked_fact_is_false_and_never_missing():
    rules = ruleset(rule(Condition("a", Op.IS_YES), Condition("b", Op.IS_NOT_ANSWERED), join="any"))
    result = screen({"a": NOT_ASKED, "b": NOT_ASKED}, rules, TODAY)
    assert result.findings == ()
    result = screen({"a": NOT_ASKED}, rules, TODAY)  # b unanswered: "is not answered" is true
    assert result.outcome == Outcome.NOT_SUITABLE_NOW


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        (Condition("a", Op.EQUALS, "yes"), "yes", True),
        (Condition("a", Op.EQUALS, "yes"), "no", False),
        (Condition("a", Op.NOT_EQUALS, "yes"), "no", True),
        (Condition("cancer", Op.ONE_OF, ["current", "past"]), "past", True),
        (Condition("cancer", Op.ONE_OF, ["current", "past"]), "no", False),
        (Condition("cancer", Op.NONE_OF, ["current"]), "past", True),
        (Condition("spread", Op.ONE_OF, ["below_knee"]), ["buttock", "below_knee"], True),
        (Condition("spread", Op.ONE_OF, ["below_knee"]), ["buttock"], False),
        (Condition("spread", Op.NONE_OF, ["below_knee", "thigh"]), ["buttock"], True),
        (Condition("bmi", Op.GREATER_THAN, 40), 40.1, True),
        (Condition("bmi", Op.GREATER_THAN, 40), 40, False),
        (Condition("bmi", Op.AT_LEAST, 40), 40, True),
        (Condition("bmi", Op.LESS_THAN, 18.5), 18.4, True),
        (Condition("bmi", Op.AT_MOST, 18.5), 18.6, False),
        (Condition("a", Op.IS_YES), "yes", True),
        (Condition("a", Op.IS_NO), "no", True),
        (Condition("a", Op.IS_NO), "yes", False),
        (Condition("notes", Op.IS_ANSWERED), "something", True),
        (Condition("notes", Op.IS_ANSWERED), None, False),
        (Condition("notes", Op.IS_NOT_ANSWERED), None, True),
        (Condition("rfa_last", Op.WITHIN_LAST, {"amount": 3, "unit": "months"}), "2026-08", True),
        (Condition("rfa_last", Op.WITHIN_LAST, {"amount": 3, "unit": "months"}), "2026-07", False),
        (
            Condition("fall_date", Op.WITHIN_LAST, {"amount": 30, "unit": "days"}),
            "2026-10-26",
            True,
        ),
        (
            Condition("fall_date", Op.WITHIN_LAST, {"amount": 30, "unit": "days"}),
            "2026-10-25",
            False,
        ),
        (
            Condition("fall_date", Op.WITHIN_LAST, {"amount": 30, "unit": "days"}),
            "2026-10-24",
            False,
        ),
    ],
)
def test_each_operator(condition, value, expected):
    result = screen({condition.fact: value}, ruleset(rule(condition)), TODAY)
    assert bool(result.findings) is expected


def test_a_month_counts_from_its_last_day_so_recent_treatment_is_never_missed():
    condition = Condition("rfa_last", Op.WITHIN_LAST, {"amount": 3, "unit": "months"})
    # August 2026 may have been 31 August: within 3 months of 25 November.
    assert screen({"rfa_last": "2026-08"}, ruleset(rule(condition)), TODAY).findings


def test_not_sure_asks_for_information_unless_the_rule_names_it():
    asks = ruleset(rule(Condition("a", Op.IS_YES)))
    result = screen({"a": "not_sure"}, asks, TODAY)
    assert result.outcome == Outcome.NEEDS_INFO
    assert result.findings[0].missing == ("a",)
    red_flag = ruleset(rule(Condition("a", Op.ONE_OF, ["yes", "not_sure"]), outcome=Outcome.URGENT))
    assert screen({"a": "not_sure"}, red_flag, TODAY).outcome == Outcome.URGENT
    plain = ruleset(rule(Condition("a", Op.IS_YES), unsure_is_unknown=False))
    assert screen({"a": "not_sure"}, plain, TODAY).findings == ()


def test_not_sure_ticked_in_a_list_asks_for_information_too():
    rules = ruleset(rule(Condition("spread", Op.ONE_OF, ["below_knee"])))
    assert screen({"spread": ["not_sure"]}, rules, TODAY).outcome == Outcome.NEEDS_INFO
    named = ruleset(rule(Condition("spread", Op.ONE_OF, ["below_knee", "not_sure"])))
    assert screen({"spread": ["not_sure"]}, named, TODAY).outcome == Outcome.NOT_SUITABLE_NOW


def test_the_most_severe_finding_is_the_outcome_and_every_finding_is_kept():
    rules = ruleset(
        rule(Condition("bmi", Op.GREATER_THAN, 40), key="bmi_over_40", outcome=Outcome.ROUTINE),
        rule(Condition("a", Op.IS_YES), key="review", outcome=Outcome.SPECIALIST_REVIEW),
        rule(
            Condition("b", Op.IS_YES),
            key="red_flag",
            outcome=Outcome.URGENT,
            patient_message="Go to an emergency department now.",
        ),
        rule(Condition("c", Op.IS_YES), key="unknown_c"),
    )
    result = screen({"bmi": 41.2, "a": "yes", "b": "yes"}, rules, TODAY)
    assert result.outcome == Outcome.URGENT
    assert [f.rule for f in result.findings] == ["red_flag", "unknown_c", "review", "bmi_over_40"]
    assert [f.outcome for f in result.findings] == [
        Outcome.URGENT,
        Outcome.NEEDS_INFO,
        Outcome.SPECIALIST_REVIEW,
        Outcome.ROUTINE,
    ]
    red = result.findings[0]
    assert red.decided_by == (("b", "yes"),)
    assert red.patient_message == "Go to an emergency department now."
    assert all(f.ruleset_version == "v7" for f in result.findings)


def test_an_informational_finding_never_raises_the_outcome():
    rules = ruleset(rule(Condition("bmi", Op.GREATER_THAN, 40), outcome=Outcome.ROUTINE))
    result = screen({"bmi": 45}, rules, TODAY)
    assert result.outcome == Outcome.ROUTINE
    assert len(result.findings) == 1


def test_a_disabled_rule_does_not_fire():
    rules = ruleset(rule(Condition("a", Op.IS_YES), enabled=False))
    assert screen({"a": "yes"}, rules, TODAY).findings == ()


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        (Condition("height", Op.AT_LEAST, 3), "there is no fact called 'height'"),
        (Condition("bmi", Op.IS_YES), "'is_yes' does not fit bmi"),
        (Condition("bmi", Op.GREATER_THAN, "forty"), "needs a number"),
        (Condition("bmi", Op.GREATER_THAN, True), "needs a number"),
        (Condition("cancer", Op.EQUALS, "maybe"), "'maybe' is not a choice of cancer"),
        (Condition("cancer", Op.ONE_OF, []), "needs a list of one or more choices"),
        (Condition("cancer", Op.ONE_OF, ["past", "soon"]), "soon not among the choices of cancer"),
        (Condition("cancer", Op.IS_YES), "cancer is not a yes/no question"),
        (Condition("a", Op.IS_ANSWERED, "yes"), "takes no value"),
        (Condition("rfa_last", Op.WITHIN_LAST, {"amount": 0, "unit": "months"}), "up to 1200"),
        (
            Condition("rfa_last", Op.WITHIN_LAST, {"amount": 3, "unit": "weeks"}),
            "whole number of days",
        ),
        (Condition("spread", Op.EQUALS, "buttock"), "'equals' does not fit spread"),
        (Condition("notes", Op.EQUALS, "x"), "'equals' does not fit notes"),
        (Condition("a", "resembles", "yes"), "'resembles' is not an operator"),
        (Condition("bmi", Op.GREATER_THAN, float("inf")), "needs a number"),
        (Condition("bmi", Op.GREATER_THAN, float("nan")), "needs a number"),
        (Condition("rfa_last", Op.WITHIN_LAST, {"amount": 999999, "unit": "months"}), "up to 1200"),
    ],
)
def test_a_condition_that_does_not_fit_its_fact_is_refused_with_a_reason(condition, problem):
    with pytest.raises(RulesetError) as refused:
        ruleset(rule(condition, key="bad"))
    assert any(problem in p and p.startswith("rule bad:") for p in refused.value.problems), (
        refused.value
    )


def test_a_rule_without_conditions_and_duplicate_keys_are_refused():
    with pytest.raises(RulesetError) as refused:
        ruleset(
            rule(key="empty"),
            rule(Condition("a", Op.IS_YES), key="x"),
            rule(Condition("b", Op.IS_YES), key="x"),
        )
    assert "rule empty: it has no conditions" in refused.value.problems
    assert "rule x: the key is used twice" in refused.value.problems
