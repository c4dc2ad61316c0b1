"""Patient intake pages: start, one page per topic, safety advice, save and resume, check answers, submit.

A draft is tied to the browser session (its id is kept server-side in the session, never in a URL). Each page
is saved when the patient moves on. Nothing the patient typed appears in a URL or a log line.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from screening.casework.models import ScreeningResult
from screening.intake import branching as ans
from screening.intake import limit_responses as limits
from screening.intake import services
from screening.intake.answer_display import display_value
from screening.intake.catalogue import (
    INDEX,
    PAGES,
    QUESTIONS,
    SECTIONS,
    Page,
    page_by_slug,
    section_of,
)
from screening.intake.consent import PRIVACY_NOTICE_VERSION
from screening.intake.facts import body_is_unlikely
from screening.intake.models import Intake
from screening.intake.page_forms import PageForm
from screening.intake.resume_form import ResumeForm
from screening.intake.safety import ADVICE
from screening.intake.selectors import load_answers
from screening.staff import attempt_limits as throttle

SESSION_KEY = "intake_id"


# --- access -----------------------------------------------------------------------------------
def _session_intake(request: HttpRequest, *, for_saving: bool = False) -> Intake | None:
    """The session's intake; ``for_saving``: locked, as services.draft_for_saving reads it."""
    intake_id = request.session.get(SESSION_KEY)
    if intake_id is None:
        return None
    if for_saving:
        return services.draft_for_saving(intake_id)
    return Intake.objects.select_related("identity").filter(pk=intake_id).first()


def _live_draft_or_redirect(
    request: HttpRequest, *, for_saving: bool = False
) -> Intake | HttpResponse:
    """The session's editable draft, or where the patient should go instead."""
    intake = _session_intake(request, for_saving=for_saving)
    if intake is None:
        return redirect("screening:start")
    if intake.is_submitted:
        return redirect("screening:receipt")
    if not services.draft_is_live(intake):
        request.session.pop(SESSION_KEY, None)
        return redirect(reverse("screening:start") + "?expired=1")
    return intake


# --- navigation -------------------------------------------------------------------------------
def _progress(page: Page) -> dict:
    """A fixed "Section N of 10": a section that does not apply is skipped, so the total never shifts."""
    section = section_of(page)
    return {"number": SECTIONS.index(section) + 1, "total": len(SECTIONS), "section": section}


def _neighbour(page: Page, stored: dict, day: date, step: int) -> Page | None:
    shown = ans.shown_pages(stored, day)
    order = list(PAGES)
    candidates = [p for p in shown if (order.index(p) - order.index(page)) * step > 0]
    if not candidates:
        return None
    return candidates[0] if step > 0 else candidates[-1]


def _page_url(page: Page, change: bool = False) -> str:
    url = reverse("screening:page", args=[page.slug])
    return f"{url}?change=1" if change else url


def _where_to_resume(stored: dict, day: date) -> str:
    gaps = ans.missing(stored, day)
    if not gaps:
        return reverse("screening:check")
    return _page_url(INDEX.page_of[gaps[0].key])


# --- pages ------------------------------------------------------------------------------------
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    return _render_start(request)


def _render_start(
    request: HttpRequest, problem: str | None = None, status: int = 200
) -> HttpResponse:
    intake = _session_intake(request)
    live = intake is not None and services.draft_is_live(intake)
    return render(
        request,
        "screening/intake/start.html",
        {
            "live_draft": live,
            "expired": request.GET.get("expired") == "1",
            "continue_url": _where_to_resume(load_answers(intake), services.today())
            if live
            else None,
            "problem": problem,
        },
        status=status,
    )


@require_POST
def begin(request: HttpRequest) -> HttpResponse:
    current = _session_intake(request)
    if current is not None and services.draft_is_live(current):
        # A double click on "Start now" (or a resent POST) carries on with the draft it already made.
        return redirect(_where_to_resume(load_answers(current), services.today()))
    if limits.honeypot_filled(request, "begin"):
        return _render_start(request, limits.message(limits.REFUSED), status=400)
    if limits.over(limits.DRAFTS, throttle.client_key("begin", request)):
        return limits.retry_after(
            _render_start(request, limits.message(limits.DRAFTS.message), status=429)
        )
    intake = services.intake_start()
    if request.session.session_key is not None:
        # A session from before gets a new key (against fixation). The session was read above, which
        # drops a key the server does not hold; a browser without a session gets a new key when this
        # one is first saved, and cycling it too would only write the session twice.
        request.session.cycle_key()
    request.session[SESSION_KEY] = intake.pk
    return redirect("screening:page", slug=PAGES[0].slug)


@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, slug: str) -> HttpResponse:
    current = page_by_slug(slug)
    if current is None:
        raise Http404
    if request.method == "POST":
        return _save_page(request, current)
    intake = _live_draft_or_redirect(request)
    if isinstance(intake, HttpResponse):
        return intake
    day = services.today()
    stored = load_answers(intake)
    if not ans.page_shown(current, stored, ans.context(stored, day)):
        return _skip(current, stored, day)
    form = PageForm(page=current, stored=stored, today=day)
    return _render_page(request, current, form, stored, day)


def _save_page(request: HttpRequest, current: Page) -> HttpResponse:
    """A page sent: the draft is read once, locked, and the page counted and saved in one transaction."""
    action = request.POST.get("action", "continue")
    if action not in ("continue", "save", "back"):
        return HttpResponseBadRequest()
    day = services.today()
    with transaction.atomic():
        intake = _live_draft_or_redirect(request, for_saving=True)
        if isinstance(intake, HttpResponse):
            return intake
        stored = load_answers(intake)
        if not ans.page_shown(current, stored, ans.context(stored, day)):
            return _skip(current, stored, day)
        form = PageForm(
            request.POST,
            page=current,
            stored=stored,
            today=day,
            require_answers=action == "continue",
        )
        if not form.is_valid():
            problem, status = None, 200
        elif limits.over(limits.PAGE_SAVES, throttle.draft_key("save", intake.pk)):
            # Shown again with what was posted, so nothing typed is lost.
            problem, status = limits.message(limits.PAGE_SAVES.message), 429
        else:
            saved = services.intake_save_page(
                intake=intake, stored=stored, page=current, values=form.answers
            )
            change = request.GET.get("change") == "1"
            return _after_save(request, saved.intake, current, saved.answers, day, action, change)
    response = _render_page(request, current, form, stored, day, problem, status)
    return limits.retry_after(response) if status == 429 else response


def _skip(current: Page, stored: dict, day: date) -> HttpResponse:
    """A page that does not apply to these answers: on to the next one that does."""
    following = _neighbour(current, stored, day, +1)
    return redirect(_page_url(following) if following else reverse("screening:check"))


def _render_page(
    request: HttpRequest,
    current: Page,
    form: PageForm,
    stored: dict,
    day: date,
    problem: str | None = None,
    status: int = 200,
) -> HttpResponse:
    previous = _neighbour(current, stored, day, -1)
    return render(
        request,
        "screening/intake/page.html",
        {
            "page": current,
            "form": form,
            "progress": _progress(current),
            "previous_url": _page_url(previous) if previous else reverse("screening:start"),
            "change": request.GET.get("change") == "1",
            "problem": problem,
        },
        status=status,
    )


def _after_save(request, intake, current, stored, day, action, change) -> HttpResponse:
    following = _neighbour(current, stored, day, +1)
    if change:
        next_url = _where_to_resume(stored, day)
    else:
        next_url = _page_url(following) if following else reverse("screening:check")
    # Safety advice comes first, whatever the patient pressed: it must be seen at once.
    advice_due = intake.safety_tier is not None and (
        intake.safety_advice_tier is None or intake.safety_tier < intake.safety_advice_tier
    )
    if advice_due:
        services.intake_mark_advice_shown(intake=intake, tier=intake.safety_tier)
    if action == "save":
        code = services.intake_issue_resume_code(intake=intake)
        context = {
            "code": code,
            "days": settings.INTAKE_DRAFT_DAYS,
            "continue_url": _page_url(current),
        }
        if advice_due:
            context |= _advice_context(intake.safety_tier, _rule_messages(intake))
        return render(request, "screening/intake/saved.html", context)
    if advice_due:
        request.session["after_advice"] = next_url
        return redirect("screening:safety-advice")
    body = [stored.get("height"), stored.get("weight")]
    if (
        action == "continue"
        and any(q.key == "height" for q in current.questions)
        and body_is_unlikely(stored)
        and request.session.get("body_confirmed") != body
    ):
        request.session["after_body_check"] = {"next": next_url, "back": _page_url(current, change)}
        return redirect("screening:check-body")
    if action == "back":
        previous = _neighbour(current, stored, day, -1)
        return redirect(_page_url(previous) if previous else reverse("screening:start"))
    return redirect(next_url)


def _advice_context(tier: int, rule_messages: list[str] | None = None) -> dict:
    """The advice for a red-flag tier: the red-flag rules' own messages, or the fixed text as fallback."""
    advice = ADVICE[tier]
    params = {"emergency_number": settings.CLINIC["emergency_number"]}
    points = rule_messages or [str(p) for p in advice.points]
    return {
        "advice": advice,
        "heading": advice.heading % params,
        "points": [_fill(p, params) for p in points],
    }


def _fill(message: str, params: dict) -> str:
    try:
        return message % params
    except (
        KeyError,
        ValueError,
        TypeError,
    ):  # an admin's message with a stray %: show it as written
        return message


def _rule_messages(intake: Intake) -> list[str]:
    """The patient messages of the red-flag rules that fired in the draft's latest screening."""
    latest = intake.screenings.filter(trigger=ScreeningResult.Trigger.DRAFT).first()
    if latest is None:
        return []
    messages = [f.get("patient_message") for f in latest.findings if f["outcome"] == "urgent"]
    return list(dict.fromkeys(m for m in messages if m))


@require_http_methods(["GET", "POST"])
def check_body(request: HttpRequest) -> HttpResponse:
    """ "Is this right?" for a height and weight that are possible but unusual, instead of an error."""
    intake = _live_draft_or_redirect(request)
    if isinstance(intake, HttpResponse):
        return intake
    stored = load_answers(intake)
    if not body_is_unlikely(stored):
        return redirect("screening:check")
    where = request.session.get("after_body_check") or {
        "next": reverse("screening:check"),
        "back": _page_url(page_by_slug("body-and-work")),
    }
    error = None
    if request.method == "POST":
        answer = request.POST.get("right")
        if answer == "yes":
            request.session["body_confirmed"] = [stored.get("height"), stored.get("weight")]
            return redirect(where["next"])
        if answer == "no":
            return redirect(where["back"])
        error = _("Select yes if your height and weight are right")
    height = display_value(QUESTIONS["height"], stored.get("height"))
    weight = display_value(QUESTIONS["weight"], stored.get("weight"))
    return render(
        request,
        "screening/intake/check_body.html",
        {"height": height, "weight": weight, "error": error, "back_url": where["back"]},
    )


@require_GET
def safety_advice(request: HttpRequest) -> HttpResponse:
    intake = _session_intake(request)
    if intake is None or not intake.safety_tier:
        return redirect("screening:start")
    context = _advice_context(intake.safety_tier, _rule_messages(intake))
    context["continue_url"] = request.session.get("after_advice") or reverse("screening:check")
    return render(request, "screening/intake/safety_advice.html", context)


def _summary(stored: dict, day: date) -> list[dict]:
    """Sections, pages and answers for the check-answers page; pages that do not apply are left out."""
    ctx = ans.context(stored, day)
    sections = []
    for section in SECTIONS:
        rows = []
        for p in section.pages:
            if not ans.page_shown(p, stored, ctx):
                continue
            for q in p.questions:
                if not ans.question_shown(q, stored, ctx):
                    continue
                value = stored.get(q.key)
                rows.append(
                    {
                        "question": q,
                        "value": display_value(q, value),
                        "missing": q.required and not ans.is_answered(value),
                        "url": _page_url(p, change=True) + f"#div_id_{q.key}",
                    }
                )
        if rows:
            sections.append({"section": section, "rows": rows})
    return sections


@require_GET
def check(request: HttpRequest) -> HttpResponse:
    intake = _live_draft_or_redirect(request)
    if isinstance(intake, HttpResponse):
        return intake
    day = services.today()
    stored = load_answers(intake)
    return _render_check(request, stored, day, incomplete=[])


def _render_check(request, stored, day, incomplete, problem=None, status=200) -> HttpResponse:
    return render(
        request,
        "screening/intake/check.html",
        {
            "sections": _summary(stored, day),
            "incomplete": [
                (
                    _page_url(INDEX.page_of[q.key], change=True) + f"#div_id_{q.key}",
                    q.error_required or q.label,
                )
                for q in incomplete
            ],
            "last_page_url": _page_url(ans.shown_pages(stored, day)[-1]),
            "problem": problem,
        },
        status=status,
    )


@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    intake = _session_intake(request)
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
        day = services.today()
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
        request, load_answers(intake), services.today(), [], problem=problem, status=status
    )
    return limits.retry_after(response) if status == 429 else response


@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    intake = _session_intake(request)
    if intake is None or not intake.is_submitted:
        return redirect("screening:start")
    return render(
        request,
        "screening/intake/receipt.html",
        {
            "intake": intake,
            "advice_heading": _advice_context(intake.safety_tier)["heading"]
            if intake.safety_tier
            else None,
        },
    )


@require_POST
def start_again(request: HttpRequest) -> HttpResponse:
    """Forget everything this browser held (after a submission, or to start over): a shared device must
    not carry one patient's details into the next patient's form."""
    request.session.flush()
    return redirect("screening:start")


@require_http_methods(["GET", "POST"])
def resume(request: HttpRequest) -> HttpResponse:
    key = throttle.client_key("resume", request)
    limit = settings.INTAKE_RESUME_MAX_FAILURES
    form = ResumeForm(request.POST if request.method == "POST" else None, today=services.today())
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
                stored = load_answers(outcome.intake)
                return redirect(_where_to_resume(stored, services.today()))
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
