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
    Page,
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


def where_to_resume(stored: dict, day: date) -> str:
    gaps = ans.missing(stored, day)
    if not gaps:
        return reverse("screening:check")
    return page_url(INDEX.page_of[gaps[0].key])
