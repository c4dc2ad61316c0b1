"""The screening rules engine: plain Python, no Django, no clock.

It takes the frozen facts of one intake and a compiled ruleset, and returns the intake's outcome and every
finding, each naming the rule, the conditions that decided it with the patient's values, and the ruleset
version; and, apart, the near miss: what kept the intake from every specialist-review rule. It flags a case
for a person to look at; it never diagnoses. Its vocabulary is terms.py's; wording.py puts it into words.

Facts are in one of three states (../shared/DESIGN.md, "The rules engine"):
- answered: a value ("not sure" is an answer; a rule may choose to treat it as unknown);
- unknown: left unanswered (the key is missing or None);
- not asked: hidden by branching (the value is NOT_ASKED); never "missing".
A condition on an answered fact is true or false, on an unknown fact unknown, on a not-asked fact false
(``is answered`` / ``is not answered`` observe the state itself). "All of" is false if any condition is false,
else unknown if any is unknown, else true; "any of" is true if any is true, else unknown if any is unknown,
else false. A rule that comes out unknown raises a ``needs_info`` finding naming the missing facts, unless
it is informational (outcome routine): then it is a "not known" line for staff and raises nothing.
"""

from __future__ import annotations

import calendar
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from screening.rules.outcomes import Outcome
from screening.rules.terms import (
    NOT_ASKED,
    OPERATORS_FOR,
    SEVERITY,
    STATE_OPERATORS,
    UNSURE,
    WITHIN_LAST_MAX,
    Checked,
    Condition,
    FactSpec,
    FactType,
    Finding,
    FindingState,
    NearMiss,
    Op,
    Result,
    Rule,
    RulesetError,
)

# --- compiling ------------------------------------------------------------------------------------
# An evaluator takes one fact's value (None when unknown, NOT_ASKED when not asked) and the day of screening.
_Evaluator = Callable[[Any, date], bool | None]


@dataclass(frozen=True)
class _CompiledRule:
    rule: Rule
    conditions: tuple[tuple[str, _Evaluator], ...]  # (fact, evaluator), in the rule's order
    all_of: bool  # join "all" (else "any")


@dataclass(frozen=True)
class CompiledRuleset:
    version: str
    rules: tuple[_CompiledRule, ...] = field(default_factory=tuple)


def check_condition(condition: Condition, facts: Mapping[str, FactSpec]) -> str | None:
    """What is wrong with a condition, in words for the rules admin, or None when it fits its fact."""
    spec = facts.get(condition.fact)
    if spec is None:
        return f"there is no fact called {condition.fact!r}"
    try:
        op = Op(condition.op)
    except ValueError:
        return f"{condition.op!r} is not an operator"
    if op not in STATE_OPERATORS and op not in OPERATORS_FOR[spec.type]:
        return f"'{op}' does not fit {spec.key} (a {spec.type} fact)"
    value = condition.value
    if op in STATE_OPERATORS or op in (Op.IS_YES, Op.IS_NO):
        if op in (Op.IS_YES, Op.IS_NO) and not {"yes", "no"} <= spec.choices:
            return f"{spec.key} is not a yes/no question"
        return None if value in (None, "") else f"'{op}' takes no value"
    if op in (Op.ONE_OF, Op.NONE_OF):
        if not isinstance(value, list | tuple) or not value:
            return f"'{op}' needs a list of one or more choices"
        unknown = [v for v in value if v not in spec.choices]
        return (
            f"{', '.join(map(str, unknown))} not among the choices of {spec.key}"
            if unknown
            else None
        )
    if spec.type == FactType.CHOICE:
        return None if value in spec.choices else f"{value!r} is not a choice of {spec.key}"
    if spec.type == FactType.NUMBER:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        return None if ok else f"'{op}' on {spec.key} needs a number"
    if op == Op.WITHIN_LAST:
        if (
            not isinstance(value, Mapping)
            or value.get("unit") not in ("days", "months")
            or not isinstance(value.get("amount"), int)
            or isinstance(value.get("amount"), bool)
            or not 1 <= value["amount"] <= WITHIN_LAST_MAX[value["unit"]]
        ):
            return "'within_last' needs a whole number of days (up to 36500) or months (up to 1200)"
        return None
    return f"'{op}' does not fit {spec.key}"


def compile_ruleset(
    version: str, rules: Sequence[Rule], facts: Mapping[str, FactSpec]
) -> CompiledRuleset:
    """Check every enabled rule against the facts and prepare it for fast evaluation."""
    problems = []
    keys = [r.key for r in rules]
    for key in {k for k in keys if keys.count(k) > 1}:
        problems.append(f"rule {key}: the key is used twice")
    compiled = []
    for rule in rules:
        if not rule.enabled:
            continue
        if rule.join not in ("all", "any"):
            problems.append(f"rule {rule.key}: join must be 'all' or 'any'")
        if not rule.conditions:
            problems.append(f"rule {rule.key}: it has no conditions")
        for condition in rule.conditions:
            problem = check_condition(condition, facts)
            if problem:
                problems.append(f"rule {rule.key}: {problem}")
        if not problems:
            conditions = tuple(
                (c.fact, _evaluator(c, rule.unsure_is_unknown)) for c in rule.conditions
            )
            compiled.append(_CompiledRule(rule, conditions, all_of=rule.join == "all"))
    if problems:
        raise RulesetError(sorted(problems))
    return CompiledRuleset(version=version, rules=tuple(compiled))


def _month_end(value: str) -> date:
    year, month = int(value[:4]), int(value[5:7])
    return date(year, month, calendar.monthrange(year, month)[1])


def _months_before(today: date, months: int) -> date:
    total = today.year * 12 + today.month - 1 - months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


def _within_last(value: str, expected: Mapping[str, Any], today: date) -> bool:
    when = _month_end(value) if len(value) == 7 else date.fromisoformat(value)
    amount = expected["amount"]
    start = (
        date.fromordinal(today.toordinal() - amount)
        if expected["unit"] == "days"
        else _months_before(today, amount)
    )
    return start <= when


def _one_of(value: Any, codes: tuple[tuple[str, ...], frozenset[str]]) -> bool:
    """Any of the codes ticked (a list of answers), or the answer among them (one answer)."""
    choices, code_set = codes
    return not code_set.isdisjoint(value) if isinstance(value, list) else value in choices


def _none_of(value: Any, codes: tuple[tuple[str, ...], frozenset[str]]) -> bool:
    return not _one_of(value, codes)


_COMPARE: dict[Op, Callable[[Any, Any], Any]] = {
    Op.EQUALS: operator.eq,
    Op.NOT_EQUALS: operator.ne,
    Op.LESS_THAN: operator.lt,
    Op.AT_MOST: operator.le,
    Op.GREATER_THAN: operator.gt,
    Op.AT_LEAST: operator.ge,
}


def _test(op: Op, expected: Any) -> tuple[Callable[[Any, Any], Any], Any]:
    """How an answered value is tested, prepared once: a function of (value, operand), and the operand."""
    match op:
        case Op.IS_YES:
            return operator.eq, "yes"
        case Op.IS_NO:
            return operator.eq, "no"
        case Op.ONE_OF:
            return _one_of, (tuple(expected), frozenset(expected))
        case Op.NONE_OF:
            return _none_of, (tuple(expected), frozenset(expected))
    return _COMPARE[op], expected


def _is_answered(value: Any, _today: date) -> bool:
    return value is not NOT_ASKED and value is not None


def _is_not_answered(value: Any, _today: date) -> bool:
    return value is None


def _evaluator(condition: Condition, unsure_is_unknown: bool) -> _Evaluator:
    """The condition as a function of its fact's value, everything about it decided here, once."""
    op, expected = Op(condition.op), condition.value
    if op == Op.IS_ANSWERED:
        return _is_answered
    if op == Op.IS_NOT_ANSWERED:
        return _is_not_answered
    names_unsure = expected == UNSURE or (isinstance(expected, list | tuple) and UNSURE in expected)
    unsure_unknown = unsure_is_unknown and not names_unsure

    if op == Op.WITHIN_LAST:

        def evaluate_date(value: Any, today: date) -> bool | None:
            if value is None:
                return None
            if value is NOT_ASKED:
                return False
            if unsure_unknown and (
                value == UNSURE or (isinstance(value, list) and UNSURE in value)
            ):
                return None
            return _within_last(value, expected, today)

        return evaluate_date

    test, operand = _test(op, expected)

    def evaluate(value: Any, _today: date) -> bool | None:
        if value is None:
            return None
        if value is NOT_ASKED:
            return False
        if unsure_unknown and (value == UNSURE or (isinstance(value, list) and UNSURE in value)):
            return None
        return test(value, operand)

    return evaluate


# --- screening --------------------------------------------------------------------------------------
_SEVERITY_RANK = {outcome: rank for rank, outcome in enumerate(SEVERITY)}


def _severity(finding: Finding) -> int:
    return _SEVERITY_RANK[finding.outcome]


def screen(facts: Mapping[str, Any], ruleset: CompiledRuleset, today: date) -> Result:
    """Screen one intake's facts. The caller passes ``today``; the engine reads no clock."""
    get = facts.get
    findings = []
    for compiled in ruleset.rules:
        # Most rules do not apply, so that is decided first, stopping at the first condition that settles
        # it: "all of" is false at its first false condition; "any of" is false only if every one is.
        if compiled.all_of:
            for fact, evaluate in compiled.conditions:
                if evaluate(get(fact), today) is False:
                    break
            else:
                findings.append(_finding(compiled, facts, today, ruleset.version))
        else:
            for fact, evaluate in compiled.conditions:
                if evaluate(get(fact), today) is not False:
                    findings.append(_finding(compiled, facts, today, ruleset.version))
                    break
    if not findings:
        return Result(outcome=Outcome.ROUTINE, findings=(), ruleset_version=ruleset.version)
    findings.sort(key=_severity)
    # Most severe first: the outcome is the first finding's, unless that is informational (then they all
    # are, and informational findings never raise the outcome).
    top = findings[0].outcome
    outcome = Outcome.ROUTINE if top == Outcome.ROUTINE else top
    return Result(outcome=outcome, findings=tuple(findings), ruleset_version=ruleset.version)


def _checked(compiled: _CompiledRule, facts: Mapping[str, Any], today: date) -> list[Checked]:
    """Every condition of the rule with the intake's value and whether it holds."""
    checked = []
    for condition, (fact, evaluate) in zip(
        compiled.rule.conditions, compiled.conditions, strict=True
    ):
        value = facts.get(fact)
        checked.append(Checked(condition, value, evaluate(value, today)))
    return checked


def _finding(
    compiled: _CompiledRule, facts: Mapping[str, Any], today: date, version: str
) -> Finding:
    """The finding of a rule that is not false: it fired (true), or it is unknown."""
    rule = compiled.rule
    checked = _checked(compiled, facts, today)
    truths = [c.holds for c in checked]
    fired = None not in truths if compiled.all_of else True in truths
    if fired:
        return Finding(
            rule.key,
            rule.outcome,
            FindingState.FIRED,
            tuple(c for c in checked if c.holds is True),
            version,
            rule.title,
            rule.explanation,
            rule.source,
            rule.patient_message,
            rule.tier,
            patient_message_es=rule.patient_message_es,
        )
    informational = rule.outcome == Outcome.ROUTINE
    return Finding(
        rule.key,
        Outcome.ROUTINE if informational else Outcome.NEEDS_INFO,
        FindingState.NOT_KNOWN if informational else FindingState.NEEDS_INFO,
        tuple(c for c in checked if c.holds is None),
        version,
        rule.title,
        rule.explanation,
        rule.source,
    )


def near_miss(
    facts: Mapping[str, Any], ruleset: CompiledRuleset, today: date
) -> tuple[NearMiss, ...]:
    """What kept the intake from specialist review: for each enabled specialist-review rule, its
    conditions not met and those unknown, with the intake's values. Empty when one of them fired (the
    intake is for specialist review) or the ruleset has none."""
    candidacy = [c for c in ruleset.rules if c.rule.outcome == Outcome.SPECIALIST_REVIEW]
    misses = []
    for compiled in candidacy:
        checked = _checked(compiled, facts, today)
        truths = [c.holds for c in checked]
        if (False not in truths and None not in truths) if compiled.all_of else True in truths:
            return ()
        misses.append(
            NearMiss(
                rule=compiled.rule.key,
                title=compiled.rule.title,
                unmet=tuple(c for c in checked if c.holds is False),
                unknown=tuple(c for c in checked if c.holds is None),
            )
        )
    return tuple(misses)
