"""Sending e-mails in the background: each OutgoingEmail rendered when it is sent, retried when the send fails.
Enqueued on commit by notifications.py, never from save() or signals."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Count
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from screening import clock
from screening.casework.models import (
    SEVERITY_RANK,
    Booking,
    Case,
    CompletionLink,
    OutgoingEmail,
    ScreeningResult,
)
from screening.intake import reference_codes as codes
from screening.intake.models import PatientIdentity
from screening.rules import outcomes
from screening.staff import account_emails
from screening.staff.account_emails import NobodyToTell

logger = logging.getLogger(__name__)


# --- E-mail -------------------------------------------------------------------------------------


class NoPatientAddress(Exception):
    """The patient gave no e-mail address to send to."""


class LinkNotOpen(Exception):
    """The completion link was used, withdrawn or has expired: there is nothing to send."""

    reason = "link no longer open"


@task
def send_email(email_id: int) -> None:
    """Send one OutgoingEmail, rendered now. A failed send is retried with growing delays, up to
    EMAIL_MAX_ATTEMPTS attempts in all; then the e-mail is marked failed for clinic admins to see.

    Errors are recorded and logged by their type only: their message could quote an address."""
    emails = OutgoingEmail.objects.select_related(
        "case__intake__identity", "booking", "link", "user", "approval__requested_by"
    )
    email = emails.filter(pk=email_id).first()
    if email is None or email.state not in (
        OutgoingEmail.State.QUEUED,
        OutgoingEmail.State.RETRYING,
    ):
        return  # deleted with its case (an expired draft), sent, or given up on: nothing to do
    try:
        _message(email).send(using="default")
    except (LinkNotOpen, NobodyToTell) as error:  # nothing to retry
        email.state, email.last_error = OutgoingEmail.State.FAILED, error.reason
        email.save(update_fields=["state", "last_error"])
        return
    except Exception as error:  # any failure to send is retried, then shown as failed
        _send_failed(email, error)
        return
    email.state, email.sent_at = OutgoingEmail.State.SENT, clock.now()
    email.attempts += 1
    email.save(update_fields=["state", "sent_at", "attempts"])


def _send_failed(email: OutgoingEmail, error: Exception) -> None:
    email.attempts += 1
    email.last_error = type(error).__name__
    retry = email.attempts < settings.EMAIL_MAX_ATTEMPTS
    email.state = OutgoingEmail.State.RETRYING if retry else OutgoingEmail.State.FAILED
    email.save(update_fields=["attempts", "last_error", "state"])
    logger.log(
        logging.WARNING if retry else logging.ERROR,
        "e-mail %s (%s) not sent, attempt %s of %s: %s",
        email.pk,
        email.kind,
        email.attempts,
        settings.EMAIL_MAX_ATTEMPTS,
        email.last_error,
    )
    if not retry:
        return
    if send_email.get_backend().supports_defer:
        delay = timedelta(seconds=30 * 2**email.attempts)  # 1, 2, 4, 8 ... minutes
        send_email.using(run_after=clock.now() + delay).enqueue(email.pk)
    else:
        send_email.enqueue(email.pk)  # the in-process backend cannot wait: retry at once


def _message(email: OutgoingEmail) -> EmailMessage:
    """The message for an OutgoingEmail, rendered from templates/email/. Staff e-mails carry references
    and links only; patient e-mails carry no clinical detail and no outcome."""
    if email.kind == OutgoingEmail.Kind.URGENT:
        reference = email.case.intake.reference
        body = render_to_string(
            "email/urgent.txt", {"reference": reference, "url": _case_url(reference)}
        )
        return EmailMessage(f"Urgent case {reference}", body, to=[settings.ONCALL_EMAIL])
    if email.kind == OutgoingEmail.Kind.URGENT_AGAIN:
        case = email.case
        reference = case.intake.reference
        waited = int((email.created_at - case.received_at).total_seconds() // 60)
        failed = case.outcome == ScreeningResult.SCREENING_ERROR
        body = render_to_string(
            "email/urgent_again.txt",
            {
                "reference": reference,
                "url": _case_url(reference),
                "minutes": waited,
                "screening_failed": failed,
            },
        )
        what = "case" if failed else "urgent case"
        subject = f"Still nobody on {what} {reference}" + (" (screening failed)" if failed else "")
        return EmailMessage(subject, body, to=[settings.ONCALL_EMAIL])
    if email.kind == OutgoingEmail.Kind.DIGEST:
        return _digest_message(email.references)
    if email.kind in account_emails.KINDS:
        return account_emails.message(email)
    # A patient's e-mail speaks the language the patient filled the form in
    with translation.override(email.case.intake.language):
        return _patient_message(email)


def _patient_message(email: OutgoingEmail) -> EmailMessage:
    to = [_patient_address(email.case)]
    clinic = settings.CLINIC
    if email.kind == OutgoingEmail.Kind.BOOKING:
        booking = email.booking
        body = render_to_string(
            "email/booking.txt",
            {
                "clinic": clinic,
                "reference": email.case.intake.reference,
                "starts_at": booking.starts_at,
                "clinician": booking.clinician,
                "in_person": booking.mode == Booking.Mode.IN_PERSON,
            },
        )
        subject = _("Your consultation with %(clinic)s") % {"clinic": clinic["name"]}
        return EmailMessage(subject, body, to=to)
    if email.kind == OutgoingEmail.Kind.COMPLETION:
        token = _open_link(email.link)
        body = render_to_string(
            "email/completion.txt",
            {
                "clinic": clinic,
                "url": settings.SITE_URL + reverse("screening:complete", args=[token]),
                "expires_at": email.link.expires_at,
                "reference": email.case.intake.reference,
            },
        )
        subject = _("%(clinic)s: a few more questions") % {"clinic": clinic["name"]}
        return EmailMessage(subject, body, to=to)
    raise ValueError(f"unknown e-mail kind {email.kind!r}")


def _digest_message(references: list[str]) -> EmailMessage:
    rows = Case.objects.filter(intake__reference__in=references).values("outcome")
    counts = {row["outcome"]: row["n"] for row in rows.annotate(n=Count("pk"))}
    by_outcome = [
        (outcomes.label(outcome).lower(), counts[outcome])
        for outcome in sorted(counts, key=lambda o: SEVERITY_RANK.get(o, len(SEVERITY_RANK)))
    ]
    body = render_to_string(
        "email/digest.txt",
        {
            "count": len(references),
            "by_outcome": by_outcome,
            "cases": [(reference, _case_url(reference)) for reference in references],
        },
    )
    subject = f"New cases to review: {len(references)}"
    return EmailMessage(subject, body, to=[settings.DIGEST_EMAIL])


def _case_url(reference: str) -> str:
    return settings.SITE_URL + reverse("screening:case", args=[reference])


def _patient_address(case: Case) -> str:
    try:
        address = case.intake.identity.email
    except PatientIdentity.DoesNotExist:
        address = ""
    if not address:
        raise NoPatientAddress
    return address


def _open_link(link: CompletionLink) -> str:
    """A fresh token for the link, of which only the digest is stored, replacing any earlier one (so
    only the latest e-mail's link works). Raises LinkNotOpen if the link was used, withdrawn or expired;
    the conditional update makes that check and the change one step."""
    token = codes.new_link_token()
    opened = CompletionLink.objects.filter(
        pk=link.pk, used_at=None, withdrawn_at=None, expires_at__gt=clock.now()
    ).update(token_digest=codes.link_digest(token))
    if not opened:
        raise LinkNotOpen
    return token
