"""The coordinators' queue: filters, search and keyset pagination over cases (a read, no writes).

Ordered by rank (outcomes.queue_rank: screening errors and tier-1 red flags, tier 2, tier 3, then the other
outcomes by severity, each group's unclaimed cases before its claimed ones), then by how long a case has
waited (longest first), then id: the same order as the (severity, received_at) indexes, so a page costs the
same at 100 or 100,000 cases. Open cases by default. Every filter is written so that an index serves it in
that order: an outcome is also a range of ranks, a
date is a range of received_at (not a date computed per row), and the next page starts after the last
row with one row comparison.

The counts per outcome and status and the weekly chart read every matching case, which at 100,000 cases
costs many times a page: each process keeps them for SUMMARY_SECONDS per set of filters (a summary
drawn from the database, not state: a process that has none counts again), and the page says when they
were counted. Kept in the process rather than the shared cache, a page read again costs no query at all.
"""

import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.utils import timezone

from screening.casework.models import Case
from screening.intake.folding import fold
from screening.rules import outcomes

PAGE_SIZE = 50
ALL_STATUSES = (
    "all"  # the status filter's value for every case, closed ones too (the default: open)
)
INTERPRETER = "interpreter"  # the language filter's value for "needs an interpreter"


@dataclass(frozen=True)
class Filters:
    outcome: str = ""
    status: str = ""  # "": open cases; ALL_STATUSES; or one status
    assignee: str = ""  # "", "mine", "unassigned"
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""
    language: str = ""  # "", a language the form was filled in in, or INTERPRETER


def cases(filters: Filters, user) -> QuerySet[Case]:
    queryset = Case.objects.all()
    if filters.outcome:
        queryset = queryset.filter(outcome=filters.outcome)
        if filters.outcome in outcomes.RANKS:
            # The rank follows from the outcome; saying so lets the indexes that lead with the rank
            # (after the status or the assignee) give the filtered queue in its order.
            ranks = outcomes.RANKS[filters.outcome]
            queryset = queryset.filter(severity__gte=ranks[0], severity__lte=ranks[-1])
    if filters.status == ALL_STATUSES:
        pass
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    else:  # the default: open cases (the partial index case_open_queue serves them in order)
        queryset = queryset.exclude(status=Case.Status.CLOSED)
    if filters.assignee == "mine":
        queryset = queryset.filter(assignee=user)
    elif filters.assignee == "unassigned":
        queryset = queryset.filter(assignee__isnull=True)
    # Days in local time, as a range of received_at: from the first moment of the first day to the
    # first moment after the last. A day too far off to be a moment leaves its end open.
    if filters.received_from and (start := _midnight(filters.received_from)) is not None:
        queryset = queryset.filter(received_at__gte=start)
    if filters.received_to and (end := _midnight(filters.received_to, days=1)) is not None:
        queryset = queryset.filter(received_at__lt=end)
    if filters.language == INTERPRETER:
        queryset = queryset.filter(intake__answers__interpreter="yes")
    elif filters.language:
        queryset = queryset.filter(intake__language=filters.language)
    if filters.q:
        queryset = queryset.filter(_search(filters.q))
    return queryset


def _midnight(day: date, days: int = 0) -> datetime | None:
    try:
        local = datetime.combine(day + timedelta(days=days), day_time.min)
        return timezone.make_aware(local).astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _search(text: str) -> Q:
    """A reference (with or without 'FC-', any case) or the start of a surname (any case or accents)."""
    code = text.strip().upper().replace(" ", "")
    if not code.startswith("FC-"):
        code = "FC-" + code
    return Q(intake__reference=code) | Q(
        intake__identity__family_name_folded__startswith=fold(text.strip())
    )


# What a row shows (and the cursor needs), read as plain values: not the intake's answers, nor the
# assignee's password hash, and no model instances for 50 rows.
ROW_COLUMNS = (
    "id",
    "severity",
    "received_at",
    "outcome",
    "tier",
    "status",
    "top_finding",
    "why_not_review",
    "intake__reference",
    "intake__submitted_at",
    "intake__language",
    "intake__answers__interpreter",
    "assignee_id",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]  # ROW_COLUMNS of each case
    next_cursor: str | None


def page(queryset: QuerySet[Case], cursor: str | None, size: int = PAGE_SIZE) -> Page:
    """One page after ``cursor`` (keyset pagination: no OFFSET, no count of the whole table)."""
    queryset = queryset.order_by("severity", "received_at", "id")
    after = _decode(cursor)
    if after is not None:
        # (severity, received_at, id) > (...): one row comparison, which an index on (severity,
        # received_at) starts at, where three ORed conditions would have it read from the top.
        queryset = queryset.filter(
            TupleGreaterThan(Tuple(F("severity"), F("received_at"), F("id")), after)
        )
    rows = list(queryset.values(*ROW_COLUMNS)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows=rows, next_cursor=_encode(rows[-1]) if more else None)


def _encode(row: dict[str, Any]) -> str:
    return f"{row['severity']}~{row['received_at'].timestamp():.6f}~{row['id']}"


_BIGINT = 2**63  # the columns' range: a number past it would fail in the database, not here


def _decode(cursor: str | None) -> tuple[int, datetime, int] | None:
    """The position after which a page starts; None (the first page) for anything malformed or out of
    the columns' range."""
    try:
        severity, stamp, pk = (cursor or "").split("~")
        position = int(severity), datetime.fromtimestamp(float(stamp), tz=UTC), int(pk)
    except (ValueError, OverflowError, OSError):
        return None
    if not (0 <= position[0] < 2**15 and 0 <= position[2] < _BIGINT):
        return None
    return position


def counts(queryset: QuerySet[Case]) -> dict[str, dict[str, int]]:
    """Cases per outcome and per status, for the filters as chosen (one grouped query, one pass)."""
    by_outcome: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    for outcome, status, n in (
        queryset.order_by().values_list("outcome", "status").annotate(n=Count("id"))
    ):
        by_outcome[outcome] += n
        by_status[status] += n
    return {"outcome": dict(by_outcome), "status": dict(by_status)}


# --- The summary above the queue: counts and chart, kept for a minute ---------------------------------
SUMMARY_SECONDS = 60
SUMMARIES_KEPT = 128  # sets of filters per process; the oldest is forgotten first
_summaries: dict[str, tuple[float, Any]] = {}
_clock = time.monotonic


def remembered(key: str, compute: Callable[[], Any]) -> Any:
    """What ``compute`` gave for ``key`` in the last SUMMARY_SECONDS in this process, or its result now."""
    now = _clock()
    kept = _summaries.get(key)
    if kept is not None and kept[0] > now:
        return kept[1]
    value = compute()
    _summaries.pop(key, None)
    while len(_summaries) >= SUMMARIES_KEPT:
        del _summaries[next(iter(_summaries))]  # dicts keep insertion order: the oldest first
    _summaries[key] = (now + SUMMARY_SECONDS, value)
    return value


def forget_summaries() -> None:
    _summaries.clear()


def summary_key(filters: Filters, user, *, today: date, weeks: int) -> str:
    """The key of the summary of these filters: the search text only as a hash (it may be a surname,
    and is not kept in memory longer than the summary), the user only when the filter is "mine", the
    day and zone that place the weeks."""
    parts = [
        filters.outcome,
        filters.status,
        filters.assignee,
        str(user.pk) if filters.assignee == "mine" else "",
        str(filters.received_from or ""),
        str(filters.received_to or ""),
        filters.q,
        filters.language,
        today.isoformat(),
        str(weeks),
        timezone.get_current_timezone_name(),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"queue-summary:{digest}"
