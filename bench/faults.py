"""Faults: PostgreSQL goes away in the middle of a load of simulated patients, and the app must come back by
itself.

    .venv/bin/python -m bench.faults [--patients 12] [--seconds 60] [--fault-at 25] [--only SCENARIO]

One gunicorn (4 sync workers, never restarted) on a fresh database, and two scenarios one after the other,
each a run of bench/load.py's patients with a fault in the middle:

- restart: PostgreSQL itself is restarted (``pg_ctlcluster ... restart``: every connection dies, and for a
  moment nothing can connect). This disturbs every database on the server for a second or two.
- terminate: every connection to this script's database is ended (``pg_terminate_backend``); the server
  stays up.
- outage (only with ``--only outage``): this database alone refuses connections for 8 s (``ALTER DATABASE
  ... ALLOW_CONNECTIONS false``, its connections ended): a longer outage than a restart, which disturbs no
  other database on the server.

Measured and required, for each:

- recovery: from the moment PostgreSQL accepts connections again (polled with psycopg every 50 ms; for
  ``terminate``, the moment the connections were ended) to the first successful app request that used the
  database (a patient's page, or /healthz, which runs SELECT 1), at most 5 s; every request caught by the
  fault answered (served, or the friendly page) within 5 s of that moment, and no request sent later
  fails (every worker's connection pool has recovered);
- gunicorn's workers are the same processes before and after (the app recovered without a restart);
- every failed request was the friendly error page with an ERR- reference (no traceback, no bare "Internal
  Server Error", no dropped connection), and only during the fault; /healthz answered 503, never a 500;
- every draft is intact when the patient retries (bench/patient.py reads check-your-answers after each step
  that needed a retry and compares it with the answers given, and again before sending);
- no receipt for an intake that was not stored, and the reconciliation of bench/load.py: an intake stored
  whose receipt the patient never saw (the answer was lost in the fault) is allowed, and listed.

Twelve patients by default, not bench/load.py's fifty: with four workers, twelve keep every worker busy
with a queue behind them, and recovery is measured by requests served; with fifty, each request waits
several seconds in the queue in front of gunicorn on two cores, and that wait, not the recovery, would be
measured. A few patients hold "Confirm and send" until the fault, so forms are sent while it strikes.

As in bench/load.py, an intake begun before the end of a scenario is finished (within 90 s). Bounded by a
hard timeout (--hard-timeout, 480 s); exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests

from bench import _common
from bench.load import (
    NAME,
    Run,
    gunicorn_logged,
    gunicorn_pids,
    intake_answers,
    max_intake_id,
    patient_problems,
    print_figures,
    print_reconciliation,
    reconcile,
    report,
    run_patients,
    server_log_summary,
    stored_intakes,
)
from bench.patient import START, Failure, Request

RECOVERY_GOAL = 5.0  # seconds from PostgreSQL accepting connections to the app answering again
# When, relative to the fault, some patients press "Confirm and send": during a restart's outage, and at
# the very moment the connections are ended (the kill takes a few milliseconds to arrive).
SUBMIT_AT = {
    "restart": (0.1, 0.4, 0.8, 1.5),
    "terminate": (-0.03, 0.0, 0.01, 0.02, 0.05),
    "outage": (0.5, 2.0, 4.0),
}
DATABASE = f"facetclinic_bench_{NAME}"


# --- watching PostgreSQL and the app ------------------------------------------------------------------
class Watch(threading.Thread):
    """Calls ``probe`` every ``interval`` seconds until stopped; keeps (started, ended, ok or status)."""

    def __init__(self, probe, interval: float, name: str):
        super().__init__(name=name, daemon=True)
        self.probe, self.interval = probe, interval
        self.results: list[tuple[float, float, object]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            started = time.monotonic()
            result = self.probe()
            self.results.append((started, time.monotonic(), result))
            self.halt.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=35)


def postgresql_answers() -> bool:
    try:
        with psycopg.connect(_common.database_url(NAME), connect_timeout=2) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def healthz(base: str):
    def probe() -> int | None:
        try:
            return requests.get(f"{base}/healthz", timeout=35).status_code
        except requests.RequestException:
            return None

    return probe


# --- the faults ---------------------------------------------------------------------------------------
def restart_postgresql() -> str:
    """Restart the cluster (fast shutdown: every session is ended), as an operator or a crash would."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]
    done = subprocess.run(  # noqa: S603  # nosec B603: fixed arguments
        [*command, "restart"], capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode:
        # Never leave the shared server down: start it again, whatever happened.
        subprocess.run([*command, "start"], capture_output=True, timeout=120, check=False)  # noqa: S603
        return f"restart failed ({done.returncode}): {done.stderr.strip()[:200]}"
    return "restarted"


def terminate_connections() -> str:
    """End every connection to this script's database (and no other's)."""
    with psycopg.connect(f"{_common.PG_SERVER}/postgres", autocommit=True) as conn:
        ended = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [DATABASE],
        ).fetchall()
    return f"{sum(1 for (ok,) in ended if ok)} connections terminated"


def refuse_connections(seconds: float = 8.0) -> str:
    """An outage of this script's database only (other databases on the server are not disturbed): it
    refuses new connections and its connections are ended, for ``seconds``. Longer than a restart, so the
    connection pool's reconnection delays show."""
    with psycopg.connect(f"{_common.PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{DATABASE}" ALLOW_CONNECTIONS false')
        try:
            terminate_connections()
            time.sleep(seconds)
        finally:
            conn.execute(f'ALTER DATABASE "{DATABASE}" ALLOW_CONNECTIONS true')
    return f"the database refused connections for {seconds:.0f} s"


FAULTS = {
    "restart": restart_postgresql,
    "terminate": terminate_connections,
    "outage": refuse_connections,
}
DEFAULT_SCENARIOS = ("restart", "terminate")  # "outage" on request (--only outage)


@dataclass
class Fault:
    name: str
    started: float = 0.0
    done: float = 0.0
    said: str = ""
    down: float | None = None  # first moment PostgreSQL did not answer
    up: float | None = None  # first moment it answered again (the recovery clock starts)
    problems: list[str] = field(default_factory=list)


def inject(fault: Fault, at: float, pg_watch: Watch) -> None:
    time.sleep(max(0.0, at - time.monotonic()))
    fault.started = time.monotonic()
    fault.said = FAULTS[fault.name]()
    fault.done = time.monotonic()
    if fault.name == "terminate":
        fault.down, fault.up = fault.started, fault.done
        return
    # Wait for PostgreSQL to answer again (pg_ctlcluster returns once it accepts connections; the outage
    # once it allows them again).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        results = list(pg_watch.results)
        down = [s for s, _e, ok in results if not ok and s >= fault.started]
        if down:
            fault.down = down[0]
            up = [s for s, _e, ok in results if ok and s > fault.down]
            if up:
                fault.up = up[0]
                return
        elif fault.done and time.monotonic() - fault.done > 2:
            fault.problems.append("PostgreSQL was never seen down during the restart")
            fault.down = fault.up = fault.done
            return
        time.sleep(0.05)
    fault.problems.append("PostgreSQL did not answer within 60 s of the restart")


# --- one scenario ---------------------------------------------------------------------------------------
def touches_database(request: Request) -> bool:
    """Every step but a first visit to the start page (no session yet) reads or writes the database."""
    return request.path != START


def scenario(base: str, name: str, args) -> list[str]:
    print(
        f"\n== {name}: {args.patients} patients for {args.seconds:.0f} s, fault at {args.fault_at:.0f} s"
    )
    first_id = max_intake_id()
    fault = Fault(name)
    pg_watch = Watch(postgresql_answers, 0.05, "pg-watch")
    app_watch = Watch(healthz(base), 0.2, "healthz-watch")
    app_watch.start()
    start = time.monotonic()

    def faulting() -> None:
        time.sleep(max(0.0, start + args.fault_at - 1 - time.monotonic()))
        pg_watch.start()
        inject(fault, start + args.fault_at, pg_watch)

    injector = threading.Thread(target=faulting, name="fault", daemon=True)
    injector.start()
    # A few patients press "Confirm and send" just as the fault strikes (if they have got that far).
    fault_moment = start + args.fault_at
    run = run_patients(
        base,
        patients=args.patients,
        seconds=args.seconds,
        tag=name.capitalize(),
        verify_drafts=True,
        ramp=min(10.0, args.seconds / 4),
        grace=90,
        hold_submit={n: fault_moment + offset for n, offset in enumerate(SUBMIT_AT[name])},
    )
    injector.join(timeout=90)
    app_watch.stop()
    if pg_watch.is_alive():
        pg_watch.stop()
    problems = list(fault.problems)
    if not fault.done:
        return [*problems, "the fault was never injected (the run ended first?)"]
    if fault.up is None:
        return [*problems, "PostgreSQL never came back"]

    # Recovery: the first request that used the database after the fault, and the last that failed.
    since = fault.up if name == "terminate" else fault.down
    successes = [
        r.ended
        for r in run.requests
        if touches_database(r) and not r.failed and r.started >= since and r.ended >= fault.up
    ]
    successes += [e for s, e, status in app_watch.results if status == 200 and s >= since]
    first_ok = min(successes, default=None)
    recovery = (first_ok - fault.up) if first_ok is not None else float("inf")
    health_failures = [(s, e, status) for s, e, status in app_watch.results if status != 200]
    failures = run.failures
    last_failure = max(
        [f.at for f in failures] + [e for _s, e, _st in health_failures], default=None
    )

    print(f"  fault                       {fault.said}")
    if name != "terminate":
        print(f"  PostgreSQL not answering    {fault.up - fault.down:.2f} s")
    print(
        f"  recovery                    {recovery:.2f} s to the first request served after the fault"
    )
    if last_failure is not None:
        print(
            f"  last failed request         ended {last_failure - fault.up:+.2f} s after that moment"
        )
    caught = [r.ended for r in run.requests if r.started < fault.up and r.ended > fault.started]
    if caught:
        print(
            f"  requests caught by it       {len(caught)}, the last answered "
            f"{max(caught) - fault.up:+.2f} s after that moment"
        )
    during = Counter(
        r.step
        for r in run.requests
        if fault.started - 0.05 <= r.started <= max(fault.up, fault.done)
    )
    print(f"  requests sent during it     {sum(during.values())} {dict(during) or ''}")
    later = [r.seconds for r in run.requests if r.started >= fault.up + RECOVERY_GOAL]
    print(
        f"  requests sent {RECOVERY_GOAL:.0f} s after it   {len(later)}, "
        f"slowest {max(later, default=0):.2f} s"
    )
    by_step = Counter(f.step.split(" ", 1)[0] + " " + _step_kind(f) for f in failures)
    print(f"  failed patient requests     {len(failures)} {dict(by_step) or ''}")
    print(
        f"  /healthz during the fault   {Counter(str(st) for _s, _e, st in health_failures) or 'no failure'}"
    )
    timeline(run, fault)
    print_figures(run, args.patients)
    result = reconcile(run, stored_intakes(first_id), lost_receipts_allowed=True)
    print("Reconciliation:")
    print_reconciliation(result)

    if recovery > RECOVERY_GOAL:
        problems.append(f"recovery took {recovery:.2f} s (goal {RECOVERY_GOAL:.0f} s)")
    if caught and max(caught) - fault.up > RECOVERY_GOAL:
        problems.append(
            f"a request caught by the fault was answered only {max(caught) - fault.up:.2f} s after "
            f"PostgreSQL was back (goal {RECOVERY_GOAL:.0f} s): a worker had not recovered"
        )
    late = fault.up + RECOVERY_GOAL

    def allowed(failure: Failure) -> bool:
        return (
            failure.kind == "friendly"
            and fault.started - 0.5 <= failure.at
            and failure.started < late
        )

    problems += patient_problems(run, failures_allowed=allowed)
    for started, ended, status in health_failures:
        if status != 503:
            problems.append(f"/healthz answered {status} at {ended - fault.up:+.2f} s (not 503)")
        elif started >= late:
            problems.append(
                f"/healthz still 503 {started - fault.up:.2f} s after PostgreSQL was back"
            )
    problems += result.problems
    if not result.receipts:
        problems.append("no intake was completed")
    if not failures and name != "terminate":
        # Not a failure of the app, but the scenario did not test what it means to.
        print("  (no patient request failed during the fault)")
    return [f"{name}: {p}" for p in problems]


def timeline(run: Run, fault: Fault) -> None:
    """Per second around the fault (0 = PostgreSQL answering again): requests answered, failed, and the
    slowest of them."""
    first = int((fault.started - fault.up) // 1) - 1
    print("  timeline (s from recovery start: answered ok / failed / slowest s)")
    cells = []
    for second in range(first, 9):
        ended = [r for r in run.requests if second <= r.ended - fault.up < second + 1]
        ok = sum(1 for r in ended if not r.failed)
        failed = sum(1 for r in ended if r.failed)
        slowest = max((r.seconds for r in ended), default=0.0)
        cells.append(f"{second:+d}: {ok}/{failed}/{slowest:.1f}")
    for row in range(0, len(cells), 5):
        print("    " + "   ".join(cells[row : row + 5]))


def _step_kind(failure: Failure) -> str:
    path = failure.step.split(" ", 2)[1]
    return {"/intake/begin/": "begin", "/intake/submit/": "submit", "/intake/sent/": "receipt"}.get(
        path, "check" if "check-your-answers" in path else "page"
    )


# --- the script ---------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--fault-at", type=float, default=25, help="seconds into each scenario")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--only", choices=sorted(FAULTS), help="run one scenario")
    parser.add_argument("--hard-timeout", type=int, default=480)
    parser.add_argument(
        "--reuse-database", action="store_true", help="skip the fresh database (while developing)"
    )
    args = parser.parse_args()
    if not 0 < args.fault_at < args.seconds:
        parser.error("--fault-at must fall inside --seconds")

    _common.hard_timeout(args.hard_timeout)

    if not args.reuse_database:
        print(f"Preparing a fresh database {DATABASE} ...")
        _common.prepare_database(NAME, fresh=True)
    intake_answers()
    log_path = Path(tempfile.gettempdir()) / "facetclinic-bench-faults-gunicorn.log"
    problems: list[str] = []
    try:
        with gunicorn_logged(log_path, workers=args.workers) as base:
            before = gunicorn_pids()
            print(f"gunicorn at {base}: master {before[0]}, workers {before[1]}")
            for name in [args.only] if args.only else DEFAULT_SCENARIOS:
                problems += scenario(base, name, args)
            after = gunicorn_pids()
    finally:
        # Whatever happened (the hard timeout in the middle of an outage), the database takes
        # connections again.
        with (
            contextlib.suppress(psycopg.Error),
            psycopg.connect(f"{_common.PG_SERVER}/postgres", autocommit=True) as conn,
        ):
            conn.execute(f'ALTER DATABASE "{DATABASE}" ALLOW_CONNECTIONS true')
    print(f"\ngunicorn after both: master {after[0]}, workers {after[1]}")
    if before != after or not before[1]:
        problems.append(f"gunicorn's workers changed (restarted): {before} -> {after}")
    log = server_log_summary(log_path)
    print(f"Server log ({log_path}): {log}")
    if log["worker timeouts"]:
        problems.append(f"gunicorn timed out workers: {log}")
    signal.alarm(0)
    return report(problems)


if __name__ == "__main__":
    sys.exit(main())
