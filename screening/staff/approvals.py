"""Four eyes: one mechanism for every change that a second person must approve.

A request names exactly what is to change (its content), who asked and why; its fingerprint (a hash of
the kind, the subject and the content) is what an approver approves. A different person, holding the
kind's approving permission, reads the request and approves or refuses it with a comment: an approval
for another fingerprint than the one stored (the content changed after it was read) is refused, and an
approval whose subject changed meanwhile (the "before" the request was made on no longer holds) voids
the request. Each step is in the audit log; the approvers are e-mailed when a request is made, and the
person a change is about when it is approved.

What each kind of request does lives with its kind (``register``): staff accounts in accounts.py, and
the publishing of rules in rules/publishing.py. With the kind's setting off (STAFF_CHANGES_NEED_SECOND_ADMIN
for accounts, RULES_NEED_SECOND_PERSON for rules: a clinic with one such person), a request is approved at
once by the person who asked, and recorded as "approved without a second admin".
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from screening import clock
from screening.casework import notifications as notify
from screening.staff import audit_log as audit
from screening.staff.approval_kinds import KINDS, may_read
from screening.staff.models import ApprovalRequest, content_hash

State = ApprovalRequest.State


class ApprovalError(Exception):
    """A request or decision that cannot be made; the message says why, for the person who tried."""

    def __init__(self, message: str, *, field_name: str = ""):
        super().__init__(message)
        self.message, self.field_name = message, field_name


@dataclass
class Outcome:
    request: ApprovalRequest
    shown_once: dict = field(default_factory=dict)  # for the approver's eyes only, never stored
    void_reason: str = ""


def may_approve(user, request: ApprovalRequest) -> bool:
    return (
        request.state == State.PENDING
        and user.pk != request.requested_by_id
        and user.has_perm(KINDS[request.kind].permission)
        and may_read(user, request)
    )


def approval_ask(
    *, kind: str, subject: str, content: dict, requested_by, note: str = ""
) -> Outcome:
    """Ask for a change. Refused while the same change for the same subject is already waiting."""
    with transaction.atomic():
        if ApprovalRequest.objects.filter(kind=kind, subject=subject, state=State.PENDING).exists():
            raise ApprovalError(_already_waiting(kind, subject))
        try:
            with transaction.atomic():
                request = ApprovalRequest.objects.create(
                    kind=kind,
                    subject=subject,
                    content=content,
                    content_hash=content_hash(kind, subject, content),
                    note=note.strip(),
                    requested_by=requested_by,
                    requested_at=clock.now(),
                )
        except IntegrityError:  # asked twice at once: the database keeps one
            raise ApprovalError(_already_waiting(kind, subject)) from None
        _record(requested_by, "approval.ask", request, note=bool(request.note))
        if not KINDS[kind].needs_second_person():
            return _approve(request, requested_by, comment="", without_second_person=True)
        notify.approval_asked(request)
        return Outcome(request)


def approval_decide(
    *, request_id: int, approver, approve: bool, comment: str, seen_hash: str
) -> Outcome:
    """Approve (and so make the change) or refuse a waiting request, as the approver read it."""
    with transaction.atomic():
        request = (
            ApprovalRequest.objects.select_for_update()
            .select_related("requested_by")
            .get(pk=request_id)
        )
        if request.state != State.PENDING:
            raise ApprovalError(f"This request is already {request.get_state_display()}.")
        if approver.pk == request.requested_by_id:
            raise ApprovalError(
                "You asked for this change: another person must approve or refuse it."
            )
        if not approver.has_perm(KINDS[request.kind].permission) or not may_read(approver, request):
            raise PermissionDenied
        stored = content_hash(request.kind, request.subject, request.content)
        if seen_hash != request.content_hash or stored != request.content_hash:
            raise ApprovalError(
                "This request is not what you read: it has changed since. Read it again."
            )
        comment = comment.strip()
        if not approve:
            if not comment:
                raise ApprovalError("Say why you refuse it", field_name="comment")
            _decide(request, approver, State.REFUSED, comment)
            _record(approver, "approval.refuse", request)
            return Outcome(request)
        why_not = KINDS[request.kind].still_applies(request)
        if why_not:
            _decide(request, approver, State.VOID, comment)
            _record(approver, "approval.void", request, reason=why_not)
            return Outcome(request, void_reason=why_not)
        return _approve(request, approver, comment=comment, without_second_person=False)


def approval_withdraw(*, request_id: int, actor) -> ApprovalRequest:
    """The person who asked takes a waiting request back."""
    with transaction.atomic():
        request = ApprovalRequest.objects.select_for_update().get(pk=request_id)
        if request.requested_by_id != actor.pk:
            raise PermissionDenied
        if request.state != State.PENDING:
            raise ApprovalError(f"This request is already {request.get_state_display()}.")
        request.state = State.WITHDRAWN
        request.decided_at = clock.now()
        request.save(update_fields=["state", "decided_at"])
        _record(actor, "approval.withdraw", request)
        return request


def _approve(request: ApprovalRequest, approver, *, comment: str, without_second_person: bool):
    rules = KINDS[request.kind]
    shown_once = rules.apply(request, approver)
    request.without_second_person = without_second_person
    _decide(request, approver, State.APPROVED, comment)
    _record(
        approver,
        "approval.approve",
        request,
        without_second_person=without_second_person,
        decision="approved without a second admin" if without_second_person else "approved",
    )
    if rules.tells_the_subject:
        notify.approval_done(request)
    return Outcome(request, shown_once=shown_once)


def _decide(request: ApprovalRequest, person, state: str, comment: str) -> None:
    request.state, request.decided_by, request.comment = state, person, comment
    request.decided_at = clock.now()
    request.save(
        update_fields=["state", "decided_by", "decided_at", "comment", "without_second_person"]
    )


def _record(actor, action: str, request: ApprovalRequest, **detail) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type=KINDS[request.kind].object_type,
        object_ref=request.subject,
        detail={
            "request": request.pk,
            "kind": request.kind,
            "hash": request.content_hash,
            **detail,
        },
    )


def _already_waiting(kind: str, subject: str) -> str:
    label = ApprovalRequest.Kind(kind).label
    return f"A request to {label} for {subject} is already waiting for approval."
