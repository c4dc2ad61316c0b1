"""Red-flag tiers from the patient's answers, and the fixed advice shown for each tier.

Tiers from ../shared/clinical.md section 1: 1 emergency, 2 same day, 3 the clinic will call. "Not sure" on a
tier 1 or 2 question counts as yes. This is the fallback that the screening rules later drive.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from screening.intake.catalogue import QUESTIONS

EMERGENCY, SAME_DAY, CLINIC_CALL = 1, 2, 3
TIERS = (EMERGENCY, SAME_DAY, CLINIC_CALL)

_FALL_RISK = {"osteoporosis", "long_term_steroids", "immunosuppressants"}


def red_flag_tier(answers: dict[str, Any], ctx: dict[str, Any]) -> int | None:
    """The most urgent tier (lowest number) the answers raise, or None."""
    tiers = [tier for _key, tier, _unsure in raised(answers, ctx)]
    if answers.get("cancer") in ("current", "past"):
        tiers.append(CLINIC_CALL)
    return min(tiers) if tiers else None


def raised(answers: dict[str, Any], ctx: dict[str, Any]) -> list[tuple[str, int, bool]]:
    """The red-flag questions the answers raise, in the page's order: (key, tier, answered "not sure")."""
    found = []
    for key, question in QUESTIONS.items():
        tier = question.safety_tier
        if tier is None:
            continue
        value = answers.get(key)
        if value == "yes" or (value == "not_sure" and tier in (EMERGENCY, SAME_DAY)):
            if key == "minor_fall" and not _fall_is_risky(answers, ctx):
                continue
            found.append((key, tier, value == "not_sure"))
    return found


def _fall_is_risky(answers: dict[str, Any], ctx: dict[str, Any]) -> bool:
    """A minor fall is a red flag with age over 50, weak bones or immune-weakening medicine."""
    age = ctx.get("age")
    return (age is not None and age > 50) or any(
        answers.get(k) in ("yes", "not_sure") for k in _FALL_RISK
    )


@dataclass(frozen=True)
class Advice:
    tier: int
    style: str  # emergency, urgent, non_urgent (UX.md: styled by urgency, never by colour alone)
    heading: str
    lead: str
    points: tuple[str, ...]


ADVICE = {
    EMERGENCY: Advice(
        EMERGENCY,
        "emergency",
        _("Go to an emergency department now, or call %(emergency_number)s"),
        _(
            "Some of your answers can be signs of a serious problem with the nerves in your spine. "
            "This needs to be checked straight away."
        ),
        (
            _("Do not wait for the clinic to call you."),
            _("Do not drive yourself. Ask someone to take you, or call %(emergency_number)s."),
            _("Take a list of your medicines with you if you can."),
        ),
    ),
    SAME_DAY: Advice(
        SAME_DAY,
        "urgent",
        _("Get medical help today"),
        _(
            "Some of your answers mean a doctor should see you today, before any treatment for back pain."
        ),
        (
            _("Contact your own doctor or an urgent care centre today."),
            _("Do not wait for the clinic to call you."),
            _(
                "If you get numbness around your bottom, problems with your bladder or bowels, or "
                "weakness in your legs, go to an emergency department or call %(emergency_number)s."
            ),
        ),
    ),
    CLINIC_CALL: Advice(
        CLINIC_CALL,
        "non_urgent",
        _("The clinic will call you"),
        _("Some of your answers mean the clinic needs to talk with you before anything else."),
        (
            _("A member of the clinic team will call you."),
            _("Tell your own doctor about your back pain too."),
            _("If your symptoms get worse, contact your own doctor or urgent care."),
        ),
    ),
}
