"""The queue as CSV: one row per case, identifying columns only for staff allowed to export them.

A cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is
prefixed with an apostrophe, so a patient's "=HYPERLINK(...)" stays text (OWASP "CSV injection").
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from screening.models import Case

COLUMNS = [
    ("reference", lambda c, now: c.intake.reference),
    ("received", lambda c, now: timezone.localtime(c.received_at).strftime("%Y-%m-%d %H:%M")),
    ("submitted", lambda c, now: "yes" if c.intake.submitted_at else "no"),
    ("outcome", lambda c, now: c.outcome),
    ("top_finding", lambda c, now: c.top_finding),
    ("status", lambda c, now: c.status),
    ("close_reason", lambda c, now: c.close_reason),
    ("assignee", lambda c, now: c.assignee.username if c.assignee else ""),
    ("days_waiting", lambda c, now: (now - c.received_at).days),
]
IDENTIFYING_COLUMNS = [
    ("given_name", lambda c, now: c.intake.identity.given_name),
    ("family_name", lambda c, now: c.intake.identity.family_name),
    ("date_of_birth", lambda c, now: c.intake.identity.date_of_birth or ""),
    ("email", lambda c, now: c.intake.identity.email),
    ("phone", lambda c, now: c.intake.identity.phone),
]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def columns(identifiable: bool) -> list:
    return COLUMNS + (IDENTIFYING_COLUMNS if identifiable else [])


class _Echo:
    def write(self, value: str) -> str:
        return value


def rows(cases: QuerySet[Case], *, identifiable: bool, now: datetime | None = None) -> Iterator:
    """The CSV lines, header first, streamed in chunks so a large export does not fill memory."""
    now = now or timezone.now()
    chosen = columns(identifiable)
    writer = csv.writer(_Echo())
    yield writer.writerow([name for name, _value in chosen])
    related = ["intake", "assignee"] + (["intake__identity"] if identifiable else [])
    ordered: Iterable[Case] = (
        cases.select_related(*related)
        .order_by("severity", "received_at", "pk")
        .iterator(chunk_size=2000)
    )
    for case in ordered:
        yield writer.writerow([neutralise(value(case, now)) for _name, value in chosen])
