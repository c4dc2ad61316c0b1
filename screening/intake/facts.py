"""From a patient's answers to the facts the screening rules read.

``derived_values``: age, height, weight, BMI, pain bands, ODI and STarT Back, each score with its formula
version (stored on the intake at submission). ``engine_facts``: answers, "not asked" markers and derived
values (months since each treatment, best block relief, ...) as the rules engine reads them.
"""

from datetime import date
from functools import cache
from typing import Any

from django.utils import translation

from screening.intake import instruments, scoring
from screening.intake.branching import context, not_asked
from screening.intake.catalogue import INDEX, QUESTIONS, RETIRED, Kind, section_of, upgrade
from screening.intake.catalogue.history import MAX_BLOCKS, TREATMENTS
from screening.intake.staff_wording import STAFF_CHOICES_OF, staff_choices, staff_label
from screening.rules.terms import NOT_ASKED, FactSpec, FactType


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


# --- The facts the screening rules read ------------------------------------------------------------
# Every question of the catalogue (except identifying details and consents) is a fact, plus the derived
# values below. The rule editor offers exactly these, by label.
CONSERVATIVE_CARE = ("nsaids", "muscle_relaxants", "physical_therapy", "chiropractic")
_KIND_TO_FACT = {
    Kind.TEXT: FactType.TEXT,
    Kind.LONG_TEXT: FactType.TEXT,
    Kind.INTEGER: FactType.NUMBER,
    Kind.SCALE: FactType.NUMBER,
    Kind.DATE: FactType.DATE,
    Kind.MONTH_YEAR: FactType.MONTH,
    Kind.CHOICE: FactType.CHOICE,
    Kind.YES_NO: FactType.CHOICE,
    Kind.YES_NO_UNSURE: FactType.CHOICE,
    Kind.MULTI: FactType.MULTI,
    Kind.FILE: FactType.NUMBER,  # how many files are attached: "not answered" when none
}

_YES_NO = (("yes", "Yes"), ("no", "No"))


def _derived(key: str, label: str, *, unit: str = "", choices=()) -> FactSpec:
    kind = FactType.CHOICE if choices else FactType.NUMBER
    codes = frozenset(code for code, _label in choices)
    return FactSpec(key, kind, codes, label=label, choice_labels=tuple(choices), unit=unit)


DERIVED_FACTS: tuple[FactSpec, ...] = (
    _derived("age", "Age", unit="years"),
    _derived("height_cm", "Height", unit="cm"),
    _derived("weight_kg", "Weight", unit="kg"),
    _derived("bmi", "BMI"),
    _derived("odi_percent", "Oswestry Disability Index", unit="%"),
    _derived(
        "startback_risk",
        "STarT Back risk group",
        choices=(("low", "Low"), ("medium", "Medium"), ("high", "High")),
    ),
    _derived("block_count", "Number of diagnostic blocks"),
    _derived("best_block_relief", "Best block relief", unit="%"),
    _derived("second_best_block_relief", "Second-best block relief", unit="%"),
    _derived(
        "block_relief_ratio",
        "Bupivacaine block relief, in times the lidocaine block's (lowest pair)",
    ),
    _derived(
        "conservative_care_failed",
        "Conservative care failed",  # NSAIDs, muscle relaxants, physical therapy or chiropractic
        choices=(
            ("yes", "Yes (no good relief)"),
            ("no", "No, it helped"),
            ("not_tried", "Not tried"),
        ),
    ),
    _derived("surgery_at_painful_level", "Surgery or fusion at a painful level", choices=_YES_NO),
    *(
        _derived(f"months_since_{t.key}", f"{name}, time since the last", unit="months")
        for t in TREATMENTS
        for name in [STAFF_CHOICES_OF["treatments_tried"].get(t.key) or t.name]
    ),
)
# Worked out from a question no longer asked (retired.py): kept so a rule naming one still compiles (it is
# "not asked" for a new intake), never offered in the rule editor.
_DATED = {t.key for t in TREATMENTS if t.asks_last} | {"mbb"}
RETIRED_DERIVED = frozenset(f"months_since_{t.key}" for t in TREATMENTS if t.key not in _DATED)
_BLOCK_DATES = tuple(f"block_{n}_date" for n in range(1, MAX_BLOCKS + 1))


# The questions each derived fact is computed from: a page answering them may change the fact.
_BLOCK_RELIEFS = tuple(f"block_{n}_relief_percent" for n in range(1, MAX_BLOCKS + 1))
DERIVED_FROM: dict[str, tuple[str, ...]] = {
    "age": ("date_of_birth",),
    "height_cm": ("height",),
    "weight_kg": ("weight",),
    "bmi": ("height", "weight"),
    "odi_percent": tuple(f"odi_{k}" for k in instruments.ODI_SECTIONS),
    "startback_risk": tuple(f"startback_{k}" for k in instruments.STARTBACK_ITEMS),
    "block_count": ("treatments_tried", "mbb_amount"),
    "best_block_relief": ("treatments_tried", *_BLOCK_RELIEFS),
    "block_relief_ratio": (
        "treatments_tried",
        *(
            f"block_{n}_{part}"
            for n in range(1, MAX_BLOCKS + 1)
            for part in ("medicine", "relief_hours")
        ),
    ),
    "surgery_at_painful_level": (
        "treatments_tried",
        "surgery_amount",
        "painful_levels",
        "mbb_levels",
    ),
    "second_best_block_relief": ("treatments_tried", *_BLOCK_RELIEFS),
    "conservative_care_failed": ("treatments_tried", *(f"{t}_relief" for t in CONSERVATIVE_CARE)),
    **{
        f"months_since_{t.key}": ("treatments_tried", f"{t.key}_last")
        for t in TREATMENTS
        if t.asks_last
    },
    "months_since_mbb": ("treatments_tried", *_BLOCK_DATES),
}


def page_of(key: str):
    return INDEX.page_of[key]


def source_questions(fact: str) -> tuple[str, ...]:
    return DERIVED_FROM.get(fact, (fact,))


@cache
def fact_specs() -> dict[str, FactSpec]:
    """Every fact a rule may name: the catalogue's questions and the derived values, in staff's words
    (English: staff read English whatever the patient's language). Built once per process; shared, so
    read it and never change it."""
    specs = {}
    with translation.override("en"):
        for q in (*QUESTIONS.values(), *RETIRED.values()):
            if q.identifying or q.kind not in _KIND_TO_FACT:
                continue
            specs[q.key] = FactSpec(
                q.key,
                _KIND_TO_FACT[q.kind],
                frozenset(c for c, _l in q.choices),
                label=staff_label(q),
                choice_labels=staff_choices(q),
                unit=_UNITS.get(q.key, str(q.unit)),
            )
    specs |= {spec.key: spec for spec in DERIVED_FACTS}
    return specs


_UNITS = {"pain_months": "months"}


@cache
def fact_groups() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The facts a rule may name, for the rule editor's picker: grouped by intake section in the patient's
    order, each as the staff label with the question's wording where it says more ("Saddle numbness
    (Numbness around your bottom, ...?)"), a repeated question after what it belongs to ("Physical
    therapy: How much did it help?"); derived facts in the section of the answers they are worked out
    from, marked so. English, like fact_specs."""
    specs = fact_specs()
    groups: dict[str, list[tuple[str, str]]] = {}
    with translation.override("en"):
        for key, question in QUESTIONS.items():
            if key not in specs:
                continue
            label, wording = specs[key].label, str(question.label)
            if question.group and ":" in label:  # a repeated question: what it belongs to first
                shown = f"{label.split(':')[0]}: {wording}"
            elif wording.lower() in label.lower():
                shown = label
            else:
                shown = f"{label} ({wording})"
            groups.setdefault(str(section_of(page_of(key)).title), []).append((key, shown))
        for spec in DERIVED_FACTS:
            if spec.key in RETIRED_DERIVED:
                continue
            source = DERIVED_FROM.get(spec.key, ())[-1:]
            section = str(section_of(page_of(source[0])).title) if source else "Worked out"
            unit = f", in {spec.unit}" if spec.unit else ""
            groups.setdefault(section, []).append((spec.key, f"{spec.label} (worked out{unit})"))
    return tuple((title, tuple(items)) for title, items in groups.items())


def months_between(month: str, today: date) -> int:
    """Whole months from a "YYYY-MM" answer to ``today``."""
    year, number = int(month[:4]), int(month[5:7])
    return (today.year - year) * 12 + today.month - number


_CLINICAL = frozenset(
    key for key, question in (*QUESTIONS.items(), *RETIRED.items()) if not question.identifying
)


def engine_facts(
    answers: dict[str, Any],
    today: date,
    *,
    hidden: list[str] | None = None,
    derived: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The frozen facts of one intake for the engine: answers, NOT_ASKED markers and derived values.

    ``hidden`` and ``derived`` are ``not_asked`` and ``derived_values`` of the same answers and day, when
    the caller has them already (a bulk writer stores them too)."""
    answers = upgrade(answers)  # an older questionnaire's answers, in today's questions
    hidden = not_asked(answers, today) if hidden is None else hidden
    facts: dict[str, Any] = dict.fromkeys(RETIRED, NOT_ASKED) | dict.fromkeys(hidden, NOT_ASKED)
    facts |= {k: v for k, v in answers.items() if k in _CLINICAL}
    derived = derived_values(answers, today) if derived is None else derived
    facts["age"], facts["height_cm"], facts["weight_kg"] = (
        derived["age"],
        derived["height_cm"],
        derived["weight_kg"],
    )
    facts["bmi"] = derived["bmi"]["value"] if derived["bmi"] else None
    facts["odi_percent"] = derived["odi"]["percent"]
    risk = derived["startback"]["risk"]
    facts["startback_risk"] = None if risk == "not_scored" else risk

    tried = answers.get("treatments_tried")
    for t in TREATMENTS:
        last = answers.get(f"{t.key}_last")
        if (
            t.key == "mbb"
        ):  # the most recent block's month (older questionnaires asked it apart too)
            months = [answers[k] for k in (*_BLOCK_DATES, "mbb_last") if answers.get(k)]
            last = max(months, default=None)
        if f"months_since_{t.key}" in RETIRED_DERIVED and not last:
            facts[f"months_since_{t.key}"] = NOT_ASKED  # no longer asked (an older intake may say)
        elif tried is None:
            facts[f"months_since_{t.key}"] = None
        elif t.key not in tried:
            facts[f"months_since_{t.key}"] = NOT_ASKED
        else:
            facts[f"months_since_{t.key}"] = months_between(last, today) if last else None
    facts |= _block_facts(answers, tried)
    facts["block_relief_ratio"] = _block_relief_ratio(answers, tried)
    facts["surgery_at_painful_level"] = _surgery_at_painful_level(answers, tried)
    facts["conservative_care_failed"] = _conservative_care(answers, tried)
    return facts


def _block_relief_ratio(answers: dict[str, Any], tried: list | None) -> Any:
    """For each pair of a lidocaine and a bupivacaine block, how many times longer the bupivacaine
    block's relief lasted; the lowest pair's (clinical.md section 2, comparative blocks). Not asked
    when it cannot be assessed: no blocks, one block, or no pair of the two medicines."""
    if tried is None:
        return None
    if "mbb" not in tried:
        return NOT_ASKED
    blocks = [
        (answers.get(f"block_{n}_medicine"), answers.get(f"block_{n}_relief_hours"))
        for n in range(1, MAX_BLOCKS + 1)
    ]
    short = [hours for medicine, hours in blocks if medicine == "lidocaine"]
    long = [hours for medicine, hours in blocks if medicine == "bupivacaine"]
    if not short or not long:
        return NOT_ASKED
    if None in short or None in long:
        return None
    # Relief that lasted no time after lidocaine: any relief after bupivacaine lasted longer.
    ratios = [b / s if s else (2.0 if b else 1.0) for s in short for b in long]
    return round(min(ratios), 2)


def _surgery_at_painful_level(answers: dict[str, Any], tried: list | None) -> Any:
    """Whether spinal surgery was at a level that hurts: the surgery's levels against the levels a doctor
    named and the levels blocked. Unknown when either side is not known."""
    if tried is None:
        return None
    if "surgery" not in tried:
        return NOT_ASKED
    operated = set(answers.get("surgery_amount") or ()) - {"not_sure"}
    painful = set(answers.get("painful_levels") or ()) | set(answers.get("mbb_levels") or ())
    painful -= {"not_sure"}
    if not operated or not painful:
        return None
    return "yes" if operated & painful else "no"


def _block_facts(answers: dict[str, Any], tried: list | None) -> dict[str, Any]:
    if tried is None:
        return {"block_count": None, "best_block_relief": None, "second_best_block_relief": None}
    if "mbb" not in tried:
        return {
            "block_count": 0,
            "best_block_relief": NOT_ASKED,
            "second_best_block_relief": NOT_ASKED,
        }
    count = answers.get("mbb_amount")
    reliefs = sorted(
        (
            answers[f"block_{n}_relief_percent"]
            for n in range(1, MAX_BLOCKS + 1)
            if answers.get(f"block_{n}_relief_percent") is not None
        ),
        reverse=True,
    )
    return {
        "block_count": count,
        "best_block_relief": reliefs[0] if reliefs else None,
        "second_best_block_relief": reliefs[1]
        if len(reliefs) > 1
        else (NOT_ASKED if count == 1 else None),
    }


def _conservative_care(answers: dict[str, Any], tried: list | None) -> str | None:
    if tried is None:
        return None
    used = [t for t in CONSERVATIVE_CARE if t in tried]
    if not used:
        return "not_tried"
    reliefs = [answers.get(f"{t}_relief") for t in used]
    if "good" in reliefs:
        return "no"
    return None if None in reliefs else "yes"
