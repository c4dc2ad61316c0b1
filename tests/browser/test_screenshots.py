"""Screenshots for the README: the first intake page and a richer one, at a phone width and a desktop width.

Written to docs/screenshots/ with UPDATE_SCREENSHOTS=1 (`make screenshots`), else to a temporary folder, so a
test run leaves the working tree alone. Viewport screenshots, not full pages:
  intake-375.png, intake-1280.png      the first question page ("About you")
  pain-how-375.png, pain-how-1280.png  "How does your pain affect you?", partly answered
"""

import os
from pathlib import Path

import pytest

from tests.browser.helpers import (
    assert_clean_console,
    fill_and_continue,
    fill_page,
    page_path,
    path_of,
    start_intake,
)
from tests.intake_data import FULL_INTAKE

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {375: 812, 1280: 800}


def _shoot(page, folder: Path, name: str, width: int) -> Path:
    page.set_viewport_size({"width": width, "height": SIZES[width]})
    page.evaluate("() => window.scrollTo(0, 0)")
    path = folder / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=False, animations="disabled", caret="hide")
    return path


def shoot_for_readme(page, name: str, width: int) -> Path | None:
    """With UPDATE_SCREENSHOTS=1 (`make screenshots`): a screenshot for the README at ``width``."""
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        return None
    DOCS.mkdir(parents=True, exist_ok=True)
    return _shoot(page, DOCS, name, width)


def test_screenshots_for_the_readme(page, server, console, tmp_path):
    folder = DOCS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    start_intake(page, server)
    assert path_of(page) == page_path("about-you")
    written = [_shoot(page, folder, "intake", width) for width in SIZES]

    for slug in ("about-you", "contact", "height-and-weight", "pain-where"):
        fill_and_continue(page, slug, FULL_INTAKE[slug])
    assert path_of(page) == page_path("pain-how")
    fill_page(page, {"pain_now": "6", "pain_average": "5"})
    page.evaluate("() => document.activeElement.blur()")  # no focus ring on the last radio ticked
    written += [_shoot(page, folder, "pain-how", width) for width in SIZES]

    # After the first sections, the task list (issue 17); then a page of one treatment tried
    for slug in ("pain-how", "safety", "safety-more"):
        fill_and_continue(page, slug, FULL_INTAKE[slug])
    assert path_of(page) == "/intake/your-form/"
    written.append(_shoot(page, folder, "task-list", 375))
    for slug in ("imaging", "treatments", "treatment-nsaids"):
        fill_and_continue(page, slug, FULL_INTAKE[slug])
    assert path_of(page) == page_path("treatment-physical-therapy")
    fill_page(page, {"physical_therapy_amount": "8 weeks"})
    page.evaluate("() => document.activeElement.blur()")
    written.append(_shoot(page, folder, "treatment-page", 375))

    for path in written:
        assert path.stat().st_size > 10_000, path
    assert_clean_console(console)
