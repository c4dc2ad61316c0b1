"""Rules over a patient's answers that follow from the catalogue: what is shown, hidden, missing.

Answers are a plain mapping of question key to a JSON value. A question hidden by branching is "not asked":
its answer is cleared, never kept. Pure Python: no database, no clock (the caller passes ``today``).
"""

from datetime import date
from typing import Any

from screening.intake import scoring
from screening.intake.catalogue import INDEX, PAGES, QUESTIONS, Page, Question


def is_answered(value: Any) -> bool:
    return value not in (None, "", [], {})


def context(answers: dict[str, Any], today: date) -> dict[str, Any]:
    """Values that branching may use besides answers: the patient's age."""
    birth = answers.get("date_of_birth")
    age = scoring.age_on(date.fromisoformat(birth), today) if birth else None
    return {"age": age}


# Each question's branching conditions (its page's, then its own), gathered once: every save, check and
# screening asks for every question.
_SHOW_IF = {
    key: (*INDEX.page_of[key].show_if, *question.show_if) for key, question in QUESTIONS.items()
}


def depends_on(key: str) -> set[str]:
    """The answers whether a question is asked depends on."""
    return {w.key for w in _SHOW_IF[key]}


def question_shown(question: Question, answers: dict[str, Any], ctx: dict[str, Any]) -> bool:
    # A question of no page (one no longer asked, or one checked on its own) has only its own conditions
    show_if = (
        _SHOW_IF[question.key] if QUESTIONS.get(question.key) is question else question.show_if
    )
    return all(w.holds(answers, ctx) for w in show_if)


def page_shown(page: Page, answers: dict[str, Any], ctx: dict[str, Any]) -> bool:
    if not all(w.holds(answers, ctx) for w in page.show_if):
        return False
    return any(question_shown(q, answers, ctx) for q in page.questions)


def prune(answers: dict[str, Any], today: date) -> dict[str, Any]:
    """Drop answers to questions that no longer apply, until nothing changes (hiding can cascade)."""
    pruned = {k: v for k, v in answers.items() if k in QUESTIONS and is_answered(v)}
    while True:
        ctx = context(pruned, today)
        hidden = [k for k in pruned if not question_shown(QUESTIONS[k], pruned, ctx)]
        if not hidden:
            return pruned
        for key in hidden:
            del pruned[key]


def _grouped() -> tuple[tuple, list[tuple[tuple[int, ...], list[str]]]]:
    """Every distinct branching condition once, and the questions grouped by the conditions they need (as
    positions in that list), in catalogue order within each group."""
    conditions: dict[int, tuple[int, object]] = {}
    groups: dict[tuple[int, ...], list[str]] = {}
    for key, show_if in _SHOW_IF.items():
        needs = tuple(conditions.setdefault(id(w), (len(conditions), w))[0] for w in show_if)
        groups.setdefault(needs, []).append(key)
    return tuple(w for _n, w in conditions.values()), list(groups.items())


_CONDITIONS, _GROUPS = _grouped()
_ORDER = {key: n for n, key in enumerate(QUESTIONS)}


def not_asked(answers: dict[str, Any], today: date) -> list[str]:
    """Every question that branching hides for these answers, in catalogue order. Each condition is
    weighed once, however many questions share it (this runs on every save and every screening)."""
    ctx = context(answers, today)
    holds = [w.holds(answers, ctx) for w in _CONDITIONS]
    hidden = [key for needs, keys in _GROUPS if not all(holds[n] for n in needs) for key in keys]
    return sorted(hidden, key=_ORDER.__getitem__)


def missing(answers: dict[str, Any], today: date) -> list[Question]:
    """Required questions that apply to this patient and have no answer yet, in catalogue order."""
    ctx = context(answers, today)
    return [
        q
        for q in QUESTIONS.values()
        if q.required and question_shown(q, answers, ctx) and not is_answered(answers.get(q.key))
    ]


def shown_pages(answers: dict[str, Any], today: date) -> list[Page]:
    ctx = context(answers, today)
    return [p for p in PAGES if page_shown(p, answers, ctx)]
