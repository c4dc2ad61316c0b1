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
