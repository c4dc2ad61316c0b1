"""Questions no longer asked, kept so older intakes stay readable, and how their answers read today.

Questionnaire 2026-12-07.3 (issue 17) asks less: each question below was removed or merged, for the reason
docs/intake.md gives (pending clinician sign-off). An intake answered before keeps its answers as sent; the
case page shows these ones under "Questions no longer asked", in their wording then. ``upgrade`` reads
an older intake's answers in the current questionnaire's terms, so it screens (and imports) as before: the
scans had become one question, the levels of each block one question for all blocks, and the levels a
doctor named are asked (as ``painful_levels``) only of a patient who had surgery.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from screening.intake.catalogue.health import DAILY_LIFE
from screening.intake.catalogue.history import (
    MAX_BLOCKS,
    RELIEF,
    RELIEF_DURATION,
    SCANS,
    TREATMENTS,
)
from screening.intake.catalogue.schema import SPINAL_LEVELS, Kind, Question, ask, filled

_NAMES = {t.key: t.name for t in TREATMENTS}


def _last(key: str) -> Question:
    return ask(
        f"{key}_last",
        _("When did you last have it?"),
        Kind.MONTH_YEAR,
        item=_("the last time you had it"),
        group=_NAMES[key],
    )


def _amount(key: str, label, unit, unit_one) -> Question:
    return ask(
        f"{key}_amount", label, Kind.INTEGER, unit=unit, unit_one=unit_one, group=_NAMES[key]
    )


def _duration(key: str) -> Question:
    return ask(
        f"{key}_relief_duration",
        _("How long did the relief last?"),
        Kind.CHOICE,
        choices=RELIEF_DURATION,
        group=_NAMES[key],
    )


RETIRED_QUESTIONS: tuple[Question, ...] = (
    ask("occupation", _("What is your job or main daily activity?"), Kind.TEXT),
    ask("heavy_lifting", _("Does your work involve heavy lifting?"), Kind.YES_NO),
    ask(
        "pain_side",
        _("Which side is the pain on?"),
        Kind.CHOICE,
        choices=(
            ("left", _("Mostly left")),
            ("right", _("Mostly right")),
            ("both", _("Both sides")),
            ("centre", _("In the middle")),
        ),
    ),
    ask(
        "pain_onset",
        _("How did the pain start?"),
        Kind.CHOICE,
        choices=(
            ("injury", _("After an injury or accident")),
            ("lifting", _("After lifting something")),
            ("gradual", _("Gradually, for no clear reason")),
            ("not_sure", _("I'm not sure")),
        ),
    ),
    ask(
        "spinal_levels",
        _("Has a doctor told you which spinal levels are affected?"),
        Kind.MULTI,
        choices=SPINAL_LEVELS,
    ),
    ask("morning_stiffness", _("Is your back or neck stiff in the morning?"), Kind.YES_NO),
    ask(
        "stiffness_duration",
        _("How long does the morning stiffness last?"),
        Kind.CHOICE,
        choices=(
            ("under_30", _("Less than 30 minutes")),
            ("30_to_60", _("30 minutes to an hour")),
            ("over_60", _("More than an hour")),
        ),
    ),
    ask(
        "pain_turning_night",
        _("Does the pain wake you at night or when you turn in bed?"),
        Kind.YES_NO,
    ),
    ask(
        "pain_twist_extend",
        _("Is the pain worse when you twist or lean backwards?"),
        Kind.YES_NO,
    ),
    ask("xray_done", _("Have you had an X-ray of your spine?"), Kind.YES_NO_UNSURE),
    ask("xray_when", _("When was your most recent X-ray?"), Kind.MONTH_YEAR),
    ask("mri_done", _("Have you had an MRI scan of your spine?"), Kind.YES_NO_UNSURE),
    ask("ct_done", _("Have you had a CT scan of your spine?"), Kind.YES_NO_UNSURE),
    _amount("nsaids", _("For how many weeks did you take them?"), _("weeks"), _("week")),
    _duration("nsaids"),
    _last("muscle_relaxants"),
    _amount("muscle_relaxants", _("For how many weeks did you take them?"), _("weeks"), _("week")),
    _duration("muscle_relaxants"),
    _last("physical_therapy"),
    _duration("physical_therapy"),
    _last("chiropractic"),
    _duration("chiropractic"),
    _amount(
        "facet_steroid", _("How many injections did you have?"), _("injections"), _("injection")
    ),
    _amount("epidural", _("How many injections did you have?"), _("injections"), _("injection")),
    _last("mbb"),
    ask(
        "mbb_relief",
        _("How much did it help?"),
        Kind.CHOICE,
        choices=RELIEF,
        group=_NAMES["mbb"],
    ),
    _duration("mbb"),
    _duration("surgery"),
    *(
        ask(
            f"block_{n}_levels",
            _("Which levels were blocked?"),
            Kind.MULTI,
            choices=SPINAL_LEVELS,
            group=filled(_("Block %(number)s"), number=n),
        )
        for n in range(1, MAX_BLOCKS + 1)
    ),
    ask("diabetes", _("Do you have diabetes?"), Kind.YES_NO_UNSURE),
    ask(
        "smoking",
        _("Do you smoke?"),
        Kind.CHOICE,
        choices=(("never", _("No, never")), ("former", _("I used to")), ("current", _("Yes"))),
    ),
    ask(
        "therapies_interest",
        _("Which therapies are you curious about?"),
        Kind.MULTI,
        choices=(
            ("prp", _("Platelet-rich plasma (PRP)")),
            ("adipose_cells", _("Cells from your own fat")),
            ("bone_marrow_cells", _("Cells from your own bone marrow")),
            ("umbilical_cells", _("Umbilical cord (Wharton's jelly) cells")),
            ("hydrodissection", _("Hydrodissection")),
            ("not_sure", _("I'm not sure")),
        ),
    ),
    ask(
        "heard_from",
        _("How did you hear about us?"),
        Kind.CHOICE,
        choices=(
            ("doctor", _("My doctor")),
            ("search", _("Internet search")),
            ("social", _("Social media")),
            ("friend", _("A friend or relative")),
            ("advert", _("An advert")),
            ("other", _("Somewhere else")),
        ),
    ),
)
RETIRED: dict[str, Question] = {q.key: q for q in RETIRED_QUESTIONS}

_SCAN_KEYS = tuple(f"{key}_done" for key, _name in SCANS)
_BLOCK_LEVELS = tuple(f"block_{n}_levels" for n in range(1, MAX_BLOCKS + 1))
_LEVEL_ORDER = [code for code, _label in SPINAL_LEVELS]


def upgrade(answers: dict[str, Any]) -> dict[str, Any]:
    """An older intake's answers with the current questionnaire's merged questions worked out from the
    ones they replaced (the answers as sent stay as they are). Current answers come back unchanged."""
    if not RETIRED.keys() & answers.keys():
        return answers
    upgraded = dict(answers)
    if "scans_done" not in upgraded and all(k in upgraded for k in _SCAN_KEYS):
        done = [key for key, _name in SCANS if upgraded.get(f"{key}_done") == "yes"]
        unsure = any(upgraded.get(k) == "not_sure" for k in _SCAN_KEYS)
        upgraded["scans_done"] = done or (["not_sure"] if unsure else ["none"])
    if "mbb_levels" not in upgraded and any(upgraded.get(k) for k in _BLOCK_LEVELS):
        levels = {code for k in _BLOCK_LEVELS for code in upgraded.get(k) or ()}
        known = levels - {"not_sure"}
        upgraded["mbb_levels"] = sorted(known or levels, key=_LEVEL_ORDER.index)
    tried = upgraded.get("treatments_tried") or ()
    if "painful_levels" not in upgraded and upgraded.get("spinal_levels") and "surgery" in tried:
        upgraded["painful_levels"] = upgraded["spinal_levels"]
    return upgraded


# Questions still asked whose branching questionnaire 2026-12-07.3 narrowed: an older intake's answers to
# them stay as sent where today's branching would not ask them (the daily-life questions of a patient with
# under 3 months of pain). Other answers that do not apply are refused from a file, as ever.
NEWLY_BRANCHED = frozenset(q.key for page in DAILY_LIFE.pages for q in page.questions)
