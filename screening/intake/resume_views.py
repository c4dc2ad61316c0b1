"""Coming back to a saved form with its resume code and date of birth, and the privacy notice."""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from screening import clock
from screening.intake import language, services
from screening.intake.consent import PRIVACY_NOTICE_VERSION
from screening.intake.draft_session import SESSION_KEY, where_to_resume
from screening.intake.resume_form import ResumeForm
from screening.intake.selectors import load_answers
from screening.staff import attempt_limits as throttle


@require_http_methods(["GET", "POST"])
def resume(request: HttpRequest) -> HttpResponse:
    key = throttle.client_key("resume", request)
    limit = settings.INTAKE_RESUME_MAX_FAILURES
    form = ResumeForm(request.POST if request.method == "POST" else None, today=clock.today())
    problem, status = None, 200
    if request.method == "POST" and form.is_valid():
        window = timedelta(minutes=settings.INTAKE_RESUME_WINDOW_MINUTES)
        if throttle.take(key, limit=limit, window=window):
            outcome = services.intake_resume(
                code=form.cleaned_data["code"], date_of_birth=form.cleaned_data["date_of_birth"]
            )
            if outcome.intake is not None:
                throttle.refund(key)
                request.session.cycle_key()
                request.session[SESSION_KEY] = outcome.intake.pk
                if (
                    outcome.intake.language in language.offered()
                ):  # the form goes on in its language
                    request.session[language.SESSION_KEY] = outcome.intake.language
                stored = load_answers(outcome.intake)
                return redirect(where_to_resume(stored, clock.today()))
            if outcome.expired:
                problem = _(
                    "Your saved answers have expired. Saved answers are kept for %(days)s days. "
                    "Start a new form."
                ) % {"days": settings.INTAKE_DRAFT_DAYS}
            else:
                form.add_error(
                    "code",
                    _(
                        "The resume code and date of birth do not match a saved form. Check both and try again"
                    ),
                )
    if throttle.blocked(key, limit=limit):
        status = 429
        problem = _(
            "You have entered the wrong details too many times. Wait %(minutes)s minutes and try again, "
            "or call the clinic on %(phone)s."
        ) % {"minutes": settings.INTAKE_RESUME_WINDOW_MINUTES, "phone": settings.CLINIC["phone"]}
    return render(
        request, "screening/intake/resume.html", {"form": form, "problem": problem}, status=status
    )


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "screening/privacy.html", {"version": PRIVACY_NOTICE_VERSION})
