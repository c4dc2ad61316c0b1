"""Rules and the changes between two rulesets, in the words staff read. Plain Python, no Django: every
sentence is written by wording.py from the rule as data (the format of default_rules.json), so the rule
list, the editor, the preview, the approval and the version page say the same thing.

    rule_sentence(rule, specs)  -> "Urgent (tier 1: emergency now) when: Saddle numbness: Yes or Not sure"
    ruleset_changes(old, new, specs).rules[0].lines
        -> ["Number of diagnostic blocks: at least 2 → at least 1",
            "Removed: Second-best block relief: at least 80 %"]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from screening.rules import outcomes
from screening.rules.terms import Condition, FactSpec, Op
from screening.rules.wording import condition_text, fact_label, requirement_text

TIER_LABELS = {tier: f"tier {tier}: {name}" for tier, name in outcomes.TIER_NAMES.items()}


def _condition(data: Mapping[str, Any]) -> Condition:
    return Condition(data["fact"], Op(data["op"]), data.get("value"))


def outcome_text(rule: Mapping[str, Any]) -> str:
    """'Specialist review', 'Urgent (tier 1: emergency now)'."""
    name = outcomes.label(rule["outcome"])
    tier = rule.get("tier")
    return f"{name} ({TIER_LABELS[tier]})" if tier in TIER_LABELS else name


def rule_lead(rule: Mapping[str, Any]) -> str:
    """What the rule raises and how its conditions join: 'Urgent when', 'Needs info when all of these hold'."""
    lead = f"{outcome_text(rule)} when"
    if len(rule["conditions"]) > 1:
        lead += " all of these hold" if rule.get("join", "all") == "all" else " any of these holds"
    return lead


def condition_lines(rule: Mapping[str, Any], specs: Mapping[str, FactSpec]) -> list[str]:
    return [condition_text(_condition(c), specs) for c in rule["conditions"]]


def conditions_sentence(rule: Mapping[str, Any], specs: Mapping[str, FactSpec]) -> str:
    """The rule's conditions in one line: 'Pain duration: at least 3 months; Number of ...'."""
    joiner = "; " if rule.get("join", "all") == "all" else "; or "
    return joiner.join(condition_lines(rule, specs))


def rule_sentence(rule: Mapping[str, Any], specs: Mapping[str, FactSpec]) -> str:
    """The whole rule in one line: its outcome, then its conditions."""
    sentence = f"{rule_lead(rule)}: {conditions_sentence(rule, specs)}"
    return sentence if rule.get("enabled", True) else f"Disabled. {sentence}"


# --- What changed between two rulesets ----------------------------------------------------------------
@dataclass(frozen=True)
class RuleChange:
    """One rule added, removed or changed, in words; ``before`` and ``after`` are its whole sentences."""

    key: str
    title: str
    change: str  # "added", "removed" or "changed"
    lines: tuple[str, ...]
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class Changes:
    rules: tuple[RuleChange, ...] = ()
    next_steps: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(
        default_factory=dict
    )  # the fields as data, for "technical details"

    def __bool__(self) -> bool:
        return bool(self.rules or self.next_steps)

    @property
    def summary(self) -> str:
        counts = {
            kind: sum(1 for r in self.rules if r.change == kind)
            for kind in ("changed", "added", "removed")
        }
        parts = [f"{n} {kind}" for kind, n in counts.items() if n]
        if self.next_steps:
            parts.append(
                f"{len(self.next_steps)} next step{'s' if len(self.next_steps) > 1 else ''} changed"
            )
        return ", ".join(parts) or "no change"


def _condition_changes(
    old: Sequence[Mapping[str, Any]],
    new: Sequence[Mapping[str, Any]],
    specs: Mapping[str, FactSpec],
) -> list[str]:
    """Conditions paired by their fact: a changed requirement reads 'Label: before → after'."""
    remaining = list(new)
    lines, removed = [], []
    for before in old:
        same = next((c for c in remaining if c == before), None)
        if same is not None:
            remaining.remove(same)
            continue
        partner = next((c for c in remaining if c["fact"] == before["fact"]), None)
        if partner is None:
            removed.append(before)
            continue
        remaining.remove(partner)
        was = requirement_text(_condition(before), specs)
        now = requirement_text(_condition(partner), specs)
        lines.append(f"{fact_label(before['fact'], specs)}: {was} → {now}")
    lines += [f"Removed: {condition_text(_condition(c), specs)}" for c in removed]
    lines += [f"Added: {condition_text(_condition(c), specs)}" for c in remaining]
    return lines


def _quoted(text: str | None) -> str:
    return f"“{text}”" if text else "(none)"


def rule_change_lines(
    before: Mapping[str, Any], after: Mapping[str, Any], specs: Mapping[str, FactSpec]
) -> list[str]:
    """What changed in one rule, a line each, most consequential first."""
    lines = []
    if before.get("enabled", True) != after.get("enabled", True):
        lines.append("Enabled → disabled" if before.get("enabled", True) else "Disabled → enabled")
    if (before["outcome"], before.get("tier")) != (after["outcome"], after.get("tier")):
        lines.append(f"Outcome: {outcome_text(before)} → {outcome_text(after)}")
    if before.get("join", "all") != after.get("join", "all"):
        words = {"all": "all conditions must hold", "any": "any one condition is enough"}
        lines.append(
            f"{words[before.get('join', 'all')].capitalize()} → {words[after.get('join', 'all')]}"
        )
    lines += _condition_changes(before["conditions"], after["conditions"], specs)
    texts = (
        ("title", "Title"),
        ("patient_message", "Message to the patient"),
        ("patient_message_es", "Message to the patient in Spanish"),
        ("explanation", "Clinical note"),
        ("source", "Source"),
    )
    for name, label in texts:
        if (before.get(name) or "") != (after.get(name) or ""):
            lines.append(f"{label}: {_quoted(before.get(name))} → {_quoted(after.get(name))}")
    return lines


def ruleset_changes(
    old: Sequence[Mapping[str, Any]],
    new: Sequence[Mapping[str, Any]],
    specs: Mapping[str, FactSpec],
    old_steps: Mapping[str, str] | None = None,
    new_steps: Mapping[str, str] | None = None,
) -> Changes:
    """What changed from ``old`` to ``new`` (rules, and next steps when both are given), in words."""
    before, after = {r["key"]: r for r in old}, {r["key"]: r for r in new}
    rules, details = [], {}
    for key in [*before, *(k for k in after if k not in before)]:
        was, now = before.get(key), after.get(key)
        if was is not None and now is not None:
            lines = rule_change_lines(was, now, specs)
            if lines:
                rules.append(
                    RuleChange(
                        key,
                        now["title"],
                        "changed",
                        tuple(lines),
                        rule_sentence(was, specs),
                        rule_sentence(now, specs),
                    )
                )
                fields = sorted(f for f in was.keys() | now.keys() if was.get(f) != now.get(f))
                details[key] = {
                    "before": {f: was.get(f) for f in fields},
                    "after": {f: now.get(f) for f in fields},
                }
        elif now is not None:
            sentence = rule_sentence(now, specs)
            rules.append(
                RuleChange(key, now["title"], "added", (f"Added: {sentence}",), after=sentence)
            )
            details[key] = {"after": now}
        else:
            sentence = rule_sentence(was, specs)
            rules.append(
                RuleChange(key, was["title"], "removed", (f"Removed: {sentence}",), before=sentence)
            )
            details[key] = {"before": was}
    steps = []
    if old_steps is not None and new_steps is not None:
        for key in sorted(old_steps.keys() | new_steps.keys()):
            if old_steps.get(key) != new_steps.get(key):
                steps.append(
                    f"Next step for {next_step_label(key)}: {_quoted(old_steps.get(key))} → "
                    f"{_quoted(new_steps.get(key))}"
                )
    return Changes(tuple(rules), tuple(steps), details)


def next_step_label(key: str) -> str:
    """'urgent_tier_1' -> 'Urgent (tier 1: emergency now)', 'routine' -> 'Routine'."""
    outcome, _sep, tier = key.partition("_tier_")
    return outcome_text({"outcome": outcome, "tier": int(tier) if tier.isdigit() else None})
