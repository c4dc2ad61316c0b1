"""A whole intake as a patient who uses only the keyboard: Tab, Shift+Tab, Space, arrow keys, typing, Enter."""

import pytest

from screening.intake.models import Intake
from tests.browser.helpers import (
    CONTINUE,
    REFERENCE,
    assert_clean_console,
    keyboard_fill_page,
    keyboard_press,
    page_path,
    path_of,
    path_of_url,
)
from tests.intake_data import FULL_INTAKE

pytestmark = pytest.mark.browser


def test_a_patient_completes_the_intake_by_keyboard_only(page, server, console):
    page.goto(server + "/")
    # Focus starts on the page body; from there on, only keys.
    keyboard_press(page, 'form[action$="/intake/begin/"] button[type="submit"]')

    for slug, data in FULL_INTAKE.items():
        assert path_of(page) == page_path(slug), f"expected the {slug} page, got {page.url}"
        keyboard_fill_page(page, data)
        keyboard_press(page, CONTINUE)

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
