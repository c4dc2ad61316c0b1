"""The patient's side of a completion link: a date-of-birth check, then only the missing questions.

The link works once and for 7 days. Until the date of birth matches, the page shows nothing of the
case; wrong dates are limited per link (the link closes) and per client address (as resuming is).
"""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from screening import clock
from screening.casework import completion_links as links
from screening.casework.missing_information import completion_page
from screening.intake import language, report_services, report_uploads
from screening.intake.page_forms import PageForm
from screening.intake.resume_form import BirthDateCheckForm
from screening.intake.selectors import load_answers
from screening.staff import attempt_limits as throttle

SESSION_LINK, SESSION_OPEN, SESSION_DONE = "completion_link", "completion_open", "completion_done"


@require_GET
def complete(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the e-mail: remember which link this browser holds, then go on at an address without
    the token (so it is not in the history, a Referer or an error log line after this request)."""
    link = links.completion_link_for(token)
    if link is None or not links.is_open(link):
        return _closed(request, link)
    if request.session.get(SESSION_LINK) != link.pk:
        request.session.cycle_key()
        request.session[SESSION_LINK] = link.pk
        request.session.pop(SESSION_OPEN, None)
    return redirect("screening:complete-form")


@require_http_methods(["GET", "POST"])
def complete_form(request: HttpRequest) -> HttpResponse:
    link = links.completion_link_by_id(request.session.get(SESSION_LINK))
    if link is None or not links.is_open(link):
        return _closed(request, link)
    if request.session.get(SESSION_OPEN) != link.pk:
        return _check_birth_date(request, link)
    page = completion_page(link.questions)
    intake = link.case.intake
    asks_reports = bool(report_services.upload_questions(page))
    removing = report_services.storage_name_or_none(request.POST.get("remove_report"))
    if request.method == "POST" and asks_reports and removing:
        # Only a file sent through this link: those the patient or the clinic sent before stay
        report_services.report_remove(intake=intake, storage_name=removing, since=link.created_at)
    received = (  # the reports asked for: attached as they come, checked and scanned as on the intake
        report_uploads.receive(request, intake, page)
        if request.method == "POST" and asks_reports
        else report_services.Received()
    )
    form = PageForm(
        request.POST if request.method == "POST" else None,
        page=page,
        stored=load_answers(intake),
        today=clock.today(),
        file_errors=received.errors,
    )
    if asks_reports:  # the files sent through this link, each with its "Remove"
        form.show_reports(report_services.attached(intake, since=link.created_at))
    if request.method == "POST" and not removing and form.is_valid():
        if links.case_complete_by_link(link_id=link.pk, values=form.answers):
            request.session[SESSION_DONE] = link.pk
            return redirect("screening:complete-done")
        return _closed(request, links.completion_link_by_id(link.pk))
    return render(
        request,
        "screening/intake/complete_form.html",
        {"form": form, "expires_at": link.expires_at},
        status=400 if form.is_bound and not removing else 200,
    )


def _closed(request: HttpRequest, link) -> HttpResponse:
    """A closed link; but to the patient who just used it (a double click, the back button), the
    page that says their answers were sent."""
    mine = link is not None and link.pk in (
        request.session.get(SESSION_LINK),
        request.session.get(SESSION_DONE),
    )
    if mine and link.used_at is not None:
        return redirect("screening:complete-done")
    return render(request, "screening/intake/complete_closed.html", status=404)


def _check_birth_date(request: HttpRequest, link) -> HttpResponse:
    key = throttle.client_key("completion", request)
    limit = settings.INTAKE_RESUME_MAX_FAILURES
    form = BirthDateCheckForm(
        request.POST if request.method == "POST" else None, today=clock.today()
    )
    problem, status = None, 200
    if request.method == "POST" and form.is_valid():
        window = timedelta(minutes=settings.INTAKE_RESUME_WINDOW_MINUTES)
        if throttle.take(key, limit=limit, window=window):
            if links.completion_link_check(
                link_id=link.pk, date_of_birth=form.cleaned_data["date_of_birth"]
            ):
                throttle.refund(key)
                request.session.cycle_key()
                request.session[SESSION_OPEN] = link.pk
                # The questions in the language the patient filled the form in
                if link.case.intake.language in language.offered():
                    request.session[language.SESSION_KEY] = link.case.intake.language
                return redirect("screening:complete-form")
            if links.completion_link_open_by_id(link.pk) is None:
                return _closed(request, link)
            form.add_error(
                "date_of_birth",
                _("The date of birth does not match our records. Check it and try again"),
            )
    if throttle.blocked(key, limit=limit):
        status = 429
        problem = _(
            "You have entered the wrong details too many times. Wait %(minutes)s minutes and try again, "
            "or call the clinic on %(phone)s."
        ) % {"minutes": settings.INTAKE_RESUME_WINDOW_MINUTES, "phone": settings.CLINIC["phone"]}
    elif form.is_bound and not form.is_valid():
        status = 400
    return render(
        request,
        "screening/intake/complete_check.html",
        {"form": form, "problem": problem},
        status=status,
    )


@require_GET
def complete_done(request: HttpRequest) -> HttpResponse:
    if not request.session.get(SESSION_DONE):
        return redirect("screening:start")
    return render(request, "screening/intake/complete_done.html")
