"""Anti-automation on the public intake: hourly limits on new drafts, page saves and submissions, and a
honeypot field on the start and check-answers forms.

A person who meets a limit is told what happened and what to do, and keeps what they typed (the view
shows the page again with it). Logs name the limit or the form, never an address or a value.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from screening.intake.report_files import MESSAGES
from screening.staff import attempt_limits as throttle

logger = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
# The honeypot's name, as in templates/screening/includes/_honeypot.html: nothing a browser would
# autofill, and shown to nobody.
HONEYPOT_FIELD = "extra_details"


@dataclass(frozen=True)
class Limit:
    name: str
    setting: str  # the setting that holds how many are allowed per hour
    message: Promise


DRAFTS = Limit(
    "drafts",
    "INTAKE_DRAFTS_PER_HOUR",
    _(
        "You have started many forms from this connection. Wait an hour and try again, "
        "or call the clinic on %(phone)s."
    ),
)
PAGE_SAVES = Limit(
    "page_saves",
    "INTAKE_PAGE_SAVES_PER_HOUR",
    _(
        "Your answers on this page have not been saved yet, because this form has been saved many "
        "times in the last hour. Your answers are still below: wait an hour and try again, "
        "or call the clinic on %(phone)s."
    ),
)
SUBMISSIONS = Limit(
    "submissions",
    "INTAKE_SUBMISSIONS_PER_HOUR",
    _(
        "Many forms have been sent from this connection. Your answers are saved but your form has "
        "not been sent yet. Wait an hour and send it again, or call the clinic on %(phone)s."
    ),
)
REPORTS = Limit("reports", "REPORTS_PER_ADDRESS_PER_HOUR", MESSAGES["too_fast"])
REFUSED = _(
    "We could not accept this form. Try again, and if this keeps happening, call the clinic on "
    "%(phone)s."
)


def over(limit: Limit, key: str) -> bool:
    """Count one use against ``limit``; True when this hour's allowance is already used up."""
    if throttle.take(key, limit=getattr(settings, limit.setting), window=HOUR):
        return False
    logger.warning("intake limit reached: %s", limit.name)
    return True


def message(text: Promise) -> str:
    return str(text) % {"phone": settings.CLINIC["phone"]}


def honeypot_filled(request: HttpRequest, form: str) -> bool:
    """True when the field no person can see was filled in: a bot. Logged by form, never its value."""
    if not request.POST.get(HONEYPOT_FIELD, ""):
        return False
    logger.warning("intake honeypot filled: %s form", form)
    return True


def retry_after(response: HttpResponse) -> HttpResponse:
    """Tell clients when to come back (at most a window from now)."""
    response["Retry-After"] = str(int(HOUR.total_seconds()))
    return response
