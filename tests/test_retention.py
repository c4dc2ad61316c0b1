"""Closed cases past CASE_RETENTION_DAYS and audit rows past 6 years are deleted by the daily command,
with everything hanging off a case; open cases, recent ones and younger audit rows are kept."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from screening.casework import services as casework
from screening.casework.models import (
    Amendment,
    Booking,
    Case,
    CaseNote,
    CompletionLink,
    ContactAttempt,
    OutgoingEmail,
    ScreeningResult,
)
from screening.intake.models import Consent, Intake, PatientIdentity
from screening.staff.models import AuditEvent
from screening.staff.retention import purge_retained, years_before
from tests.intake_data import FULL_INTAKE
from tests.personas import Patient

pytestmark = pytest.mark.django_db

RETENTION_DAYS = 3650

# Every table that holds something about one case, and how to find that case's rows in it.
CASE_ROWS = {
    Intake: "pk",
    PatientIdentity: "intake_id",
    Consent: "intake_id",
    ScreeningResult: "intake_id",
    Case: "intake_id",
    CaseNote: "case__intake_id",
    ContactAttempt: "case__intake_id",
    Amendment: "case__intake_id",
    CompletionLink: "case__intake_id",
    Booking: "case__intake_id",
    OutgoingEmail: "case__intake_id",
}


@pytest.fixture(autouse=True)
def retention(settings):
    settings.CASE_RETENTION_DAYS = RETENTION_DAYS


@pytest.fixture
def coordinator(default_rules) -> User:
    return User.objects.create_user("casey", password="a-long-password-for-tests", is_staff=True)


def _case(coordinator: User, *, closed: bool, days_ago: int) -> Case:
    """A submitted case with a note, a contact, an amendment, a link, a booking and two e-mails,
    last changed ``days_ago`` days ago."""
    patient = Patient(Client())
    patient.fill()
    patient.submit()
    case = Case.objects.select_related("intake").get(intake=patient.intake)
    now = timezone.now()
    CaseNote.objects.create(case=case, author=coordinator, text="Called back", at=now)
    ContactAttempt.objects.create(
        case=case, by=coordinator, channel="phone", result="reached", at=now
    )
    Amendment.objects.create(
        case=case, question="pain_now", original=6, new=7, source="phone", by=coordinator, at=now
    )
    link = CompletionLink.objects.create(
        case=case,
        questions=["pain_now"],
        created_by=coordinator,
        created_at=now,
        expires_at=now + timedelta(days=7),
    )
    booking = Booking.objects.create(
        case=case,
        starts_at=now + timedelta(days=9),
        clinician="Dr Ada Okonkwo",
        mode=Booking.Mode.VIDEO,
        booked_by=coordinator,
        at=now,
    )
    OutgoingEmail.objects.create(kind="booking", case=case, booking=booking, created_at=now)
    OutgoingEmail.objects.create(kind="completion", case=case, link=link, created_at=now)
    if closed:
        casework.case_set_status(
            case_id=case.pk, user=coordinator, status=Case.Status.CLOSED, close_reason="treated"
        )
    # A queryset update leaves auto_now alone: this is how the case looks after days_ago quiet days.
    Case.objects.filter(pk=case.pk).update(updated_at=now - timedelta(days=days_ago))
    return case


def _rows(case: Case) -> dict[str, int]:
    return {
        model.__name__: model.objects.filter(**{lookup: case.intake_id}).count()
        for model, lookup in CASE_ROWS.items()
    }


def _audit_row(at: datetime, action: str = "case.view") -> AuditEvent:
    return AuditEvent.objects.create(
        at=at, action=action, object_type="case", object_ref="AB12CD34EF", detail={}
    )


def test_it_deletes_a_closed_case_past_retention_with_everything_recorded_about_it(coordinator):
    expired = _case(coordinator, closed=True, days_ago=RETENTION_DAYS + 1)
    before = _rows(expired)
    assert all(before.values()), before  # every table really had a row to lose

    purged = purge_retained()

    assert purged.cases == 1
    assert _rows(expired) == dict.fromkeys(before, 0)
    assert purged.by_model["screening.Intake"] == 1
    assert purged.by_model["screening.OutgoingEmail"] == 2
    # The audit trail of the case outlives it (its own 6 years): it names the reference, not the patient.
    assert AuditEvent.objects.filter(
        action="case.status", object_ref=expired.intake.reference
    ).exists()


def test_it_keeps_open_cases_and_recently_closed_ones(coordinator):
    open_case = _case(coordinator, closed=False, days_ago=RETENTION_DAYS + 400)
    recent = _case(coordinator, closed=True, days_ago=RETENTION_DAYS - 1)
    kept = {case.pk: _rows(case) for case in (open_case, recent)}

    assert purge_retained().cases == 0
    assert {case.pk: _rows(case) for case in (open_case, recent)} == kept


def test_it_keeps_closed_cases_for_ever_when_retention_is_zero(coordinator, settings):
    settings.CASE_RETENTION_DAYS = 0
    old = _case(coordinator, closed=True, days_ago=40_000)
    out = StringIO()
    call_command("purge_retained", stdout=out)
    assert Case.objects.filter(pk=old.pk).exists()
    assert "Closed cases are kept (CASE_RETENTION_DAYS=0)." in out.getvalue()


def test_it_deletes_audit_rows_older_than_six_years_and_keeps_younger_ones(db):
    now = timezone.now()
    old = _audit_row(years_before(now, 7))
    just_past = _audit_row(years_before(now, 6) - timedelta(days=2))
    almost = _audit_row(years_before(now, 6) + timedelta(hours=1))
    recent = _audit_row(years_before(now, 5))

    assert purge_retained().audit_events == 2

    remaining = set(
        AuditEvent.objects.exclude(action="retention.purge").values_list("pk", flat=True)
    )
    assert remaining == {almost.pk, recent.pk}
    assert not {old.pk, just_past.pk} & remaining


def test_the_command_prints_counts_only_and_audits_its_run(coordinator):
    expired = _case(coordinator, closed=True, days_ago=RETENTION_DAYS + 30)
    _audit_row(years_before(timezone.now(), 7))
    out = StringIO()

    call_command("purge_retained", stdout=out, verbosity=2)

    text = out.getvalue()
    assert text.splitlines()[:2] == [
        f"Deleted 1 closed case(s) unchanged for more than {RETENTION_DAYS} days.",
        "Deleted 1 audit event(s) older than 6 years.",
    ]
    assert "  screening.Intake: 1" in text.splitlines()
    for value in (
        expired.intake.reference,
        FULL_INTAKE["about-you"]["given_name"],
        FULL_INTAKE["about-you"]["family_name"],
        FULL_INTAKE["contact"]["email"],
        FULL_INTAKE["contact"]["phone"],
    ):
        assert value not in text
    run = AuditEvent.objects.get(action="retention.purge")
    assert run.actor is None
    assert run.detail == {
        "cases": 1,
        "audit_events": 1,
        "case_retention_days": RETENTION_DAYS,
        "audit_retention_years": 6,
    }


def test_a_run_with_nothing_to_delete_is_audited_too(db):
    out = StringIO()
    call_command("purge_retained", stdout=out)
    assert out.getvalue().splitlines() == [
        f"Deleted 0 closed case(s) unchanged for more than {RETENTION_DAYS} days.",
        "Deleted 0 audit event(s) older than 6 years.",
    ]
    assert AuditEvent.objects.get(action="retention.purge").detail["cases"] == 0


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2032, 2, 29, 9, 30, tzinfo=UTC), datetime(2026, 2, 28, 9, 30, tzinfo=UTC)),
        (datetime(2031, 11, 25, 0, 0, tzinfo=UTC), datetime(2025, 11, 25, 0, 0, tzinfo=UTC)),
    ],
)
def test_six_years_before_is_counted_as_postgresql_counts_it(moment, expected):
    assert years_before(moment, 6) == expected


def test_an_urgent_draft_that_reached_staff_is_not_purged_as_an_abandoned_draft(patient):
    # A draft with a red flag and contact details is a case (marked "not submitted"): the clinic's
    # record from then on, kept by case retention, not deleted with abandoned drafts.
    patient.fill(upto="imaging", overrides={"safety": {"saddle_numbness": "yes"}})
    case = Case.objects.get(intake=patient.intake)
    assert not case.intake.is_submitted
    Intake.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    call_command("purge_expired_drafts", stdout=StringIO())

    assert Case.objects.filter(pk=case.pk).exists()
    assert PatientIdentity.objects.filter(intake_id=case.intake_id).exists()
