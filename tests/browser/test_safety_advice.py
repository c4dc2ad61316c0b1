"""A red-flag answer interrupts the form with advice, styled by urgency; continuing is a secondary action."""

import pytest

from tests.browser.helpers import (
    assert_clean_console,
    fill_and_continue,
    page_path,
    path_of,
    start_intake,
)
from tests.intake_data import FULL_INTAKE

pytestmark = pytest.mark.browser


def test_saddle_numbness_leads_to_emergency_advice_then_on_to_the_next_page(page, server, console):
    start_intake(page, server)
    for slug in list(FULL_INTAKE)[: list(FULL_INTAKE).index("safety")]:
        fill_and_continue(page, slug, FULL_INTAKE[slug])
    fill_and_continue(page, "safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})

    assert path_of(page) == "/intake/safety-advice/"
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text().startswith("Go to an emergency department now")
    assert page.title().startswith("Go to an emergency department now")
    # Not colour alone: the urgency is written out.
    assert page.locator(".fc-advice__label").inner_text().strip().lower() == "emergency"

    # What to tell the emergency department, from the answer that raised the flag: never a diagnosis.
    assert "“I have back pain. I have numbness around my bottom, genitals or inner thighs.”" in (
        page.inner_text("main")
    )
    # The only ways on are "Continue with the form", a secondary (outlined) button-styled link, and
    # "Change my answer" for a mis-tap; nothing else leads away from the advice (the skip link stays).
    carry_on = page.get_by_role("link", name="Continue with the form")
    assert "btn-outline-secondary" in carry_on.get_attribute("class")
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    change = page_path("safety") + "?change=1#div_id_saddle_numbness"
    assert sorted(hrefs) == sorted(["#main", page_path("safety-more"), change]), hrefs
    assert (
        page.get_by_role("link", name="Change my answer: Numbness around your bottom").count() == 1
    )

    with page.expect_navigation():
        carry_on.click()
    assert path_of(page) == page_path("safety-more")
    assert page.get_by_role("heading", level=1).inner_text() == "Illness, injury and other risks"

    # The advice is not shown again for the same answer: on to the task list.
    fill_and_continue(page, "safety-more", FULL_INTAKE["safety-more"])
    assert path_of(page) == "/intake/your-form/"
    assert_clean_console(console)
