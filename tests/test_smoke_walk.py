import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_takes_a_patient_from_the_first_page_to_a_receipt(patient):
    patient.fill()
    response = patient.client.get(reverse("screening:check"))
    assert response.status_code == 200
    response = patient.submit()
    assert response.status_code == 302
    assert response.url == reverse("screening:receipt")
    receipt = patient.client.get(response.url)
    assert patient.intake.reference in receipt.content.decode()
