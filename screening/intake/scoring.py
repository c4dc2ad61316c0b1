"""Scores computed from a patient's answers: ODI, STarT Back, BMI, NRS bands. Pure functions.

Each result carries the version of its formula, stored with the intake, so a later change to a formula
never silently re-labels old scores. Sources: ../shared/clinical.md section 4.
"""

from dataclasses import dataclass
from datetime import date

ODI_VERSION = "odi-2.1a/v1"
STARTBACK_VERSION = "startback-9/v1"
BMI_VERSION = "bmi-who/v1"
NRS_VERSION = "nrs-0-10/v1"

ODI_MIN_SECTIONS = 8


@dataclass(frozen=True)
class OdiResult:
    percent: int | None  # None: fewer than ODI_MIN_SECTIONS sections answered, "not scored"
    band: str
    answered: int
    version: str = ODI_VERSION


def odi(section_scores: dict[str, int | None]) -> OdiResult:
    """Oswestry Disability Index: sum / (5 x answered sections) x 100, at least 8 of 10 sections."""
    answered = [s for s in section_scores.values() if s is not None]
    for score in answered:
        if not 0 <= score <= 5:
            raise ValueError(f"An ODI section scores 0 to 5, not {score}.")
    if len(answered) < ODI_MIN_SECTIONS:
        return OdiResult(percent=None, band="not_scored", answered=len(answered))
    percent = round(sum(answered) / (5 * len(answered)) * 100)
    return OdiResult(percent=percent, band=odi_band(percent), answered=len(answered))


def odi_band(percent: int) -> str:
    if percent <= 20:
        return "minimal"
    if percent <= 40:
        return "moderate"
    if percent <= 60:
        return "severe"
    if percent <= 80:
        return "crippling"
    return "bed_bound"


@dataclass(frozen=True)
class StartBackResult:
    total: int | None
    psychosocial: int | None
    risk: str  # low, medium, high, or not_scored when an item is missing
    version: str = STARTBACK_VERSION


def startback(items: list[int | None]) -> StartBackResult:
    """STarT Back: 9 items scored 0/1; total <= 3 low; else psychosocial (items 5-9) <= 3 medium, 4+ high."""
    if len(items) != 9:
        raise ValueError("STarT Back has exactly 9 items.")
    if any(item is None for item in items):
        return StartBackResult(total=None, psychosocial=None, risk="not_scored")
    for item in items:
        if item not in (0, 1):
            raise ValueError(f"A STarT Back item scores 0 or 1, not {item}.")
    total = sum(items)
    psychosocial = sum(items[4:])
    if total <= 3:
        risk = "low"
    elif psychosocial <= 3:
        risk = "medium"
    else:
        risk = "high"
    return StartBackResult(total=total, psychosocial=psychosocial, risk=risk)


def startback_bother_score(choice_index: int) -> int:
    """Item 9's five answers: not at all, slightly, moderately score 0; very much, extremely score 1."""
    return 1 if choice_index >= 3 else 0


@dataclass(frozen=True)
class BmiResult:
    value: float
    band: str
    version: str = BMI_VERSION


def bmi(height_cm: float, weight_kg: float) -> BmiResult:
    if height_cm <= 0 or weight_kg <= 0:
        raise ValueError("Height and weight must be positive.")
    value = round(weight_kg / (height_cm / 100) ** 2, 1)
    if value < 18.5:
        band = "underweight"
    elif value < 25:
        band = "healthy"
    elif value < 30:
        band = "overweight"
    elif value < 40:
        band = "obese"
    else:
        band = "severely_obese"
    return BmiResult(value=value, band=band)


def nrs_band(score: int) -> str:
    """NRS 0-10: 0 none, 1-4 mild, 5-6 moderate, 7-10 severe."""
    if not 0 <= score <= 10:
        raise ValueError(f"A pain score is 0 to 10, not {score}.")
    if score == 0:
        return "none"
    if score <= 4:
        return "mild"
    if score <= 6:
        return "moderate"
    return "severe"


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def feet_inches_to_cm(feet: float, inches: float) -> float:
    return round((feet * 12 + inches) * 2.54, 1)


def pounds_to_kg(pounds: float) -> float:
    return round(pounds * 0.45359237, 1)


def as_dict(result) -> dict:
    """A score's fields as a dict (flat dataclasses: a plain copy, without asdict's deep copying)."""
    return dict(vars(result))
