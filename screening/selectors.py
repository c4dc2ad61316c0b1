"""Reads that are more than one line."""

from typing import Any

from screening import answers as ans
from screening.catalogue import IDENTIFYING_KEYS, SECTIONS
from screening.display import display_value
from screening.models import Intake


def load_answers(intake: Intake) -> dict[str, Any]:
    """The patient's answers as one mapping: clinical answers plus identifying details."""
    answers = dict(intake.answers)
    # Consents are recorded as Consent rows (with version and time), not as answers.
    for kind in intake.consents.values_list("kind", flat=True):
        answers[kind] = True
    identity = getattr(intake, "identity", None)
    if identity is not None:
        for key in IDENTIFYING_KEYS:
            value = getattr(identity, key)
            if key == "date_of_birth" and value is not None:
                value = value.isoformat()
            if value not in (None, ""):
                answers[key] = value
    return answers


def answers_by_section(intake: Intake, day) -> list[dict]:
    """Every question by section as the patient saw them, each answered, unanswered or not asked.

    A submitted intake's "not asked" list is the one frozen at submission; a draft's is worked out now.
    """
    stored = load_answers(intake)
    not_asked = set(intake.not_asked if intake.is_submitted else ans.not_asked(stored, day))
    sections = []
    for section in SECTIONS:
        rows = []
        for page in section.pages:
            for q in page.questions:
                value = stored.get(q.key)
                if q.key in not_asked:
                    state = "not_asked"
                elif ans.is_answered(value):
                    state = "answered"
                else:
                    state = "unanswered"
                rows.append({"question": q, "value": display_value(q, value), "state": state})
        if any(row["state"] != "not_asked" for row in rows):
            sections.append({"section": section, "rows": rows})
    return sections
