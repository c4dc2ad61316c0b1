"""Retention: deletes closed cases and audit rows past their keeping period (manage.py purge_retained).

What is kept how long, and why, is in docs/retention.md. Drafts have their own daily purge
(services.purge_expired_drafts).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from screening import clock
from screening.casework.models import Case
from screening.intake.models import Intake
from screening.staff import audit_log as audit
from screening.staff.models import AuditEvent

# The database trigger (migration 0015) judges an audit row's age by the database's clock. Asking only
# for rows a day past the limit means an app clock a little ahead of the database's never makes the
# trigger refuse (and roll back) a purge.
CLOCK_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class Purged:
    """How many rows one run deleted. Counts only: nothing here names a patient."""

    cases: int
    audit_events: int
    # Every table the cases' deletion reached (intakes, identities, consents, notes ...), by model label.
    by_model: dict[str, int] = field(default_factory=dict)


def years_before(moment: datetime, years: int) -> datetime:
    """The same day and time ``years`` earlier; 29 February becomes the 28th, as in PostgreSQL."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def audit_cutoff(moment: datetime) -> datetime:
    """Audit rows from before this are past retention."""
    return years_before(moment, settings.AUDIT_RETENTION_YEARS) - CLOCK_MARGIN


def case_cutoff(moment: datetime) -> datetime | None:
    """Closed cases last changed before this are past retention; None when closed cases are kept."""
    days = settings.CASE_RETENTION_DAYS
    return moment - timedelta(days=days) if days else None


def purge_retained() -> Purged:
    """Delete closed cases and audit rows past retention, and audit the run (counts only). All or nothing.

    A closed case is past retention when its ``updated_at`` is older than CASE_RETENTION_DAYS. Closing a
    case saves it, so ``updated_at`` is never earlier than the closing; any later change (a re-screen, a
    reopening) only moves it later, so a case is never deleted early. Its whole intake goes with it:
    identity, answers, consents, screenings, notes, contact attempts, amendments, completion links,
    bookings and their e-mails (all CASCADE from Intake or Case). Its audit rows stay for their own 6
    years: they name the case's reference, never the patient.
    """
    moment = clock.now()
    cases_before = case_cutoff(moment)
    with transaction.atomic():
        by_model: dict[str, int] = {}
        if cases_before is not None:
            expired = Case.objects.filter(status=Case.Status.CLOSED, updated_at__lt=cases_before)
            _count, by_model = Intake.objects.filter(case__in=expired).delete()
        # A queryset delete skips AuditEvent.delete(); the trigger still refuses any row not yet old enough.
        _count, audit_deleted = AuditEvent.objects.filter(at__lt=audit_cutoff(moment)).delete()
        purged = Purged(
            cases=by_model.get(Case._meta.label, 0),
            audit_events=audit_deleted.get(AuditEvent._meta.label, 0),
            by_model={label: n for label, n in sorted(by_model.items()) if n},
        )
        audit.record(
            actor=None,
            action="retention.purge",
            object_type="retention",
            object_ref="purge_retained",
            detail={
                "cases": purged.cases,
                "audit_events": purged.audit_events,
                "case_retention_days": settings.CASE_RETENTION_DAYS,
                "audit_retention_years": settings.AUDIT_RETENTION_YEARS,
            },
        )
    return purged
