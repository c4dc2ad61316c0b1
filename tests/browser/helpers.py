"""Helpers for the browser tests: console watching, filling intake pages by mouse or by keyboard only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page

# Debian's Chromium and the flags it needs here (no sandbox as root; no calls home on a closed network);
# the browser tests and bench/page_weight.py launch it alike.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Reported on the console as an error, so a violation is caught even where Chromium would not log it.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("Content Security Policy violation: " + event.violatedDirective +
                " blocked " + (event.blockedURI || "inline code"));
});
"""

CONTINUE = 'button[name="action"][value="continue"]'
SAVE = 'button[name="action"][value="save"]'
REFERENCE = re.compile(r"^FC-[34679ACDEFGHJKMNPQRTWXY]{4}-[34679ACDEFGHJKMNPQRTWXY]{4}$")
RESUME_CODE = re.compile(r"^[34679ACDEFGHJKMNPQRTWXY]{5}(-[34679ACDEFGHJKMNPQRTWXY]{5}){2}$")


def page_path(slug: str) -> str:
    return f"/intake/{slug}/"


def path_of_url(url: str) -> str:
    """The path of a URL, without the server, query or fragment."""
    return re.sub(r"^https?://[^/]+", "", url).split("?")[0].split("#")[0]


def path_of(page: Page) -> str:
    return path_of_url(page.url)


# --- console -------------------------------------------------------------------------------------
@dataclass
class ConsoleEntry:
    url: str
    source: str  # "console" or "pageerror"
    type: str  # console message type: log, info, warning, error, ...
    text: str

    def __str__(self) -> str:
        return f"[{self.source}/{self.type}] {self.url}: {self.text}"


@dataclass
class ConsoleLog:
    """Every console message and uncaught page error of the watched pages, with the page's URL."""

    entries: list[ConsoleEntry] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        page.add_init_script(CSP_LISTENER)
        page.on(
            "console",
            lambda msg: self.entries.append(ConsoleEntry(page.url, "console", msg.type, msg.text)),
        )
        page.on(
            "pageerror",
            lambda error: self.entries.append(
                ConsoleEntry(page.url, "pageerror", "error", str(error))
            ),
        )
        page.on(
            "framenavigated",
            lambda frame: self.visited.append(frame.url) if frame == page.main_frame else None,
        )
        return page

    def problems(self) -> list[ConsoleEntry]:
        return [
            e
            for e in self.entries
            if e.source == "pageerror"
            or e.type == "error"
            or "content security policy" in e.text.lower()
        ]


def assert_clean_console(log: ConsoleLog) -> None:
    """No console error, no uncaught page error and no Content Security Policy report on any page."""
    problems = log.problems()
    assert not problems, "Console problems:\n" + "\n".join(str(p) for p in problems)


# --- filling pages with the mouse (for tests that are not about the keyboard) --------------------------
def _values(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def fill_page(page: Page, data: dict) -> None:
    """Answer the fields of the current page, in order (so follow-up questions get revealed)."""
    for name, value in data.items():
        fields = page.locator(f'[name="{name}"]')
        kind = fields.first.evaluate("el => el.type")
        if kind in ("radio", "checkbox"):
            for v in _values(value):
                option = page.locator(f'[name="{name}"][value="{v}"]')
                (option if option.count() else fields).check()
        else:
            fields.fill(value)


def press_button(page: Page, selector: str = CONTINUE) -> None:
    """Press a button (Continue by default) and wait for the page that follows."""
    with page.expect_navigation():
        page.locator(selector).click()


TASKS = "/intake/your-form/"


def open_task(page: Page, slug: str) -> None:
    """On the task list, open the section that starts with ``slug`` as a patient does, by its link
    (nothing to do elsewhere, or when no section starts there)."""
    link = page.locator(f'a.fc-task-list__name[href="{page_path(slug)}"]')
    if path_of(page) == TASKS and link.count():
        with page.expect_navigation():
            link.click()


def open_check(page: Page) -> None:
    """From the task list, once every section is completed, on to checking the answers."""
    if path_of(page) == TASKS:
        with page.expect_navigation():
            page.locator('a.fc-task-list__name[href="/intake/check-your-answers/"]').click()


def fill_and_continue(page: Page, slug: str, data: dict) -> None:
    open_task(page, slug)
    assert path_of(page) == page_path(slug), f"expected the {slug} page, got {page.url}"
    fill_page(page, data)
    press_button(page)


def start_intake(page: Page, server: str) -> None:
    page.goto(server + "/")
    with page.expect_navigation():
        page.get_by_role("button", name="Start now").click()


# --- keyboard only --------------------------------------------------------------------------------
# Where the focus is relative to the wanted element(s): "here", "forward", "backward" or "missing".
_FOCUS_STATE = """(selector) => {
  const targets = Array.from(document.querySelectorAll(selector)).filter((el) => el.checkVisibility());
  if (!targets.length) return "missing";
  const active = document.activeElement;
  if (active && targets.includes(active)) return "here";
  if (!active || active === document.body) return "forward";
  return active.compareDocumentPosition(targets[0]) & Node.DOCUMENT_POSITION_FOLLOWING
    ? "forward" : "backward";
}"""
_ACTIVE = """() => {
  const el = document.activeElement;
  return el ? `${el.tagName.toLowerCase()} name=${el.name || ""} id=${el.id || ""} value=${el.value || ""}` : "none";
}"""


def tab_to(page: Page, selector: str, max_presses: int = 250) -> None:
    """Press Tab (or Shift+Tab, if the element is behind the focus) until the focus is on ``selector``."""
    for _ in range(max_presses):
        state = page.evaluate(_FOCUS_STATE, selector)
        if state == "here":
            return
        if state == "missing":
            raise AssertionError(f"No visible element matches {selector} on {page.url}")
        page.keyboard.press("Tab" if state == "forward" else "Shift+Tab")
    raise AssertionError(
        f"{selector} not reached with {max_presses} presses of Tab on {page.url}; "
        f"focus is on {page.evaluate(_ACTIVE)}"
    )


def _active(page: Page, expression: str):
    return page.evaluate(f"() => document.activeElement.{expression}")


def key_choose_radio(page: Page, name: str, value: str) -> None:
    """Tab into a radio group, then move with the arrow keys (Space for the option first reached)."""
    tab_to(page, f'input[type="radio"][name="{name}"]')
    options = page.locator(f'input[type="radio"][name="{name}"]').count()
    for _ in range(options + 1):
        if _active(page, "value") == value:
            page.keyboard.press("Space")
            break
        page.keyboard.press("ArrowDown")
    wanted = page.locator(f'input[type="radio"][name="{name}"][value="{value}"]')
    assert wanted.is_checked(), f"could not select {name}={value} with the arrow keys"


def key_tick(page: Page, name: str, value: str | None) -> None:
    selector = f'input[type="checkbox"][name="{name}"]' + (f'[value="{value}"]' if value else "")
    tab_to(page, selector)
    if not _active(page, "checked"):
        page.keyboard.press("Space")
    assert page.locator(selector).is_checked(), f"could not tick {name}={value} with Space"


def key_type(page: Page, name: str, text: str) -> None:
    tab_to(page, f'[name="{name}"]')
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)
    assert page.locator(f'[name="{name}"]').input_value() == text


def keyboard_fill_page(page: Page, data: dict) -> None:
    """Answer the current page's fields in order, reaching each with Tab, by keyboard only."""
    for name, value in data.items():
        kind = page.evaluate(
            "(name) => document.querySelector(`[name='${name}']`)?.type ?? 'missing'", name
        )
        if kind == "radio":
            key_choose_radio(page, name, value)
        elif kind == "checkbox":
            has_values = page.evaluate(
                "(name) => document.querySelector(`[name='${name}']`).hasAttribute('value')", name
            )
            for v in _values(value):
                key_tick(page, name, v if has_values else None)
        elif kind == "missing":
            raise AssertionError(f"No field {name} on {page.url}")
        else:
            key_type(page, name, value)


def keyboard_press(page: Page, selector: str) -> None:
    """Tab to a button or link and press Enter, waiting for the page that follows."""
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def keyboard_open_task(page: Page, slug: str) -> None:
    """On the task list, open the section that starts with ``slug`` by Tab and Enter."""
    selector = f'a.fc-task-list__name[href="{page_path(slug)}"]'
    if path_of(page) == TASKS and page.locator(selector).count():
        keyboard_press(page, selector)


def keyboard_open_check(page: Page) -> None:
    if path_of(page) == TASKS:
        keyboard_press(page, 'a.fc-task-list__name[href="/intake/check-your-answers/"]')


# --- staff sign-in: password, then the code an authenticator app would show ----------------------------
def authenticator_code(user) -> str:
    """The code the user's authenticator app shows now (a confirmed TOTP device is made if needed)."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or (
        TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    )
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def enter_second_factor(page: Page, user) -> None:
    """On the "Enter your code" page, enter the app's code and continue."""
    page.get_by_label("Code").fill(authenticator_code(user))
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
