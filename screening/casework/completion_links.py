"""The patient's side of a completion link: finding the link a token names, checking the date of birth
(with a ceiling on wrong dates), and storing the answers, once. Staff send links through services.py."""

from typing import Any

from django.db import transaction
from django.db.models import F

from screening import clock
from screening.casework.models import Amendment, CompletionLink
from screening.casework.services import case_amend, case_rescreen
from screening.intake import reference_codes as codes
from screening.intake.models import ScanReport

COMPLETION_LINK_MAX_FAILURES = 5


def _open_links():
    return CompletionLink.objects.filter(
        used_at=None, withdrawn_at=None, expires_at__gt=clock.now()
    ).select_related("case", "case__intake", "case__intake__identity")


def completion_link_for(token: str) -> CompletionLink | None:
    """The link a token names, open or not."""
    if not token or len(token) > 100:
        return None
    return (
        CompletionLink.objects.filter(token_digest=codes.link_digest(token))
        .select_related("case", "case__intake", "case__intake__identity")
        .first()
    )


def is_open(link: CompletionLink) -> bool:
    return link.used_at is None and link.withdrawn_at is None and link.expires_at > clock.now()


def completion_link_open_by_id(link_id: int) -> CompletionLink | None:
    return _open_links().filter(pk=link_id).first()


def completion_link_by_id(link_id: int | None) -> CompletionLink | None:
    if not isinstance(link_id, int):
        return None
    return (
        CompletionLink.objects.filter(pk=link_id)
        .select_related("case", "case__intake", "case__intake__identity")
        .first()
    )


def completion_link_check(*, link_id: int, date_of_birth) -> bool:
    """True if the date of birth is the patient's. Wrong dates are counted with a conditional update,
    and the link closes at the limit, so guesses in parallel cannot go past it."""
    link = completion_link_open_by_id(link_id)
    if link is None:
        return False
    if link.case.intake.identity.date_of_birth == date_of_birth:
        return True
    counted = CompletionLink.objects.filter(
        pk=link_id, failures__lt=COMPLETION_LINK_MAX_FAILURES - 1
    ).update(failures=F("failures") + 1)
    if not counted:
        CompletionLink.objects.filter(pk=link_id, withdrawn_at=None).update(
            failures=F("failures") + 1, withdrawn_at=clock.now()
        )
    return False


@transaction.atomic
def case_complete_by_link(
    *, link_id: int, values: dict[str, Any], files_added: bool = False
) -> bool:
    """Store the patient's answers from a link and use the link up: once, even if sent twice at once.
    With ``files_added`` (scan reports attached through the link), the case is screened again even when
    no answer changed."""
    used = CompletionLink.objects.filter(
        pk=link_id, used_at=None, withdrawn_at=None, expires_at__gt=clock.now()
    ).update(used_at=clock.now())
    if not used:
        return False
    link = CompletionLink.objects.select_related("case").get(pk=link_id)
    screened = case_amend(case_id=link.case_id, values=values, source=Amendment.Source.LINK)
    files_added = ScanReport.objects.filter(
        intake_id=link.case.intake_id, added_at__gte=link.created_at
    ).exists()
    if screened is None and files_added:
        case_rescreen(case_id=link.case_id, user=None)
    return True
