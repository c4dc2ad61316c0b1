"""The coordinators' queue: filters (the search text kept in the session, never the address), keyset pages, counts and the weekly chart, and the CSV of the filtered queue."""

import unicodedata
from datetime import date

from django.http import (
    HttpRequest,
    HttpResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from screening import clock
from screening.casework import case_queue as queue
from screening.casework import chart, services
from screening.casework import csv_export as export
from screening.casework.access import coordinator_required, exporter_required
from screening.casework.models import Case
from screening.intake import answer_display as display
from screening.intake import language
from screening.rules import outcomes

OUTCOME_CHOICES = outcomes.CASE_CHOICES


CHART_WEEKS = 12


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


SEARCH_KEY = "queue_search"


FILTER_FIELDS = ("outcome", "status", "assignee", "language", "from", "to")


def _language_choices() -> list[tuple[str, str]]:
    """The language filter's options: each language a patient can fill the form in (staff read
    English names), then "needs an interpreter", which the patient answers on the contact page."""
    return [
        *((code, f"Filled in in {name}") for code, name in language.staff_names().items()),
        (queue.INTERPRETER, "Needs an interpreter"),
    ]


def _filters(request: HttpRequest) -> queue.Filters:
    """The queue's filters from the address, and the search text from the session: a surname is
    patient data, so it never goes into an address (nor, from there, into access logs)."""
    get = request.GET
    outcome = get.get("outcome", "")
    status = get.get("status", "")
    assignee = get.get("assignee", "")
    spoken = get.get("language", "")
    return queue.Filters(
        outcome=outcome if outcome in dict(OUTCOME_CHOICES) else "",
        status=status if status in (*Case.Status.values, queue.ALL_STATUSES) else "",
        assignee=assignee if assignee in ("mine", "unassigned") else "",
        received_from=_date(get.get("from")),
        received_to=_date(get.get("to")),
        q=request.session.get(SEARCH_KEY, "") if get.get("search") == "1" else "",
        language=spoken if spoken in dict(_language_choices()) else "",
    )


def _filter_redirect(request: HttpRequest) -> HttpResponse:
    """The filter form is posted: the search text goes to the session, the other filters to the
    address of the queue (so a filtered queue can still be bookmarked)."""
    # Control characters (a NUL would be refused by PostgreSQL) are dropped, not stored.
    typed = request.POST.get("q", "")
    search = "".join(c for c in typed if unicodedata.category(c) != "Cc").strip()[:100]
    request.session[SEARCH_KEY] = search
    params = QueryDict(mutable=True)
    for name in FILTER_FIELDS:
        if request.POST.get(name):
            params[name] = request.POST[name]
    if search:
        params["search"] = "1"
    url = reverse("screening:queue")
    return redirect(f"{url}?{params.urlencode()}" if params else url)


@require_http_methods(["GET", "POST"])
@coordinator_required
def queue_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _filter_redirect(request)
    filters = _filters(request)
    cases = queue.cases(filters, request.user)
    page = queue.page(cases, request.GET.get("after"))
    params = request.GET.copy()
    params.pop("after", None)
    rows = _queue_rows(page.rows)
    return render(
        request,
        "screening/staff/queue.html",
        {
            "filters": filters,
            "rows": rows,
            "next_cursor": page.next_cursor,
            "outcomes": OUTCOME_CHOICES,
            "statuses": Case.Status.choices,
            "languages": _language_choices(),
            "query": params.urlencode(),
            "chart_weeks": CHART_WEEKS,
            "can_export": request.user.has_perm("screening.export_case"),
        }
        | _queue_summary(request, filters, cases),
    )


def _queue_rows(cases: list[dict]) -> list[dict]:
    """What each row of the queue shows, as plain text (from queue.page's values): fifty rows of
    template lookups, filters and URL reversals cost more than the page's queries, so the values are
    worked out once here, for the rows' template to show as they are."""
    labels = dict(OUTCOME_CHOICES)
    languages = language.staff_names()
    statuses = {value: str(label) for value, label in Case.Status.choices}  # translated once
    now = clock.now()
    months = display.months_short()
    zone = timezone.get_current_timezone()
    # Every case address differs only by its reference (letters, digits and dashes).
    address = reverse("screening:case", args=["FC-0000-0000"]).replace("FC-0000-0000", "{}")
    rows = []
    for case in cases:
        reference = case["intake__reference"]
        full_name = f"{case['assignee__first_name']} {case['assignee__last_name']}".strip()
        rows.append(
            case
            | {
                "reference": reference,
                "url": address.format(reference),
                "not_submitted": case["intake__submitted_at"] is None,
                # Beside the reference: who needs a Spanish-speaking coordinator or an interpreter.
                "language": ""
                if case["intake__language"] == "en"
                else languages.get(case["intake__language"], case["intake__language"]),
                "interpreter": case["intake__answers__interpreter"] == "yes",
                "received": display.day_month_year(case["received_at"], months, zone),
                # An urgent case's tier in its badge ("Urgent, tier 1"), as text: no test per row.
                "outcome_label": labels.get(case["outcome"], case["outcome"])
                + (f", tier {case['tier']}" if case["tier"] else ""),
                "status_label": statuses.get(case["status"], case["status"]),
                "assignee": (full_name or case["assignee__username"])
                if case["assignee_id"]
                else "Nobody",
                "days": str((now - case["received_at"]).days),  # text: a number would be localized
            }
        )
    return rows


def _queue_summary(request: HttpRequest, filters: queue.Filters, cases) -> dict:
    """Counts per outcome and status and the weekly chart (drawn), as counted for these filters in the
    last minute (queue.SUMMARY_SECONDS)."""
    today = clock.today()

    def count() -> dict:
        counts = queue.counts(cases)
        weekly = chart.weekly_counts(cases, weeks=CHART_WEEKS, today=today)
        return {
            "outcome_counts": [
                (label, counts["outcome"].get(value, 0)) for value, label in OUTCOME_CHOICES
            ],
            "status_counts": [
                (str(label), counts["status"].get(value, 0)) for value, label in Case.Status.choices
            ],
            "chart": chart.weekly_svg(weekly, OUTCOME_CHOICES),
            "counted_at": clock.now(),
        }

    key = queue.summary_key(filters, request.user, today=today, weeks=CHART_WEEKS)
    return queue.remembered(key, count)


@require_GET
@exporter_required
def queue_export_view(request: HttpRequest) -> HttpResponse:
    """The filtered queue as CSV; names and contact details only with "export identifiable data"."""
    filters = _filters(request)
    cases = queue.cases(filters, request.user)
    identifiable = request.user.has_perm("screening.export_identifiable_case")
    services.queue_record_export(
        user=request.user,
        identifiable=identifiable,
        rows=cases.count(),
        # The search text is left out: it may be a surname.
        filters={k: str(v) for k, v in vars(filters).items() if v and k != "q"}
        | ({"search": True} if filters.q else {}),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        export.rows(cases, identifiable=identifiable), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.csv"'
    return response
