"""The safety advice a red-flag answer leads to, as the pages show it: the tier's action and its fixed
advice with the clinic's details, the red-flag rules' own messages where they add to it, what to tell the
emergency department or a doctor (built from the answers that raised the flag, never a diagnosis), and the
answers to change after a mis-tap."""

from datetime import date
from typing import Any

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext as _

from screening.casework.models import ScreeningResult
from screening.intake.branching import context
from screening.intake.catalogue import QUESTIONS
from screening.intake.models import Intake
from screening.intake.safety import ADVICE, CLINIC_CALL, raised


def advice_context(
    tier: int,
    rule_messages: list[str] | None = None,
    answers: dict[str, Any] | None = None,
    today: date | None = None,
) -> dict:
    """The advice for a red-flag tier. With the patient's ``answers``: what to tell the emergency
    department or a doctor, and the red-flag answers (``raised``) a mis-tap could be changed on."""
    advice = ADVICE[tier]
    params = {"emergency_number": settings.CLINIC["emergency_number"]}
    heading = advice.heading % params
    points = [_fill(str(p), params) for p in advice.points]
    # A rule's message that repeats the heading or a point says nothing new: shown once.
    said = {_plain(heading), *map(_plain, points)}
    extra = [_fill(m, params) for m in rule_messages or []]
    points = [m for m in dict.fromkeys(extra) if _plain(m) not in said] + points
    found = raised(answers, context(answers, today)) if answers is not None and today else []
    return {
        "advice": advice,
        "heading": heading,
        "points": points,
        "tell_them": tell_them(found) if tier != CLINIC_CALL else "",
        "raised": [key for key, _tier, _unsure in found],
    }


def tell_them(found: list[tuple[str, int, bool]]) -> str:
    """'I have back pain, with new numbness around my bottom and possibly fever or chills.' (tiers 1
    and 2; "not sure" answers as "possibly")."""
    phrases = [
        format_lazy(_("possibly {symptom}"), symptom=QUESTIONS[key].tell)
        if unsure
        else str(QUESTIONS[key].tell)
        for key, tier, unsure in found
        if tier != CLINIC_CALL and QUESTIONS[key].tell
    ]
    if not phrases:
        return ""
    listed = ", ".join(map(str, phrases[:-1]))
    listed = (
        _("%(first)s and %(last)s") % {"first": listed, "last": phrases[-1]}
        if listed
        else phrases[0]
    )
    return _("I have back pain, with %(symptoms)s.") % {"symptoms": listed}


def _plain(text: str) -> str:
    return text.strip().rstrip(".").casefold()


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
