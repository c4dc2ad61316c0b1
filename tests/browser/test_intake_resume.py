"""Save and come back later: the resume code shown on screen brings the answers back in a fresh browser."""

import pytest

from tests.browser.helpers import (
    CONTINUE,
    RESUME_CODE,
    SAVE,
    assert_clean_console,
    fill_and_continue,
    fill_page,
    page_path,
    path_of,
    press_button,
    start_intake,
)
from tests.intake_data import FULL_INTAKE

pytestmark = pytest.mark.browser

DOB = FULL_INTAKE["about-you"]


def _text(locator) -> str:
    """The element's text as a screen reader reads it (visually hidden parts included), spaces collapsed."""
    return " ".join(locator.text_content().split())


def _save_part_way(page, server) -> str:
    """Answer two pages and part of the third, save, and return the resume code shown."""
    start_intake(page, server)
    fill_and_continue(page, "about-you", FULL_INTAKE["about-you"])
    fill_and_continue(page, "contact", FULL_INTAKE["contact"])
    assert path_of(page) == page_path("height-and-weight")
    page.locator('[name="height_cm"]').fill("168")
    press_button(page, SAVE)
    assert page.locator("h1").inner_text() == "Your answers have been saved"
    code = page.locator(".fc-code").inner_text().strip()
    assert RESUME_CODE.match(code), code
    return code


def _enter_resume_details(page, server, code: str, day: str, month: str, year: str) -> None:
    page.goto(server + "/intake/resume/")
    page.get_by_label("Resume code").fill(code)
    page.locator("#id_date_of_birth_0").fill(day)
    page.locator("#id_date_of_birth_1").fill(month)
    page.locator("#id_date_of_birth_2").fill(year)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue", exact=True).click()


def test_a_saved_form_is_resumed_in_a_fresh_browser_with_its_answers(
    page, server, console, new_context
):
    code = _save_part_way(page, server)

    other = console.watch(new_context().new_page())  # no cookies: another device
    _enter_resume_details(
        other,
        server,
        code.lower().replace("-", " "),  # typed loosely: lower case, spaces instead of dashes
        DOB["date_of_birth_day"],
        DOB["date_of_birth_month"],
        DOB["date_of_birth_year"],
    )

    # Back at the first page with a gap, with what was typed there before saving.
    assert path_of(other) == page_path("height-and-weight")
    assert other.locator('[name="height_cm"]').input_value() == "168"
    other.get_by_role("link", name="Back").click()
    other.wait_for_url("**" + page_path("contact"))
    assert other.locator('[name="email"]').input_value() == FULL_INTAKE["contact"]["email"]
    assert other.locator('[name="contact_method"][value="phone"]').is_checked()

    other.goto(server + page_path("about-you"))
    assert other.locator('[name="given_name"]').input_value() == "Zelda"
    assert other.locator('[name="family_name"]').input_value() == "Quarrington"

    # The patient carries on where they left off.
    other.goto(server + page_path("height-and-weight"))
    fill_page(other, FULL_INTAKE["height-and-weight"])
    press_button(other, CONTINUE)
    assert path_of(other) == page_path("pain-where")
    assert_clean_console(console)


def test_a_wrong_date_of_birth_is_refused_with_an_error_by_the_field_and_in_the_summary(
    page, server, console, new_context
):
    code = _save_part_way(page, server)
    other = console.watch(new_context().new_page())

    # A date that is not a date: the message is next to the date of birth.
    _enter_resume_details(other, server, code, "31", "2", "1971")
    assert other.title().startswith("Error: ")
    summary = other.locator(".fc-error-summary")
    assert summary.get_by_role("heading").inner_text() == "There is a problem"
    message = "Date of birth must be a real date"
    assert summary.get_by_role("link", name=message).get_attribute("href") == "#id_date_of_birth_0"
    assert _text(other.locator("#date_of_birth-error")) == f"Error: {message}"
    assert "date_of_birth-error" in other.locator("fieldset").get_attribute("aria-describedby")
    assert other.evaluate("() => document.activeElement.classList.contains('fc-error-summary')")

    # A real date that is not the patient's: refused without saying which detail is wrong.
    _enter_resume_details(other, server, code, "15", "7", "1971")
    assert path_of(other) == "/intake/resume/"
    assert other.title().startswith("Error: ")
    message = (
        "The resume code and date of birth do not match a saved form. Check both and try again"
    )
    link = other.locator(".fc-error-summary").get_by_role("link", name=message)
    assert link.get_attribute("href") == "#id_code"
    assert _text(other.locator("#code-error")) == f"Error: {message}"
    # The form is not opened: nothing of the patient's answers is shown.
    assert "Zelda" not in other.content()

    # The right details still work afterwards.
    _enter_resume_details(other, server, code, "14", "07", "1971")
    assert path_of(other) == page_path("height-and-weight")
    assert_clean_console(console)


def test_the_mismatch_error_is_tied_to_the_resume_code_field(page, server, new_context):
    code = _save_part_way(page, server)
    other = new_context().new_page()
    _enter_resume_details(other, server, code, "15", "7", "1971")
    assert _text(other.locator("#code-error")).startswith("Error: The resume code")
    described_by = other.get_by_label("Resume code").get_attribute("aria-describedby") or ""
    assert "code-error" in described_by.split()
