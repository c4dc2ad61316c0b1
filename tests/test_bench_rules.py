"""The rules engine benchmark's hand-written baseline (bench/baseline.py) keeps to the default rules: on the
benchmark's 1,000 generated intakes it agrees with the engine on every outcome and every rule that fired.

Change a default rule without changing the baseline, and this fails (so does bench/rules_engine.py)."""

import pytest

from bench import rules_engine
from bench.rules_engine import coverage, default_ruleset, disagreements, generated_facts
from screening.rules.engine import SEVERITY


@pytest.fixture(scope="module")
def ruleset():
    return default_ruleset()


@pytest.fixture(scope="module")
def facts_list():
    return generated_facts()


def test_the_baseline_agrees_with_the_engine_on_every_generated_intake(facts_list, ruleset):
    assert len(facts_list) == 1000
    problems = disagreements(facts_list, ruleset)
    assert not problems, "\n".join(problems[:20])


def test_the_generated_intakes_have_every_outcome_and_fire_every_default_rule(facts_list, ruleset):
    outcomes, fired = coverage(facts_list, ruleset)
    assert {o.value for o in SEVERITY} <= set(outcomes)
    assert [c.rule.key for c in ruleset.rules if not fired[c.rule.key]] == []
    # Unknown answers ask for information too, not only the needs_info rule.
    assert any(f.missing for facts in facts_list[:200] for f in _screen(facts, ruleset).findings)


def test_the_check_sees_a_baseline_that_drifted(facts_list, ruleset, monkeypatch):
    original = rules_engine.screen_baseline

    def forgets_a_rule(facts):
        outcome, found = original(facts)
        return outcome, [f for f in found if f[0] != "info_bmi_over_40"]

    monkeypatch.setattr(rules_engine, "screen_baseline", forgets_a_rule)
    problems = disagreements(facts_list, ruleset)
    assert any(
        "rule info_bmi_over_40: engine routine, baseline did not fire" in p for p in problems
    )
    assert all("info_bmi_over_40" in p or ": outcome: " in p for p in problems)


def _screen(facts, ruleset):
    from screening.rules.engine import screen

    return screen(facts, ruleset, rules_engine.TODAY)
