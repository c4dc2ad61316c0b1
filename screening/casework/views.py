"""Coordinator pages: the queue, the case and its actions. Every page needs a staff login and the
permission to work cases; every read of a case is recorded in the audit log."""

import unicodedata
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import (
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from screening.casework import case_queue as queue
from screening.casework import chart
from screening.casework import csv_export as export
from screening.casework import fhir_export as fhir
from screening.casework import services as casework
from screening.casework.forms import AssignForm, BookingForm, ContactForm, NoteForm
from screening.casework.missing_information import completion_page
from screening.casework.models import Amendment, Case, ScreeningResult
from screening.casework.timeline import case_history
from screening.intake import answer_display as display
from screening.intake import selectors
from screening.intake.catalogue import QUESTIONS
from screening.intake.page_forms import PageForm
from screening.rules import outcomes
from screening.staff import attempt_limits as throttle
from screening.staff import audit_log as audit

OUTCOME_CHOICES = outcomes.CASE_CHOICES
CHART_WEEKS = 12
_UNREAD = object()  # an argument not given, where None is a value


def coordinator_required(view):
    """Logged in, and allowed to work cases (403 for other staff, login page for strangers)."""
    return login_required(permission_required("screening.view_case", raise_exception=True)(view))


def case_action(view):
    """A change to a case: POST only, by staff allowed to change cases."""
    return require_POST(
        login_required(permission_required("screening.change_case", raise_exception=True)(view))
    )


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


SEARCH_KEY = "queue_search"
FILTER_FIELDS = ("outcome", "status", "assignee", "from", "to")


def _filters(request: HttpRequest) -> queue.Filters:
    """The queue's filters from the address, and the search text from the session: a surname is
    patient data, so it never goes into an address (nor, from there, into access logs)."""
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
        q=request.session.get(SEARCH_KEY, "") if get.get("search") == "1" else "",
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
    statuses = {value: str(label) for value, label in Case.Status.choices}  # translated once
    now = timezone.now()
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
                "received": display.day_month_year(case["received_at"], months, zone),
                "outcome_label": labels.get(case["outcome"], case["outcome"]),
                "status_label": statuses.get(case["status"], case["status"]),
                "assignee": (full_name or case["assignee__username"])
                if case["assignee_id"]
                else "Nobody",
                "days": (now - case["received_at"]).days,
            }
        )
    return rows


def _queue_summary(request: HttpRequest, filters: queue.Filters, cases) -> dict:
    """Counts per outcome and status and the weekly chart (drawn), as counted for these filters in the
    last minute (queue.SUMMARY_SECONDS)."""
    today = timezone.localdate()

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
            "counted_at": timezone.now(),
        }

    key = queue.summary_key(filters, request.user, today=today, weeks=CHART_WEEKS)
    return queue.remembered(key, count)


def _case_for(reference: str) -> Case:
    """The one access helper for a case: 404 for an unknown reference."""
    return get_object_or_404(
        Case.objects.select_related("intake", "intake__identity", "assignee"),
        intake__reference=reference,
    )


def _labelled(screening: ScreeningResult | None) -> list[dict]:
    labels = dict(OUTCOME_CHOICES)
    return [
        f | {"outcome_label": labels.get(f["outcome"], f["outcome"])}
        for f in (screening.findings if screening else [])
    ]


def _record_view(request: HttpRequest, case: Case, action: str = "case.view", **detail) -> None:
    audit.record(
        actor=request.user,
        action=action,
        object_type="case",
        object_ref=case.intake.reference,
        detail={"address": throttle.client_address(request), **detail},
    )


def _case_reading(case: Case, latest: ScreeningResult | None = None, booking=_UNREAD) -> dict:
    """What the case page and its print summary both show: outcome, findings, scores, blocks, answers.

    ``latest`` (the screening the case is judged by) and ``booking`` (the current one) are read here
    unless the caller has them already."""
    intake = case.intake
    latest = latest or casework.latest_screening(intake)
    stored = selectors.load_answers(intake)
    sections = selectors.answers_by_section(intake, timezone.localdate(), stored)
    return {
        "case": case,
        "intake": intake,
        "identity": intake.identity,
        "outcome_label": dict(OUTCOME_CHOICES).get(case.outcome, case.outcome),
        "screening": latest,
        "findings": _labelled(latest),
        "sections": sections,
        "answer_sections": sections,
        "blocks": selectors.block_table(stored),
        "derived": intake.derived,
        "booking": case.bookings.first() if booking is _UNREAD else booking,
    }


def _case_page(request: HttpRequest, case: Case, *, status: int = 200, **forms) -> HttpResponse:
    _record_view(request, case)
    history = case_history(case)
    # The latest result since the intake was sent is the first the timeline read; an unsent intake
    # is judged by its latest draft screening, which casework reads.
    reading = _case_reading(
        case,
        latest=history.screenings[0] if history.screenings else None,
        booking=history.booking,
    )
    missing = casework.missing_questions(reading["screening"]) if case.intake.is_submitted else []
    open_link = (
        case.completion_links.filter(
            used_at=None, withdrawn_at=None, expires_at__gt=timezone.now()
        ).first()
        if missing
        else None
    )
    return render(
        request,
        "screening/staff/case.html",
        reading
        | {
            "duplicates": selectors.possible_duplicates(case),
            "timeline": history.entries,
            "missing": missing,
            "open_link": open_link,
            "next_status": casework.NEXT_STATUS.get(case.status),
            "close_reasons": Case.CloseReason.choices,
            "can_change": request.user.has_perm("screening.change_case"),
            "can_export": request.user.has_perm("screening.export_case"),
            "errors": [link for form in forms.values() for link in form.error_links()],
        }
        | _case_forms(case, forms),
        status=status,
    )


def _case_forms(case: Case, posted: dict) -> dict:
    """The case's forms (a posted one with its errors, else a blank one), each with its markup."""
    assign = _with_plain_choices(
        posted.get("assign_form") or AssignForm(initial={"assignee": case.assignee_id})
    )
    note = posted.get("note_form") or NoteForm()
    contact = posted.get("contact_form") or ContactForm()
    return {
        "assign_form": assign,
        "note_form": note,
        "contact_form": contact,
    }


def _with_plain_choices(form: AssignForm) -> AssignForm:
    """The coordinators to choose from, read with one plain query: a model choice field otherwise
    iterates a server-side cursor (declare, fetch, close: three round trips on PostgreSQL)."""
    field = form.fields["assignee"]
    field.choices = [("", field.empty_label)] + [
        (field.prepare_value(user), field.label_from_instance(user)) for user in field.queryset
    ]
    return form


@require_GET
@coordinator_required
def case_view(request: HttpRequest, reference: str) -> HttpResponse:
    return _case_page(request, _case_for(reference))


@case_action
def claim_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_for(reference)
    try:
        casework.case_claim(case_id=case.pk, user=request.user)
    except casework.CaseTaken as taken:
        name = taken.holder.get_full_name() or taken.holder.username
        messages.warning(request, f"{name} already has this case.")
    else:
        messages.success(request, "You have this case.")
    return redirect("screening:case", reference=reference)


@case_action
def assign_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_for(reference)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, assign_form=form)
    assignee = form.cleaned_data["assignee"]
    casework.case_assign(case_id=case.pk, user=request.user, assignee=assignee)
    who = (assignee.get_full_name() or assignee.username) if assignee else "nobody"
    messages.success(request, f"Assigned to {who}.")
    return redirect("screening:case", reference=reference)


@case_action
def status_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_for(reference)
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


@case_action
def note_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_for(reference)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, note_form=form)
    casework.case_add_note(case=case, user=request.user, text=form.cleaned_data["text"])
    messages.success(request, "Note added.")
    return redirect(reverse("screening:case", args=[reference]) + "#timeline")


@case_action
def contact_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_for(reference)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, contact_form=form)
    casework.case_record_contact(case=case, user=request.user, **form.cleaned_data)
    messages.success(request, "Contact attempt recorded.")
    return redirect(reverse("screening:case", args=[reference]) + "#timeline")


@case_action
def rescreen_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_for(reference)
    result = casework.case_rescreen(case_id=case.pk, user=request.user)
    label = dict(OUTCOME_CHOICES).get(result.outcome, result.outcome)
    messages.success(request, f"Screened again with ruleset {result.ruleset}: {label.lower()}.")
    return redirect("screening:case", reference=reference)


@case_action
def completion_link_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_for(reference)
    try:
        link = casework.case_send_completion_link(case_id=case.pk, user=request.user)
    except casework.ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            f"A completion link is on its way to the patient. It works once, "
            f"until {timezone.localtime(link.expires_at):%d %b %Y}.",
        )
    return redirect("screening:case", reference=reference)


@login_required
@permission_required("screening.change_case", raise_exception=True)
def amend_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Answers the patient gives by phone: the missing questions, prefilled with what they said before."""
    case = _case_for(reference)
    intake = case.intake
    keys = casework.missing_questions(casework.latest_screening(intake))
    if request.method == "POST" and not keys:
        # Nothing is missing any more (answers came in meanwhile): the form that was posted is shown
        # again with what was typed, rather than thrown away.
        posted = request.POST.get("questions", "").split(",")
        keys = [key for key in posted if key in QUESTIONS]
    if not intake.is_submitted or not keys:
        messages.error(request, "No information is missing for this case's findings.")
        return redirect("screening:case", reference=reference)
    day = timezone.localdate()
    stored = selectors.load_answers(intake)
    page = completion_page(keys)
    form = PageForm(request.POST or None, page=page, stored=stored, today=day)
    version = intake.updated_at.isoformat()
    changed_meanwhile = request.method == "POST" and request.POST.get("version") != version
    if changed_meanwhile:
        # The patient (through a link) or a colleague changed the answers since this form was opened:
        # saving it as it stands would undo that. Show it again, with what was typed, to check.
        form.is_valid()
    elif request.method == "POST" and form.is_valid():
        result = casework.case_amend(
            case_id=case.pk,
            values=form.answers,
            source=Amendment.Source.PHONE,
            user=request.user,
        )
        if result is None:
            messages.warning(request, "Nothing changed: the answers are as they were.")
        else:
            label = dict(OUTCOME_CHOICES).get(result.outcome, result.outcome)
            messages.success(request, f"Answers recorded and screened again: {label.lower()}.")
        return redirect("screening:case", reference=reference)
    _record_view(request, case, action="case.view", page="complete-by-phone")
    return render(
        request,
        "screening/staff/amend.html",
        {
            "case": case,
            "intake": intake,
            "form": form,
            "version": version,
            "questions": ",".join(keys),
            "changed_meanwhile": changed_meanwhile,
        },
        status=409 if changed_meanwhile else 400 if form.is_bound else 200,
    )


@login_required
@permission_required("screening.change_case", raise_exception=True)
def book_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_for(reference)
    if case.status == Case.Status.CLOSED:
        messages.error(request, "Reopen the case before booking a consultation.")
        return redirect("screening:case", reference=reference)
    form = BookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            casework.case_book(
                case_id=case.pk,
                user=request.user,
                starts_at=data["starts_at"],
                clinician=data["clinician"],
                mode=data["mode"],
            )
        except casework.ActionRefused as refused:  # closed meanwhile by someone else
            form.add_error(None, str(refused))
            return render(
                request,
                "screening/staff/book.html",
                {"case": case, "intake": case.intake, "form": form},
                status=409,
            )
        if case.intake.identity.email:
            messages.success(
                request, "Consultation booked. The patient is e-mailed a confirmation."
            )
        else:
            messages.warning(
                request,
                "Consultation booked. The patient gave no e-mail address: tell them by phone.",
            )
        return redirect("screening:case", reference=reference)
    return render(
        request,
        "screening/staff/book.html",
        {"case": case, "intake": case.intake, "form": form},
        status=400 if form.is_bound else 200,
    )


def exporter_required(view):
    """Reads cases and may export them (every export is recorded)."""
    return coordinator_required(
        permission_required("screening.export_case", raise_exception=True)(view)
    )


@require_GET
@exporter_required
def queue_export_view(request: HttpRequest) -> HttpResponse:
    """The filtered queue as CSV; names and contact details only with "export identifiable data"."""
    filters = _filters(request)
    cases = queue.cases(filters, request.user)
    identifiable = request.user.has_perm("screening.export_identifiable_case")
    audit.record(
        actor=request.user,
        action="queue.export",
        object_type="queue",
        object_ref="csv",
        detail={
            "address": throttle.client_address(request),
            "identifiable": identifiable,
            "rows": cases.count(),
            "filters": {k: str(v) for k, v in vars(filters).items() if v and k != "q"}
            | ({"search": True} if filters.q else {}),
        },
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        export.rows(cases, identifiable=identifiable), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.csv"'
    return response


@require_GET
@exporter_required
def case_fhir_view(request: HttpRequest, reference: str) -> HttpResponse:
    """One case as a FHIR R4 QuestionnaireResponse for the clinic's EHR."""
    case = _case_for(reference)
    identifiable = request.user.has_perm("screening.export_identifiable_case")
    _record_view(request, case, action="case.export", format="fhir", identifiable=identifiable)
    response = JsonResponse(
        fhir.questionnaire_response(case.intake, identifiable=identifiable),
        content_type="application/fhir+json",
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    response["Content-Disposition"] = f'attachment; filename="{reference}.fhir.json"'
    return response


@require_GET
@coordinator_required
def case_print_view(request: HttpRequest, reference: str) -> HttpResponse:
    """The case on paper: header, findings, scores, blocks and answers, without the page's controls."""
    case = _case_for(reference)
    _record_view(request, case, action="case.export", format="print")
    return render(
        request,
        "screening/staff/case_print.html",
        _case_reading(case) | {"printed_at": timezone.now()},
    )
