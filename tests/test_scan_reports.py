"""Patients attach scan reports on the imaging page (issue 19): kept with the draft, shown with a "Remove"
button, refused with a message that says what to do, deleted with their draft."""

from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image

from screening.intake.models import Intake, ScanReport
from screening.intake.report_files import MESSAGES
from tests import report_samples as samples
from tests.intake_data import FULL_INTAKE

pytestmark = pytest.mark.django_db
IMAGING = reverse("screening:page", args=["imaging"])


def _file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _send(patient, files: dict, data: dict | None = None, **extra):
    """The imaging page posted with its answers and these files (one list per upload question)."""
    payload = {**FULL_INTAKE["imaging"], **(data or {}), "action": "continue", **extra}
    return patient.client.post(IMAGING, {**payload, **files})


@pytest.fixture
def at_imaging(patient, settings):
    settings.UPLOAD_SCAN = "off"  # files accepted "not scanned"; the scanner has its own tests
    patient.fill(upto="imaging")
    return patient


def _stored(report: ScanReport) -> bytes:
    with storages["scan_reports"].open(report.storage_name) as handle:
        return handle.read()


def test_a_photo_and_a_pdf_are_attached_and_kept_with_the_draft(
    at_imaging, django_capture_on_commit_callbacks
):
    photo, pdf = samples.photo("jpeg", gps=True), samples.pdf()
    response = _send(
        at_imaging,
        {"report_mri": [_file("mri-page-1.jpg", photo), _file("mri report.pdf", pdf)]},
    )
    assert response.status_code == 302
    reports = list(ScanReport.objects.filter(intake=at_imaging.intake))
    assert [(r.question, r.original_name, r.content_type) for r in reports] == [
        ("report_mri", "mri-page-1.jpg", "image/jpeg"),
        ("report_mri", "mri report.pdf", "application/pdf"),
    ]
    assert all(r.scan_status == "not_scanned" for r in reports)
    # Stored under a random key, never the patient's name for it; the photo without its location
    assert all("mri" not in r.storage_name for r in reports)
    with Image.open(BytesIO(_stored(reports[0]))) as stored_photo:
        assert not stored_photo.getexif()
    assert _stored(reports[1]) == pdf
    # The page lists them, each with its own "Remove"; the answers read back "2 files attached"
    page = at_imaging.client.get(IMAGING).content.decode()
    assert "mri-page-1.jpg" in page and "mri report.pdf" in page
    assert page.count('name="remove_report"') == 2
    assert 'enctype="multipart/form-data"' in page
    check = at_imaging.client.get(reverse("screening:check")).content.decode()
    assert "2 files attached" in check


def test_a_word_document_is_refused_by_the_field_and_nothing_typed_is_lost(at_imaging):
    response = _send(
        at_imaging,
        {
            "report_xray": [_file("report.pdf", samples.word_document())]
        },  # named .pdf: the content decides
        data={"mri_when_month": "3"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["report_xray"] == [f"report.pdf: {MESSAGES['word']}"]
    html = response.content.decode()
    assert (
        "This file is a Word document. Save it as PDF, or take a photo of the printed report."
        in html
    )
    assert 'href="#id_report_xray"' in html  # the error summary links to the file picker
    assert 'value="3"' in html  # the month typed is still there
    assert not ScanReport.objects.exists()


def test_a_file_is_kept_even_when_another_answer_needs_fixing(at_imaging):
    response = _send(
        at_imaging,
        {"report_mri": [_file("a.png", samples.photo("png"))]},
        data={"diagnoses_told": []},
    )
    assert response.status_code == 200 and "diagnoses_told" in response.context["form"].errors
    assert ScanReport.objects.filter(intake=at_imaging.intake).count() == 1
    assert "a.png" in response.content.decode()  # listed, with its "Remove"


def test_remove_drops_the_file_after_the_change_commits(
    at_imaging, django_capture_on_commit_callbacks
):
    _send(
        at_imaging,
        {"report_mri": [_file("a.png", samples.photo("png")), _file("b.pdf", samples.pdf())]},
    )
    first = ScanReport.objects.filter(intake=at_imaging.intake).first()
    store = storages["scan_reports"]
    assert store.exists(first.storage_name)
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(at_imaging, {}, remove_report=first.storage_name)
    assert (
        response.status_code == 302 and response.url == IMAGING
    )  # back to the page, to see it gone
    assert list(ScanReport.objects.values_list("original_name", flat=True)) == ["b.pdf"]
    assert not store.exists(first.storage_name)


def test_another_drafts_file_cannot_be_removed(at_imaging, other_patient):
    _send(at_imaging, {"report_mri": [_file("a.png", samples.photo("png"))]})
    mine = ScanReport.objects.get()
    other_patient.fill(upto="imaging")
    other_patient.client.post(
        IMAGING, {**FULL_INTAKE["imaging"], "remove_report": mine.storage_name}
    )
    assert ScanReport.objects.filter(pk=mine.pk).exists()


def test_unticking_the_scan_drops_its_files(at_imaging, django_capture_on_commit_callbacks):
    _send(at_imaging, {"report_mri": [_file("a.png", samples.photo("png"))]})
    name = ScanReport.objects.get().storage_name
    with django_capture_on_commit_callbacks(execute=True):
        _send(at_imaging, {}, data={"scans_done": ["xray"]})
    assert not ScanReport.objects.exists()
    assert not storages["scan_reports"].exists(name)


def test_five_files_per_scan_then_a_message(at_imaging, settings):
    files = [_file(f"page-{n}.png", samples.photo("png", size=(60, 40))) for n in range(6)]
    response = _send(at_imaging, {"report_mri": files})
    assert ScanReport.objects.count() == 5
    assert response.context["form"].errors["report_mri"] == [
        "page-5.png: You can attach up to 5 files for each scan. Remove one to add another."
    ]


def test_a_resumed_draft_keeps_its_files(at_imaging):
    _send(at_imaging, {"report_ct": [_file("ct.pdf", samples.pdf())]}, data={"scans_done": ["ct"]})
    code = at_imaging.client.post(
        IMAGING, {**FULL_INTAKE["imaging"], "scans_done": ["ct"], "action": "save"}
    ).context["code"]
    elsewhere = Client()
    elsewhere.post(
        reverse("screening:resume"),
        {
            "code": code,
            "date_of_birth_day": "14",
            "date_of_birth_month": "7",
            "date_of_birth_year": "1971",
        },
    )
    page = elsewhere.get(IMAGING).content.decode()
    assert "ct.pdf" in page


def test_deleting_a_draft_deletes_its_files(at_imaging, django_capture_on_commit_callbacks):
    _send(at_imaging, {"report_mri": [_file("a.png", samples.photo("png"))]})
    name = ScanReport.objects.get().storage_name
    Intake.objects.filter(pk=at_imaging.intake.pk).update(
        expires_at=at_imaging.intake.expires_at - timedelta(days=365)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_expired_drafts", stdout=StringIO())
    assert not ScanReport.objects.exists()
    assert not storages["scan_reports"].exists(name)


def test_without_a_scanner_files_are_refused_unless_scanning_is_switched_off(patient, settings):
    settings.DEBUG, settings.CLAMAV_SOCKET, settings.UPLOAD_SCAN = False, "", "on"
    patient.fill(upto="imaging")
    response = _send(patient, {"report_mri": [_file("a.png", samples.photo("png"))]})
    assert response.context["form"].errors["report_mri"] == [f"a.png: {MESSAGES['unchecked']}"]
    assert not ScanReport.objects.exists()
    settings.UPLOAD_SCAN = "off"  # said explicitly: accepted, and marked as not scanned
    _send(patient, {"report_mri": [_file("a.png", samples.photo("png"))]})
    assert ScanReport.objects.get().scan_status == "not_scanned"


def test_the_daily_sweep_deletes_a_file_no_row_names(at_imaging):
    from screening.intake.report_services import sweep_orphans

    _send(at_imaging, {"report_mri": [_file("a.png", samples.photo("png"))]})
    kept = ScanReport.objects.get().storage_name
    store = storages["scan_reports"]
    orphan = store.save("orphan.pdf", BytesIO(samples.pdf()))
    assert sweep_orphans() == 0  # too young: it may be an upload whose row is being written
    later = store.get_modified_time(orphan) + timedelta(days=2)
    assert sweep_orphans(now=later) == 1
    assert not store.exists(orphan) and store.exists(kept)


def test_a_file_of_answers_says_how_many_files_and_never_carries_one(settings):
    """A rules test case can say "MRI report attached" (a number); no file is ever in the format."""
    from screening.intake import file_format

    assert file_format.REPORTS_PER_SCAN == settings.REPORTS_PER_SCAN
    prop = file_format.schema()["$defs"]["intake"]["properties"]["answers"]["properties"]
    assert prop["report_mri"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 5,
        "description": "Your MRI scan report",
    }


# --- the virus scan: a real clamd, with the project's test signature ---------------------------------
def test_a_file_carrying_the_eicar_test_virus_is_refused_and_a_clean_one_is_marked_scanned(
    patient, settings, clamd
):
    settings.CLAMAV_SOCKET = clamd
    patient.fill(upto="imaging")
    infected = samples.pdf().replace(b"%%EOF", samples.EICAR + b"\n%%EOF")
    response = _send(patient, {"report_mri": [_file("report.pdf", infected)]})
    assert response.context["form"].errors["report_mri"] == [f"report.pdf: {MESSAGES['infected']}"]
    assert not ScanReport.objects.exists()
    _send(patient, {"report_mri": [_file("page.jpg", samples.photo("jpeg"))]})
    assert ScanReport.objects.get().scan_status == "clean"


def test_a_scanner_that_does_not_answer_refuses_the_file(patient, settings, tmp_path):
    settings.CLAMAV_SOCKET = str(tmp_path / "no-clamd-here.sock")
    patient.fill(upto="imaging")
    response = _send(patient, {"report_mri": [_file("page.jpg", samples.photo("jpeg"))]})
    assert response.context["form"].errors["report_mri"] == [f"page.jpg: {MESSAGES['unchecked']}"]
    assert not ScanReport.objects.exists()


# --- staff reading the files ----------------------------------------------------------------------------
@pytest.fixture
def sent_with_reports(at_imaging):
    _send(
        at_imaging,
        {
            "report_mri": [
                _file("page.jpg", samples.photo("jpeg")),
                _file("report.pdf", samples.pdf()),
            ]
        },
    )
    slugs = list(FULL_INTAKE)
    for slug in slugs[slugs.index("imaging") + 1 :]:
        assert at_imaging.post_page(slug).status_code == 302, slug
    at_imaging.submit()
    return at_imaging.intake


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_coordinator_lists_and_opens_each_file_and_every_read_is_recorded(
    sent_with_reports, coordinator
):
    from screening.staff.models import AuditEvent

    reference = sent_with_reports.reference
    page = coordinator.get(f"/staff/cases/{reference}/")
    rows = page.context["reports"]
    assert [(r["scan"], r["type"], r["added_by"], r["scanned"]) for r in rows] == [
        ("MRI scan", "Photo", "the patient", "Not scanned"),
        ("MRI scan", "PDF", "the patient", "Not scanned"),
    ]
    photo, pdf = (r["report"] for r in rows)
    opened = coordinator.get(f"/staff/cases/{reference}/reports/{pdf.storage_name}")
    assert opened.status_code == 200 and _body(opened) == samples.pdf()
    assert opened["Content-Type"] == "application/pdf"
    assert opened["Content-Disposition"] == f'attachment; filename="{reference}-mri-2.pdf"'
    assert opened["X-Content-Type-Options"] == "nosniff"
    assert opened["Content-Security-Policy"].startswith("sandbox")
    assert "no-store" in opened["Cache-Control"]
    shown = coordinator.get(f"/staff/cases/{reference}/reports/{photo.storage_name}")
    assert shown["Content-Type"] == "image/jpeg"
    assert shown["Content-Disposition"].startswith("inline")
    reads = AuditEvent.objects.filter(action="case.report.read", object_ref=reference)
    assert sorted(e.detail["report"] for e in reads) == sorted([photo.pk, pdf.pk])


def test_a_specialist_opens_files_and_adds_notes_but_changes_nothing_else(sent_with_reports):
    from tests.personas import signed_in, staff_member

    specialist = signed_in(staff_member("sam", "Specialist"))
    reference = sent_with_reports.reference
    page = specialist.get(f"/staff/cases/{reference}/").content.decode()
    assert "Scan reports" in page and "Add a note" in page and "Close the case" not in page
    report = ScanReport.objects.first()
    assert (
        specialist.get(f"/staff/cases/{reference}/reports/{report.storage_name}").status_code == 200
    )
    note = specialist.post(
        f"/staff/cases/{reference}/notes/", {"text": "Facet arthropathy L4-5 on MRI."}
    )
    assert note.status_code == 302
    assert (
        specialist.post(f"/staff/cases/{reference}/status/", {"status": "closed"}).status_code
        == 403
    )
    assert specialist.get(f"/staff/cases/{reference}/print/").status_code == 403
    assert specialist.get("/staff/export.csv").status_code == 403


@pytest.mark.parametrize("role", ["Rules admin", "Clinic admin", None])
def test_other_staff_and_strangers_cannot_open_a_file(sent_with_reports, role):
    from tests.personas import signed_in, staff_member

    client = signed_in(staff_member("other", role)) if role else Client()
    report = ScanReport.objects.first()
    response = client.get(
        f"/staff/cases/{sent_with_reports.reference}/reports/{report.storage_name}"
    )
    assert response.status_code in (302, 403)  # to the sign-in page, or refused


def test_a_file_is_found_only_through_its_own_case(sent_with_reports, coordinator, other_patient):
    other_patient.fill()
    other_patient.submit()
    report = ScanReport.objects.first()
    elsewhere = f"/staff/cases/{other_patient.intake.reference}/reports/{report.storage_name}"
    assert coordinator.get(elsewhere).status_code == 404
    unknown = f"/staff/cases/{sent_with_reports.reference}/reports/not-a-file.pdf"
    assert coordinator.get(unknown).status_code == 404


def test_an_mri_without_its_report_is_said_to_staff_and_with_it_is_not(
    sent_with_reports, other_patient
):
    from screening.casework.services import latest_screening

    other_patient.fill()  # an MRI done, no report attached
    other_patient.submit()
    without = {f["rule"] for f in latest_screening(other_patient.intake).findings}
    attached = {f["rule"] for f in latest_screening(sent_with_reports).findings}
    assert "info_mri_report_missing" in without and "info_mri_report_missing" not in attached


def test_the_exports_carry_each_file_as_metadata_never_its_content(sent_with_reports, coordinator):
    import base64
    import csv
    import hashlib
    import io

    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    from screening.casework.fhir_export import questionnaire_response

    exported = questionnaire_response(sent_with_reports, identifiable=False)
    QuestionnaireResponse.model_validate(exported)  # valid FHIR R4B, contained resources too
    documents = exported["contained"]
    assert [d["resourceType"] for d in documents] == ["DocumentReference"] * 2
    pdf = documents[1]["content"][0]["attachment"]
    assert pdf["contentType"] == "application/pdf" and pdf["size"] == len(samples.pdf())
    assert pdf["hash"] == base64.b64encode(hashlib.sha1(samples.pdf()).digest()).decode()  # noqa: S324
    assert "data" not in pdf and pdf["url"].endswith(
        f"/staff/cases/{sent_with_reports.reference}/reports/{ScanReport.objects.last().storage_name}"
    )
    imaging = next(i for i in exported["item"] if i["linkId"] == "imaging")
    report_item = next(i for i in imaging["item"] if i["linkId"] == "report_mri")
    assert report_item["answer"] == [
        {"valueReference": {"reference": "#report-1"}},
        {"valueReference": {"reference": "#report-2"}},
    ]
    body = b"".join(coordinator.get("/staff/export.csv?status=all").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    counts = {row["Reference"]: row["Scan reports attached"] for row in rows}
    assert counts[sent_with_reports.reference] == "2"


def test_a_closed_case_past_retention_takes_its_files_with_it(
    sent_with_reports, settings, django_capture_on_commit_callbacks
):
    from screening.casework.models import Case
    from screening.staff.retention import purge_retained

    names = list(ScanReport.objects.values_list("storage_name", flat=True))
    long_ago = sent_with_reports.submitted_at - timedelta(days=settings.CASE_RETENTION_DAYS + 10)
    Case.objects.filter(intake=sent_with_reports).update(
        status="closed", close_reason=Case.CloseReason.values[0], updated_at=long_ago
    )
    with django_capture_on_commit_callbacks(execute=True):
        purge_retained()
    assert not ScanReport.objects.exists()
    assert not any(storages["scan_reports"].exists(name) for name in names)


def test_the_daily_command_sweeps_orphans(at_imaging):
    out = StringIO()
    call_command("sweep_scan_reports", stdout=out)
    assert out.getvalue().strip() == "Deleted 0 scan-report file(s) that no intake names."


# --- a coordinator adds a report received by post or e-mail -----------------------------------------------
def test_a_coordinator_adds_a_report_and_the_case_is_screened_again(coordinator, patient, settings):
    from screening.casework.services import latest_screening
    from screening.staff.models import AuditEvent

    settings.UPLOAD_SCAN = "off"
    patient.fill()  # an MRI done, its report not attached
    patient.submit()
    reference = patient.intake.reference
    assert "info_mri_report_missing" in {
        f["rule"] for f in latest_screening(patient.intake).findings
    }
    url = f"/staff/cases/{reference}/reports/add/"
    refused = coordinator.post(
        url, {"scan": "mri", "file": _file("letter.docx", samples.word_document())}
    )
    assert refused.status_code == 400
    assert "This file is a Word document" in refused.content.decode()
    missing = coordinator.post(url, {"scan": ""})
    assert "Select the scan this report is of" in missing.content.decode()
    assert "Choose the report&#x27;s file" in missing.content.decode()
    added = coordinator.post(url, {"scan": "mri", "file": _file("posted.pdf", samples.pdf())})
    assert added.status_code == 302 and added.url.endswith("#reports")
    report = ScanReport.objects.get()
    assert report.added_by.username == "casey" and report.question == "report_mri"
    assert "info_mri_report_missing" not in {
        f["rule"] for f in latest_screening(patient.intake).findings
    }
    assert AuditEvent.objects.filter(action="case.report.add", object_ref=reference).exists()
    page = coordinator.get(f"/staff/cases/{reference}/").context["reports"]
    assert page[0]["added_by"] == "Casey Moss"


def test_files_past_the_hourly_limit_of_an_address_are_refused_with_what_to_do(
    at_imaging, settings
):
    settings.REPORTS_PER_ADDRESS_PER_HOUR = 2
    files = [_file(f"page-{n}.png", samples.photo("png", size=(60, 40))) for n in range(3)]
    response = _send(at_imaging, {"report_mri": files})
    assert ScanReport.objects.count() == 2
    assert response.context["form"].errors["report_mri"] == [f"page-2.png: {MESSAGES['too_fast']}"]


def test_a_file_over_20_mb_is_dropped_as_it_arrives_and_the_page_says_so(at_imaging, monkeypatch):
    from screening.intake import report_files

    monkeypatch.setattr(report_files, "MAX_BYTES", 1000)
    monkeypatch.setattr("screening.upload_limits.MAX_BYTES", 1000)
    response = _send(at_imaging, {"report_mri": [_file("huge.pdf", samples.pdf() + b" " * 2000)]})
    assert response.context["form"].errors["report_mri"] == [str(MESSAGES["too_big"])]
    assert not ScanReport.objects.exists()


# --- asking the patient for a report through a completion link --------------------------------------------
@pytest.mark.django_db(transaction=True)  # the e-mail goes through the task worker
def test_a_completion_link_asks_for_the_missing_report_and_the_patient_attaches_it(
    coordinator, patient, settings
):
    import re

    from django.core import mail

    from screening.casework.services import latest_screening
    from tests.test_notifications import run_worker

    settings.UPLOAD_SCAN = "off"
    patient.fill()  # an MRI and an X-ray done, their reports not attached
    patient.submit()
    reference = patient.intake.reference
    page = coordinator.get(f"/staff/cases/{reference}/").content.decode()
    assert (
        "Reports of scans the patient had, not attached:" in page
        and "<li>MRI scan report</li>" in page
    )
    mail.outbox.clear()
    coordinator.post(f"/staff/cases/{reference}/completion-link/", follow=True)
    run_worker()
    (message,) = mail.outbox
    path = re.search(r"https?://[^/\s]+(/complete/[^/\s]+/)", message.body).group(1)
    link_user = Client()
    form_url = link_user.get(path)["Location"]
    born = {"date_of_birth_day": "14", "date_of_birth_month": "7", "date_of_birth_year": "1971"}
    form_page = link_user.post(form_url, born, follow=True).content.decode()
    assert 'enctype="multipart/form-data"' in form_page and 'name="report_mri"' in form_page
    refused = link_user.post(form_url, {"report_mri": [_file("a.docx", samples.word_document())]})
    assert refused.status_code == 400 and "This file is a Word document" in refused.content.decode()
    sent = link_user.post(form_url, {"report_mri": [_file("mri.pdf", samples.pdf())]})
    assert sent.status_code == 302
    assert ScanReport.objects.get().question == "report_mri"
    findings = {f["rule"] for f in latest_screening(patient.intake).findings}
    assert "info_mri_report_missing" not in findings  # screened again with the report in


def test_a_remove_button_with_a_made_up_value_removes_nothing_and_fails_nothing(at_imaging):
    _send(at_imaging, {"report_mri": [_file("a.png", samples.photo("png"))]})
    for value in ("../../etc/passwd", "x\x00y.pdf", "a" * 500):
        response = _send(at_imaging, {}, remove_report=value)
        assert response.status_code == 302, value
    assert ScanReport.objects.count() == 1


def test_more_than_one_request_may_carry_is_refused_whole_and_nothing_is_saved(
    at_imaging, settings
):
    settings.UPLOAD_MAX_REQUEST_BYTES = 3000
    big = [_file(f"p{n}.pdf", samples.pdf() + b"\n" * 1500) for n in range(3)]
    response = _send(at_imaging, {"report_mri": big}, data={"diagnoses_told": ["stenosis"]})
    assert response.status_code == 200
    assert response.context["form"].errors["report_mri"] == [str(MESSAGES["too_much_at_once"])]
    assert not ScanReport.objects.exists()
    assert at_imaging.intake.answers.get("diagnoses_told") != ["stenosis"]  # nothing of it saved
