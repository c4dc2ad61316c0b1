"""Unexpected errors show a friendly page with the clinic's phone, and no patient data or stack trace."""

import logging

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.intake_data import FULL_INTAKE, TYPED_MARKERS

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_a_server_error_mid_intake_shows_a_friendly_page_and_keeps_saved_answers(
    patient, settings, caplog
):
    patient.fill(upto="pain-where")
    patient.client.raise_request_exception = False
    # A real fault: the table of identities disappears while the patient saves a page.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE screening_patientidentity RENAME TO identity_away")
    try:
        response = patient.post_page("pain-where", FULL_INTAKE["pain-where"])
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE identity_away RENAME TO screening_patientidentity")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert settings.CLINIC["phone"] in html
    assert "Quarrington" not in html and "Traceback" not in html and "identity" not in html
    assert patient.intake.identity.family_name == "Quarrington"
    logged = "\n".join(logging.Formatter().format(r) for r in caplog.records)  # with tracebacks
    assert "Internal Server Error" in logged  # the error is reported ...
    for marker in TYPED_MARKERS:  # ... without what the patient typed
        assert marker not in logged


def test_a_missing_csrf_token_gets_a_plain_explanation():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("screening:begin"))
    assert response.status_code == 403
    assert "Your session may have ended" in response.content.decode()
