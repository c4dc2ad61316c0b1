"""Every write of the coordinators' work on a case. Each one is audited; views call these."""

from django.db import transaction

from screening import audit
from screening.models import Case


class CaseTaken(Exception):
    """Someone else has the case."""

    def __init__(self, holder):
        super().__init__(f"held by {holder}")
        self.holder = holder


@transaction.atomic
def case_claim(*, case_id: int, user) -> Case:
    """Take an unassigned case. Of two coordinators claiming at once, one wins and the other is told who.

    A conditional update, so it holds on SQLite and PostgreSQL alike (select_for_update is a no-op on SQLite).
    """
    won = Case.objects.filter(pk=case_id, assignee__isnull=True).update(assignee=user)
    case = Case.objects.select_related("assignee", "intake").get(pk=case_id)
    if not won and case.assignee_id != user.pk:
        raise CaseTaken(case.assignee)
    if won:
        audit.record(
            actor=user, action="case.claim", object_type="case", object_ref=case.intake.reference
        )
    return case


# The workflow: forward one step at a time; a case can be closed from any step, and only closing needs
# a reason. Reopening is a step back to "in review".
NEXT_STATUS = {
    Case.Status.NEW: Case.Status.IN_REVIEW,
    Case.Status.IN_REVIEW: Case.Status.CONTACTED,
    Case.Status.CONTACTED: Case.Status.CONSULTATION_BOOKED,
    Case.Status.CONSULTATION_BOOKED: Case.Status.CLOSED,
}


class StatusRefused(ValueError):
    """The change does not fit the workflow; the message says what to do."""


@transaction.atomic
def case_set_status(*, case_id: int, user, status: str, close_reason: str = "") -> Case:
    case = Case.objects.select_for_update().select_related("intake").get(pk=case_id)
    before = case.status
    if status == Case.Status.CLOSED:
        if close_reason not in Case.CloseReason.values:
            raise StatusRefused("Select why the case is closed.")
    elif status == Case.Status.IN_REVIEW and before == Case.Status.CLOSED:
        close_reason = ""  # reopening
    elif NEXT_STATUS.get(before) != status:
        raise StatusRefused(
            f"A case that is {case.get_status_display().lower()} cannot move to that status."
        )
    else:
        close_reason = ""
    case.status, case.close_reason = status, close_reason
    case.save(update_fields=["status", "close_reason", "updated_at"])
    audit.record(
        actor=user,
        action="case.status",
        object_type="case",
        object_ref=case.intake.reference,
        detail={"from": before, "to": status, "reason": close_reason},
    )
    return case
