"""Checking the answers and sending them: the check-your-answers page, the send, the receipt, starting again on a shared device, and the safety advice a red-flag answer leads to."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from screening import clock
from screening.intake import branching as ans
from screening.intake import limit_responses as limits
from screening.intake import services
from screening.intake.advice import advice_context, rule_messages
from screening.intake.answer_display import display_value
from screening.intake.catalogue import (
    INDEX,
    QUESTIONS,
    SECTIONS,
)
from screening.intake.draft_session import live_draft_or_redirect, page_url, session_intake
from screening.intake.instruments import ODI_SECTIONS
from screening.intake.models import Intake
from screening.intake.scoring import ODI_MIN_SECTIONS
from screening.intake.selectors import load_answers
from screening.staff import attempt_limits as throttle


@require_GET
def safety_advice(request: HttpRequest) -> HttpResponse:
    intake = session_intake(request)
    if intake is None or not intake.safety_tier:
        return redirect("screening:start")
    # Consents play no part in the advice: not read (the page's query budget, tests/test_query_budgets.py).
    context = patient_advice(intake, load_answers(intake, consents=(), files={}), clock.today())
    context["continue_url"] = request.session.get("after_advice") or reverse("screening:check")
    return render(request, "screening/intake/safety_advice.html", context)


def patient_advice(intake: Intake, answers: dict, day: date) -> dict:
    """The advice for the intake's red-flag tier, with what to tell a doctor and a "Change my answer" link
    for each answer that raised it (a mis-tap is corrected on its own page)."""
    context = advice_context(intake.safety_tier, rule_messages(intake), answers, day)
    context["changes"] = [
        {
            "label": QUESTIONS[key].label,
            "url": page_url(INDEX.page_of[key], change=True) + f"#div_id_{key}",
        }
        for key in context["raised"]
    ]
    return context


def _summary(stored: dict, day: date) -> list[dict]:
    """Sections, pages and answers for the check-answers page; pages that do not apply are left out."""
    ctx = ans.context(stored, day)
    sections = []
    for section in SECTIONS:
        rows, first = [], None
        for p in section.pages:
            if not ans.page_shown(p, stored, ctx):
                continue
            first = first or p
            for q in p.questions:
                if not ans.question_shown(q, stored, ctx):
                    continue
                value = stored.get(q.key)
                rows.append(
                    {
                        "question": q,
                        "value": display_value(q, value, for_patient=True),
                        "missing": q.required and not ans.is_answered(value),
                        "page": p.slug,
                        "url": page_url(p, change=True) + f"#div_id_{q.key}",
                    }
                )
        if rows:
            sections.append({"section": section, "rows": rows, "url": page_url(first, change=True)})
    return sections


@require_GET
def check(request: HttpRequest) -> HttpResponse:
    intake = live_draft_or_redirect(request)
    if isinstance(intake, HttpResponse):
        return intake
    day = clock.today()
    stored = load_answers(intake)
    return _render_check(request, stored, day, incomplete=[], intake=intake)


def _render_check(
    request, stored, day, incomplete, problem=None, status=200, intake=None
) -> HttpResponse:
    intake = intake or session_intake(request)
    # The advice of a red flag again, before sending: the check page must not bury it.
    advice = patient_advice(intake, stored, day) if intake and intake.safety_tier else {}
    odi_answered = sum(stored.get(f"odi_{key}") is not None for key in ODI_SECTIONS)
    odi_page = INDEX.page_of[f"odi_{ODI_SECTIONS[0]}"]
    odi_asked = ans.page_shown(odi_page, stored, ans.context(stored, day))
    return render(
        request,
        "screening/intake/check.html",
        {
            **advice,
            # The daily-life (ODI) score needs at least 8 of its 10 sections: said before sending.
            "odi_short": odi_asked
            and odi_answered < ODI_MIN_SECTIONS
            and {
                "answered": odi_answered,
                "minimum": ODI_MIN_SECTIONS,
                "url": page_url(odi_page, change=True),
            },
            "sections": _summary(stored, day),
            # Each links to its row on this page, where "Answer" leads to the question
            "incomplete": [(f"answer-{q.key}", q.error_required or q.label) for q in incomplete],
            "last_page_url": reverse("screening:tasks"),
            "problem": problem,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":  # a refused send reloaded: the check page, not an error
        return redirect("screening:check")
    intake = session_intake(request)
    if intake is None:
        return redirect("screening:start")
    if intake.is_submitted:
        return redirect("screening:receipt")
    refusal = _refuse_submit(request, intake)
    if refusal is not None:
        return refusal
    try:
        services.intake_submit(intake_id=intake.pk)
    except services.IntakeIncomplete as gaps:
        day = clock.today()
        return _render_check(request, load_answers(intake), day, incomplete=gaps.questions)
    except services.IntakeNotEditable:
        return redirect(reverse("screening:start") + "?expired=1")
    return redirect("screening:receipt")


def _refuse_submit(request: HttpRequest, intake: Intake) -> HttpResponse | None:
    """The check-answers page again, with why the form was not sent, for a bot or a client over its
    hourly limit; None to go ahead. The answers stay saved in the draft."""
    if not services.draft_is_live(intake):
        return None  # intake_submit says it expired
    if limits.honeypot_filled(request, "submit"):
        problem, status = limits.message(limits.REFUSED), 400
    elif limits.over(limits.SUBMISSIONS, throttle.client_key("submit", request)):
        problem, status = limits.message(limits.SUBMISSIONS.message), 429
    else:
        return None
    response = _render_check(
        request, load_answers(intake), clock.today(), [], problem=problem, status=status
    )
    return limits.retry_after(response) if status == 429 else response


@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    intake = session_intake(request)
    if intake is None or not intake.is_submitted:
        return redirect("screening:start")
    context = {"intake": intake}
    if intake.safety_tier:
        sent = timezone.localdate(intake.submitted_at)
        answers = load_answers(intake, consents=(), files={})  # consents play no part in the advice
        context |= advice_context(intake.safety_tier, rule_messages(intake), answers, sent)
        context["tier"] = intake.safety_tier
    return render(request, "screening/intake/receipt.html", context)


@require_POST
def start_again(request: HttpRequest) -> HttpResponse:
    """Forget everything this browser held (after a submission, or to start over): a shared device must
    not carry one patient's details into the next patient's form."""
    request.session.flush()
    return redirect("screening:start")
