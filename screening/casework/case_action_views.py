"""What coordinators do on a case, each a POST through a service: claim, assign, status, notes, contact attempts, re-screen, completion links, answers by phone, bookings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from screening import clock, upload_limits
from screening.casework import services as casework
from screening.casework.access import (
    case_action,
    case_for,
    note_writer_required,
    treatment_recorder_required,
)
from screening.casework.case_views import case_page, record_view, report_scans
from screening.casework.forms import (
    AssignForm,
    BookingForm,
    ContactForm,
    NoteForm,
    ReportForm,
    TreatmentForm,
)
from screening.casework.missing_information import completion_page
from screening.casework.models import Amendment, Case
from screening.intake import report_files, selectors
from screening.intake.catalogue import IDENTIFYING_KEYS, QUESTIONS
from screening.intake.page_forms import PageForm
from screening.rules import outcomes


@case_action
def claim_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_for(reference)
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
    case = case_for(reference)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return case_page(request, case, status=400, assign_form=form)
    assignee = form.cleaned_data["assignee"]
    casework.case_assign(case_id=case.pk, user=request.user, assignee=assignee)
    who = (assignee.get_full_name() or assignee.username) if assignee else "nobody"
    messages.success(request, f"Assigned to {who}.")
    return redirect("screening:case", reference=reference)


@case_action
def status_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_for(reference)
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


@note_writer_required
def note_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_for(reference)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return case_page(request, case, status=400, note_form=form)
    casework.case_add_note(case=case, user=request.user, text=form.cleaned_data["text"])
    messages.success(request, "Note added.")
    return redirect(reverse("screening:case", args=[reference]) + "#timeline")


@case_action
def contact_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_for(reference)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return case_page(request, case, status=400, contact_form=form)
    casework.case_record_contact(case=case, user=request.user, **form.cleaned_data)
    messages.success(request, "Contact attempt recorded.")
    return redirect(reverse("screening:case", args=[reference]) + "#timeline")


@case_action
def rescreen_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_for(reference)
    result = casework.case_rescreen(case_id=case.pk, user=request.user)
    label = dict(outcomes.CASE_CHOICES).get(result.outcome, result.outcome)
    messages.success(request, f"Screened again with ruleset {result.ruleset}: {label.lower()}.")
    return redirect("screening:case", reference=reference)


@case_action
def completion_link_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_for(reference)
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
    case = case_for(reference)
    intake = case.intake
    stored = selectors.load_answers(intake)
    keys = casework.missing_questions(casework.latest_screening(intake), stored)
    if request.method == "POST":
        # The form as it was shown: what is missing may have changed since (answers came in meanwhile,
        # which the version check below catches), and what was typed is never thrown away.
        posted = request.POST.get("questions", "").split(",")
        keys = [key for key in posted if key in QUESTIONS and key not in IDENTIFYING_KEYS] or keys
    if not intake.is_submitted or not keys:
        messages.error(request, "No information is missing for this case's findings.")
        return redirect("screening:case", reference=reference)
    day = clock.today()
    page = completion_page(keys, for_staff=True)
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
            label = dict(outcomes.CASE_CHOICES).get(result.outcome, result.outcome)
            messages.success(request, f"Answers recorded and screened again: {label.lower()}.")
        return redirect("screening:case", reference=reference)
    record_view(request, case, action="case.view", page="complete-by-phone")
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
    case = case_for(reference)
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


@case_action
def report_add_view(request: HttpRequest, reference: str) -> HttpResponse:
    """A coordinator attaches a scan report received by post or e-mail; the case is screened again."""
    case = case_for(reference)
    form = ReportForm(request.POST, request.FILES, scans=report_scans())
    if "file" in upload_limits.dropped(request):  # over 20 MB: dropped as it arrived
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", str(report_files.MESSAGES["too_big"]))
    elif form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            casework.case_add_report(
                case_id=case.pk,
                user=request.user,
                question=QUESTIONS[f"report_{form.cleaned_data['scan']}"],
                data=upload.read(),
                name=str(upload.name or "")[:120],
            )
        except report_files.Refused as refused:
            form.add_error("file", str(refused.message))
        else:
            messages.success(request, "Report added. The case was screened again.")
            return redirect(reverse("screening:case", args=[reference]) + "#reports")
    return case_page(request, case, status=400, report_form=form)


@treatment_recorder_required
def treatment_view(request: HttpRequest, reference: str) -> HttpResponse:
    """A treatment given to the patient (issue 20): recorded, then back to the case's treatments."""
    case = case_for(reference)
    form = TreatmentForm(request.POST)
    if not form.is_valid():
        return case_page(request, case, status=400, treatment_form=form)
    data = form.cleaned_data
    casework.case_record_treatment(
        case=case,
        user=request.user,
        kind=data["kind"],
        other=data["other"].strip() if data["kind"] == "other" else "",
        given_on=data["given_on"],
        levels=data["levels"],
        side=data["side"],
        clinician=data["clinician"].strip(),
        notes=data["notes"],
    )
    messages.success(request, "Treatment recorded.")
    return redirect(reverse("screening:case", args=[reference]) + "#treatments")
