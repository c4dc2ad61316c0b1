"""The coordinator's day (issue 15): status that follows the work, and urgent cases nobody takes alert
on-call again until someone does, each alert on the case's timeline."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from screening import clock
from screening.casework import notifications as notify
from screening.casework import services
from screening.casework.email_sending import send_email
from screening.casework.models import Case, ContactAttempt, OutgoingEmail
from screening.staff.models import AuditEvent
from tests.intake_data import FULL_INTAKE

pytestmark = pytest.mark.django_db


@pytest.fixture
def tier_1(patient):
    """A patient who sends an intake with saddle numbness: a tier-1 red flag."""
    patient.fill(overrides={"safety": {**FULL_INTAKE["safety"], "saddle_numbness": "yes"}})
    patient.submit()
    case = Case.objects.get(intake=patient.intake)
    assert (case.outcome, case.tier, case.severity, case.assignee) == ("urgent", 1, 0, None)
    return case


def _again(case) -> int:
    return OutgoingEmail.objects.filter(case=case, kind=OutgoingEmail.Kind.URGENT_AGAIN).count()


def test_an_unclaimed_tier_1_case_alerts_again_each_period_until_claimed(
    tier_1, coordinator, settings
):
    settings.URGENT_REALERT_MINUTES = 15
    first = OutgoingEmail.objects.get(case=tier_1, kind=OutgoingEmail.Kind.URGENT).created_at
    with clock.moved_to(first + timedelta(minutes=14)):
        assert notify.realert_unclaimed() == [] and _again(tier_1) == 0
    with clock.moved_to(first + timedelta(minutes=16)):
        call_command("send_realerts", stdout=StringIO())
        assert _again(tier_1) == 1
    with clock.moved_to(first + timedelta(minutes=25)):  # 9 minutes after the last alert
        assert notify.realert_unclaimed() == []
    with clock.moved_to(first + timedelta(minutes=32)):
        assert len(notify.realert_unclaimed()) == 1 and _again(tier_1) == 2
    services.case_claim(case_id=tier_1.pk, user=coordinator.user)
    with clock.moved_to(first + timedelta(hours=3)):
        assert notify.realert_unclaimed() == [] and _again(tier_1) == 2
    # Each alert is on the timeline.
    alerts = AuditEvent.objects.filter(action="case.alert", object_ref=tier_1.intake.reference)
    assert [e.detail["again"] for e in alerts.order_by("at", "pk")] == [False, True, True]
    html = coordinator.get(f"/staff/cases/{tier_1.intake.reference}/").content.decode()
    assert "On-call alerted: a new urgent case" in html
    assert "On-call alerted again: nobody had taken the case after 16 minutes" in html


def test_the_alert_again_says_how_long_the_case_has_waited(tier_1, mailoutbox, settings):
    first = OutgoingEmail.objects.get(case=tier_1, kind=OutgoingEmail.Kind.URGENT).created_at
    with clock.moved_to(tier_1.received_at + timedelta(minutes=20)):
        (email,) = notify.realert_unclaimed()
    send_email.call(email.pk)  # what the task worker does once the alert's transaction commits
    assert first <= email.created_at
    (message,) = mailoutbox
    assert message.to == [settings.ONCALL_EMAIL]
    assert tier_1.intake.reference in message.subject and "20 minutes ago" in message.body
    assert "saddle" not in message.body.lower()  # references and links only


def test_a_closed_case_is_not_alerted_again(tier_1, patient, coordinator):
    services.case_set_status(
        case_id=tier_1.pk, user=coordinator.user, status="closed", close_reason="treated"
    )
    with clock.moved_to(clock.now() + timedelta(hours=1)):
        assert notify.realert_unclaimed() == []


def test_claiming_a_new_case_puts_it_in_review_and_reaching_the_patient_makes_it_contacted(
    tier_1, coordinator
):
    case = services.case_claim(case_id=tier_1.pk, user=coordinator.user)
    case.refresh_from_db()
    assert (case.status, case.severity) == ("in_review", 1)  # claimed: below unclaimed tier-1 cases
    services.case_record_contact(
        case=case, user=coordinator.user, channel="phone", result=ContactAttempt.Result.NO_ANSWER
    )
    case.refresh_from_db()
    assert case.status == "in_review"  # not reached: no change
    services.case_record_contact(
        case=case, user=coordinator.user, channel="phone", result=ContactAttempt.Result.REACHED
    )
    case.refresh_from_db()
    assert case.status == "contacted"
    changes = AuditEvent.objects.filter(action="case.status", object_ref=tier_1.intake.reference)
    assert [(e.detail["from"], e.detail["to"]) for e in changes.order_by("at", "pk")] == [
        ("new", "in_review"),
        ("in_review", "contacted"),
    ]


def test_giving_a_case_to_nobody_puts_it_back_above_the_claimed_ones(tier_1, coordinator):
    services.case_claim(case_id=tier_1.pk, user=coordinator.user)
    services.case_assign(case_id=tier_1.pk, user=coordinator.user, assignee=None)
    tier_1.refresh_from_db()
    assert (tier_1.assignee, tier_1.severity) == (None, 0)


def test_the_code_box_offers_letters_for_backup_codes_and_digits_only_for_the_app(client):
    from screening.staff.two_factor_views import CodeForm

    both = str(CodeForm()["code"])
    assert 'inputmode="text"' in both and 'autocapitalize="none"' in both
    assert 'inputmode="numeric"' in str(CodeForm(app_only=True)["code"])


def test_a_case_someone_reached_is_not_alerted_again(tier_1, coordinator):
    from screening.casework.models import ContactAttempt as Attempt

    services.case_record_contact(
        case=tier_1, user=coordinator.user, channel="phone", result=Attempt.Result.REACHED
    )
    tier_1.refresh_from_db()
    assert (tier_1.status, tier_1.assignee) == ("contacted", None)
    with clock.moved_to(clock.now() + timedelta(hours=1)):
        assert notify.realert_unclaimed() == []


def test_a_red_flag_rule_missing_its_answer_reads_information_needed_in_the_queue(patient):
    patient.fill(overrides={"health": {"infection_now": "yes", "infection_spine": "not_sure"}})
    patient.submit()
    case = Case.objects.get(intake=patient.intake)
    assert case.outcome == "needs_info"
    assert case.top_finding == "Infection in or near the spine: information needed"
