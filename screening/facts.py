"""Values derived from a patient's answers at submission: age, height, weight, BMI, pain bands, ODI, STarT Back.

Pure Python over the answers mapping; each score carries its formula version. The screening rules read these
beside the answers.
"""

from datetime import date
from typing import Any

from screening import instruments, scoring
from screening.answers import context


def height_cm(value: dict | None) -> float | None:
    if not value:
        return None
    if "cm" in value:
        return float(value["cm"])
    return scoring.feet_inches_to_cm(value.get("ft", 0), value.get("in", 0))


def weight_kg(value: dict | None) -> float | None:
    if not value:
        return None
    if "kg" in value:
        return float(value["kg"])
    return scoring.pounds_to_kg(value["lb"])


def derived_values(answers: dict[str, Any], today: date) -> dict[str, Any]:
    derived: dict[str, Any] = {"age": context(answers, today)["age"]}
    height, weight = height_cm(answers.get("height")), weight_kg(answers.get("weight"))
    derived["height_cm"], derived["weight_kg"] = height, weight
    derived["bmi"] = scoring.as_dict(scoring.bmi(height, weight)) if height and weight else None
    derived["nrs"] = {
        key: {"score": answers[key], "band": scoring.nrs_band(answers[key])}
        for key in ("pain_now", "pain_average", "pain_worst")
        if answers.get(key) is not None
    } | {"version": scoring.NRS_VERSION}
    odi_scores = {
        key: int(answers[f"odi_{key}"]) if answers.get(f"odi_{key}") is not None else None
        for key in instruments.ODI_SECTIONS
    }
    derived["odi"] = scoring.as_dict(scoring.odi(odi_scores))
    items: list[int | None] = []
    for key in instruments.STARTBACK_ITEMS:
        raw = answers.get(f"startback_{key}")
        if raw is None:
            items.append(None)
        elif key == "item_9":
            items.append(scoring.startback_bother_score(int(raw)))
        else:
            items.append(int(raw))
    derived["startback"] = scoring.as_dict(scoring.startback(items))
    return derived


def body_is_unlikely(answers: dict[str, Any]) -> bool:
    """Height and weight that are possible but unusual enough to ask "is this right?" (UX.md)."""
    height, weight = height_cm(answers.get("height")), weight_kg(answers.get("weight"))
    if height is None or weight is None:
        return False
    body_mass = scoring.bmi(height, weight).value
    return not (140 <= height <= 210 and 40 <= weight <= 180 and 16 <= body_mass <= 50)
