"""The rules' vocabulary: facts and their states, operators, conditions, rules, findings and the near miss.
Plain Python, no Django; the engine (engine.py) evaluates them and wording.py puts them into words.

Facts are in one of three states (../shared/DESIGN.md, "The rules engine"): answered (a value; "not sure"
is an answer that a rule may treat as unknown), unknown (None or missing), and not asked (``NOT_ASKED``,
hidden by branching; never "missing").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from screening.rules.outcomes import Outcome


class _NotAsked:
    def __repr__(self) -> str:
        return "NOT_ASKED"


NOT_ASKED: Any = _NotAsked()
WITHIN_LAST_MAX = {"days": 36500, "months": 1200}
UNSURE = "not_sure"


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
    """What a fact is: its type and, for codes, the closed set of choices. From the intake catalogue, with
    the words staff read: the fact's label, each choice's label and the unit of a number."""

    key: str
    type: FactType
    choices: frozenset[str] = frozenset()
    label: str = ""
    choice_labels: tuple[tuple[str, str], ...] = ()  # (code, label), in the question's order
    unit: str = ""  # after a number: "%", "months"


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
    explanation: str = (
        ""  # the clinical note, for staff: what it means (never how to edit the rule)
    )
    source: str = ""  # citation
    patient_message: str | None = None  # red flags only
    tier: int | None = None  # red flags only: 1 emergency, 2 same day, 3 the clinic calls
    patient_message_es: str | None = None  # the same, in Spanish
    enabled: bool = True
    # "Not sure" counts as unknown (so the rule asks for the information) unless a condition names it.
    unsure_is_unknown: bool = True


class RulesetError(ValueError):
    """A ruleset that cannot be compiled; ``problems`` says what to fix, one line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class FindingState(StrEnum):
    """Why a rule gives a finding: it fired (every condition true, or one of "any of"), or it is unknown:
    a rule that would raise the outcome then asks for the information (``needs_info``); an informational
    rule gives a "not known" line for staff and never raises the outcome."""

    FIRED = "fired"
    NEEDS_INFO = "needs_info"
    NOT_KNOWN = "not_known"


# Checked and Finding are named tuples: the engine makes them for every rule that fires, and a tuple is
# made several times faster than a frozen dataclass (bench/rules_engine.py).
class Checked(NamedTuple):
    """One condition of a rule against one intake: the patient's value and whether it holds (True, False,
    or None when unknown)."""

    condition: Condition
    actual: Any  # the fact's value: None when unknown, NOT_ASKED when not asked
    holds: bool | None


class Finding(NamedTuple):
    rule: str
    outcome: Outcome
    state: FindingState
    checked: tuple[Checked, ...]  # the conditions that decided it: true ones, or the unknown ones
    ruleset_version: str
    title: str = ""  # the rule's title, for lists
    note: str = ""  # the rules admin's clinical note: what it means, for staff
    source: str = ""  # the rule's citation
    patient_message: str | None = None  # red flags only
    tier: int | None = None  # a red flag's tier
    patient_message_es: str | None = None  # the same, in Spanish

    @property
    def decided_by(self) -> tuple[tuple[str, Any], ...]:
        """The facts (and values) that made it fire."""
        return tuple((c.condition.fact, c.actual) for c in self.checked if c.holds is True)

    @property
    def missing(self) -> tuple[str, ...]:
        """The facts that were unknown, when it asks for information or is not known."""
        return tuple(dict.fromkeys(c.condition.fact for c in self.checked if c.holds is None))


@dataclass(frozen=True)
class NearMiss:
    """A specialist-review (candidacy) rule that did not fire: its conditions not met, and unknown."""

    rule: str
    title: str
    unmet: tuple[Checked, ...]
    unknown: tuple[Checked, ...]


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    findings: tuple[Finding, ...]
    ruleset_version: str
