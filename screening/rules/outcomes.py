"""The screening's outcomes, defined once. The engine, the models' choices and constraints, the queue's
filters and order, the chart and the e-mails all read them from here. Pure: imports nothing from Django.

A rule raises one of the five outcomes of ``Outcome``; a case (and a screening result) may also have
``SCREENING_ERROR``, when screening itself failed, which puts it first in the queue.
"""

from enum import StrEnum


class Outcome(StrEnum):
    """What a rule raises, most severe first."""

    URGENT = "urgent"
    NOT_SUITABLE_NOW = "not_suitable_now"
    NEEDS_INFO = "needs_info"
    SPECIALIST_REVIEW = "specialist_review"
    ROUTINE = "routine"  # informational: listed for staff, never raises the case's outcome


SCREENING_ERROR = "screening_error"

# Every outcome a case can have, most severe first; its rank is its place in the queue.
CASE_OUTCOMES: tuple[str, ...] = (SCREENING_ERROR, *Outcome)
SEVERITY_RANK: dict[str, int] = {outcome: rank for rank, outcome in enumerate(CASE_OUTCOMES)}

LABELS: dict[str, str] = {
    SCREENING_ERROR: "Screening error",
    Outcome.URGENT: "Urgent",
    Outcome.NOT_SUITABLE_NOW: "Not suitable now",
    Outcome.NEEDS_INFO: "Needs info",
    Outcome.SPECIALIST_REVIEW: "Specialist review",
    Outcome.ROUTINE: "Routine",
}

RULE_CHOICES: list[tuple[str, str]] = [(str(o), LABELS[o]) for o in Outcome]
CASE_CHOICES: list[tuple[str, str]] = [(str(o), LABELS[o]) for o in CASE_OUTCOMES]


def label(outcome: str) -> str:
    """The outcome's label for staff ("Needs info"); an unknown code as it is."""
    return LABELS.get(outcome, outcome)


# --- The queue's order (issue 15): screening errors and tier-1 red flags first, then tier 2, tier 3, then the
# other outcomes by severity; within each group, unclaimed before claimed. A case's rank is
# twice its group, plus 1 when claimed, so one number (and one index) gives the whole order.
TIERS = (1, 2, 3)
# A red flag's tier: how urgent the advice the patient sees is (clinical.md section 1).
TIER_NAMES: dict[int, str] = {1: "emergency now", 2: "medical care today", 3: "the clinic calls"}
TIER_CHOICES: list[tuple[int, str]] = [
    (tier, f"{tier}: {name}") for tier, name in TIER_NAMES.items()
]


def queue_group(outcome: str, tier: int | None = None) -> int:
    if outcome in (SCREENING_ERROR, Outcome.URGENT):
        return 0 if outcome == SCREENING_ERROR or tier == 1 else (1 if tier == 2 else 2)
    return SEVERITY_RANK[outcome] + 1  # not suitable now 3, needs info 4, ... routine 6


def queue_rank(outcome: str, tier: int | None = None, claimed: bool = False) -> int:
    return 2 * queue_group(outcome, tier) + int(claimed)


def claimed_rank(rank: int, claimed: bool) -> int:
    """The same rank, claimed or not."""
    return (rank & ~1) | int(claimed)


# The ranks a case of each outcome can have (for the queue's filters and the table's constraint).
RANKS: dict[str, tuple[int, ...]] = {
    str(outcome): tuple(
        sorted(
            {
                queue_rank(outcome, tier, claimed)
                for tier in (None, *TIERS)
                for claimed in (False, True)
            }
        )
    )
    for outcome in CASE_OUTCOMES
}
