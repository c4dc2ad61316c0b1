"""The case page, its print summary and its FHIR export. Every page needs a staff login and the
permission to work cases; every read of a case is recorded in the audit log."""

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from screening import clock
from screening.casework import fhir_export as fhir
from screening.casework import selectors as case_selectors
from screening.casework import services as casework
from screening.casework.access import (
    case_for,
    coordinator_required,
    exporter_required,
    report_reader_required,
)
from screening.casework.forms import AssignForm, ContactForm, NoteForm, ReportForm, TreatmentForm
from screening.casework.missing_information import (
    missing_names,
    questions_to_complete,
    reports_missing,
)
from screening.casework.models import Case, ScreeningResult
from screening.casework.timeline import case_history
from screening.intake import language, report_services, selectors
from screening.intake.catalogue import FILE_KEYS, scan_of_report
from screening.intake.models import ScanReport
from screening.intake.report_files import PICKER_TYPES
from screening.rules import outcomes

_UNREAD = object()  # an argument not given, where None is a value


def _labelled(screening: ScreeningResult | None) -> list[dict]:
    labels = dict(outcomes.CASE_CHOICES)
    return [
        f | {"outcome_label": labels.get(f["outcome"], f["outcome"])}
        for f in (screening.findings if screening else [])
    ]


def record_view(request: HttpRequest, case: Case, action: str = "case.view", **detail) -> None:
    casework.case_record_read(user=request.user, case=case, action=action, **detail)


def case_reading(case: Case, latest: ScreeningResult | None = None, booking=_UNREAD) -> dict:
    """What the case page and its print summary both show: outcome, findings, scores, blocks, answers.

    ``latest`` (the screening the case is judged by) and ``booking`` (the current one) are read here
    unless the caller has them already."""
    intake = case.intake
    latest = latest or casework.latest_screening(intake)
    stored = selectors.load_answers(intake)
    sections = selectors.answers_by_section(intake, clock.today(), stored)
    return {
        "case": case,
        "intake": intake,
        "identity": intake.identity,
        "outcome_label": dict(outcomes.CASE_CHOICES).get(case.outcome, case.outcome),
        "screening": latest,
        "findings": _labelled(latest),
        "sections": sections,
        "answer_sections": sections,
        "blocks": selectors.block_table(stored),
        "derived": intake.derived,
        "booking": case.bookings.first() if booking is _UNREAD else booking,
        "stored": stored,
        # Said with the contact details: a call needs the interpreter booked first.
        "interpreter": (stored.get("interpreter_language") or "language not given")
        if stored.get("interpreter") == "yes"
        else "",
        # The language the patient filled the form in, in English (staff read English), unless English
        "form_language": "" if intake.language == "en" else language.in_english(intake.language),
    }


def case_page(request: HttpRequest, case: Case, *, status: int = 200, **forms) -> HttpResponse:
    record_view(request, case)
    history = case_history(case)
    # The latest result since the intake was sent is the first the timeline read; an unsent intake
    # is judged by its latest draft screening, which casework reads.
    reading = case_reading(
        case,
        latest=history.screenings[0] if history.screenings else None,
        booking=history.booking,
    )
    facts = (
        casework.missing_facts_of(reading["screening"]) if case.intake.is_submitted else ([], [])
    )
    missing = questions_to_complete(*facts, reading["stored"]) if any(facts) else []
    # Reports of scans done, not attached: a completion link can ask for them
    reports_wanted = (
        reports_missing(reading["stored"], clock.today()) if case.intake.is_submitted else []
    )
    open_link = (
        case.completion_links.filter(
            used_at=None, withdrawn_at=None, expires_at__gt=clock.now()
        ).first()
        if missing or reports_wanted
        else None
    )
    return render(
        request,
        "screening/staff/case.html",
        reading
        | {
            "duplicates": case_selectors.possible_duplicates(case),
            "timeline": history.entries,
            "missing": missing,
            "missing_names": missing_names(*facts) if missing else [],
            "reports_wanted": [scan_of_report(key)[1] for key in reports_wanted],
            "open_link": open_link,
            "next_status": casework.NEXT_STATUS.get(case.status),
            "close_reasons": Case.CloseReason.choices,
            "can_change": request.user.has_perm("screening.change_case"),
            "can_note": request.user.has_perm("screening.add_casenote"),
            "can_treat": request.user.has_perm("screening.add_treatment"),
            "treatments": list(case.treatments.select_related("recorded_by")),
            "report_types": PICKER_TYPES,
            "can_export": request.user.has_perm("screening.export_case"),
            # Scan reports: listed to those who may open them (coordinators and specialists)
            "reports": report_rows(case)
            if request.user.has_perm("screening.view_scanreport")
            else None,
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
    report = posted.get("report_form") or ReportForm(scans=report_scans())
    treatment = posted.get("treatment_form") or TreatmentForm()
    return {
        "treatment_form": treatment,
        "assign_form": assign,
        "note_form": note,
        "contact_form": contact,
        "report_form": report,
    }


def report_scans() -> list[tuple[str, str]]:
    """The scans a report can be of, as the intake names them ("MRI scan")."""
    return [scan_of_report(key) for key in FILE_KEYS]


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
    return case_page(request, case_for(reference))


@require_GET
@exporter_required
def case_fhir_view(request: HttpRequest, reference: str) -> HttpResponse:
    """One case as a FHIR R4 QuestionnaireResponse for the clinic's EHR."""
    case = case_for(reference)
    identifiable = request.user.has_perm("screening.export_identifiable_case")
    record_view(request, case, action="case.export", format="fhir", identifiable=identifiable)
    response = JsonResponse(
        fhir.questionnaire_response(case.intake, identifiable=identifiable),
        content_type="application/fhir+json",
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    response["Content-Disposition"] = f'attachment; filename="{reference}.fhir.json"'
    return response


@require_GET
@exporter_required  # a printed summary leaves the system with the patient's identity: an export
def case_print_view(request: HttpRequest, reference: str) -> HttpResponse:
    """The case on paper: header, findings, scores, blocks and answers, without the page's controls."""
    case = case_for(reference)
    record_view(request, case, action="case.export", format="print")
    return render(
        request,
        "screening/staff/case_print.html",
        case_reading(case) | {"printed_at": clock.now()},
    )


def report_rows(case: Case) -> list[dict]:
    """Each file attached to the case, as the case page lists it (no file is read here)."""
    return [
        {
            "report": report,
            "scan": scan_of_report(report.question)[1],
            "type": "PDF" if report.content_type == "application/pdf" else "Photo",
            "added_by": "the patient"
            if report.added_by is None
            else (report.added_by.get_full_name() or report.added_by.username),
            "scanned": report.get_scan_status_display(),
        }
        for report in ScanReport.objects.filter(intake=case.intake).select_related("added_by")
    ]


@require_GET
@report_reader_required
def report_view(request: HttpRequest, reference: str, name: str) -> FileResponse:
    """One scan report, streamed: a PDF as a download (never shown inline), a photo inline; in a sandbox,
    never sniffed, never cached; every read recorded in the audit log."""
    case = case_for(reference)
    report = get_object_or_404(ScanReport, intake=case.intake, storage_name=name)
    record_view(request, case, action="case.report.read", report=report.pk)
    position = list(
        ScanReport.objects.filter(intake=case.intake, question=report.question).values_list(
            "pk", flat=True
        )
    ).index(report.pk)
    extension = report.storage_name.rsplit(".", 1)[-1]
    scan = scan_of_report(report.question)[0].replace("_", "-")
    response = FileResponse(
        report_services.storage().open(report.storage_name),
        as_attachment=report.content_type == "application/pdf",
        # Named by the case and the scan, never by the patient or the name their device gave it
        filename=f"{reference}-{scan}-{position + 1}.{extension}",
        content_type=report.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
