"""The engine's near miss (what kept an intake from every specialist-review rule) and its informational rules
that are unknown: pure, three-valued, no database."""

from datetime import date

import pytest

from screening.rules.engine import compile_ruleset, near_miss, screen
from screening.rules.outcomes import Outcome
from screening.rules.terms import NOT_ASKED, Condition, FactSpec, FactType, FindingState, Op, Rule

TODAY = date(2026, 12, 7)
FACTS = {
    "months": FactSpec("months", FactType.NUMBER, label="Pain duration", unit="months"),
    "blocks": FactSpec("blocks", FactType.NUMBER, label="Number of diagnostic blocks"),
    "bmi": FactSpec("bmi", FactType.NUMBER, label="BMI"),
}
CANDIDACY = Rule(
    key="sr",
    title="Candidacy",
    outcome=Outcome.SPECIALIST_REVIEW,
    conditions=(Condition("months", Op.AT_LEAST, 3), Condition("blocks", Op.AT_LEAST, 2)),
)
BMI = Rule(
    key="info_bmi",
    title="BMI over 40",
    outcome=Outcome.ROUTINE,
    conditions=(Condition("bmi", Op.GREATER_THAN, 40),),
)
RULESET = compile_ruleset("v3", [CANDIDACY, BMI], FACTS)


def test_a_candidate_has_no_near_miss():
    assert near_miss({"months": 12, "blocks": 2}, RULESET, TODAY) == ()


@pytest.mark.parametrize(
    ("facts", "unmet", "unknown"),
    [
        ({"months": 12, "blocks": 1}, [("blocks", 1)], []),
        ({"months": 1, "blocks": 0}, [("months", 1), ("blocks", 0)], []),
        ({"months": 12}, [], [("blocks", None)]),
        ({"months": 1}, [("months", 1)], [("blocks", None)]),
        ({"months": 12, "blocks": NOT_ASKED}, [("blocks", NOT_ASKED)], []),
    ],
)
def test_the_near_miss_names_each_condition_not_met_and_unknown_with_the_value(
    facts, unmet, unknown
):
    (miss,) = near_miss(facts, RULESET, TODAY)
    assert (miss.rule, miss.title) == ("sr", "Candidacy")
    assert [(c.condition.fact, c.actual) for c in miss.unmet] == unmet
    assert [(c.condition.fact, c.actual) for c in miss.unknown] == unknown
    assert all(c.holds is False for c in miss.unmet) and all(c.holds is None for c in miss.unknown)


def test_every_candidacy_rule_has_its_near_miss_and_one_that_fires_clears_them_all():
    other = Rule(
        key="sr_alt",
        title="One block",
        outcome=Outcome.SPECIALIST_REVIEW,
        conditions=(Condition("blocks", Op.AT_LEAST, 1),),
    )
    rules = compile_ruleset("v4", [CANDIDACY, other], FACTS)
    assert [m.rule for m in near_miss({"months": 1, "blocks": 0}, rules, TODAY)] == ["sr", "sr_alt"]
    assert near_miss({"months": 1, "blocks": 1}, rules, TODAY) == ()


def test_a_ruleset_without_candidacy_rules_has_no_near_miss():
    assert near_miss({}, compile_ruleset("v1", [BMI], FACTS), TODAY) == ()


def test_an_unknown_informational_rule_is_a_not_known_line_and_leaves_the_outcome_alone():
    result = screen({"months": 1, "blocks": 0}, RULESET, TODAY)  # bmi unknown
    assert result.outcome == Outcome.ROUTINE
    (finding,) = result.findings
    assert (finding.rule, finding.state, finding.outcome) == (
        "info_bmi",
        FindingState.NOT_KNOWN,
        Outcome.ROUTINE,
    )
    assert finding.missing == ("bmi",)


def test_an_unknown_candidacy_rule_still_asks_for_the_information():
    result = screen({"months": 12, "bmi": 30}, RULESET, TODAY)
    assert result.outcome == Outcome.NEEDS_INFO
    assert [(f.rule, f.state, f.missing) for f in result.findings] == [
        ("sr", FindingState.NEEDS_INFO, ("blocks",))
    ]


def test_a_fired_finding_carries_the_conditions_that_decided_it_with_the_values():
    result = screen({"months": 12, "blocks": 3, "bmi": 30}, RULESET, TODAY)
    (finding,) = result.findings
    assert finding.state == FindingState.FIRED
    assert [(c.condition, c.actual) for c in finding.checked] == [
        (Condition("months", Op.AT_LEAST, 3), 12),
        (Condition("blocks", Op.AT_LEAST, 2), 3),
    ]
