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
