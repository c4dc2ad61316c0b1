"""The draft this browser holds (kept in its session), and where a patient goes next in it."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from screening.intake import branching as ans
from screening.intake import services
from screening.intake.catalogue import (
    INDEX,
    PAGES,
    SECTIONS,
    Page,
    Section,
    section_of,
)
from screening.intake.models import Intake

SESSION_KEY = "intake_id"


# --- access -----------------------------------------------------------------------------------
def session_intake(request: HttpRequest) -> Intake | None:
    """The session's intake, if any."""
    intake_id = request.session.get(SESSION_KEY)
    if intake_id is None:
        return None
    return Intake.objects.select_related("identity").filter(pk=intake_id).first()


def redirect_for_state(request: HttpRequest, state: services.DraftState) -> HttpResponse | None:
    """Where a patient whose draft is not editable goes instead (None: it is editable)."""
    if state == services.DraftState.NONE:
        return redirect("screening:start")
    if state == services.DraftState.SUBMITTED:
        return redirect("screening:receipt")
    if state == services.DraftState.EXPIRED:
        request.session.pop(SESSION_KEY, None)
        return redirect(reverse("screening:start") + "?expired=1")
    return None


def live_draft_or_redirect(request: HttpRequest) -> Intake | HttpResponse:
    """The session's editable draft, or where the patient should go instead."""
    intake = session_intake(request)
    if intake is None:
        state = services.DraftState.NONE
    elif intake.is_submitted:
        state = services.DraftState.SUBMITTED
    elif not services.draft_is_live(intake):
        state = services.DraftState.EXPIRED
    else:
        return intake
    return redirect_for_state(request, state)


# The first sections are asked in order (the safety questions never wait); the rest are tasks of a task list
# (GOV.UK "complete multiple tasks"), done in any order, each returning to the list when it ends.
IN_ORDER = 3


def is_task(section: Section) -> bool:
    return SECTIONS.index(section) >= IN_ORDER


def tasks_url() -> str:
    return reverse("screening:tasks")


def neighbour(page: Page, stored: dict, day: date, step: int) -> Page | None:
    shown = ans.shown_pages(stored, day)
    order = list(PAGES)
    candidates = [p for p in shown if (order.index(p) - order.index(page)) * step > 0]
    if not candidates:
        return None
    return candidates[0] if step > 0 else candidates[-1]


def page_url(page: Page, change: bool = False) -> str:
    url = reverse("screening:page", args=[page.slug])
    return f"{url}?change=1" if change else url


def next_url(page: Page, stored: dict, day: date, change: bool = False) -> str:
    """Where Continue leads: the section's next page; at a section's end, the next section while the
    first ones are asked in order, then the task list. When changing from the check page, back there (or
    to the first question the change opened: where_to_resume)."""
    following = neighbour(page, stored, day, +1)
    if following is not None and (
        section_of(following) == section_of(page) or _follows_on(following, page)
    ):
        return page_url(following, change)
    if change:  # back to the section's card on the check page (or the first question opened)
        url = where_to_resume(stored, day)
        check = reverse("screening:check")
        return f"{check}#section-{section_of(page).key}" if url == check else url
    done = in_order_done(stored, day)
    if following is not None and not is_task(section_of(following)) and not done:
        return page_url(following)
    return tasks_url() if done else where_to_resume(stored, day)


def _follows_on(following: Page, page: Page) -> bool:
    """Whether ``following`` opens a section that details the one ``page`` ends (blocks, treatments)."""
    section = section_of(following)
    return section.follows_on and SECTIONS.index(section) == SECTIONS.index(section_of(page)) + 1


def previous_url(page: Page, stored: dict, day: date, change: bool = False) -> str:
    """Where Back leads: the page before; from a section's first page, the check page when changing
    from it, else the task list once it is open."""
    previous = neighbour(page, stored, day, -1)
    if previous is not None and (
        section_of(previous) == section_of(page) or _follows_on(page, previous)
    ):
        return page_url(previous, change)
    if change:
        return reverse("screening:check")
    if previous is None:
        return reverse("screening:start")
    if is_task(section_of(page)) or in_order_done(stored, day):
        return tasks_url()
    return page_url(previous)


def in_order_done(stored: dict, day: date) -> bool:
    """Whether the sections asked in order are answered, so the task list opens."""
    return not any(not is_task(section_of(INDEX.page_of[q.key])) for q in ans.missing(stored, day))


def where_to_resume(stored: dict, day: date) -> str:
    """The first question left in the sections asked in order; then the task list, or the check page
    once everything is answered."""
    gaps = ans.missing(stored, day)
    if not gaps:
        return reverse("screening:check")
    page = INDEX.page_of[gaps[0].key]
    return tasks_url() if is_task(section_of(page)) else page_url(page)
