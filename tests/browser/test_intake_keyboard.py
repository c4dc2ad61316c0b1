"""A whole intake as a patient who uses only the keyboard: Tab, Shift+Tab, Space, arrow keys, typing, Enter."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import translation

from screening.intake.models import Intake
from tests.browser.helpers import (
    CONTINUE,
    REFERENCE,
    assert_clean_console,
    keyboard_fill_page,
    keyboard_open_check,
    keyboard_open_task,
    keyboard_press,
    page_path,
    path_of,
    path_of_url,
)
from tests.intake_data import FULL_INTAKE
from tests.personas import signed_in, staff_member

pytestmark = pytest.mark.browser
AXE = Axe()


def test_a_patient_completes_the_intake_by_keyboard_only(page, server, console):
    page.goto(server + "/")
    # Focus starts on the page body; from there on, only keys.
    keyboard_press(page, 'form[action$="/intake/begin/"] button[type="submit"]')

    for slug, data in FULL_INTAKE.items():
        keyboard_open_task(page, slug)  # from the task list, after the first sections
        assert path_of(page) == page_path(slug), f"expected the {slug} page, got {page.url}"
        keyboard_fill_page(page, data)
        keyboard_press(page, CONTINUE)

    keyboard_open_check(page)
    assert path_of(page) == "/intake/check-your-answers/"
    assert page.locator("h1").inner_text() == "Check your answers before sending your form"
    assert "Zelda" in page.locator("main").inner_text()
    keyboard_press(page, 'form[action$="/intake/submit/"] button[type="submit"]')

    assert path_of(page) == "/intake/sent/"
    assert page.locator("h1").inner_text() == "Form sent"
    reference = page.locator(".fc-code").inner_text().strip()
    assert REFERENCE.match(reference), reference

    intake = Intake.objects.select_related("identity").get(reference=reference)
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.submitted_at is not None
    assert intake.identity.given_name == "Zelda"
    assert intake.answers["pain_now"] == 6

    visited = {path_of_url(url) for url in console.visited}
    assert {page_path(slug) for slug in FULL_INTAKE} <= visited
    assert_clean_console(console)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_patient_with_a_tier_one_red_flag_finishes_by_keyboard_and_the_receipt_leads_with_advice(
    page, server, console, settings, default_rules, language
):
    """Issue 17: after "yes" to saddle numbness the advice comes at once, the form can still be finished
    by keyboard, and the receipt leads with the emergency advice, not with "Form sent". Issue 18: the
    same in Spanish, chosen on the start page by keyboard; the coordinator reads the case in English."""
    from tests.browser.test_screenshots import shoot_for_readme

    settings.PATIENT_LANGUAGES = ["en", "es"]
    said = _in(
        language
    )  # each sentence as the patient's language says it (the catalogue's own text)
    answers = {**FULL_INTAKE, "safety": {**FULL_INTAKE["safety"], "saddle_numbness": "yes"}}
    page.goto(server + "/")
    if language != "en":
        keyboard_press(page, f'button[name="language"][value="{language}"]')
    assert page.locator("html").get_attribute("lang") == language
    keyboard_press(page, 'form[action$="/intake/begin/"] button[type="submit"]')
    for slug, data in answers.items():
        keyboard_open_task(page, slug)
        assert path_of(page) == page_path(slug), f"expected the {slug} page, got {page.url}"
        keyboard_fill_page(page, data)
        keyboard_press(page, CONTINUE)
        if slug == "safety":
            assert path_of(page) == "/intake/safety-advice/"
            assert said("Tell the emergency department:") in page.inner_text("main")
            keyboard_press(page, "a.fc-button")  # "Continue with the form"

    keyboard_open_check(page)
    assert path_of(page) == "/intake/check-your-answers/"
    emergency = said("Go to an emergency department now, or call %(emergency_number)s") % {
        "emergency_number": settings.CLINIC["emergency_number"]
    }
    assert emergency in page.locator(".fc-check-advice").inner_text()
    keyboard_press(page, 'form[action$="/intake/submit/"] button[type="submit"]')

    assert path_of(page) == "/intake/sent/"
    assert page.locator("html").get_attribute("lang") == language
    heading = page.locator("h1").inner_text()
    assert heading.startswith(emergency)
    main = page.inner_text("main")
    assert main.index(emergency) < main.index(said("Your form was sent."))
    assert said("Do not wait for the clinic to call you.") in main
    assert {"en": "working days", "es": "días hábiles"}[language] not in main  # no routine promise
    if language != "en":
        assert "emergency department" not in main  # no English left in the advice
    assert AXE.run(page).violations_count == 0
    page.set_viewport_size({"width": 320, "height": 700})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    shoot_for_readme(page, "receipt-emergency" + ("" if language == "en" else f"-{language}"), 375)
    assert_clean_console(console)

    # The coordinator reads the case in English, with the language the patient filled it in in.
    reference = page.locator(".fc-code-inline").inner_text().strip()
    intake = Intake.objects.get(reference=reference)
    assert intake.language == language and intake.safety_tier == 1
    coordinator = signed_in(staff_member("casey", "Coordinator"))
    case = coordinator.get(f"/staff/cases/{reference}/").content.decode()
    assert "Numbness around your bottom" in case and "Zelda" in case  # the answers, in English
    assert ("Filled in in Spanish" in case) is (language == "es")
    assert "Urgent" in case and "Saddle numbness" in case  # screened by the default rules


def _in(language: str):
    def said(text: str) -> str:
        with translation.override(language):
            return translation.gettext(text)

    return said
