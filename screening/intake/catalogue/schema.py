"""The shapes the catalogue is written in: question kinds, branching conditions, questions, pages, sections."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


class Kind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    EMAIL = "email"
    PHONE = "phone"
    INTEGER = "integer"
    SCALE = "scale"  # 0-10 pain score, radios
    DATE = "date"  # day, month, year
    MONTH_YEAR = "month_year"  # for dates people half-remember
    CHOICE = "choice"
    MULTI = "multi"
    YES_NO = "yes_no"
    YES_NO_UNSURE = "yes_no_unsure"
    CONSENT = "consent"
    HEIGHT = "height"  # {"cm": 170} or {"ft": 5, "in": 10}
    WEIGHT = "weight"  # {"kg": 80} or {"lb": 176}
    FILE = "file"  # files attached (scan reports); the answer is how many, the files are ScanReport rows


YES_NO = (("yes", _("Yes")), ("no", _("No")))
YES_NO_UNSURE = (("yes", _("Yes")), ("no", _("No")), ("not_sure", _("I'm not sure")))


@dataclass(frozen=True)
class When:
    """Show a question only when another answer (or the patient's age) fits: branching as data."""

    key: str
    op: str  # eq, in, contains, contains_any, gte, lt
    value: Any

    def holds(self, answers: dict[str, Any], context: dict[str, Any]) -> bool:
        actual = context.get(self.key) if self.key in context else answers.get(self.key)
        if actual is None:
            return False
        match self.op:
            case "eq":
                return actual == self.value
            case "in":
                return actual in self.value
            case "contains":
                return isinstance(actual, list) and self.value in actual
            case "contains_any":
                return isinstance(actual, list) and any(v in actual for v in self.value)
            case "gte":
                return isinstance(actual, int | float) and actual >= self.value
            case "lt":
                return isinstance(actual, int | float) and actual < self.value
        raise ValueError(f"Unknown branching operator {self.op!r}")


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: Kind
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = True
    hint: str = ""
    show_if: tuple[When, ...] = ()  # all must hold
    identifying: bool = False  # stored apart from clinical answers
    min_value: int | None = None
    max_value: int | None = None
    exclusive: tuple[str, ...] = ()  # MULTI choices that cannot be ticked with others
    error_required: str = ""  # what to do when it is left empty, in the question's own words
    safety_tier: int | None = None  # red-flag tier of clinical.md section 1
    # A red flag in the patient's own words, as a sentence for what to tell the emergency department or
    # a doctor ("I have weakness in both legs"): a symptom or event, never a possible diagnosis
    tell: str = ""
    # What a number or a date answers, for messages that name it: "how many blocks you have had",
    # "your most recent MRI scan" (the question's own words; with a group, after its name)
    item: str = ""
    autocomplete: str = ""
    unit: str = ""  # shown after a number, and in the check-answers page
    unit_one: str = ""  # the unit after the number 1 ("1 month"), where it differs
    group: str = ""  # a sub-heading on the page, e.g. one treatment of several

    @property
    def has_choices(self) -> bool:
        return bool(self.choices)

    def choice_label(self, code: str) -> str:
        return str(dict(self.choices).get(code, code))


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    questions: tuple[Question, ...]
    intro: str = ""
    show_if: tuple[When, ...] = ()
    notice: str = ""  # e.g. that the instruments' wording is demo wording
    links_privacy_notice: bool = False  # the page asks to agree to it: link it where it is agreed
    # The page's consents are one group of boxes, each to be ticked, under this legend
    consent_legend: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    pages: tuple[Page, ...]
    # Details of the section before it (the blocks, of the treatments): reached from it straight on
    follows_on: bool = False


def filled(template, **params):
    """A translated template with its blanks filled in when it is shown, so each language gets its own."""
    return lazy(lambda: str(template) % {k: str(v) for k, v in params.items()}, str)()


_DEFAULT_CHOICES = {Kind.YES_NO: YES_NO, Kind.YES_NO_UNSURE: YES_NO_UNSURE}


def ask(key: str, label, kind: Kind, **kwargs) -> Question:
    """A question, with the yes/no choices filled in from its kind."""
    kwargs.setdefault("choices", _DEFAULT_CHOICES.get(kind, ()))
    return Question(key=key, label=label, kind=kind, **kwargs)


SPINAL_LEVELS = (
    ("c2_c3", "C2-C3"),
    ("c3_c4", "C3-C4"),
    ("c4_c5", "C4-C5"),
    ("c5_c6", "C5-C6"),
    ("c6_c7", "C6-C7"),
    ("c7_t1", "C7-T1"),
    ("thoracic", _("Mid back (thoracic)")),
    ("l1_l2", "L1-L2"),
    ("l2_l3", "L2-L3"),
    ("l3_l4", "L3-L4"),
    ("l4_l5", "L4-L5"),
    ("l5_s1", "L5-S1"),
    ("not_sure", _("I'm not sure")),
)
