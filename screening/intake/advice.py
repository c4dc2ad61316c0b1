"""The safety advice a red-flag answer leads to, as the pages show it: the tier's fixed advice with the clinic's details, and the messages of the red-flag rules that fired."""

from django.conf import settings

from screening.casework.models import ScreeningResult
from screening.intake.models import Intake
from screening.intake.safety import ADVICE


def advice_context(tier: int, rule_messages: list[str] | None = None) -> dict:
    """The advice for a red-flag tier: the red-flag rules' own messages, or the fixed text as fallback."""
    advice = ADVICE[tier]
    params = {"emergency_number": settings.CLINIC["emergency_number"]}
    points = rule_messages or [str(p) for p in advice.points]
    return {
        "advice": advice,
        "heading": advice.heading % params,
        "points": [_fill(p, params) for p in points],
    }


def _fill(message: str, params: dict) -> str:
    try:
        return message % params
    except (
        KeyError,
        ValueError,
        TypeError,
    ):  # an admin's message with a stray %: show it as written
        return message


def rule_messages(intake: Intake) -> list[str]:
    """The patient messages of the red-flag rules that fired in the draft's latest screening."""
    latest = intake.screenings.filter(trigger=ScreeningResult.Trigger.DRAFT).first()
    if latest is None:
        return []
    messages = [f.get("patient_message") for f in latest.findings if f["outcome"] == "urgent"]
    return list(dict.fromkeys(m for m in messages if m))
