"""The one list of intake questions: keys, wording, types, choices, branching and safety tiers.

Everything else is derived from it: the step forms and their validation, the check-answers page, the stored
answers and "not asked" markers, and (later) the rules' fact choices, the case view and the exports. Adding a
question is one change in this package; bump QUESTIONNAIRE_VERSION when the list changes, since every intake
stores it. The sections are written in the modules beside this one, in the order patients see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from screening.intake.catalogue.goals import CONSENT, GOALS
from screening.intake.catalogue.health import DAILY_LIFE, HEALTH, WORDING
from screening.intake.catalogue.history import (
    BLOCKS,
    IMAGING,
    TREATMENT_SECTION,
    TREATMENTS,
    scan_of_report,
)
from screening.intake.catalogue.red_flags import SAFETY
from screening.intake.catalogue.retired import NEWLY_BRANCHED, RETIRED, upgrade
from screening.intake.catalogue.schema import (
    SPINAL_LEVELS,
    Kind,
    Page,
    Question,
    Section,
    When,
    filled,
)
from screening.intake.catalogue.you import ABOUT_YOU, PAIN

__all__ = [
    "ADDED_SINCE",
    "FILE_KEYS",
    "IDENTIFYING_KEYS",
    "INDEX",
    "NEWLY_BRANCHED",
    "PAGES",
    "QUESTIONNAIRE_VERSION",
    "QUESTIONS",
    "RETIRED",
    "SECTIONS",
    "SPINAL_LEVELS",
    "TREATMENTS",
    "WORDING",
    "Kind",
    "Page",
    "Question",
    "Section",
    "When",
    "filled",
    "page_by_slug",
    "scan_of_report",
    "section_of",
    "upgrade",
]

QUESTIONNAIRE_VERSION = "2026-12-07.3"
# Older questionnaires whose files still import: the questions added since, which such a file leaves
# unanswered (they are unknown to the rules, never a reason to refuse the file). Their answers to questions
# no longer asked are read through retired.upgrade.
_MERGED = ("scans_done", "mbb_levels", "painful_levels")
ADDED_SINCE: dict[str, tuple[str, ...]] = {
    "2026-11-25.1": ("past_spinal_infection", "interpreter", "interpreter_language", *_MERGED),
    "2026-12-07.1": ("interpreter", "interpreter_language", *_MERGED),
    "2026-12-07.2": _MERGED,
}

SECTIONS: tuple[Section, ...] = (
    ABOUT_YOU,
    PAIN,
    SAFETY,
    IMAGING,
    TREATMENT_SECTION,
    BLOCKS,
    HEALTH,
    DAILY_LIFE,
    GOALS,
    CONSENT,
)


# --- Derived lookups -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Index:
    pages: tuple[Page, ...] = field(default_factory=tuple)
    questions: dict[str, Question] = field(default_factory=dict)
    page_of: dict[str, Page] = field(default_factory=dict)
    section_of: dict[str, Section] = field(default_factory=dict)


def _build_index() -> _Index:
    pages = tuple(page for section in SECTIONS for page in section.pages)
    questions: dict[str, Question] = {}
    page_of: dict[str, Page] = {}
    section_of: dict[str, Section] = {}
    for section in SECTIONS:
        for page in section.pages:
            section_of[page.slug] = section
            for question in page.questions:
                if question.key in questions:
                    raise ValueError(f"Question key {question.key!r} is defined twice")
                questions[question.key] = question
                page_of[question.key] = page
    return _Index(pages=pages, questions=questions, page_of=page_of, section_of=section_of)


INDEX = _build_index()
PAGES = INDEX.pages
QUESTIONS = INDEX.questions
IDENTIFYING_KEYS = tuple(k for k, q in QUESTIONS.items() if q.identifying)
# Files attached (scan reports): rows of their own; each question's answer is how many (selectors)
FILE_KEYS = tuple(k for k, q in QUESTIONS.items() if q.kind == Kind.FILE)


def page_by_slug(slug: str) -> Page | None:
    return next((p for p in PAGES if p.slug == slug), None)


def section_of(page: Page) -> Section:
    return INDEX.section_of[page.slug]
