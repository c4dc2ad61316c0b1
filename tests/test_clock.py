"""One clock (screening/clock.py): moving it moves every part of the app that reads the time."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from screening import clock
from screening.casework.models import Case
from screening.staff import audit_log as audit
from screening.staff.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_draft_expires_when_the_clock_passes_its_days(patient, settings):
    patient.fill(upto="pain-where")
    page = reverse("screening:page", args=["pain-where"])
    assert patient.client.get(page).status_code == 200
    later = timezone.now() + timedelta(days=settings.INTAKE_DRAFT_DAYS, minutes=1)
    with clock.moved_to(later):
        response = patient.client.get(page)
    assert response["Location"] == reverse("screening:start") + "?expired=1"


def test_cases_the_audit_log_and_timestamps_read_the_same_clock(patient):
    moment = timezone.now() - timedelta(days=400)
    with clock.moved_to(moment):
        patient.fill()
        patient.submit()
        audit.record(actor=None, action="test.event", object_type="test", object_ref="x")
    case = Case.objects.get(intake=patient.intake)
    assert case.received_at == moment and case.updated_at == moment
    assert patient.intake.created_at == moment and patient.intake.submitted_at == moment
    assert AuditEvent.objects.get(action="test.event").at == moment
    assert clock.now() != moment  # the block is over
