"""The queue as CSV: one row per case, identifying columns only for staff allowed to export them.

Against formula injection (OWASP "CSV injection"): every text cell is quoted; a formula start (= + - @)
at the start of a cell, or after a separator a spreadsheet might split on (comma, semicolon, tab, bar)
or any whitespace, gets an apostrophe before it, so "=HYPERLINK(...)" or "Smith;=2+5;x" opened by Excel
in a locale whose list separator is ";" stays text; a tab becomes a space, so an import that splits on
tabs finds no extra cell. Numbers are written as numbers.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from screening import clock
from screening.casework.models import Case

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
# A formula start at the beginning of the cell or after a separator or whitespace; a carriage return
# that opens the cell.
_FORMULA = re.compile(r"(^|[\s,;|])([=+\-@])|^(\r)")


def neutralise(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).replace("\t", " ")
    return _FORMULA.sub(lambda m: f"{m[1] or ''}'{m[2] or m[3]}", text)


def columns(identifiable: bool) -> list:
    return COLUMNS + (IDENTIFYING_COLUMNS if identifiable else [])


class _Echo:
    def write(self, value: str) -> str:
        return value


def rows(cases: QuerySet[Case], *, identifiable: bool, now: datetime | None = None) -> Iterator:
    """The CSV lines, header first, streamed in chunks so a large export does not fill memory."""
    now = now or clock.now()
    chosen = columns(identifiable)
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_STRINGS)
    yield writer.writerow([name for name, _value in chosen])
    related = ["intake", "assignee"] + (["intake__identity"] if identifiable else [])
    ordered: Iterable[Case] = (
        cases.select_related(*related)
        .order_by("severity", "received_at", "pk")
        .iterator(chunk_size=2000)
    )
    for case in ordered:
        yield writer.writerow([neutralise(value(case, now)) for _name, value in chosen])
