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

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from screening import clock
from screening.casework.models import Case
from screening.intake import language
from screening.intake.models import ScanReport
from screening.rules import outcomes

_OUTCOMES = dict(outcomes.CASE_CHOICES)
_STATUSES = dict(Case.Status.choices)
_REASONS = dict(Case.CloseReason.choices)


def _outcome(case: Case) -> str:
    label = _OUTCOMES.get(case.outcome, case.outcome)
    return f"{label}, tier {case.tier}" if case.tier else label


def _interpreter(answers: dict) -> str:
    """ "Yes", "No", or empty when the patient has not answered (a draft). The language they typed is
    free text, so it goes with the identifying columns."""
    return {"yes": "Yes", "no": "No"}.get(answers.get("interpreter"), "")


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


# Header -> value, as a person reads them; then the codes, for machines (an import, a pivot table).
COLUMNS = [
    ("Reference", lambda c, now: c.intake.reference),
    ("Received", lambda c, now: timezone.localtime(c.received_at).strftime("%Y-%m-%d %H:%M")),
    ("Sent by the patient", lambda c, now: "Yes" if c.intake.submitted_at else "No"),
    ("Outcome", lambda c, now: _outcome(c)),
    ("Top finding", lambda c, now: c.top_finding),
    ("Not for specialist review because", lambda c, now: c.why_not_review),
    ("Status", lambda c, now: str(_STATUSES.get(c.status, c.status))),
    ("Closed because", lambda c, now: str(_REASONS.get(c.close_reason, c.close_reason))),
    ("Assigned to", lambda c, now: _person(c.assignee)),
    ("Days waiting", lambda c, now: (now - c.received_at).days),
    ("Form language", lambda c, now: language.in_english(c.intake.language)),
    ("Interpreter needed", lambda c, now: _interpreter(c.intake.answers)),
    # How many scan reports are attached; a file itself is never in an export
    ("Scan reports attached", lambda c, now: c.report_files or 0),
    ("outcome_code", lambda c, now: c.outcome),
    ("tier", lambda c, now: c.tier if c.tier is not None else ""),
    ("status_code", lambda c, now: c.status),
    ("close_reason_code", lambda c, now: c.close_reason),
    ("assignee_username", lambda c, now: c.assignee.username if c.assignee else ""),
    ("language_code", lambda c, now: c.intake.language),
]
IDENTIFYING_COLUMNS = [
    ("Given name", lambda c, now: c.intake.identity.given_name),
    ("Family name", lambda c, now: c.intake.identity.family_name),
    ("Date of birth", lambda c, now: c.intake.identity.date_of_birth or ""),
    ("E-mail", lambda c, now: c.intake.identity.email),
    ("Phone", lambda c, now: c.intake.identity.phone),
    ("Interpreter language", lambda c, now: c.intake.answers.get("interpreter_language", "")),
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
    files = (
        ScanReport.objects.filter(intake=OuterRef("intake"))
        .order_by()
        .values("intake")
        .annotate(n=Count("id"))
        .values("n")
    )
    ordered: Iterable[Case] = (
        cases.select_related(*related)
        .annotate(report_files=Subquery(files))
        .order_by("severity", "received_at", "pk")
        .iterator(chunk_size=2000)
    )
    for case in ordered:
        yield writer.writerow([neutralise(value(case, now)) for _name, value in chosen])
