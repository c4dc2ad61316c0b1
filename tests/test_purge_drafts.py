"""Expired drafts are deleted with their identity and consents, as the patient pages promise."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from screening.intake.models import Consent, Intake, PatientIdentity

pytestmark = pytest.mark.django_db


def test_the_daily_command_deletes_expired_drafts_and_keeps_the_rest(patient, other_patient):
    patient.fill()  # every page, consents included, but never sent
    other_patient.fill()
    other_patient.submit()
    expired = patient.intake
    expired_consents = Consent.objects.filter(intake=expired).count()
    Intake.objects.update(expires_at=timezone.now() - timedelta(minutes=1))  # the sent one too
    out = StringIO()
    call_command("purge_expired_drafts", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 expired draft(s)."
    assert not Intake.objects.filter(pk=expired.pk).exists()
    assert not PatientIdentity.objects.filter(intake_id=expired.pk).exists()
    assert expired_consents == 5
    assert not Consent.objects.filter(intake_id=expired.pk).exists()
    assert Intake.objects.filter(status=Intake.Status.SUBMITTED).count() == 1


def test_a_live_draft_is_kept(patient):
    patient.fill(upto="pain-where")
    call_command("purge_expired_drafts", stdout=StringIO())
    assert Intake.objects.count() == 1
