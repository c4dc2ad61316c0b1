"""HTTP benchmark (issue 6, benchmark 3): gunicorn on PostgreSQL with the pool, wrk at a fixed concurrency
on loopback, three runs, medians, each page against a floor measured in the same run.

    .venv/bin/python -m bench.http_throughput [--cases 100000] [--runs 3] [--duration 10s] [--connections 8]

Floors (bench/floors.py, served by the same gunicorn processes through the same middleware): a bare view
that inserts one intake-wide row and answers 204, and one that reads a page of 50 cases and answers 200.
Two reference floors are reported beside them, not judged: the insert with a patient's session cookie, and
the read behind the coordinator's sign-in checks (what every page of each kind must do first).

Goals (issue 13, the decision on issue 6): each page is judged against the reference floor of its kind,
since a page cannot do less than the checks its visitors need; its share of the bare floor is printed too.
- the queue at 100,000 cases (first page, a deep page, a filtered page): at least 0.7 of the signed-in read
  floor's requests per second, with a p99 at most 2 times its p99;
- a case page: at least 0.5, with a p99 at most 2.5 times;
- an intake step POST (valid answers, saved, 302 to the next page): at least 0.5 of the insert floor with a
  patient's session.
No page may fall below the share it had before (queue 0.6, case page 0.25, step POST 0.40): the verdict
then says so.

Every wrk thread has one connection and its own patient draft (so the POSTs do not queue on one row
lock); staff pages share one coordinator signed in like a browser (password, then a TOTP code). Every
response's status is checked: a single unexpected one fails the run. Floors and pages alternate within
each round, so a neighbour's load on the shared cores weighs on both alike.

Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from bench._common import gunicorn, manage, prepare_database, use_database

NAME = "http"
PORT = 8101
USERNAME = "bench-coordinator"
PASSWORD = "bench-coordinator-password-0123"  # noqa: S105  # nosec B105: a local benchmark account
INTAKE_STEP = "pain-how"
CASE_REFERENCES = 200  # case pages requested in turn, so no one case's history grows without end
DEEP_PAGES = 50
INSERT_FLOOR, READ_FLOOR = "insert floor", "read floor"
PATIENT_FLOOR, SIGNED_IN_FLOOR = "insert floor, patient session", "read floor, signed in"


@dataclass(frozen=True)
class Goal:
    share: float  # of the reference floor's requests per second
    p99: float | None  # at most this many times the reference floor's p99
    before: float  # the share before issue 13: no page may fall below it


QUEUE_GOAL = Goal(0.7, 2.0, 0.6)
CASE_GOAL = Goal(0.5, 2.5, 0.25)
STEP_GOAL = Goal(0.5, None, 0.40)


@dataclass
class Target:
    label: str
    method: str
    paths: list[str]
    expected: int
    floor: str | None = None  # None for a floor itself
    # One (cookie header, form body) per wrk connection; empty for requests without a session.
    sessions: list[tuple[str, str]] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    p99s: list[float] = field(default_factory=list)
    # A reference floor: the bare floor behind what every page of its kind must do first.
    reference: bool = False
    judged_by: str | None = None  # the reference floor a page is judged against
    goal: Goal | None = None


# --- setting up ---------------------------------------------------------------------------------------
def _ensure_cases(count: int) -> None:
    from screening.casework.models import Case

    have = Case.objects.count()
    if have >= count:
        print(f"{have} cases present.")
        return
    print(f"{have} cases present: generating {count - have} more (this takes a few minutes)...")
    # Another seed for every top-up, so the new cases are not copies of the ones already there.
    print(manage(NAME, "generate_cases", "--count", str(count - have), "--seed", str(have)).strip())


def _analyze() -> None:
    """Fresh planner statistics (and visibility maps) after a bulk load, as autovacuum would give them in
    time: without them PostgreSQL plans the filtered queue for a handful of rows."""
    import psycopg

    from bench._common import database_url

    with psycopg.connect(database_url(NAME), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def _ensure_coordinator():
    """The benchmark's coordinator with a confirmed TOTP device, ready for a fresh code."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user, _created = get_user_model().objects.get_or_create(
        username=USERNAME, defaults={"first_name": "Bench", "last_name": "Coordinator"}
    )
    user.set_password(PASSWORD)
    user.is_active = True
    user.save()
    user.groups.set(Group.objects.filter(name="Coordinator"))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or (
        TOTPDevice.objects.create(user=user, name="Bench app", confirmed=True)
    )
    # A code of the current time step must be accepted even when the last run used it moments ago.
    device.last_t = -1
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    return device


def _case_references(n: int) -> list[str]:
    from screening.casework.models import Case

    ids = list(Case.objects.order_by("id").values_list("id", flat=True))
    step = max(1, len(ids) // n)
    chosen = ids[::step][:n]
    return list(
        Case.objects.filter(id__in=chosen)
        .order_by("id")
        .values_list("intake__reference", flat=True)
    )


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        sys.exit("No CSRF token in the page.")
    return match.group(1)


def _expect(response: requests.Response, status: int, what: str) -> requests.Response:
    if response.status_code != status:
        sys.exit(f"{what}: expected {status}, got {response.status_code} ({response.url})")
    return response


def _cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def _sign_in(base: str, device) -> requests.Session:
    """The coordinator signs in as a browser would: the form, the password, then the app's code."""
    from django_otp.oath import totp

    browser = requests.Session()
    login = _expect(browser.get(f"{base}/staff/login/"), 200, "login form")
    _expect(
        browser.post(
            f"{base}/staff/login/",
            data={
                "username": USERNAME,
                "password": PASSWORD,
                "csrfmiddlewaretoken": _csrf(login.text),
            },
            allow_redirects=False,
        ),
        302,
        "password",
    )
    verify = _expect(
        browser.get(f"{base}/staff/two-factor/", allow_redirects=False), 200, "second-factor form"
    )
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"
    _expect(
        browser.post(
            f"{base}/staff/two-factor/",
            data={"code": code, "csrfmiddlewaretoken": _csrf(verify.text)},
            allow_redirects=False,
        ),
        302,
        "second factor",
    )
    _expect(browser.get(f"{base}/staff/", allow_redirects=False), 200, "queue after sign-in")
    return browser


def _patient_draft(base: str, step: str) -> tuple[requests.Session, str, dict]:
    """A patient who began an intake and answered every page before ``step``; returns the browser, the
    step's address and its form data (valid answers, "continue")."""
    from tests.intake_data import FULL_INTAKE

    browser = requests.Session()
    start = _expect(browser.get(f"{base}/"), 200, "start page")
    token = _csrf(start.text)
    response = _expect(
        browser.post(
            f"{base}/intake/begin/", data={"csrfmiddlewaretoken": token}, allow_redirects=False
        ),
        302,
        "begin",
    )
    posted: list[str] = []
    for _page in range(len(FULL_INTAKE)):
        path = urlsplit(urljoin(base + "/", response.headers["Location"])).path
        slug = path.strip("/").rsplit("/", 1)[-1]
        if slug == "your-form":  # the task list: on to the next section, as the walk has them
            slug = next(s for s in FULL_INTAKE if s not in posted)
            path = f"/intake/{slug}/"
        posted.append(slug)
        if slug not in FULL_INTAKE:
            sys.exit(f"Unexpected page on the way to {step}: {path}")
        form = {**FULL_INTAKE[slug], "action": "continue", "csrfmiddlewaretoken": token}
        if slug == step:
            return browser, path, form
        response = _expect(
            browser.post(f"{base}{path}", data=form, allow_redirects=False), 302, f"page {slug}"
        )
    sys.exit(f"The intake never reached {step}.")


def _form_body(form: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(form, doseq=True)


def _deep_cursor(browser: requests.Session, base: str, pages: int) -> str:
    """The queue's address ``pages`` pages in, following its own "Next page" links."""
    path = "/staff/"
    for _n in range(pages):
        page = _expect(browser.get(base + path, allow_redirects=False), 200, "queue page")
        match = re.search(r'href="\?(?:[^"]*&amp;)?after=([^"&]+)"', page.text)
        if not match:
            sys.exit(f"The queue has fewer than {pages} pages.")
        path = f"/staff/?after={match.group(1)}"
    return path


# --- wrk ---------------------------------------------------------------------------------------------
def _lua(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return f'"{escaped}"'


LUA = """
local method, expected = {method}, {expected}
local paths = {{ {paths} }}
local sessions = {{ {sessions} }}
local threads, counter = {{}}, 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  bad, n = 0, id * 7919
  headers = {{}}
  body = nil
  if #sessions > 0 then
    local mine = sessions[((id - 1) % #sessions) + 1]
    headers["Cookie"] = mine[1]
    if mine[2] ~= "" then
      body = mine[2]
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    end
  end
end

function request()
  n = n + 1
  return wrk.format(method, paths[(n % #paths) + 1], headers, body)
end

function response(status, headers, body)
  if status ~= expected then bad = bad + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write(string.format("UNEXPECTED_STATUS %d\\n", total))
end
"""


def _script(target: Target) -> str:
    return LUA.format(
        method=_lua(target.method),
        expected=target.expected,
        paths=", ".join(_lua(p) for p in target.paths),
        sessions=", ".join(f"{{ {_lua(c)}, {_lua(b)} }}" for c, b in target.sessions),
    )


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _wrk(
    base: str, target: Target, script: Path, duration: str, connections: int
) -> tuple[float, float]:
    """Requests per second and p99 latency (ms) of one wrk run; exits on any error or wrong status."""
    done = subprocess.run(  # noqa: S603  # nosec B603: wrk on loopback, fixed arguments
        [
            "/usr/bin/wrk",
            "-t",
            str(connections),
            "-c",
            str(connections),
            "-d",
            duration,
            "--latency",
            # A slow answer is counted at its real latency rather than dropped as a socket timeout.
            "--timeout",
            "30s",
            "-s",
            str(script),
            base + target.paths[0],
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    out = done.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
    bad = re.search(r"UNEXPECTED_STATUS (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    if done.returncode or not (rate and p99 and bad):
        sys.exit(f"wrk failed for {target.label}:\n{out}{done.stderr}")
    if int(bad.group(1)) or errors:
        sys.exit(
            f"{target.label}: {bad.group(1)} responses other than {target.expected}"
            f"{'; socket errors: ' + errors.group(1) if errors else ''}\n{out}"
        )
    return float(rate.group(1)), float(p99.group(1)) * UNITS[p99.group(2)]


# --- the run -----------------------------------------------------------------------------------------
def _targets(base: str, device, connections: int) -> list[Target]:
    staff = _sign_in(base, device)
    staff_cookie = [(_cookie_header(staff), "")]
    drafts = [_patient_draft(base, INTAKE_STEP) for _n in range(connections)]
    step_path = drafts[0][1]
    references = _case_references(CASE_REFERENCES)
    deep = _deep_cursor(staff, base, DEEP_PAGES)
    targets = [
        Target(INSERT_FLOOR, "POST", ["/bench/floor/insert/"], 204),
        Target(
            f"intake step POST ({INTAKE_STEP})",
            "POST",
            [step_path],
            302,
            floor=INSERT_FLOOR,
            sessions=[(_cookie_header(b), _form_body(form)) for b, _p, form in drafts],
            judged_by=PATIENT_FLOOR,
            goal=STEP_GOAL,
        ),
        Target(
            PATIENT_FLOOR,
            "POST",
            ["/bench/floor/insert/"],
            204,
            INSERT_FLOOR,
            sessions=[(_cookie_header(b), "") for b, _p, _form in drafts],
            reference=True,
        ),
        Target(READ_FLOOR, "GET", ["/bench/floor/read/"], 200),
        Target(
            SIGNED_IN_FLOOR,
            "GET",
            ["/bench/floor/read-signed-in/"],
            200,
            READ_FLOOR,
            staff_cookie,
            reference=True,
        ),
        Target(
            "queue, first page",
            "GET",
            ["/staff/"],
            200,
            READ_FLOOR,
            staff_cookie,
            judged_by=SIGNED_IN_FLOOR,
            goal=QUEUE_GOAL,
        ),
        Target(
            f"queue, page {DEEP_PAGES + 1}",
            "GET",
            [deep],
            200,
            READ_FLOOR,
            staff_cookie,
            judged_by=SIGNED_IN_FLOOR,
            goal=QUEUE_GOAL,
        ),
        Target(
            "queue, filtered",
            "GET",
            ["/staff/?outcome=needs_info&status=new"],
            200,
            READ_FLOOR,
            staff_cookie,
            judged_by=SIGNED_IN_FLOOR,
            goal=QUEUE_GOAL,
        ),
        Target(
            "case page",
            "GET",
            [f"/staff/cases/{ref}/" for ref in references],
            200,
            READ_FLOOR,
            staff_cookie,
            judged_by=SIGNED_IN_FLOOR,
            goal=CASE_GOAL,
        ),
    ]
    _check(base, targets, drafts)
    return targets


def _check(base: str, targets: list[Target], drafts) -> None:
    """One request of each kind before timing: each answers what it should (a saved step: 302 onwards)."""
    for target in targets:
        cookie, body = target.sessions[0] if target.sessions else ("", "")
        headers = {"Cookie": cookie} if cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for path in target.paths[:3]:
            response = requests.request(
                target.method,
                base + path,
                data=body or None,
                headers=headers,
                allow_redirects=False,
                timeout=30,
            )
            _expect(response, target.expected, target.label)
            if target.expected == 302:
                following = urlsplit(response.headers["Location"]).path
                if not following.startswith("/intake/") or following == path:
                    sys.exit(f"{target.label}: not saved, sent to {following}")


def _report(targets: list[Target]) -> int:
    """Each target's median req/s and p99, its share of its bare floor, and for a page its share of its
    reference floor and p99 against that floor's, with its goal and verdict."""
    by_label = {t.label: t for t in targets}
    width = max(len(t.label) for t in targets)

    def median(t: Target) -> tuple[float, float]:
        return statistics.median(t.rates), statistics.median(t.p99s)

    print()
    print(
        f"  {'target':<{width}}  {'req/s':>8}  {'p99 ms':>8}  {'x floor':>7}  {'x ref':>6}  "
        f"{'p99 x ref':>9}  {'goal':<24} verdict"
    )
    missed = False
    for t in targets:
        rate, p99 = median(t)
        if t.floor is None:
            print(f"  {t.label:<{width}}  {rate:>8.1f}  {p99:>8.1f}  {'(floor)':>7}")
            continue
        bare = rate / median(by_label[t.floor])[0]
        if t.goal is None:
            print(
                f"  {t.label:<{width}}  {rate:>8.1f}  {p99:>8.1f}  {bare:>7.2f}  {'(reference floor)':>6}"
            )
            continue
        ref_rate, ref_p99 = median(by_label[t.judged_by])
        share, slow = rate / ref_rate, p99 / ref_p99
        goal = t.goal
        ok = share >= goal.share and (goal.p99 is None or slow <= goal.p99)
        below_before = share < goal.before
        wanted = f"≥ {goal.share} x" + (f", p99 ≤ {goal.p99} x" if goal.p99 else "")
        verdict = "ok" if ok else ("BELOW BEFORE" if below_before else "below goal")
        missed |= not ok
        print(
            f"  {t.label:<{width}}  {rate:>8.1f}  {p99:>8.1f}  {bare:>7.2f}  {share:>6.2f}  "
            f"{slow:>9.2f}  {wanted:<24} {verdict}"
        )
    return 1 if missed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", default="10s")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--warmup", default="2s", help="a wrk run per target before the rounds")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn sync workers (default: 2 x cores + 1, as docs/deploy.md recommends)",
    )
    args = parser.parse_args()

    prepare_database(NAME)
    use_database(NAME)
    import django

    django.setup()
    from django.db import connections

    _ensure_cases(args.cases)
    _analyze()
    device = _ensure_coordinator()
    connections.close_all()

    with (
        gunicorn(
            NAME,
            port=PORT,
            workers=args.workers,
            settings="bench.settings",
            INTAKE_LIMITS_MULTIPLIER="100000",
        ) as base,
        tempfile.TemporaryDirectory() as scratch,
    ):
        targets = _targets(base, device, args.connections)
        connections.close_all()
        scripts = {}
        for n, target in enumerate(targets):
            scripts[target.label] = Path(scratch) / f"target{n}.lua"
            scripts[target.label].write_text(_script(target))
        if args.warmup and args.warmup != "0":
            for target in targets:
                _wrk(base, target, scripts[target.label], args.warmup, args.connections)
        for run in range(1, args.runs + 1):
            print(f"Round {run} of {args.runs}:")
            for target in targets:
                rate, p99 = _wrk(
                    base, target, scripts[target.label], args.duration, args.connections
                )
                target.rates.append(rate)
                target.p99s.append(p99)
                print(f"  {target.label:<28} {rate:>8.1f} req/s   p99 {p99:>7.1f} ms", flush=True)
    print(
        f"\nMedians of {args.runs} runs, {args.connections} connections, {args.duration} each, "
        f"{args.cases} cases:"
    )
    return _report(targets)


if __name__ == "__main__":
    sys.exit(main())
