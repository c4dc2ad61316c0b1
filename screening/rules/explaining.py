"""A screening as staff read it: the engine's result with every finding's reason written from its rule's
conditions (rules/wording.py, in the catalogue's staff words), the near miss, and the next step the ruleset
version gives the outcome. What the case stores and ``manage.py screen`` prints."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from screening.intake.facts import fact_specs
from screening.rules import wording
from screening.rules.engine import CompiledRuleset, near_miss, screen
from screening.rules.models import RulesetVersion
from screening.rules.outcomes import Outcome
from screening.rules.rulesets import next_step
from screening.rules.terms import Finding, NearMiss


@dataclass(frozen=True)
class Explained:
    outcome: str
    findings: list[dict]  # most severe first, each as finding_data gives it
    near_miss: list[dict]  # per candidacy rule that did not fire: rule, title, lines
    next_step: str


def screen_explained(
    facts: dict[str, Any], ruleset: CompiledRuleset, version: RulesetVersion | None, day: date
) -> Explained:
    result = screen(facts, ruleset, day)
    specs = fact_specs()
    misses = near_miss(facts, ruleset, day)
    urgent_tiers = [f.tier for f in result.findings if f.outcome == Outcome.URGENT and f.tier]
    return Explained(
        outcome=result.outcome.value,
        findings=[finding_data(f, specs) for f in result.findings],
        near_miss=[near_miss_data(m, specs) for m in misses],
        next_step=next_step(version, result.outcome.value, min(urgent_tiers, default=None)),
    )


def finding_data(finding: Finding, specs=None) -> dict:
    """A finding as stored with a screening result: its reason written from its conditions."""
    specs = fact_specs() if specs is None else specs
    lines = wording.reason_lines(finding, specs)
    return {
        "rule": finding.rule,
        "title": finding.title,
        "outcome": finding.outcome.value,
        "state": finding.state.value,
        "reason": wording.reason(finding, specs, lines),
        "because": lines,
        "note": finding.note,
        "source": finding.source,
        "patient_message": finding.patient_message,
        "patient_message_es": finding.patient_message_es,
        "tier": finding.tier,
        "decided_by": [[fact, value] for fact, value in finding.decided_by],
        "missing": list(finding.missing),
        "ruleset_version": finding.ruleset_version,
    }


def near_miss_data(miss: NearMiss, specs=None) -> dict:
    specs = fact_specs() if specs is None else specs
    lines = wording.near_miss_lines(miss, specs)
    return {
        "rule": miss.rule,
        "title": miss.title,
        "lines": lines,
        "summary": wording.near_miss_summary([miss], specs, lines),
        # The facts that would decide it: what a coordinator asks for when information is needed.
        "facts": list(dict.fromkeys(c.condition.fact for c in (*miss.unmet, *miss.unknown))),
    }


def top_finding(outcome: str, findings: list[dict], misses: list[dict]) -> str:
    """The case in a few words for its queue row: the most severe finding's title; for a routine case,
    what kept it from specialist review (or its first informational finding)."""
    if outcome != Outcome.ROUTINE and findings:
        return finding_title(findings[0])
    if misses and misses[0]["summary"]:
        summary = misses[0]["summary"]
        return summary if len(summary) <= 200 else f"{summary[:199]}…"
    return finding_title(findings[0]) if findings else ""


def finding_title(finding: dict) -> str:
    """A finding's title as a list shows it: a rule that asks for information says so, so that "Active
    cancer" is never read as a finding when only the answer is missing."""
    title = finding.get("title") or finding["rule"]
    return f"{title}: information needed" if finding.get("state") == "needs_info" else title


def why_not_review(outcome: str, misses: list[dict]) -> str:
    """The near miss in one line for the queue, where the top finding does not already give it."""
    if outcome == Outcome.ROUTINE or not misses:
        return ""
    summary = misses[0]["summary"]
    return summary if len(summary) <= 300 else f"{summary[:299]}…"


def urgent_tier(outcome: str, findings: list[dict]) -> int | None:
    """An urgent case's red-flag tier: the most urgent tier of its red flags (None for other outcomes)."""
    if outcome != Outcome.URGENT:
        return None
    tiers = [f["tier"] for f in findings if f["outcome"] == Outcome.URGENT and f.get("tier")]
    return min(tiers, default=None)
