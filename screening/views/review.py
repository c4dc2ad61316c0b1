"""Coordinator pages: the queue (the case page and actions follow). Every page needs a staff login."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from screening import audit, casework, queue, selectors, throttle
from screening.models import Case, ScreeningResult
from screening.rules.engine import Outcome

OUTCOME_CHOICES = [(ScreeningResult.SCREENING_ERROR, "Screening error")] + [
    (o.value, o.value.replace("_", " ").capitalize()) for o in Outcome
]


def coordinator_required(view):
    """Logged in, and allowed to work cases (403 for other staff, login page for strangers)."""
    return login_required(permission_required("screening.view_case", raise_exception=True)(view))


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _filters(request: HttpRequest) -> queue.Filters:
    get = request.GET
    outcome = get.get("outcome", "")
    status = get.get("status", "")
    assignee = get.get("assignee", "")
    return queue.Filters(
        outcome=outcome if outcome in dict(OUTCOME_CHOICES) else "",
        status=status if status in Case.Status.values else "",
        assignee=assignee if assignee in ("mine", "unassigned") else "",
        received_from=_date(get.get("from")),
        received_to=_date(get.get("to")),
        q=get.get("q", "").strip()[:100],
    )


@require_GET
@coordinator_required
def queue_view(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    cases = queue.cases(filters, request.user)
    page = queue.page(cases, request.GET.get("after"))
    params = request.GET.copy()
    params.pop("after", None)
    counts = queue.counts(cases)
    labels = dict(OUTCOME_CHOICES)
    now = timezone.now()
    return render(
        request,
        "screening/staff/queue.html",
        {
            "filters": filters,
            "rows": [
                {
                    "case": c,
                    "outcome_label": labels.get(c.outcome, c.outcome),
                    "days": (now - c.received_at).days,
                }
                for c in page.rows
            ],
            "next_cursor": page.next_cursor,
            "outcome_counts": [
                (label, counts["outcome"].get(value, 0)) for value, label in OUTCOME_CHOICES
            ],
            "status_counts": [
                (label, counts["status"].get(value, 0)) for value, label in Case.Status.choices
            ],
            "outcomes": OUTCOME_CHOICES,
            "statuses": Case.Status.choices,
            "query": params.urlencode(),
        },
    )


def _case_for(request: HttpRequest, reference: str) -> Case:
    """The one access helper for a case: 404 for an unknown reference."""
    return get_object_or_404(
        Case.objects.select_related("intake", "intake__identity", "assignee"),
        intake__reference=reference,
    )


@require_GET
@coordinator_required
def case_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_for(request, reference)
    audit.record(
        actor=request.user,
        action="case.view",
        object_type="case",
        object_ref=reference,
        detail={"address": throttle.client_address(request)},
    )
    intake = case.intake
    latest = (
        intake.screenings.exclude(trigger=ScreeningResult.Trigger.DRAFT).first()
        or intake.screenings.first()
    )
    labels = dict(OUTCOME_CHOICES)
    return render(
        request,
        "screening/staff/case.html",
        {
            "case": case,
            "intake": intake,
            "identity": intake.identity,
            "outcome_label": labels.get(case.outcome, case.outcome),
            "screening": latest,
            "findings": [
                f | {"outcome_label": labels.get(f["outcome"], f["outcome"])}
                for f in latest.findings
            ]
            if latest
            else [],
            "sections": selectors.answers_by_section(intake, timezone.localdate()),
            "derived": intake.derived,
            "next_status": casework.NEXT_STATUS.get(case.status),
            "close_reasons": Case.CloseReason.choices,
        },
    )


@require_POST
@coordinator_required
def claim_view(request: HttpRequest, reference: str) -> HttpResponse:
    if not request.user.has_perm("screening.change_case"):
        raise PermissionDenied
    case = _case_for(request, reference)
    try:
        casework.case_claim(case_id=case.pk, user=request.user)
    except casework.CaseTaken as taken:
        name = taken.holder.get_full_name() or taken.holder.username
        messages.warning(request, f"{name} already has this case.")
    else:
        messages.success(request, "You have this case.")
    return redirect("screening:case", reference=reference)


@require_POST
@coordinator_required
def status_view(request: HttpRequest, reference: str) -> HttpResponse:
    if not request.user.has_perm("screening.change_case"):
        raise PermissionDenied
    case = _case_for(request, reference)
    try:
        casework.case_set_status(
            case_id=case.pk,
            user=request.user,
            status=request.POST.get("status", ""),
            close_reason=request.POST.get("close_reason", ""),
        )
    except casework.StatusRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Status changed.")
    return redirect("screening:case", reference=reference)
