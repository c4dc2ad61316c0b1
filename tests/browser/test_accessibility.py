"""axe on every patient-facing page, as a patient reaches it, at a phone width (320 px) and a desktop width.

One walk per width: each page is checked when it is reached (and with its errors shown, after Continue on
the empty page), so the suite stays quick. At 320 px no page may scroll sideways (WCAG 1.4.10 reflow).
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.helpers import (
    CONTINUE,
    SAVE,
    TASKS,
    assert_clean_console,
    fill_page,
    open_check,
    open_task,
    page_path,
    path_of,
    press_button,
)
from tests.intake_data import EVERY_PAGE, FULL_INTAKE

pytestmark = pytest.mark.browser

AXE = Axe()
NARROW = 320


class Audit:
    """Runs the checks on a page and collects every failure, to report them all at the end."""

    def __init__(self, page, width: int):
        self.page, self.width = page, width
        self.failures: list[str] = []
        self.checked: list[str] = []

    def __call__(self, label: str) -> None:
        self.checked.append(label)
        results = AXE.run(self.page)
        if results.violations_count:
            self.failures.append(
                f"--- {label} ({self.page.url}) at {self.width}px: "
                f"{results.violations_count} axe violation(s)\n{results.generate_report()}"
            )
        if self.width <= NARROW:
            scroll_width = self.page.evaluate("() => document.documentElement.scrollWidth")
            if scroll_width > self.width:
                wide = self.page.evaluate(_WIDEST, self.width)
                self.failures.append(
                    f"--- {label} ({self.page.url}) scrolls sideways at {self.width}px: "
                    f"scrollWidth {scroll_width}; too wide: {wide}"
                )


# The elements that stick out to the right, to say what to fix.
_WIDEST = """(width) => Array.from(document.querySelectorAll("body *"))
  .filter((el) => el.getBoundingClientRect().right > width + 0.5)
  .slice(0, 5)
  .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)}px)`)"""


def _continue_empty_shows_errors(page, slug: str) -> bool:
    """Press Continue without answering. True if the page came back with errors (else go back to it)."""
    press_button(page, CONTINUE)
    if path_of(page) == page_path(slug):
        assert page.title().startswith("Error: "), page.title()
        assert page.evaluate("() => document.activeElement.classList.contains('fc-error-summary')")
        return True
    page.go_back()  # every question on it was optional: nothing to show
    return False


@pytest.mark.parametrize(
    ("width", "language"), [(NARROW, "en"), (1280, "en"), (NARROW, "es")], ids=str
)
def test_every_intake_page_passes_axe_and_reflows(page, server, console, settings, width, language):
    """In English at both widths, and in Spanish (issue 18) at 320 px: its longer words must reflow
    too."""
    settings.PATIENT_LANGUAGES = ["en", "es"]
    page.set_viewport_size({"width": width, "height": 900})
    check = Audit(page, width)

    page.goto(server + "/")
    if language != "en":  # chosen on the start page, as a patient does
        press_button(page, f'button[name="language"][value="{language}"]')
        assert page.locator("html").get_attribute("lang") == language
    check("start")
    page.goto(server + "/privacy/")
    check("privacy notice")
    page.goto(server + "/intake/resume/")
    check("resume")
    press_button(page, 'main button[type="submit"]')
    check("resume, with errors")

    page.goto(server + "/")
    press_button(page, 'form[action$="/intake/begin/"] button[type="submit"]')
    for slug, data in EVERY_PAGE.items():  # every page of the catalogue: every treatment, 3 blocks
        if path_of(page) == TASKS and "task list" not in check.checked:
            check("task list")
        open_task(page, slug)
        assert path_of(page) == page_path(slug), f"expected the {slug} page, got {page.url}"
        check(slug)
        # Each page with its errors at 320 px (in each language); a wide screen changes no error's markup
        if width == NARROW and _continue_empty_shows_errors(page, slug):
            check(f"{slug}, with errors")
        if slug == "safety":
            data = {**data, "saddle_numbness": "yes"}
        if slug == "height-and-weight":
            fill_page(page, {**data, "height_cm": "212", "weight_kg": "45"})
            press_button(page, CONTINUE)
            assert path_of(page) == "/intake/check-height-and-weight/"
            check("height and weight check")
            press_button(page, 'main button[type="submit"]')
            check("height and weight check, with errors")
            fill_page(page, {"right": "no"})
            press_button(page, 'main button[type="submit"]')
            assert path_of(page) == page_path(slug)
        fill_page(page, data)
        if slug == "contact":
            press_button(page, SAVE)
            check("saved, with the resume code")
            press_button(page, "main a.btn")  # "Carry on with the form now"
            assert path_of(page) == page_path("contact")
        press_button(page, CONTINUE)
        if slug == "safety":
            assert path_of(page) == "/intake/safety-advice/"
            check("safety advice (emergency)")
            press_button(page, "main a.btn")  # "Continue with the form"

    open_check(page)
    assert path_of(page) == "/intake/check-your-answers/"
    check("check your answers")
    press_button(page, 'form[action$="/intake/submit/"] button[type="submit"]')
    assert path_of(page) == "/intake/sent/"
    check("receipt")

    assert not check.failures, "\n\n".join(check.failures)
    assert len(check.checked) >= (2 if width == NARROW else 1) * len(EVERY_PAGE)
    assert_clean_console(console)


def test_saving_with_a_red_flag_shows_advice_and_code_accessibly(page, server, console):
    page.set_viewport_size({"width": NARROW, "height": 900})
    check = Audit(page, NARROW)
    page.goto(server + "/")
    press_button(page, 'form[action$="/intake/begin/"] button[type="submit"]')
    for slug, data in FULL_INTAKE.items():
        if slug == "safety":
            break
        fill_page(page, data)
        press_button(page, CONTINUE)
    fill_page(page, {**FULL_INTAKE["safety"], "bladder_problem": "yes"})
    press_button(page, SAVE)
    assert "Go to an emergency department now" in page.inner_text("main")
    assert "Your resume code" in page.inner_text("main")
    check("saved, with emergency advice")
    assert not check.failures, "\n\n".join(check.failures)
    assert_clean_console(console)
