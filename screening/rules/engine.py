"""The screening rules engine: plain Python, no Django, no clock.

It takes the frozen facts of one intake and a compiled ruleset, and returns the intake's outcome and every
finding, each naming the rule that fired, why, the facts that decided it and the ruleset version. It flags a
case for a person to look at; it never diagnoses.

Facts are in one of three states (../shared/DESIGN.md, "The rules engine"):
- answered: a value ("not sure" is an answer; a rule may choose to treat it as unknown);
- unknown: left unanswered (the key is missing or None);
- not asked: hidden by branching (the value is NOT_ASKED); never "missing".
A condition on an answered fact is true or false, on an unknown fact unknown, on a not-asked fact false
(``is answered`` / ``is not answered`` observe the state itself). "All of" is false if any condition is false,
else unknown if any is unknown, else true; "any of" is true if any is true, else unknown if any is unknown,
else false. A rule that comes out unknown raises a ``needs_info`` finding naming the missing facts.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class _NotAsked:
    def __repr__(self) -> str:
        return "NOT_ASKED"


NOT_ASKED: Any = _NotAsked()
WITHIN_LAST_MAX = {"days": 36500, "months": 1200}
UNSURE = "not_sure"


class Outcome(StrEnum):
    URGENT = "urgent"
    NOT_SUITABLE_NOW = "not_suitable_now"
    NEEDS_INFO = "needs_info"
    SPECIALIST_REVIEW = "specialist_review"
    ROUTINE = "routine"  # informational: listed for staff, never raises the case's outcome


SEVERITY: tuple[Outcome, ...] = tuple(Outcome)  # most severe first


class Op(StrEnum):
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    ONE_OF = "one_of"
    NONE_OF = "none_of"
    LESS_THAN = "less_than"
    AT_MOST = "at_most"
    GREATER_THAN = "greater_than"
    AT_LEAST = "at_least"
    IS_YES = "is_yes"
    IS_NO = "is_no"
    IS_ANSWERED = "is_answered"
    IS_NOT_ANSWERED = "is_not_answered"
    WITHIN_LAST = "within_last"


class FactType(StrEnum):
    CHOICE = "choice"  # one code of a closed set
    MULTI = "multi"  # a list of codes
    NUMBER = "number"
    DATE = "date"  # "YYYY-MM-DD"
    MONTH = "month"  # "YYYY-MM", a date people half-remember
    TEXT = "text"


OPERATORS_FOR: dict[FactType, frozenset[Op]] = {
    FactType.CHOICE: frozenset(
        {Op.EQUALS, Op.NOT_EQUALS, Op.ONE_OF, Op.NONE_OF, Op.IS_YES, Op.IS_NO}
    ),
    FactType.MULTI: frozenset({Op.ONE_OF, Op.NONE_OF}),
    FactType.NUMBER: frozenset(
        {Op.EQUALS, Op.NOT_EQUALS, Op.LESS_THAN, Op.AT_MOST, Op.GREATER_THAN, Op.AT_LEAST}
    ),
    FactType.DATE: frozenset({Op.WITHIN_LAST}),
    FactType.MONTH: frozenset({Op.WITHIN_LAST}),
    FactType.TEXT: frozenset(),
}
STATE_OPERATORS = frozenset({Op.IS_ANSWERED, Op.IS_NOT_ANSWERED})  # fit every type


@dataclass(frozen=True)
class FactSpec:
    """What a fact is: its type and, for codes, the closed set of choices. From the intake catalogue."""

    key: str
    type: FactType
    choices: frozenset[str] = frozenset()
    label: str = ""


@dataclass(frozen=True)
class Condition:
    fact: str
    op: Op
    value: Any = None


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    outcome: Outcome
    conditions: tuple[Condition, ...]
    join: str = "all"  # "all" or "any"
    explanation: str = ""  # for staff: why this matters
    source: str = ""  # citation
    patient_message: str | None = None  # red flags only
    tier: int | None = None  # red flags only: 1 emergency, 2 same day, 3 the clinic calls
    enabled: bool = True
    # "Not sure" counts as unknown (so the rule asks for the information) unless a condition names it.
    unsure_is_unknown: bool = True


class RulesetError(ValueError):
    """A ruleset that cannot be compiled; ``problems`` says what to fix, one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Finding:
    rule: str
    outcome: Outcome
    reason: str
    patient_message: str | None
    decided_by: tuple[tuple[str, Any], ...]  # the facts (and values) that decided it
    missing: tuple[str, ...]  # for needs_info: the facts that were unknown
    ruleset_version: str
    tier: int | None = None  # a red flag's tier
    title: str = ""  # the rule's title, for lists


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    findings: tuple[Finding, ...]
    ruleset_version: str


# --- compiling ------------------------------------------------------------------------------------
_Evaluator = Callable[[Mapping[str, Any], date], bool | None]


@dataclass(frozen=True)
class _CompiledRule:
    rule: Rule
    evaluators: tuple[tuple[Condition, _Evaluator], ...]


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
            evaluators = tuple((c, _evaluator(c, rule.unsure_is_unknown)) for c in rule.conditions)
            compiled.append(_CompiledRule(rule, evaluators))
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


def _evaluator(condition: Condition, unsure_is_unknown: bool) -> _Evaluator:
    key, op, expected = condition.fact, Op(condition.op), condition.value
    names_unsure = expected == UNSURE or (isinstance(expected, list | tuple) and UNSURE in expected)
    unsure_unknown = unsure_is_unknown and not names_unsure

    def answered(value: Any, today: date) -> bool:
        match op:
            case Op.EQUALS:
                return value == expected
            case Op.NOT_EQUALS:
                return value != expected
            case Op.ONE_OF:
                return (
                    bool(set(value) & set(expected))
                    if isinstance(value, list)
                    else value in expected
                )
            case Op.NONE_OF:
                return (
                    not set(value) & set(expected)
                    if isinstance(value, list)
                    else value not in expected
                )
            case Op.LESS_THAN:
                return value < expected
            case Op.AT_MOST:
                return value <= expected
            case Op.GREATER_THAN:
                return value > expected
            case Op.AT_LEAST:
                return value >= expected
            case Op.IS_YES:
                return value == "yes"
            case Op.IS_NO:
                return value == "no"
            case Op.WITHIN_LAST:
                when = _month_end(value) if len(value) == 7 else date.fromisoformat(value)
                amount = expected["amount"]
                start = (
                    date.fromordinal(today.toordinal() - amount)
                    if expected["unit"] == "days"
                    else _months_before(today, amount)
                )
                return start <= when
        raise AssertionError(op)

    def evaluate(facts: Mapping[str, Any], today: date) -> bool | None:
        value = facts.get(key)
        if value is NOT_ASKED:
            return False
        if op == Op.IS_ANSWERED:
            return value is not None
        if op == Op.IS_NOT_ANSWERED:
            return value is None
        if value is None:
            return None
        if unsure_unknown and (value == UNSURE or (isinstance(value, list) and UNSURE in value)):
            return None
        return answered(value, today)

    return evaluate


# --- screening --------------------------------------------------------------------------------------
def screen(facts: Mapping[str, Any], ruleset: CompiledRuleset, today: date) -> Result:
    """Screen one intake's facts. The caller passes ``today``; the engine reads no clock."""
    findings = []
    for compiled in ruleset.rules:
        rule = compiled.rule
        results = [(c, evaluate(facts, today)) for c, evaluate in compiled.evaluators]
        truths = [r for _c, r in results]
        if rule.join == "all":
            verdict = False if False in truths else (None if None in truths else True)
        else:
            verdict = True if True in truths else (None if None in truths else False)
        if verdict is False:
            continue
        if verdict is True:
            decided = tuple((c.fact, facts.get(c.fact)) for c, r in results if r is True)
            findings.append(
                Finding(
                    rule.key,
                    rule.outcome,
                    rule.explanation or rule.title,
                    rule.patient_message,
                    decided,
                    (),
                    ruleset.version,
                    rule.tier,
                    rule.title,
                )
            )
        else:
            missing = tuple(dict.fromkeys(c.fact for c, r in results if r is None))
            reason = f"{rule.title}: the answer to {', '.join(missing)} is missing or not sure."
            findings.append(
                Finding(
                    rule.key,
                    Outcome.NEEDS_INFO,
                    reason,
                    None,
                    (),
                    missing,
                    ruleset.version,
                    title=f"{rule.title}: information needed",
                )
            )
    raising = [f.outcome for f in findings if f.outcome != Outcome.ROUTINE]
    outcome = min(raising, key=SEVERITY.index) if raising else Outcome.ROUTINE
    findings.sort(key=lambda f: SEVERITY.index(f.outcome))
    return Result(outcome=outcome, findings=tuple(findings), ruleset_version=ruleset.version)
