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
def session_intake(request: HttpRequest, *, for_saving: bool = False) -> Intake | None:
    """The session's intake; ``for_saving``: locked, as services.draft_for_saving reads it."""
    intake_id = request.session.get(SESSION_KEY)
    if intake_id is None:
        return None
    if for_saving:
        return services.draft_for_saving(intake_id)
    return Intake.objects.select_related("identity").filter(pk=intake_id).first()


def live_draft_or_redirect(
    request: HttpRequest, *, for_saving: bool = False
) -> Intake | HttpResponse:
    """The session's editable draft, or where the patient should go instead."""
    intake = session_intake(request, for_saving=for_saving)
    if intake is None:
        return redirect("screening:start")
    if intake.is_submitted:
        return redirect("screening:receipt")
    if not services.draft_is_live(intake):
        request.session.pop(SESSION_KEY, None)
        return redirect(reverse("screening:start") + "?expired=1")
    return intake


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
