"""The safety advice a red-flag answer leads to, as the pages show it: the tier's action and its fixed
advice with the clinic's details, the red-flag rules' own messages where they add to it, what to tell the
emergency department or a doctor (built from the answers that raised the flag, never a diagnosis), and the
answers to change after a mis-tap."""

from datetime import date
from typing import Any

from django.conf import settings
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
    points += [m for m in dict.fromkeys(extra) if _plain(m) not in said]
    found = raised(answers, context(answers, today)) if answers is not None and today else []
    return {
        "advice": advice,
        "heading": heading,
        "points": points,
        "tell_them": tell_them(found, (answers or {}).get("pain_regions"))
        if tier != CLINIC_CALL
        else "",
        "raised": [key for key, _tier, _unsure in found],
    }


def tell_them(found: list[tuple[str, int, bool]], regions: list[str] | None = None) -> str:
    """What to tell the emergency department or a doctor, a sentence per answer that raised a tier-1 or
    tier-2 flag, in the patient's words: "I have back pain. I have numbness around my bottom, genitals or
    inner thighs. I have fever or chills, I think." ("not sure" answers end "I think")."""
    sentences = [
        _("%(clause)s, I think.") % {"clause": QUESTIONS[key].tell}
        if unsure
        else _("%(clause)s.") % {"clause": QUESTIONS[key].tell}
        for key, tier, unsure in found
        if tier != CLINIC_CALL and QUESTIONS[key].tell
    ]
    if not sentences:
        return ""
    return " ".join([str(_pain_sentence(regions or [])), *map(str, sentences)])


def _pain_sentence(regions: list[str]) -> str:
    neck, back = "neck" in regions, any(r in regions for r in ("low_back", "mid_back"))
    if neck and back:
        return _("I have back and neck pain.")
    return _("I have neck pain.") if neck else _("I have back pain.")


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
    """The patient messages of the red-flag rules of the intake's tier that fired in the draft's latest
    screening (a less urgent rule's "the clinic will call you" never sits under "go now")."""
    latest = intake.screenings.filter(trigger=ScreeningResult.Trigger.DRAFT).first()
    if latest is None:
        return []
    # In the patient's language; a message not yet translated is left out (the tier's own translated
    # advice stands), never shown in another language
    field = "patient_message" if intake.language == "en" else f"patient_message_{intake.language}"
    messages = [
        f.get(field)
        for f in latest.findings
        if f["outcome"] == "urgent" and f.get("tier") == intake.safety_tier
    ]
    return list(dict.fromkeys(m for m in messages if m))
