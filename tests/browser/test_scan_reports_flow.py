"""Issue 19 in Chromium, on a phone-sized screen: a patient chooses a photo and a PDF of their MRI report,
removes the photo before sending, sends the form; a coordinator opens the PDF from the case page."""

import django.apps
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, User

from screening.intake.models import ScanReport
from screening.rules.rulesets import rules_load_defaults
from screening.staff.roles import ensure_groups
from tests import report_samples as samples
from tests.browser.helpers import (
    CONTINUE,
    assert_clean_console,
    authenticator_code,
    enter_second_factor,
    fill_and_continue,
    fill_page,
    open_check,
    open_task,
    page_path,
    path_of,
    press_button,
    start_intake,
)
from tests.intake_data import FULL_INTAKE

pytestmark = pytest.mark.browser
AXE = Axe()
PASSWORD = "a-long-password-for-tests"


def test_a_patient_attaches_a_report_on_a_phone_and_a_coordinator_opens_it(
    page, server, console, settings
):
    settings.UPLOAD_SCAN = "off"  # the scanner has its own tests (tests/test_scan_reports.py)
    ensure_groups(django.apps.apps)  # the live server's database is flushed between tests
    rules_load_defaults()
    page.set_viewport_size({"width": 375, "height": 812})
    start_intake(page, server)
    slugs = list(FULL_INTAKE)
    for slug in slugs[: slugs.index("imaging")]:
        fill_and_continue(page, slug, FULL_INTAKE[slug])

    open_task(page, "imaging")
    assert path_of(page) == page_path("imaging")
    fill_page(page, FULL_INTAKE["imaging"])
    # A Word document: refused by its field, the page shown again without leaving it, answers kept
    page.get_by_label("Your MRI scan report (optional)").set_input_files(
        [{"name": "report.docx", "mimeType": "application/pdf", "buffer": samples.word_document()}]
    )
    page.locator(CONTINUE).click()
    page.locator(".fc-error-summary").wait_for()
    assert page.title().startswith("Error: ")
    assert (
        page.locator("#report_mri-error")
        .inner_text()
        .endswith(
            "report.docx: This file is a Word document. Save it as PDF, or take a photo of the printed report."
        )
    )
    assert page.locator('[name="scans_done"][value="mri"]').is_checked()
    picker = page.get_by_label("Your MRI scan report (optional)")
    picker.set_input_files(
        [
            {"name": "mri-photo.jpg", "mimeType": "image/jpeg", "buffer": samples.photo("jpeg")},
            {"name": "mri-report.pdf", "mimeType": "application/pdf", "buffer": samples.pdf()},
        ]
    )
    chosen = page.locator(".fc-file-chosen li")
    assert chosen.count() == 2 and "mri-photo.jpg" in chosen.first.inner_text()
    assert AXE.run(page).violations_count == 0
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    chosen.first.get_by_role("button", name="Remove mri-photo.jpg").click()  # before sending
    assert page.locator(".fc-file-chosen li").count() == 1
    press_button(page, CONTINUE)  # sent with its progress shown, then on to the next page
    assert path_of(page) != page_path("imaging")
    assert list(ScanReport.objects.values_list("original_name", flat=True)) == ["mri-report.pdf"]

    # Back on the page later: the file attached, with its own "Remove"
    page.goto(server + page_path("imaging"))
    assert "mri-report.pdf" in page.locator(".fc-file-list").first.inner_text()
    page.go_back()
    for slug in slugs[slugs.index("imaging") + 1 :]:
        fill_and_continue(page, slug, FULL_INTAKE[slug])
    open_check(page)
    assert "1 file attached" in page.inner_text("main")
    with page.expect_navigation():
        page.locator('form[action$="/intake/submit/"] button[type="submit"]').click()
    reference = page.locator(".fc-code").inner_text().strip()
    assert_clean_console(console)

    user = User.objects.create_user("casey", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Coordinator"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(server + f"/staff/cases/{reference}/")
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(PASSWORD)
    authenticator_code(user)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    enter_second_factor(page, user)
    assert path_of(page) == f"/staff/cases/{reference}/"
    reports = page.locator("#reports")
    assert "MRI scan" in reports.inner_text() and "Not scanned" in reports.inner_text()
    with page.expect_download() as download:
        reports.get_by_role("link", name="Download MRI scan 1").click()
    saved = download.value
    assert saved.suggested_filename == f"{reference}-mri-1.pdf"
    with open(saved.path(), "rb") as handle:
        assert handle.read() == samples.pdf()
    assert AXE.run(page).violations_count == 0
