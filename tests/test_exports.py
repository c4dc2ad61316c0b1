"""Exports: the queue as CSV (identifying columns only with the permission, formulas neutralised), one
case as FHIR and as a print summary. Every export is in the audit log."""

import csv
import io
import json
import re

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from screening.casework.csv_export import neutralise
from screening.casework.models import Case
from screening.staff.models import AuditEvent
from tests.personas import sign_in, signed_in, staff_member

pytestmark = pytest.mark.django_db

BASE_COLUMNS = [
    "Reference",
    "Received",
    "Sent by the patient",
    "Outcome",
    "Top finding",
    "Not for specialist review because",
    "Status",
    "Closed because",
    "Assigned to",
    "Days waiting",
    "Form language",
    "Interpreter needed",
    "Scan reports attached",
    "outcome_code",
    "tier",
    "status_code",
    "close_reason_code",
    "assignee_username",
    "language_code",
]
IDENTIFYING = [
    "Given name",
    "Family name",
    "Date of birth",
    "E-mail",
    "Phone",
    "Interpreter language",
]


def _coordinator(identifiable: bool = False) -> Client:
    allowed = ("export_identifiable_case",) if identifiable else ()
    return signed_in(staff_member("casey", "Coordinator", permissions=allowed))


@pytest.fixture
def submitted(patient):
    patient.fill(overrides={"about-you": {"given_name": '=HYPERLINK("http://x")'}})
    patient.submit()
    return patient.intake


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_the_csv_has_no_identifying_columns_without_the_permission(submitted):
    response = _coordinator().get("/staff/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert list(rows[0]) == BASE_COLUMNS
    assert rows[0]["Reference"] == submitted.reference
    event = AuditEvent.objects.get(action="queue.export")
    assert event.detail["identifiable"] is False and event.detail["rows"] == 1


def test_identifying_columns_with_the_permission_and_formulas_neutralised(submitted):
    rows = _csv(_coordinator(identifiable=True).get("/staff/export.csv"))
    assert list(rows[0]) == BASE_COLUMNS + IDENTIFYING
    assert rows[0]["Given name"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["Family name"] == "Quarrington"
    assert AuditEvent.objects.get(action="queue.export").detail["identifiable"] is True


def test_the_csv_follows_the_queue_filters(submitted):
    client = _coordinator()
    assert len(_csv(client.get("/staff/export.csv?status=closed"))) == 0
    client.post("/staff/", {"q": submitted.reference})  # the search is held in the session
    assert len(_csv(client.get("/staff/export.csv?search=1"))) == 1
    searched = AuditEvent.objects.filter(action="queue.export").first()
    assert searched.detail["filters"] == {"search": True}  # the search text itself is not kept


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", " x"),
        ("\rx", "'\rx"),
        ("Smith", "Smith"),
        ("Smith;=2+5;x", "Smith;'=2+5;x"),
        ("Smith,@SUM(A1)", "Smith,'@SUM(A1)"),
        ("Smith\t=2+5", "Smith '=2+5"),
        ("Smith =1|+2", "Smith '=1|'+2"),
        ("O'Brien-Smith", "O'Brien-Smith"),
        ("2026-12-07 10:30", "2026-12-07 10:30"),
        (None, ""),
        (42, 42),
    ],
)
def test_cells_a_spreadsheet_would_run_are_neutralised(value, expected):
    assert neutralise(value) == expected


def test_every_text_cell_is_quoted_and_a_formula_after_a_separator_stays_text(patient):
    patient.fill(overrides={"about-you": {"family_name": "Smith;=2+5;x"}})
    patient.submit()
    response = _coordinator(identifiable=True).get("/staff/export.csv")
    body = b"".join(response.streaming_content).decode()
    header, line = body.splitlines()[:2]
    assert header.startswith('"Reference","Received",')
    assert ',"Smith;\'=2+5;x",' in line
    # Split as a spreadsheet in a ";" locale would, no cell starts a formula; numbers stay numbers.
    for cell in line.split(";"):
        assert not cell.strip('"').startswith(("=", "+", "-", "@"))
    assert re.search(r',\d+,"', line)  # days waiting, unquoted


def test_one_case_as_fhir_is_valid_and_audited(submitted):
    client = _coordinator()
    response = client.get(f"/staff/cases/{submitted.reference}/fhir/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    data = json.loads(response.content)
    QuestionnaireResponse.model_validate(data)
    assert "Quarrington" not in response.content.decode()
    event = AuditEvent.objects.get(action="case.export")
    assert event.detail["format"] == "fhir" and event.detail["identifiable"] is False
    assert event.object_ref == submitted.reference


def test_the_print_summary_is_audited_and_has_no_controls(submitted):
    response = _coordinator().get(f"/staff/cases/{submitted.reference}/print/")
    html = response.content.decode()
    assert response.status_code == 200 and "Confidential: patient information" in html
    assert "Quarrington" in html and "Medial branch blocks" in html
    assert "Close the case" not in html and "Add a note" not in html
    assert AuditEvent.objects.get(action="case.export").detail["format"] == "print"


def test_a_rules_admin_cannot_export(submitted):
    user = User.objects.create_user("rosa", password="a-long-password-for-tests")
    user.groups.add(Group.objects.get(name="Rules admin"))
    client = Client()
    sign_in(client, user)
    assert client.get("/staff/export.csv").status_code == 403
    assert client.get(f"/staff/cases/{submitted.reference}/fhir/").status_code == 403
    assert not AuditEvent.objects.filter(action__in=["queue.export", "case.export"]).exists()


def test_the_csv_reads_in_words_with_staff_names_and_the_codes_beside(submitted):
    from screening.casework import services

    client = _coordinator()
    case = Case.objects.get(intake=submitted)
    services.case_claim(case_id=case.pk, user=client.user)
    client.user.first_name, client.user.last_name = "Casey", "Moss"
    client.user.save()
    (row,) = _csv(client.get("/staff/export.csv"))
    assert (row["Outcome"], row["Status"], row["Assigned to"], row["Sent by the patient"]) == (
        "Specialist review",
        "In review",
        "Casey Moss",
        "Yes",
    )
    assert (row["outcome_code"], row["status_code"], row["assignee_username"]) == (
        "specialist_review",
        "in_review",
        "casey",
    )
