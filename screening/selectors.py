"""Reads that are more than one line."""

from typing import Any

from screening.catalogue import IDENTIFYING_KEYS
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
