"""Treatments recorded on a case (issue 20, first part): by coordinators and specialists, with errors by the
field, listed on the case page, in the audit log."""

from datetime import timedelta

import pytest

from screening import clock
from screening.casework.models import Treatment
from screening.staff.models import AuditEvent
from tests.personas import signed_in, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_reference(patient):
    patient.fill()
    patient.submit()
    return patient.intake.reference


def _given(**changes) -> dict:
    return {
        "kind": "prp",
        "given_on": (clock.today() - timedelta(days=3)).isoformat(),
        "levels": ["l4_l5", "l5_s1"],
        "side": "both",
        "clinician": "Dr Ana Ruiz",
        "notes": "Ultrasound-guided, 3 ml per joint.",
    } | changes


def test_a_specialist_records_a_treatment_and_the_case_page_lists_it(case_reference):
    specialist = signed_in(staff_member("sam", "Specialist", first_name="Sam", last_name="Okafor"))
    response = specialist.post(f"/staff/cases/{case_reference}/treatments/", _given())
    assert response.status_code == 302 and response.url.endswith("#treatments")
    treatment = Treatment.objects.get()
    assert (treatment.kind, treatment.levels, treatment.side) == ("prp", ["l4_l5", "l5_s1"], "both")
    page = specialist.get(f"/staff/cases/{case_reference}/").content.decode()
    assert "Platelet-rich plasma (PRP)" in page and "L4-L5, L5-S1" in page and "Sam Okafor" in page
    assert AuditEvent.objects.filter(action="case.treatment", object_ref=case_reference).exists()


def test_an_other_treatment_is_named_and_each_error_says_what_to_fix(case_reference, coordinator):
    url = f"/staff/cases/{case_reference}/treatments/"
    refused = coordinator.post(
        url, _given(kind="other", levels=[], clinician="", given_on="2099-01-01")
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    for message in (
        "Name the treatment, since it is not in the list",
        "Select the levels treated",
        "Enter the clinician who gave the treatment",
        "The day the treatment was given must be today or in the past",
    ):
        assert message in html, message
    assert not Treatment.objects.exists()
    coordinator.post(url, _given(kind="other", other="Prolotherapy"))
    assert Treatment.objects.get().what == "Prolotherapy"


def test_rules_admins_cannot_record_a_treatment(case_reference):
    rules_admin = signed_in(staff_member("rosa", "Rules admin"))
    response = rules_admin.post(f"/staff/cases/{case_reference}/treatments/", _given())
    assert response.status_code == 403 and not Treatment.objects.exists()
