"""Page weight: every patient page under 60 kB transferred, compressed, with no request to another origin.

    .venv/bin/python -m bench.page_weight [--verbose]

Serves the app with production settings (gunicorn, PostgreSQL database ``facetclinic_bench_weight``) and
walks every page a patient can see in Chromium: the start page, every intake step, the height and weight
check, the safety advice, the saved page with its resume code, check your answers, the receipt, starting
again, the resume page, the privacy notice, the completion-link pages and the error pages (404, a refused
form, validation errors).

Each page load is measured in a fresh browser context (an empty cache) that carries only the patient's
cookies, with the browser's cache switched off, so every stylesheet, script, image and font the page
needs is counted. "Transferred" is what went over the wire: response headers plus the encoded
(compressed) body, as Chromium counts it (DevTools protocol ``Network.loadingFinished``'s
``encodedDataLength``, with a redirect's response in ``Network.requestWillBeSent``); Playwright's own
``request.sizes()`` (``responseHeadersSize`` + ``responseBodySize``, "the received response body
(encoded)") is summed beside it as a cross-check and the larger of the two is held to the goal. A page
reached by a form (a POST) counts the POST's response and every redirect on the way. 1 kB = 1000 bytes.

Exits 1 if any page is 60 kB or more, or any request left the app's origin.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench import _common

NAME, PORT = "weight", 8103
GOAL_BYTES = 60_000
# The walk starts several drafts from one address: lift the hourly limits (they are not measured here).
SERVER_ENV = {"INTAKE_LIMITS_MULTIPLIER": "1000"}
VERBOSE = "--verbose" in sys.argv[1:]  # every request of every page, with its size and encoding

CONTINUE = 'main button[name="action"][value="continue"]'
SAVE = 'main button[name="action"][value="save"]'
MAIN_SUBMIT = 'main form button[type="submit"]'
BEGIN = 'form[action$="/intake/begin/"] button[type="submit"]'
SUBMIT = 'form[action$="/intake/submit/"] button[type="submit"]'
START_AGAIN = 'form[action$="/intake/start-again/"] button[type="submit"]'


@dataclass
class Load:
    label: str
    path: str = ""
    status: int = 0
    cdp_bytes: int = 0
    pw_bytes: int = 0
    requests: int = 0
    other_origin: list[str] = field(default_factory=list)
    detail: list[tuple[str, str, int]] = field(default_factory=list)  # url, content-encoding, bytes

    @property
    def bytes(self) -> int:
        return max(self.cdp_bytes, self.pw_bytes)

    @property
    def met(self) -> bool:
        return self.bytes < GOAL_BYTES and not self.other_origin and 200 <= self.status < 500


class Walk:
    """A Chromium browser against the server; each measurement in a new context (cold cache)."""

    def __init__(self, browser, base: str):
        self.browser = browser
        self.base = base
        self.origin = _origin(base)
        self.loads: list[Load] = []

    def measure(
        self,
        label: str,
        *,
        state: dict | None = None,
        goto: str | None = None,
        setup: Callable | None = None,
        act: Callable | None = None,
        expect_path: str | None = None,
    ) -> Load:
        """One page load in a fresh context with the given cookies: ``goto`` a path, or ``setup`` the page
        (not counted) and then ``act`` (a click that navigates; counted, with its redirects)."""
        context = self.browser.new_context(storage_state=state)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if setup is not None:
            setup(page)
        load = Load(label)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        wire: dict[str, int] = {}

        def sent(event):
            redirect = event.get("redirectResponse")
            if redirect is not None:  # the redirect's response, received on the previous hop
                wire[event["requestId"] + ":" + redirect["url"]] = redirect["encodedDataLength"]

        def finished(event):
            wire[event["requestId"]] = event["encodedDataLength"]

        cdp.on("Network.requestWillBeSent", sent)
        cdp.on("Network.loadingFinished", finished)
        seen = []
        page.on("request", lambda request: seen.append(request))
        if goto is not None:
            response = page.goto(self.base + goto, wait_until="load")
        else:
            with page.expect_navigation(wait_until="load") as navigation:
                act(page)
            response = navigation.value
        page.wait_for_load_state("networkidle")
        load.path = urlsplit(page.url).path
        load.status = response.status if response is not None else 0
        for request in seen:
            if request.url.startswith(("data:", "about:", "blob:")):
                continue  # not a network request
            load.requests += 1
            if _origin(request.url) != self.origin:
                load.other_origin.append(request.url)
            sizes = request.sizes()
            size = sizes["responseHeadersSize"] + max(sizes["responseBodySize"], 0)
            load.pw_bytes += size
            response = request.response()
            encoding = (response.headers.get("content-encoding", "") if response else "") or "-"
            load.detail.append((request.url.removeprefix(self.base), encoding, size))
        load.cdp_bytes = sum(wire.values())
        if expect_path is not None and load.path != expect_path:
            problem = page.locator(".fc-error-summary").all_inner_texts()
            sys.exit(f"{label}: expected {expect_path}, the browser is on {load.path} {problem}")
        cdp.detach()
        context.close()
        self.loads.append(load)
        return load


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _press(page, selector: str) -> None:
    with page.expect_navigation(wait_until="load"):
        page.locator(selector).first.click()


def _path(page) -> str:
    return urlsplit(page.url).path


def _fill_present(helpers, page, data: dict) -> None:
    """Fill, in order, the fields of ``data`` that this page shows (a page may ask only some of them;
    a follow-up question shows once the answer before it is given)."""
    for name, value in data.items():
        if page.locator(f'main [name="{name}"]:visible').count():
            helpers.fill_page(page, {name: value})
            page.keyboard.press("Tab")  # a typed answer counts once the field is left


def walk_intake(walk: Walk, helpers, full_intake: dict) -> str:
    """A patient from the start page to the receipt, measuring every page on the way. Returns the
    reference of the sent form."""
    browser_context = walk.browser.new_context()
    patient = browser_context.new_page()
    patient.set_default_timeout(15_000)
    state = browser_context.storage_state

    walk.measure("start", goto="/", expect_path="/")
    walk.measure("privacy notice", goto="/privacy/", expect_path="/privacy/")
    walk.measure("resume", goto="/intake/resume/", expect_path="/intake/resume/")
    walk.measure(
        "resume, with errors",
        setup=lambda p: p.goto(walk.base + "/intake/resume/"),
        act=lambda p: p.locator(MAIN_SUBMIT).first.click(),
        expect_path="/intake/resume/",
    )
    walk.measure(
        "404 page not found",
        goto="/intake/no-such-page/",
        expect_path="/intake/no-such-page/",
    )

    def refused_without_cookie(p):
        p.goto(walk.base + "/")
        p.context.clear_cookies()

    walk.measure(
        "403 form refused (no cookie)",
        setup=refused_without_cookie,
        act=lambda p: p.locator(BEGIN).click(),
        expect_path="/intake/begin/",
    )

    patient.goto(walk.base + "/")
    _press(patient, BEGIN)
    for slug, data in full_intake.items():
        path = helpers.page_path(slug)
        if _path(patient) == helpers.TASKS and not any(x.label == "task list" for x in walk.loads):
            walk.measure("task list", state=state(), goto=helpers.TASKS, expect_path=helpers.TASKS)
        helpers.open_task(patient, slug)
        assert _path(patient) == path, f"expected the {slug} page, got {patient.url}"
        walk.measure(slug, state=state(), goto=path, expect_path=path)
        if slug == "about-you":
            walk.measure(
                f"{slug}, with errors",
                state=state(),
                setup=lambda p, path=path: p.goto(walk.base + path),
                act=lambda p: p.locator(CONTINUE).click(),
                expect_path=path,
            )
        if slug == "contact":

            def filled(p, path=path, data=data):
                p.goto(walk.base + path)
                helpers.fill_page(p, data)

            walk.measure(
                "saved, with the resume code",
                state=state(),
                setup=filled,
                act=lambda p: p.locator(SAVE).click(),
                expect_path=path,
            )
        if slug == "height-and-weight":
            helpers.fill_page(patient, {**data, "height_cm": "212", "weight_kg": "45"})
            _press(patient, CONTINUE)
            check = "/intake/check-height-and-weight/"
            assert _path(patient) == check, patient.url
            walk.measure("height and weight check", state=state(), goto=check, expect_path=check)
            walk.measure(
                "height and weight check, with errors",
                state=state(),
                setup=lambda p, check=check: p.goto(walk.base + check),
                act=lambda p: p.locator(MAIN_SUBMIT).click(),
                expect_path=check,
            )
            helpers.fill_page(patient, {"right": "no"})
            _press(patient, MAIN_SUBMIT)
            assert _path(patient) == path, patient.url
        helpers.fill_page(patient, data)
        _press(patient, CONTINUE)

    helpers.open_check(patient)
    check = "/intake/check-your-answers/"
    assert _path(patient) == check, patient.url
    walk.measure("check your answers", state=state(), goto=check, expect_path=check)
    _press(patient, SUBMIT)
    assert _path(patient) == "/intake/sent/", patient.url
    walk.measure("receipt", state=state(), goto="/intake/sent/", expect_path="/intake/sent/")
    reference = patient.locator(".fc-code strong").inner_text().strip()
    walk.measure(
        "start again (after sending)",
        state=state(),
        setup=lambda p: p.goto(walk.base + "/intake/sent/"),
        act=lambda p: p.locator(START_AGAIN).click(),
        expect_path="/",
    )
    browser_context.close()
    return reference


def _new_patient(walk: Walk):
    """A fresh browser context whose patient has pressed "Start now"."""
    context = walk.browser.new_context()
    patient = context.new_page()
    patient.set_default_timeout(15_000)
    patient.goto(walk.base + "/")
    _press(patient, BEGIN)
    return context, patient


def walk_safety(walk: Walk, helpers, full_intake: dict) -> None:
    """A red-flag answer: the safety advice page, and the start page with a draft to continue."""
    context, patient = _new_patient(walk)
    for slug, data in full_intake.items():
        if slug == "safety":
            helpers.fill_page(patient, {**data, "saddle_numbness": "yes"})
            _press(patient, CONTINUE)
            break
        helpers.fill_page(patient, data)
        _press(patient, CONTINUE)
    advice = "/intake/safety-advice/"
    assert _path(patient) == advice, patient.url
    walk.measure("safety advice", state=context.storage_state(), goto=advice, expect_path=advice)
    walk.measure("start, with a draft to continue", state=context.storage_state(), goto="/")
    context.close()


def sent_needing_information(walk: Walk, helpers, full_intake: dict) -> str:
    """A sent form that leaves a question open (no blocks reported): its case needs information."""
    context, patient = _new_patient(walk)
    overrides = {"treatments": {"treatments_tried": ["nsaids", "physical_therapy"]}}
    for slug, data in full_intake.items():
        helpers.open_task(patient, slug)
        if _path(patient) != helpers.page_path(slug):
            continue  # a page this patient is not asked (the blocks)
        _fill_present(helpers, patient, {**data, **overrides.get(slug, {})})
        _press(patient, CONTINUE)
    helpers.open_check(patient)
    _press(patient, SUBMIT)
    reference = patient.locator(".fc-code strong").inner_text().strip()
    context.close()
    return reference


def completion_token(reference: str) -> str:
    """A completion link for the case, made with the app's own service (as a coordinator would); its
    token is given here instead of by the e-mail that no worker sends in this script."""
    from django.contrib.auth.models import User

    from screening.casework import services as casework
    from screening.casework.models import Case, CompletionLink
    from screening.intake import reference_codes as codes

    case = Case.objects.get(intake__reference=reference)
    user, _created = User.objects.get_or_create(username="bench-page-weight")
    link = casework.case_send_completion_link(case_id=case.pk, user=user)
    token = codes.new_link_token()
    CompletionLink.objects.filter(pk=link.pk).update(token_digest=codes.link_digest(token))
    return token


def walk_completion(walk: Walk, helpers, token: str, full_intake: dict) -> None:
    context = walk.browser.new_context()
    patient = context.new_page()
    patient.set_default_timeout(15_000)
    birth = {k: v for k, v in full_intake["about-you"].items() if k.startswith("date_of_birth")}
    form = "/complete/"

    walk.measure("completion link: date of birth", goto=f"/complete/{token}/", expect_path=form)
    patient.goto(walk.base + f"/complete/{token}/")
    state = context.storage_state

    def wrong_birth(p):
        p.goto(walk.base + form)
        helpers.fill_page(p, {**birth, "date_of_birth_year": "1990"})

    walk.measure(
        "completion link: date of birth, with errors",
        state=state(),
        setup=wrong_birth,
        act=lambda p: p.locator(MAIN_SUBMIT).click(),
        expect_path=form,
    )
    helpers.fill_page(patient, birth)
    _press(patient, MAIN_SUBMIT)
    assert _path(patient) == form and patient.locator('[name="treatments_tried"]').count(), (
        patient.url
    )
    walk.measure("completion link: questions", state=state(), goto=form, expect_path=form)
    answers = {"treatments_tried": ["nsaids", "physical_therapy", "mbb"]}
    answers |= full_intake["blocks"] | full_intake["block-1"] | full_intake["block-2"]

    def answered(p):
        p.goto(walk.base + form)
        _fill_present(helpers, p, answers)

    walk.measure(
        "completion link: answers sent",
        state=state(),
        setup=answered,
        act=lambda p: p.locator(MAIN_SUBMIT).click(),
        expect_path="/complete/done/",
    )
    walk.measure("completion link: closed (404)", goto=f"/complete/{token}/")
    context.close()


def report(loads: list[Load]) -> int:
    width = max(len(load.label) for load in loads)
    print(
        f"  {'page':<{width}}  {'status':>6}  {'kB':>6}  {'(CDP':>6} {'/ PW)':<6}  "
        f"{'requests':>8}  {'other origin':>12}  goal < {GOAL_BYTES / 1000:.0f} kB, 0 other"
    )
    for load in loads:
        print(
            f"  {load.label:<{width}}  {load.status:>6}  {load.bytes / 1000:>6.1f}  "
            f"({load.cdp_bytes / 1000:>5.1f} / {load.pw_bytes / 1000:>5.1f})  {load.requests:>8}  "
            f"{len(load.other_origin):>12}  {'ok' if load.met else 'MISSED'}"
        )
        for url in load.other_origin:
            print(f"      other origin: {url}")
        if VERBOSE:
            for url, encoding, size in load.detail:
                print(f"      {size / 1000:>6.1f} kB  {encoding:<5} {url}")
    heaviest = max(loads, key=lambda load: load.bytes)
    missed = [load for load in loads if not load.met]
    print(
        f"\n  {len(loads)} page loads; heaviest {heaviest.label} at {heaviest.bytes / 1000:.1f} kB; "
        f"{len(missed)} missed"
    )
    return 1 if missed else 0


def main() -> int:
    from playwright.sync_api import sync_playwright

    _common.prepare_database(NAME)
    _common.use_database(NAME)
    # The ORM (the completion link) is used beside Playwright's sync API, which runs an event loop.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()
    from tests.browser import helpers
    from tests.intake_data import FULL_INTAKE

    with _common.gunicorn(NAME, port=PORT, **SERVER_ENV) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(helpers.CHROMIUM), headless=True, args=helpers.CHROMIUM_ARGS
        )
        walk = Walk(browser, base)
        walk_intake(walk, helpers, FULL_INTAKE)
        walk_safety(walk, helpers, FULL_INTAKE)
        token = completion_token(sent_needing_information(walk, helpers, FULL_INTAKE))
        walk_completion(walk, helpers, token, FULL_INTAKE)
        browser.close()
    print(f"Page weight of every patient page, cold cache, Chromium against gunicorn ({base})")
    return report(walk.loads)


if __name__ == "__main__":
    if not Path("/usr/bin/chromium").exists():
        sys.exit(
            "/usr/bin/chromium is missing: apt-get install -y --no-install-recommends chromium"
        )
    sys.exit(main())
