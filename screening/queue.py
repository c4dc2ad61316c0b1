"""The coordinators' queue: filters, search and keyset pagination over cases (a read, no writes).

Ordered by severity (screening error, urgent, ... routine), then by how long a case has waited, then id:
the same order as the (severity, received_at) index, so a page costs the same at 100 or 100,000 cases.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import Count, Q, QuerySet

from screening.models import Case
from screening.text import fold

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    outcome: str = ""
    status: str = ""
    assignee: str = ""  # "", "mine", "unassigned"
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""


def cases(filters: Filters, user) -> QuerySet[Case]:
    queryset = Case.objects.all()
    if filters.outcome:
        queryset = queryset.filter(outcome=filters.outcome)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.assignee == "mine":
        queryset = queryset.filter(assignee=user)
    elif filters.assignee == "unassigned":
        queryset = queryset.filter(assignee__isnull=True)
    if filters.received_from:
        queryset = queryset.filter(received_at__date__gte=filters.received_from)
    if filters.received_to:
        queryset = queryset.filter(received_at__date__lte=filters.received_to)
    if filters.q:
        queryset = queryset.filter(_search(filters.q))
    return queryset


def _search(text: str) -> Q:
    """A reference (with or without 'FC-', any case) or the start of a surname (any case or accents)."""
    code = text.strip().upper().replace(" ", "")
    if not code.startswith("FC-"):
        code = "FC-" + code
    return Q(intake__reference=code) | Q(
        intake__identity__family_name_folded__startswith=fold(text.strip())
    )


@dataclass(frozen=True)
class Page:
    rows: list[Case]
    next_cursor: str | None


def page(queryset: QuerySet[Case], cursor: str | None, size: int = PAGE_SIZE) -> Page:
    """One page after ``cursor`` (keyset pagination: no OFFSET, no count of the whole table)."""
    queryset = queryset.select_related("intake", "assignee").order_by(
        "severity", "received_at", "id"
    )
    after = _decode(cursor)
    if after is not None:
        severity, received, pk = after
        queryset = queryset.filter(
            Q(severity__gt=severity)
            | Q(severity=severity, received_at__gt=received)
            | Q(severity=severity, received_at=received, id__gt=pk)
        )
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows=rows, next_cursor=_encode(rows[-1]) if more else None)


def _encode(case: Case) -> str:
    return f"{case.severity}~{case.received_at.timestamp():.6f}~{case.pk}"


def _decode(cursor: str | None) -> tuple[int, datetime, int] | None:
    """The position after which a page starts; None (the first page) for anything malformed."""
    try:
        severity, stamp, pk = (cursor or "").split("~")
        return int(severity), datetime.fromtimestamp(float(stamp), tz=UTC), int(pk)
    except (ValueError, OverflowError, OSError):
        return None


def counts(queryset: QuerySet[Case]) -> dict[str, dict[str, int]]:
    """Cases per outcome and per status, for the filters as chosen (two grouped queries)."""
    by_outcome = dict(queryset.order_by().values_list("outcome").annotate(n=Count("id")))
    by_status = dict(queryset.order_by().values_list("status").annotate(n=Count("id")))
    return {"outcome": by_outcome, "status": by_status}
