"""Reads of an intake that are more than one line: the answers as one mapping, by section, the blocks."""

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.db.models import Count, IntegerField, Value
from django.utils.translation import get_language

from screening.intake import branching as ans
from screening.intake.answer_display import display_value
from screening.intake.catalogue import (
    ADDED_SINCE,
    IDENTIFYING_KEYS,
    QUESTIONS,
    RETIRED,
    SECTIONS,
    page_by_slug,
    upgrade,
)
from screening.intake.catalogue.history import MAX_BLOCKS
from screening.intake.models import Consent, Intake, ScanReport


def load_answers(
    intake: Intake,
    consents: Iterable[str] | None = None,
    files: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The patient's answers as one mapping: clinical answers plus identifying details.

    ``consents`` are the kinds of the intake's Consent rows, and ``files`` the number of files attached
    to each upload question, when the caller read them already (else one query reads both)."""
    answers = dict(upgrade(intake.answers))  # an older questionnaire's, in today's questions too
    if consents is None or files is None:
        read_consents, read_files = _consents_and_files(intake)
        consents = read_consents if consents is None else consents
        files = read_files if files is None else files
    # Consents are recorded as Consent rows (with version and time), not as answers.
    for kind in consents:
        answers[kind] = True
    # Files attached are rows too: each upload question's answer is how many (none: not answered)
    answers |= files
    identity = getattr(intake, "identity", None)
    if identity is not None:
        for key in IDENTIFYING_KEYS:
            value = getattr(identity, key)
            if key == "date_of_birth" and value is not None:
                value = value.isoformat()
            if value not in (None, ""):
                answers[key] = value
    return answers


def _consents_and_files(intake: Intake) -> tuple[list[str], dict[str, int]]:
    """The kinds of consent the intake holds, and how many files each upload question has: one query."""
    if intake.pk is None:
        return [], {}
    return consents_and_files([intake]).get(intake.pk, ([], {}))


def consents_and_files(
    intakes: Iterable[Intake],
) -> dict[int, tuple[list[str], dict[str, int]]]:
    """For each intake (by id): the kinds of consent it holds and the files of each upload question, in
    one query however many intakes (a batch of a re-screen or a preview)."""
    consents = Consent.objects.filter(intake__in=intakes).values_list(
        "intake_id", "kind", Value(None, IntegerField())
    )
    files = (
        ScanReport.objects.filter(intake__in=intakes)
        .order_by()
        .values("intake_id", "question")
        .annotate(n=Count("id"))
        .values_list("intake_id", "question", "n")
    )
    read: dict[int, tuple[list[str], dict[str, int]]] = {}
    for intake_id, key, n in consents.order_by().union(files, all=True):
        kinds, counts = read.setdefault(intake_id, ([], {}))
        if n is None:
            kinds.append(key)
        else:
            counts[key] = n
    return read


@lru_cache(maxsize=8)
def _wording(language: str) -> dict[str, tuple[str, str]]:
    """Each question's label and group, and each section's title, as text in ``language``: the
    catalogue's wording is fixed for a process, so it is translated once, not on every row of every
    case page."""
    wording = {q.key: (str(q.label), str(q.group or "")) for q in QUESTIONS.values()}
    return wording | {f"section:{s.title}": (str(s.title), "") for s in SECTIONS}


# The words of a question that has no answer (the page styles each state by its row's class): a required
# question left empty (a draft), an optional one skipped, one that branching did not ask.
_NOT_ASKED, _UNANSWERED, _SKIPPED = "Not asked", "Not answered yet", "Not answered"
NO_LONGER_ASKED = "Questions no longer asked (an older questionnaire)"


def answers_by_section(intake: Intake, day, stored: dict[str, Any] | None = None) -> list[dict]:
    """Every question by section as the patient saw them, as the text the case page shows (label, group,
    value and state: answered, unanswered, or skipped when optional); each section's questions that
    branching did not ask apart (``not_asked``), for a disclosure.

    A submitted intake's "not asked" list is the one frozen at submission; a draft's is worked out now.
    """
    stored = load_answers(intake) if stored is None else stored
    not_asked = set(ans.not_asked(stored, day))
    if intake.is_submitted:
        # The list frozen at submission; a question its questionnaire did not have yet is judged now
        added = not_asked & set(ADDED_SINCE.get(intake.questionnaire_version, ()))
        not_asked = set(intake.not_asked) | added
    wording = _wording(get_language())
    sections = []
    for section in SECTIONS:
        rows, hidden = [], []
        for page in section.pages:
            for q in page.questions:
                value = stored.get(q.key)
                label, group = wording[q.key]
                if q.key in not_asked and not ans.is_answered(value):
                    hidden.append({"label": label, "group": group, "text": _NOT_ASKED})
                    continue
                if ans.is_answered(value):
                    state, text = "answered", display_value(q, value)
                elif q.required:
                    state, text = "unanswered", _UNANSWERED
                else:
                    state, text = "skipped", _SKIPPED
                rows.append({"label": label, "group": group, "text": text, "state": state})
        if rows:
            title = wording[f"section:{section.title}"][0]
            sections.append({"title": title, "rows": rows, "not_asked": hidden})
    # An older questionnaire's answers to questions no longer asked, in their wording then
    retired = [
        {
            "label": str(q.label),
            "group": str(q.group or ""),
            "text": display_value(q, stored[key]),
            "state": "answered",
        }
        for key, q in RETIRED.items()
        if ans.is_answered(stored.get(key))
    ]
    if retired:
        sections.append({"title": NO_LONGER_ASKED, "rows": retired, "not_asked": []})
    return sections


def block_table(stored: dict[str, Any]) -> dict | None:
    """The medial branch blocks as a table: a row per block the patient described, a column per
    question of a block (the catalogue's block questions, so a new one appears here by itself)."""
    columns = [q for q in page_by_slug("block-1").questions if q.key.startswith("block_1_")]
    rows = []
    for n in range(1, MAX_BLOCKS + 1):
        keys = [q.key.replace("block_1_", f"block_{n}_", 1) for q in columns]
        if not any(ans.is_answered(stored.get(k)) for k in keys):
            continue
        rows.append(
            {
                "number": n,
                "month": stored.get(f"block_{n}_date") or "",
                "cells": [display_value(QUESTIONS[k], stored.get(k)) for k in keys],
            }
        )
    # In the order they were had (older questionnaires numbered them most recent first); undated last.
    rows.sort(key=lambda row: (not row["month"], row["month"], row["number"]))
    return {"columns": [q.label for q in columns], "rows": rows} if rows else None
