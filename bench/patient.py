"""A simulated patient for the reliability scripts: one browser (a ``requests.Session``) completing one whole
intake over HTTP, the way a person does, and keeping a record of what it saw.

The patient opens the start page, presses "Start now", then answers each page the app sends it to (the page
order is the app's: after a valid answer the app redirects to the next page), checks its answers, sends the
form and reads the reference on the receipt. The answers are tests/intake_data.FULL_INTAKE with a name, date
of birth and e-mail address of the patient's own, so every simulated patient can be told apart in the
database.

When a request fails (a 5xx, or no answer at all), the patient does what the error page asks: waits a moment
and presses the same button again (the same step, the same answers), up to a bound. Every failure is
recorded with what the body was: the friendly error page with an ERR- reference, or something a patient must
never see (a traceback, a bare "Internal Server Error", an empty answer). After a step that needed a retry,
the patient checks that its draft is intact: the check-your-answers page still shows every answer it gave
before the fault.

Nothing here touches the database: the scripts reconcile what the patients saw against it afterwards.
"""

from __future__ import annotations

import calendar
import html
import random
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date

import requests

# What the friendly 500 page (templates/500.html, screening/error_views.py) always carries.
FRIENDLY_HEADING = "Sorry, there is a problem with the service"
ERROR_REFERENCE = re.compile(r"ERR-[3-9A-Z]{4}-[3-9A-Z]{4}")
INTAKE_REFERENCE = re.compile(r'class="fc-code"><strong>(FC-[3-9A-Z]{4}-[3-9A-Z]{4})</strong>')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Text no patient may ever be shown: Django's debug page, gunicorn's own error page, a Python traceback.
NEVER_SHOWN = ("Traceback", "Internal Server Error", "Exception Value", 'File "/', "psycopg")
SUMMARY_ROW = re.compile(
    r'<div class="fc-summary__row" id="answer-(?P<key>\w+)" data-page="(?P<page>[\w-]+)">\s*'
    r'<dt[^>]*>(?P<label>.*?)</dt>\s*<dd class="fc-summary__value">(?P<value>.*?)</dd>',
    re.S,
)
TASKS = "/intake/your-form/"
TASK_LINK = re.compile(
    r'<a class="fc-task-list__name" href="(?P<href>[^"]+)"[^>]*>.*?</a>\s*'
    r'<span class="fc-task-list__status fc-task-list__status--(?P<status>\w+)"',
    re.S,
)
NOT_ANSWERED = "Not answered"
IDENTITY_PAGES = ("about-you", "contact")

START, BEGIN, CHECK, SUBMIT, RECEIPT = (
    "/",
    "/intake/begin/",
    "/intake/check-your-answers/",
    "/intake/submit/",
    "/intake/sent/",
)


# --- what a patient records ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Request:
    """One HTTP request: what kind of step, when it started and ended (time.monotonic()), and its result."""

    step: str  # "get", "begin", "page", "submit"
    path: str
    started: float
    ended: float
    status: int | None  # None: no HTTP answer (connection refused or reset, timeout)

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    @property
    def failed(self) -> bool:
        return self.status is None or self.status >= 500


@dataclass(frozen=True)
class Failure:
    """A request that did not do what the step needed."""

    step: str  # e.g. "POST /intake/pain-where/"
    status: int | None
    # friendly: the friendly 500 page with an ERR- reference; leak: a traceback, a bare "Internal Server
    # Error" or other error text; connection: no HTTP answer; unexpected: a status or page the flow never
    # gives (a 4xx, the wrong page, a receipt missing after a send).
    kind: str
    detail: str
    started: float
    at: float


@dataclass
class Outcome:
    """Everything one patient saw during one intake."""

    patient: str  # "p07-3": simulated patient 7, its 4th intake
    identity: tuple[str, str, str]  # given name, family name, date of birth (ISO)
    email: str
    reference: str | None = None  # the reference shown on the receipt
    completed: bool = False  # the receipt was shown
    began: bool = False  # "Start now" answered with the first page: a draft exists
    submit_sent: bool = False  # "Confirm and send" was pressed at least once
    # The step the patient gave up on (retries used up, or an unexpected page).
    gave_up: str | None = None
    requests: list[Request] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    retried_steps: int = 0  # steps that needed more than one attempt
    drafts_checked: int = 0  # check-your-answers pages read after a retry
    draft_problems: list[str] = field(default_factory=list)


class Baseline:
    """The check-your-answers rows of the first patient to reach that page (pages other than the identity
    pages, which differ per patient): every later patient's answers must read the same."""

    def __init__(self):
        self._lock = threading.Lock()
        self.rows: dict[str, str] | None = None

    def compare(self, rows: dict[str, str]) -> list[str]:
        shared = {href: v for href, v in rows.items() if _slug(href) not in IDENTITY_PAGES}
        with self._lock:
            if self.rows is None:
                self.rows = shared
                return []
            expected = self.rows
        problems = [
            f"{href}: {expected.get(href)!r} became {value!r}"
            for href, value in shared.items()
            if expected.get(href) != value
        ]
        problems += [f"{href}: missing" for href in expected if href not in shared]
        return problems


# --- the patient --------------------------------------------------------------------------------------
class GiveUp(Exception):
    """The patient stops this intake (retries used up, or a page the flow never shows)."""


class Abandon(Exception):
    """The deadline passed before the patient started: it does not start."""


def letters(n: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "Ba": names made of letters only, like real ones."""
    out = ""
    while True:
        out = chr(ord("a") + n % 26) + out
        n //= 26
        if not n:
            return out.capitalize()


class Patient:
    """One simulated patient completing one intake (``run``), with a browser session of its own.

    ``deadline`` (time.monotonic()): the patient does not start an intake after it; one started before
    is finished (the scripts bound how long they wait for that).
    ``verify_drafts``: after a step that needed a retry, read the check-your-answers page and compare it
    with the answers given so far (the fault scripts do; the load script does not, so its figures measure
    only the intake itself).
    ``hold_submit`` (time.monotonic()): wait on check-your-answers until then before pressing "Confirm and
    send", so that a fault script can have forms sent at the moment of its fault.
    """

    def __init__(
        self,
        base: str,
        answers: dict[str, dict],
        *,
        number: int,
        run: int,
        tag: str,
        baseline: Baseline,
        deadline: float,
        verify_drafts: bool = False,
        hold_submit: float | None = None,
        report: bytes | None = None,
        max_attempts: int = 15,
        step_seconds: float = 60.0,
        timeout: float = 60.0,
    ):
        self.base = base
        self.deadline = deadline
        self.verify_drafts = verify_drafts
        self.hold_submit = hold_submit
        self.report = report  # a scan report to attach on the imaging page (bench/load.py)
        self.max_attempts = max_attempts
        self.step_seconds = step_seconds
        self.timeout = timeout
        self.baseline = baseline
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "facetclinic-bench-patient"
        serial = number * 1000 + run
        given = f"Pat{letters(number)}"
        family = f"Bench{tag}{letters(run)}"
        born = date(1968 + serial % 12, 1 + serial // 12 % 12, 1 + serial // 144 % 28)
        email = f"{given}.{family}@example.org".lower()
        self.answers = {slug: dict(values) for slug, values in answers.items()}
        self.answers["about-you"] |= {
            "given_name": given,
            "family_name": family,
            "date_of_birth_day": str(born.day),
            "date_of_birth_month": str(born.month),
            "date_of_birth_year": str(born.year),
        }
        self.answers["contact"] |= {"email": email}
        self.born = born
        self.outcome = Outcome(
            patient=f"p{number:02d}-{run}", identity=(given, family, born.isoformat()), email=email
        )
        self.completed_pages: list[str] = []
        self.final_rows: dict[str, str] | None = None
        self.rows_after_faults: list[tuple[list[str], dict[str, str]]] = []
        self._verifying = False

    # --- the intake, step by step ---------------------------------------------------------------------
    def run(self) -> Outcome:
        try:
            self._intake()
        except Abandon:
            pass
        except GiveUp as stop:
            self.outcome.gave_up = str(stop)
        finally:
            self.session.close()
        return self.outcome

    def _intake(self) -> None:
        self._not_past_deadline()
        page = self._step("GET /", "get", "GET", START, expect=200, contains="Start now")
        token = _csrf(page)
        where = self._step(
            "POST /intake/begin/",
            "begin",
            "POST",
            BEGIN,
            data={"csrfmiddlewaretoken": token, "extra_details": ""},
            expect=302,
        )
        self.outcome.began = True
        while where != CHECK:
            if where == TASKS:  # the task list: the first section not completed, or check and send
                page = self._step(
                    f"GET {TASKS}", "get", "GET", TASKS, expect=200, contains="fc-task"
                )
                todo = [m["href"] for m in TASK_LINK.finditer(page) if m["status"] != "completed"]
                where = html.unescape(todo[0]) if todo else CHECK
                continue
            slug = _page_slug(where)
            if slug not in self.answers:
                raise self._unexpected(
                    f"POST {where}", None, f"sent to {where}, not an intake page"
                )
            page = self._step(
                f"GET {where}", "get", "GET", where, expect=200, contains="intake-form"
            )
            data = {**self.answers[slug], "action": "continue", "csrfmiddlewaretoken": _csrf(page)}
            if slug == "imaging" and self.report is not None:
                files = {"report_mri": ("mri-report.pdf", self.report, "application/pdf")}
                where = self._step(
                    f"POST {where}", "upload", "POST", where, data=data, files=files, expect=302
                )
            else:
                where = self._step(f"POST {where}", "page", "POST", where, data=data, expect=302)
            self.completed_pages.append(slug)
            if where in (START, RECEIPT) or where.startswith(START + "?"):
                raise self._unexpected(f"POST /intake/{slug}/", 302, f"sent to {where} mid-intake")
        page = self._step(
            f"GET {CHECK}", "get", "GET", CHECK, expect=200, contains="Confirm and send"
        )
        self.final_rows = self._check_rows(page)
        if self.hold_submit is not None:
            time.sleep(max(0.0, self.hold_submit - time.monotonic()))
        self.outcome.submit_sent = True
        where = self._step(
            f"POST {SUBMIT}",
            "submit",
            "POST",
            SUBMIT,
            data={"csrfmiddlewaretoken": _csrf(page), "extra_details": ""},
            expect=302,
        )
        if where != RECEIPT:
            raise self._unexpected(f"POST {SUBMIT}", 302, f"sent to {where}, not the receipt")
        page = self._step(f"GET {RECEIPT}", "get", "GET", RECEIPT, expect=200, contains="Form sent")
        found = INTAKE_REFERENCE.search(page)
        if not found:
            raise self._unexpected(f"GET {RECEIPT}", 200, "no reference on the receipt")
        self.outcome.reference = found.group(1)
        self.outcome.completed = True

    def _not_past_deadline(self) -> None:
        if time.monotonic() >= self.deadline:
            raise Abandon

    # --- one step, retried as a patient would ---------------------------------------------------------
    def _step(
        self,
        label: str,
        kind: str,
        method: str,
        path: str,
        *,
        data: dict | None = None,
        files: dict | None = None,
        expect: int,
        contains: str | None = None,
    ) -> str:
        """Send one request until it gives the expected answer; return the body (200) or where the app
        redirected to (302). A 5xx or no answer: wait and send it again (the same answers)."""
        started = time.monotonic()
        for attempt in range(1, self.max_attempts + 1):
            status, body, location = self._send(kind, method, path, data, files)
            if status == expect and (status != 200 or contains is None or contains in body):
                if attempt > 1:
                    self.outcome.retried_steps += 1
                    if self.verify_drafts:
                        self._verify_draft(after=label, kind=kind, path=path)
                return location if status == 302 else body
            if status is not None and status < 500:
                # A patient gets no further by pressing the button again on a 4xx or an unexpected page.
                raise self._unexpected(label, status, _unexpected_detail(status, body, location))
            sent = self.outcome.requests[-1].started
            self.outcome.failures.append(
                Failure(label, status, *_classify(status, body), started=sent, at=time.monotonic())
            )
            if time.monotonic() - started > self.step_seconds:
                break
            time.sleep(0.5 + random.random())  # noqa: S311  # nosec B311: a pause, not a secret
        raise GiveUp(f"{label}: still failing after {attempt} attempts")

    def _send(self, kind: str, method: str, path: str, data: dict | None, files=None):
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                self.base + path,
                data=data,
                files=files,
                allow_redirects=False,
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            self.outcome.requests.append(Request(kind, path, started, time.monotonic(), None))
            return None, type(error).__name__, None
        self.outcome.requests.append(
            Request(kind, path, started, time.monotonic(), response.status_code)
        )
        location = response.headers.get("Location")
        if location and location.startswith(self.base):
            location = location[len(self.base) :]
        return response.status_code, response.text, location

    def _unexpected(self, label: str, status: int | None, detail: str) -> GiveUp:
        now = time.monotonic()
        sent = self.outcome.requests[-1].started if self.outcome.requests else now
        self.outcome.failures.append(Failure(label, status, "unexpected", detail, sent, now))
        return GiveUp(f"{label}: {detail}")

    # --- is the draft intact? -------------------------------------------------------------------------
    def _verify_draft(self, *, after: str, kind: str, path: str) -> None:
        """After a retry: every page answered so far still shows its answers on check-your-answers.

        Compared again with the final check-your-answers page before sending (``_check_rows``), so an
        answer that changed after the fault is caught too."""
        done = list(self.completed_pages)
        if kind == "page" and (slug := _page_slug(path)) and slug not in done:
            done.append(slug)  # the page whose answers were just sent again
        if self._verifying or not done or kind in ("begin", "submit") or path == RECEIPT:
            return  # nothing answered yet, or the form is sent (the receipt and the database tell)
        self._verifying = True
        try:
            page = self._step(
                f"GET {CHECK} (draft check)",
                "get",
                "GET",
                CHECK,
                expect=200,
                contains="Confirm and send",
            )
        finally:
            self._verifying = False
        self.outcome.drafts_checked += 1
        rows = self._rows(page)
        for href, value in rows.items():
            if _slug(href) in done and value == NOT_ANSWERED:
                self.outcome.draft_problems.append(f"after {after}: {href} not answered any more")
        for slug in done:
            if not any(_slug(href) == slug for href in rows):
                self.outcome.draft_problems.append(f"after {after}: no rows of page {slug}")
        self._identity_problems(
            rows, [s for s in IDENTITY_PAGES if s in done], when=f"after {after}"
        )
        self.rows_after_faults.append((done, rows))

    def _check_rows(self, page: str) -> dict[str, str]:
        rows = self._rows(page)
        missing = [href for href, value in rows.items() if value == NOT_ANSWERED]
        if missing:
            self.outcome.draft_problems.append(f"check-your-answers: not answered {missing}")
        self._identity_problems(rows, IDENTITY_PAGES, when="before sending")
        for problem in self.baseline.compare(rows):
            self.outcome.draft_problems.append(f"another patient's answers differ: {problem}")
        # Every answer seen on a check after a fault reads the same now, before sending.
        for done, earlier in self.rows_after_faults:
            for href, value in earlier.items():
                if _slug(href) in done and rows.get(href) != value:
                    self.outcome.draft_problems.append(
                        f"{href} read {value!r} after the fault, {rows.get(href)!r} before sending"
                    )
        return rows

    def _identity_problems(self, rows: dict[str, str], pages, *, when: str) -> None:
        given, family, _born = self.outcome.identity
        born = f"{self.born.day} {calendar.month_name[self.born.month]} {self.born.year}"
        expected = {"about-you": (given, family, born), "contact": (self.outcome.email,)}
        for slug in pages:
            shown = " | ".join(v for href, v in rows.items() if _slug(href) == slug)
            for value in expected.get(slug, ()):
                if value not in shown:
                    self.outcome.draft_problems.append(
                        f"{when}: {value!r} not shown on page {slug}"
                    )

    @staticmethod
    def _rows(page: str) -> dict[str, str]:
        rows = {}
        for row in SUMMARY_ROW.finditer(page):
            value = html.unescape(re.sub(r"<[^>]+>", "", row["value"])).strip()
            rows[f"/intake/{row['page']}/#{row['key']}"] = value
        return rows


# --- reading pages ------------------------------------------------------------------------------------
def _csrf(page: str) -> str:
    found = CSRF_FIELD.search(page)
    if not found:
        raise GiveUp("no CSRF token in the form")
    return found.group(1)


def _page_slug(path: str) -> str | None:
    found = re.fullmatch(r"/intake/([\w-]+)/", path or "")
    return found.group(1) if found else None


def _slug(href: str) -> str | None:
    found = re.match(r"/intake/([\w-]+)/", href)
    return found.group(1) if found else None


def _classify(status: int | None, body: str) -> tuple[str, str]:
    """(kind, detail) of a failed request: see Failure.kind."""
    if status is None:
        return "connection", body  # the exception's name
    leaked = [text for text in NEVER_SHOWN if text in body]
    reference = ERROR_REFERENCE.search(body)
    if status == 500 and FRIENDLY_HEADING in body and reference and not leaked:
        return "friendly", reference.group(0)
    return "leak", f"{status}: {leaked or body[:120]!r}"


def _unexpected_detail(status: int, body: str, location: str | None) -> str:
    if status in (301, 302, 303):
        return f"{status} to {location}"
    title = re.search(r"<title>(.*?)</title>", body, re.S)
    return f"{status}: {html.unescape(title.group(1)).strip() if title else body[:120]!r}"
