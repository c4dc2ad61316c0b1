"""The intake's question pages: the start page, one page per topic, saving for later, and the "is this
right?" check of an unusual height and weight.

A draft is tied to the browser session (its id is kept server-side in the session, never in a URL). Each page
is saved when the patient moves on. Nothing the patient typed appears in a URL or a log line.
"""

from datetime import date

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from screening import clock
from screening.intake import branching as ans
from screening.intake import language, report_services, report_uploads, services
from screening.intake import limit_responses as limits
from screening.intake.advice import advice_context, rule_messages
from screening.intake.answer_display import display_value
from screening.intake.catalogue import (
    PAGES,
    QUESTIONS,
    SECTIONS,
    Page,
    page_by_slug,
    section_of,
)
from screening.intake.draft_session import (
    SESSION_KEY,
    in_order_done,
    is_task,
    live_draft_or_redirect,
    next_url,
    page_url,
    previous_url,
    redirect_for_state,
    session_intake,
    where_to_resume,
)
from screening.intake.facts import body_is_unlikely
from screening.intake.models import Intake
from screening.intake.page_forms import PageForm
from screening.intake.selectors import load_answers
from screening.staff import attempt_limits as throttle


# --- pages ------------------------------------------------------------------------------------
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    return _render_start(request)


def _render_start(
    request: HttpRequest, problem: str | None = None, status: int = 200
) -> HttpResponse:
    intake = session_intake(request)
    live = intake is not None and services.draft_is_live(intake)
    return render(
        request,
        "screening/intake/start.html",
        {
            "live_draft": live,
            "expired": request.GET.get("expired") == "1",
            "continue_url": where_to_resume(load_answers(intake), clock.today()) if live else None,
            "problem": problem,
            "languages": language.names() if len(language.offered()) > 1 else [],
        },
        status=status,
    )


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The patient picks a language on the start page: this browser, and its draft, speak it."""
    chosen = request.POST.get("language")
    if chosen not in language.offered():
        return HttpResponseBadRequest()
    request.session[language.SESSION_KEY] = chosen
    intake = session_intake(request)
    if intake is not None:
        services.intake_set_language(intake_id=intake.pk, language=chosen)
    return redirect("screening:start")


@require_POST
def begin(request: HttpRequest) -> HttpResponse:
    current = session_intake(request)
    if current is not None and services.draft_is_live(current):
        # A double click on "Start now" (or a resent POST) carries on with the draft it already made.
        return redirect(where_to_resume(load_answers(current), clock.today()))
    if limits.honeypot_filled(request, "begin"):
        return _render_start(request, limits.message(limits.REFUSED), status=400)
    if limits.over(limits.DRAFTS, throttle.client_key("begin", request)):
        return limits.retry_after(
            _render_start(request, limits.message(limits.DRAFTS.message), status=429)
        )
    intake = services.intake_start(language=translation.get_language())
    if request.session.session_key is not None:
        # A session from before gets a new key (against fixation). The session was read above, which
        # drops a key the server does not hold; a browser without a session gets a new key when this
        # one is first saved, and cycling it too would only write the session twice.
        request.session.cycle_key()
    request.session[SESSION_KEY] = intake.pk
    return redirect("screening:page", slug=PAGES[0].slug)


# Addresses of pages that questionnaire 2026-12-07.3 renamed or split: a page left open across the change
# leads to its successor
MOVED = {"body-and-work": "height-and-weight", "treatment-details": "treatments"}


@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, slug: str) -> HttpResponse:
    if slug in MOVED:
        return redirect("screening:page", slug=MOVED[slug])
    current = page_by_slug(slug)
    if current is None:
        raise Http404
    if request.method == "POST":
        return _save_page(request, current)
    intake = live_draft_or_redirect(request)
    if isinstance(intake, HttpResponse):
        return intake
    day = clock.today()
    stored = load_answers(intake)
    if not ans.page_shown(current, stored, ans.context(stored, day)):
        return _skip(current, stored, day)
    form = PageForm(page=current, stored=stored, today=day)
    if report_services.upload_questions(current):  # the files attached so far (one query more)
        form.show_reports(report_services.attached(intake))
    return _render_page(request, current, form, stored, day)


def _save_page(request: HttpRequest, current: Page) -> HttpResponse:
    """A page sent: the service reads the draft once, locked, and validates, counts and saves the page
    in one transaction (services.intake_post_page); this turns what came of it into a page."""
    action = request.POST.get("action", "continue")
    if "remove_report" in request.POST:
        action = "stay"  # a file's "Remove" button: the page is saved as it is, and shown again
    if action not in ("continue", "save", "back", "stay"):
        return HttpResponseBadRequest()
    day = clock.today()
    forms: list[PageForm] = []
    draft = _live_draft(request) if report_services.upload_questions(current) else None
    received = _receive_reports(request, current, draft)

    def clean(stored: dict) -> dict | None:
        form = PageForm(
            request.POST,
            page=current,
            stored=stored,
            today=day,
            require_answers=action == "continue",
            file_errors=received.errors,
        )
        forms.append(form)
        return form.answers if form.is_valid() else None

    post = services.intake_post_page(
        intake_id=request.session.get(SESSION_KEY),
        page=current,
        clean=clean,
        within_limit=lambda intake: (
            not limits.over(limits.PAGE_SAVES, throttle.draft_key("save", intake.pk))
        ),
    )
    elsewhere = redirect_for_state(request, post.state)
    if elsewhere is not None:
        return elsewhere
    if not post.shown:
        return _skip(current, post.stored, day)
    if post.saved is not None:
        change = request.GET.get("change") == "1"
        saved = post.saved
        return _after_save(request, saved.intake, current, saved.answers, day, action, change)
    problem, status = (
        (limits.message(limits.PAGE_SAVES.message), 429) if post.over_limit else (None, 200)
    )
    if draft is not None:  # shown again: with the files attached, those just sent too
        forms[0].show_reports(report_services.attached(draft))
    response = _render_page(request, current, forms[0], post.stored, day, problem, status)
    return limits.retry_after(response) if status == 429 else response


def _skip(current: Page, stored: dict, day: date) -> HttpResponse:
    """A page that does not apply to these answers: on to the next one that does."""
    return redirect(next_url(current, stored, day))


def _render_page(
    request: HttpRequest,
    current: Page,
    form: PageForm,
    stored: dict,
    day: date,
    problem: str | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "screening/intake/page.html",
        {
            "page": current,
            "form": form,
            # The section as a caption; how far along is the task list's to say (its count is live)
            "section": section_of(current),
            "previous_url": previous_url(
                current, stored, day, change=request.GET.get("change") == "1"
            ),
            "change": request.GET.get("change") == "1",
            "problem": problem,
        },
        status=status,
    )


def _after_save(request, intake, current, stored, day, action, change) -> HttpResponse:
    following_url = next_url(current, stored, day, change)
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
            "continue_url": page_url(current),
        }
        if advice_due:
            context |= advice_context(intake.safety_tier, rule_messages(intake))
        return render(request, "screening/intake/saved.html", context)
    if advice_due:
        request.session["after_advice"] = following_url
        return redirect("screening:safety-advice")
    body = [stored.get("height"), stored.get("weight")]
    if (
        action == "continue"
        and any(q.key == "height" for q in current.questions)
        and body_is_unlikely(stored)
        and request.session.get("body_confirmed") != body
    ):
        request.session["after_body_check"] = {
            "next": following_url,
            "back": page_url(current, change),
        }
        return redirect("screening:check-body")
    if action == "back":
        return redirect(previous_url(current, stored, day, change))
    if action == "stay":
        return redirect(page_url(current, change))
    return redirect(following_url)


def _receive_reports(request: HttpRequest, current: Page, draft) -> report_services.Received:
    """The files sent with a page that asks for scan reports: a "Remove" pressed, then each new file
    checked, scanned and attached to the draft (report_services). Done before the page's answers are
    saved, so a file is kept even when an answer on the page needs fixing."""
    if draft is None:
        return report_services.Received()
    if removing := report_services.storage_name_or_none(request.POST.get("remove_report")):
        report_services.report_remove(intake=draft, storage_name=removing)
    return report_uploads.receive(request, draft, current)


def _live_draft(request: HttpRequest):
    return Intake.objects.filter(
        pk=request.session.get(SESSION_KEY), status=Intake.Status.DRAFT
    ).first()


@require_http_methods(["GET", "POST"])
def check_body(request: HttpRequest) -> HttpResponse:
    """ "Is this right?" for a height and weight that are possible but unusual, instead of an error."""
    intake = live_draft_or_redirect(request)
    if isinstance(intake, HttpResponse):
        return intake
    stored = load_answers(intake)
    if not body_is_unlikely(stored):
        return redirect("screening:check")
    where = request.session.get("after_body_check") or {
        "next": reverse("screening:check"),
        "back": page_url(page_by_slug("height-and-weight")),
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


# --- the task list ----------------------------------------------------------------------------
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    """The sections after the first ones as a task list (GOV.UK "complete multiple tasks"): each with its
    status, in any order, then checking and sending once all are completed."""
    intake = live_draft_or_redirect(request)
    if isinstance(intake, HttpResponse):
        return intake
    day = clock.today()
    stored = load_answers(intake)
    if not in_order_done(stored, day):
        return redirect(where_to_resume(stored, day))
    ctx = ans.context(stored, day)
    gaps = {q.key for q in ans.missing(stored, day)}
    rows = []
    for section in SECTIONS:
        pages = [p for p in section.pages if ans.page_shown(p, stored, ctx)]
        if not pages:
            continue  # does not apply (no blocks, or pain too recent for the daily-life questions)
        keys = [q.key for p in pages for q in p.questions if ans.question_shown(q, stored, ctx)]
        if any(k in gaps for k in keys):
            started = any(ans.is_answered(stored.get(k)) for k in keys)
            status = "in_progress" if started else "not_started"
        else:
            status = "completed"
        rows.append(
            {
                "section": section,
                "url": page_url(pages[0]),
                "status": status,
                "task": is_task(section),
            }
        )
    done = sum(row["status"] == "completed" for row in rows)
    # A red flag's advice stays one click away (with its "Change my answer" links)
    advice = advice_context(intake.safety_tier)["heading"] if intake.safety_tier else ""
    return render(
        request,
        "screening/intake/tasks.html",
        {
            "advice_heading": advice,
            "rows": rows,
            "done": done,
            "ready": done == len(rows),
            "previous_url": page_url(
                [p for p in ans.shown_pages(stored, day) if not is_task(section_of(p))][-1]
            ),
        },
    )
