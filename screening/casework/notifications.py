"""Notifications: each e-mail is an OutgoingEmail row, sent by a background task once the write commits.

The services that cause an e-mail call one function here inside their transaction; a rolled-back write
leaves no row and sends nothing. What the e-mail says is decided when it is sent (tasks.send_email).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from screening import clock
from screening.casework.email_sending import send_email
from screening.casework.models import Booking, Case, CompletionLink, OutgoingEmail
from screening.staff import audit_log as audit
from screening.staff.models import ApprovalRequest

DIGEST_PERIOD = timedelta(hours=24)  # what the first digest looks back over
# A case is received (its received_at set) a moment before its transaction commits, so a digest taken in
# that moment would not see it yet: each digest also looks this far before the previous one, leaving out
# the cases that a digest in that stretch already listed.
DIGEST_OVERLAP = timedelta(minutes=10)


def _queue(email: OutgoingEmail) -> OutgoingEmail:
    transaction.on_commit(lambda: send_email.enqueue(email.pk))
    return email


def urgent_case(case: Case) -> OutgoingEmail | None:
    """Alert the on-call coordinators to an urgent case. Once per case, ever: returns None if the case
    was already alerted (the database allows one urgent alert per case, so concurrent calls are safe)."""
    try:
        with transaction.atomic():
            email = OutgoingEmail.objects.create(
                kind=OutgoingEmail.Kind.URGENT, case=case, created_at=clock.now()
            )
    except IntegrityError:
        return None
    _record_alert(case, again=False)
    return _queue(email)


def _record_alert(case: Case, *, again: bool, waited: int | None = None) -> None:
    """The alert on the case's timeline (by nobody: the app sent it)."""
    detail = {"again": again} | ({"waited_minutes": waited} if waited is not None else {})
    audit.record(
        actor=None,
        action="case.alert",
        object_type="case",
        object_ref=case.intake.reference,
        detail=detail,
    )


def realert_unclaimed(now: datetime | None = None) -> list[OutgoingEmail]:
    """Alert the on-call coordinators again to each open tier-1 or screening-error case that nobody has
    taken, once URGENT_REALERT_MINUTES have passed since its last alert (or since it came in, for one
    never alerted), and again each period until someone takes it. Run every few minutes (send_realerts).

    Those cases are exactly the open ones of rank 0 (outcomes.queue_rank): the queue's own index finds
    them."""
    moment = now or clock.now()
    period = timedelta(minutes=settings.URGENT_REALERT_MINUTES)
    alerts = Q(emails__kind__in=[OutgoingEmail.Kind.URGENT, OutgoingEmail.Kind.URGENT_AGAIN])
    due = (
        Case.objects.filter(severity=0, assignee__isnull=True)
        # Nobody has acted on it: a case someone has contacted or booked is being worked.
        .filter(status__in=[Case.Status.NEW, Case.Status.IN_REVIEW])
        .annotate(last_alert=Max("emails__created_at", filter=alerts))
        .filter(
            Q(last_alert__lte=moment - period)
            | Q(last_alert__isnull=True, received_at__lte=moment - period)
        )
        .select_related("intake")
        .order_by("received_at", "pk")
    )
    sent = []
    for case in due:
        with transaction.atomic():
            email = OutgoingEmail.objects.create(
                kind=OutgoingEmail.Kind.URGENT_AGAIN, case=case, created_at=moment
            )
            waited = int((moment - case.received_at).total_seconds() // 60)
            _record_alert(case, again=True, waited=waited)
            sent.append(_queue(email))
    return sent


def booking_confirmation(booking: Booking) -> OutgoingEmail:
    """Tell the patient when and how their consultation is (no clinical details)."""
    email = OutgoingEmail.objects.create(
        kind=OutgoingEmail.Kind.BOOKING,
        case_id=booking.case_id,
        booking=booking,
        created_at=clock.now(),
    )
    return _queue(email)


def completion_link(link: CompletionLink) -> OutgoingEmail:
    """Send the patient a completion link. Its token is made when the e-mail is sent, never before."""
    email = OutgoingEmail.objects.create(
        kind=OutgoingEmail.Kind.COMPLETION,
        case_id=link.case_id,
        link=link,
        created_at=clock.now(),
    )
    return _queue(email)


def second_factor_locked(user) -> OutgoingEmail:
    """Tell a staff member that wrong second-factor codes for their account, from any address, reached
    the account-wide ceiling: someone has their password. Once per ceiling window (the caller's)."""
    email = OutgoingEmail.objects.create(
        kind=OutgoingEmail.Kind.SECOND_FACTOR_LOCKED, user=user, created_at=clock.now()
    )
    return _queue(email)


def approval_asked(request: ApprovalRequest) -> OutgoingEmail:
    """Tell the people who may approve a request (all but the one who asked) that it waits for them."""
    email = OutgoingEmail.objects.create(
        kind=OutgoingEmail.Kind.APPROVAL_ASKED, approval=request, created_at=clock.now()
    )
    return _queue(email)


def approval_done(request: ApprovalRequest) -> OutgoingEmail | None:
    """Tell the staff member an approved change is about what changed (and, for a new account or a
    password reset, how to set their password)."""
    user = get_user_model().objects.filter(username=request.subject).first()
    if user is None:
        return None
    email = OutgoingEmail.objects.create(
        kind=OutgoingEmail.Kind.ACCOUNT_CHANGED,
        approval=request,
        user=user,
        created_at=clock.now(),
    )
    return _queue(email)


@transaction.atomic
def digest(now: datetime | None = None) -> OutgoingEmail | None:
    """Summarise the cases received since the previous digest (the last 24 hours for the first one),
    leaving out those that had an urgent alert. Returns None, and sends nothing, when there are none."""
    moment = now or clock.now()
    digests = OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.DIGEST)
    previous = digests.order_by("-created_at", "-pk").first()
    if previous is None:
        since, listed = moment - DIGEST_PERIOD, set()
    else:
        since = previous.created_at - DIGEST_OVERLAP
        listed = {
            reference
            for references in digests.filter(created_at__gte=since).values_list(
                "references", flat=True
            )
            for reference in references
        }
    references = [
        reference
        for reference in Case.objects.filter(received_at__gt=since, received_at__lte=moment)
        .exclude(outcome="urgent")
        .exclude(emails__kind=OutgoingEmail.Kind.URGENT)
        .order_by("received_at", "pk")
        .values_list("intake__reference", flat=True)
        if reference not in listed
    ]
    if not references:
        return None
    email = OutgoingEmail.objects.create(
        kind=OutgoingEmail.Kind.DIGEST, references=references, created_at=moment
    )
    return _queue(email)
