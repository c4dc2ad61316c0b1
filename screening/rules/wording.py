"""Rules in words, for staff: one renderer for a condition, a patient's value, a finding's reason and the near
miss. Plain Python, no Django: the words come from the facts' specs (the catalogue's staff labels, the
choices' labels and units), so a rule's sentence is always made from the rule as it stands.

    condition_text(Condition("block_count", Op.AT_LEAST, 2), specs)  -> "Number of diagnostic blocks: at least 2"
    checked_text(checked, specs)                                      -> "... at least 2 (has 1)"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from screening.rules.terms import (
    NOT_ASKED,
    UNSURE,
    Checked,
    Condition,
    FactSpec,
    FactType,
    Finding,
    FindingState,
    NearMiss,
    Op,
)

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The operators as a rules admin picks them in the editor.
OP_LABELS: dict[Op, str] = {
    Op.ONE_OF: "is one of (tick them)",
    Op.NONE_OF: "is none of (tick them)",
    Op.EQUALS: "is exactly",
    Op.NOT_EQUALS: "is not",
    Op.LESS_THAN: "is less than",
    Op.AT_MOST: "is at most",
    Op.GREATER_THAN: "is more than",
    Op.AT_LEAST: "is at least",
    Op.IS_YES: "is Yes",
    Op.IS_NO: "is No",
    Op.IS_ANSWERED: "is answered",
    Op.IS_NOT_ANSWERED: "is not answered (unknown)",
    Op.WITHIN_LAST: "is within the last",
}
_COMPARISONS = {
    Op.LESS_THAN: "less than",
    Op.AT_MOST: "at most",
    Op.GREATER_THAN: "more than",
    Op.AT_LEAST: "at least",
    Op.EQUALS: "exactly",
    Op.NOT_EQUALS: "not",
}


def _spec(specs: Mapping[str, FactSpec], fact: str) -> FactSpec:
    return specs.get(fact) or FactSpec(fact, FactType.TEXT, label=fact)


def _label(spec: FactSpec) -> str:
    return spec.label or spec.key


def joined(items: Sequence[str], word: str = "or") -> str:
    """'A', 'A or B', 'A, B or C'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def number_text(number: float, unit: str = "") -> str:
    """80 -> '80', 40.25 -> '40.3'; with its unit: '80 %', '1 month', '3 months'."""
    shown = str(int(number)) if float(number).is_integer() else f"{number:.1f}"
    if not unit:
        return shown
    if float(number) == 1 and unit.endswith("s") and unit != "%":
        unit = unit[:-1]
    return f"{shown} {unit}"


@cache
def _choice_map(choice_labels: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return dict(choice_labels)


def choice_text(spec: FactSpec, code: Any) -> str:
    label = _choice_map(spec.choice_labels).get(code)
    return label if label is not None else str(code).replace("_", " ").capitalize()


def value_text(spec: FactSpec, value: Any) -> str:
    """A patient's answer (or a rule's value) in words."""
    if value is None:
        return "not answered"
    if value is NOT_ASKED:
        return "not asked"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return number_text(value, spec.unit)
    if isinstance(value, list | tuple):
        return ", ".join(choice_text(spec, v) for v in value) or "none"
    if isinstance(value, dict) and "amount" in value:
        return number_text(value["amount"], value.get("unit", ""))
    if spec.type == FactType.MONTH and isinstance(value, str) and len(value) == 7:
        return f"{_MONTHS[int(value[5:7]) - 1]} {value[:4]}"
    if spec.type == FactType.DATE and isinstance(value, str) and len(value) == 10:
        return f"{int(value[8:])} {_MONTHS[int(value[5:7]) - 1]} {value[:4]}"
    if spec.choice_labels or spec.type in (FactType.CHOICE, FactType.MULTI):
        return choice_text(spec, value)
    return str(value)


def condition_text(condition: Condition, specs: Mapping[str, FactSpec]) -> str:
    """A condition in words: 'Saddle numbness: Yes or Not sure', 'Pain duration: at least 3 months'."""
    spec = _spec(specs, condition.fact)
    return _condition_text(spec, condition.op, _frozen(condition.value))


def fact_label(fact: str, specs: Mapping[str, FactSpec]) -> str:
    """The fact's name for staff: 'Pain duration', 'NSAIDs: how much'."""
    return _label(_spec(specs, fact))


def requirement_text(condition: Condition, specs: Mapping[str, FactSpec]) -> str:
    """What a condition asks of its fact, without the fact's name: 'at least 3 months'."""
    spec = _spec(specs, condition.fact)
    return _condition_text(spec, condition.op, _frozen(condition.value))[len(_label(spec)) + 2 :]


def _frozen(value: Any) -> Any:
    """A condition's value as a key (its lists and mappings as tuples)."""
    if isinstance(value, list | tuple):
        return tuple(value)
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return value


@cache
def _condition_text(spec: FactSpec, op: Op, value: Any) -> str:
    """Kept per process: a ruleset has a few hundred conditions, and re-screening words each one of
    every finding of 100,000 intakes (bench/rescreen.py)."""
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        value = dict(value)
    elif isinstance(value, tuple):
        value = list(value)
    return f"{_label(spec)}: {_requirement(Condition(spec.key, op, value), spec)}"


def _requirement(condition: Condition, spec: FactSpec) -> str:
    op, value = Op(condition.op), condition.value
    multi = spec.type == FactType.MULTI
    match op:
        case Op.IS_YES:
            return choice_text(spec, "yes")
        case Op.IS_NO:
            return choice_text(spec, "no")
        case Op.IS_ANSWERED:
            return "answered"
        case Op.IS_NOT_ANSWERED:
            return "not answered"
        case Op.WITHIN_LAST:
            return f"within the last {value_text(spec, value)}"
        case Op.ONE_OF:
            names = [choice_text(spec, v) for v in value]
            return f"includes {joined(names)}" if multi else joined(names)
        case Op.NONE_OF:
            names = [choice_text(spec, v) for v in value]
            if len(names) == 1:
                return f"does not include {names[0]}" if multi else f"not {names[0]}"
            return (
                f"includes none of {joined(names, 'and')}"
                if multi
                else f"neither {joined(names, 'nor')}"
            )
    if spec.type == FactType.NUMBER or isinstance(value, int | float):
        comparison = _COMPARISONS[op]
        shown = value_text(spec, value)
        return shown if op == Op.EQUALS else f"{comparison} {shown}"
    shown = value_text(spec, value)
    return f"not {shown}" if op == Op.NOT_EQUALS else shown


def actual_text(spec: FactSpec, actual: Any) -> str:
    """The patient's value beside a condition: 'has 1', 'not known', 'not sure', 'not asked'."""
    if actual is None:
        return "not known"
    if actual is NOT_ASKED:
        return "not asked"
    if actual == UNSURE or (isinstance(actual, list) and actual == [UNSURE]):
        return "not sure"
    return f"has {value_text(spec, actual)}"


def checked_text(checked: Checked, specs: Mapping[str, FactSpec]) -> str:
    """A condition with the patient's value: 'Number of diagnostic blocks: at least 2 (has 1)'."""
    spec = _spec(specs, checked.condition.fact)
    return f"{condition_text(checked.condition, specs)} ({actual_text(spec, checked.actual)})"


def reason_lines(finding: Finding, specs: Mapping[str, FactSpec]) -> list[str]:
    """Why a finding was raised, one line per condition that decided it, each with the patient's value."""
    return [checked_text(c, specs) for c in finding.checked]


def reason(
    finding: Finding, specs: Mapping[str, FactSpec], lines: Sequence[str] | None = None
) -> str:
    """The finding's reason in one sentence for staff, made from its rule's conditions (or from
    ``lines``, its reason_lines when the caller has them)."""
    lines = "; ".join(reason_lines(finding, specs) if lines is None else lines)
    match finding.state:
        case FindingState.NEEDS_INFO:
            return f"Information needed: {lines}."
        case FindingState.NOT_KNOWN:
            return f"Not known: {lines}."
    return f"{lines}."


def near_miss_lines(miss: NearMiss, specs: Mapping[str, FactSpec]) -> list[str]:
    """What kept a case from a specialist-review rule: the conditions not met, then those not known.
    A condition on a question not asked (best block relief without a block) is left out when another
    condition not met says why it was not asked."""
    unmet = [c for c in miss.unmet if c.actual is not NOT_ASKED] or list(miss.unmet)
    return [f"Not met: {checked_text(c, specs)}" for c in unmet] + [
        f"Not known: {checked_text(c, specs)}" for c in miss.unknown
    ]


def near_miss_summary(
    misses: Sequence[NearMiss], specs: Mapping[str, FactSpec], lines: Sequence[str] | None = None
) -> str:
    """The near miss in one line for the queue: the first rule's conditions not met or not known (or
    ``lines``, its near_miss_lines when the caller has them)."""
    if not misses:
        return ""
    lines = near_miss_lines(misses[0], specs) if lines is None else lines
    parts = [line.split(": ", 1)[1] for line in lines]
    return f"Not for specialist review: {'; '.join(parts)}" if parts else ""
