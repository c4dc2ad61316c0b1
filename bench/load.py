"""Load: simulated patients complete whole intakes against gunicorn for a while, then every receipt is
reconciled with the database.

    .venv/bin/python -m bench.load [--patients 50] [--seconds 60] [--workers 4]

A fresh database (facetclinic_bench_reliability), gunicorn on 127.0.0.1:8102 with production settings and the
intake's anti-automation limits raised (INTAKE_LIMITS_MULTIPLIER), and one thread per simulated patient, each
completing intakes one after another (a new browser session each time) until the time is up.

At the deadline no patient starts a new intake, and one in the middle of an intake finishes it (within a
bounded grace period, --grace, 180 s: a patient still busy then is a failure). Finishing rather than
abandoning: on two shared cores fifty patients share some 25 requests a second, so one intake (34 requests)
takes about as long as the run itself, and abandoning at the deadline would leave almost nothing to
reconcile. The figures give the requests within the 60 s window and the whole run apart.

Each patient attaches a 2 MB PDF of their MRI report (a scanned page: one JPEG in a PDF) on the imaging page (issue 19), stored under a folder of
this run (MEDIA_ROOT) and accepted unscanned (UPLOAD_SCAN=off: the figures measure the app, not clamd).

Then, with psycopg straight against the database: every receipt a patient saw names exactly one submitted
intake, with that patient's name and date of birth; no patient's intake was stored twice; the number of
submitted intakes equals the number of receipts seen; the answers of every submitted intake are the same
(every patient typed the same ones); no draft is left behind; every submitted intake has exactly its one file,
each row's file is in the folder, and no file is left that no row names (lost or orphaned files). And no request may fail: zero 5xx, zero
connection errors. Exits 1 on any failure, printing why.

bench/faults.py reuses this script's pieces (run_patients, reconcile, figures) with faults in the middle.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench import _common
from bench.patient import Baseline, Outcome, Patient

NAME = "reliability"
PORT = 8102
LIMITS_MULTIPLIER = "100000"


# --- running patients -------------------------------------------------------------------------------
@dataclass
class Run:
    """The outcomes of every intake in one run, and when it ran (time.monotonic())."""

    tag: str
    started: float
    deadline: float
    ended: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)  # patients still busy long after the deadline

    @property
    def requests(self):
        return [r for o in self.outcomes for r in o.requests]

    @property
    def failures(self):
        return [f for o in self.outcomes for f in o.failures]


def intake_answers() -> dict[str, dict]:
    """tests/intake_data.FULL_INTAKE (it reads the catalogue, so Django is set up first)."""
    _common.use_database(NAME)
    import django

    django.setup()
    from tests.intake_data import FULL_INTAKE

    return FULL_INTAKE


def run_patients(
    base: str,
    *,
    answers: dict[str, dict] | None = None,
    patients: int,
    seconds: float,
    tag: str,
    verify_drafts: bool = False,
    ramp: float = 1.0,
    hold_submit: dict[int, float] | None = None,
    grace: float = 180.0,
    report: bytes | None = None,
) -> Run:
    """``patients`` threads, each completing intakes until ``seconds`` have passed (an intake begun before
    then is finished); returns when all have stopped, at most ``grace`` seconds after the deadline (a
    patient still busy then is reported).

    Patients arrive spread over ``ramp`` seconds (so that later they are at different steps).
    ``hold_submit``: patient number -> the moment its first intake presses "Confirm and send" (if it has
    reached check-your-answers by then)."""
    answers = answers or intake_answers()
    baseline = Baseline()
    started = time.monotonic()
    run = Run(tag=tag, started=started, deadline=started + seconds)
    lock = threading.Lock()

    def patient(number: int) -> None:
        time.sleep(random.uniform(0, ramp))  # noqa: S311  # nosec B311: people do not all arrive at once
        serial = 0
        while time.monotonic() < run.deadline:
            outcome = Patient(
                base,
                answers,
                number=number,
                run=serial,
                tag=tag,
                baseline=baseline,
                deadline=run.deadline,
                verify_drafts=verify_drafts,
                hold_submit=(hold_submit or {}).get(number) if serial == 0 else None,
                report=report,
            ).run()
            with lock:
                run.outcomes.append(outcome)
            serial += 1

    threads = [
        threading.Thread(target=patient, args=(n,), name=f"patient-{n}", daemon=True)
        for n in range(patients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, run.deadline + grace - time.monotonic()))
    # A patient still busy this long after the deadline is reported (patient_problems); its daemon thread
    # ends with the script.
    run.stuck = [t.name for t in threads if t.is_alive()]
    run.ended = time.monotonic()
    return run


# --- gunicorn, with its log kept aside -----------------------------------------------------------------
@contextlib.contextmanager
def gunicorn_logged(log_path: Path, *, workers: int, **extra: str):
    """bench._common.gunicorn with the server's stderr (the app's log: tracebacks of 500s, gunicorn's worker
    restarts and timeouts) written to ``log_path`` instead of this terminal. Yields the base URL."""
    with contextlib.ExitStack() as stack:
        sys.stderr.flush()
        saved = os.dup(2)
        log = stack.enter_context(open(log_path, "wb"))
        os.dup2(log.fileno(), 2)  # gunicorn inherits this stderr when it starts
        try:
            base = stack.enter_context(
                _common.gunicorn(
                    NAME,
                    port=PORT,
                    workers=workers,
                    INTAKE_LIMITS_MULTIPLIER=LIMITS_MULTIPLIER,
                    **extra,
                )
            )
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        yield base


def gunicorn_pids(port: int = PORT) -> tuple[int | None, list[int]]:
    """(master, workers) of the gunicorn serving ``port``, read from /proc."""
    found: dict[int, int] = {}  # pid -> parent pid
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if b"gunicorn" in b" ".join(command) and f"127.0.0.1:{port}".encode() in command:
            found[int(entry.name)] = parent
    masters = [pid for pid, parent in found.items() if parent not in found]
    master = masters[0] if len(masters) == 1 else None
    return master, sorted(pid for pid, parent in found.items() if parent == master)


def server_log_summary(log_path: Path) -> dict[str, int]:
    text = log_path.read_text(errors="replace")
    return {
        "tracebacks": text.count("Traceback (most recent call last)"),
        "worker timeouts": text.count("WORKER TIMEOUT"),
        "workers booted": text.count("Booting worker"),
    }


# --- the database: what was stored ---------------------------------------------------------------------
def max_intake_id() -> int:
    import psycopg

    with psycopg.connect(_common.database_url(NAME)) as conn:
        return conn.execute("SELECT coalesce(max(id), 0) FROM screening_intake").fetchone()[0]


def stored_intakes(after_id: int) -> list[dict]:
    """Every intake created after ``after_id``, with its identity."""
    import psycopg
    from psycopg.rows import dict_row

    with psycopg.connect(_common.database_url(NAME), row_factory=dict_row) as conn:
        return conn.execute(
            """SELECT i.id, i.reference, i.status, i.answers, p.given_name, p.family_name,
                      p.date_of_birth, p.email
                 FROM screening_intake i LEFT JOIN screening_patientidentity p ON p.intake_id = i.id
                WHERE i.id > %s ORDER BY i.id""",
            [after_id],
        ).fetchall()


@dataclass
class Reconciliation:
    receipts: int = 0
    submitted: int = 0
    drafts: int = 0
    extra_drafts: int = 0  # drafts beyond one per unfinished intake (a "Start now" sent twice)
    lost_receipts: list[str] = field(default_factory=list)  # stored, but the patient saw no receipt
    problems: list[str] = field(default_factory=list)


def _identity(row: dict) -> tuple[str, str, str]:
    born = row["date_of_birth"].isoformat() if row["date_of_birth"] else ""
    return (row["given_name"] or "", row["family_name"] or "", born)


def reconcile(run: Run, rows: list[dict], *, lost_receipts_allowed: bool) -> Reconciliation:
    """What the patients saw against what the database holds: ``rows`` as stored_intakes() gives them (the
    intakes created during the run)."""
    result = Reconciliation()
    submitted = [r for r in rows if r["status"] == "submitted"]
    drafts = [r for r in rows if r["status"] == "draft"]
    result.submitted, result.drafts = len(submitted), len(drafts)
    by_reference = {r["reference"]: r for r in rows}
    receipts = [o for o in run.outcomes if o.reference]
    result.receipts = len(receipts)
    outcomes_by_identity = {o.identity: o for o in run.outcomes}

    # Every receipt names exactly one submitted intake: this patient's.
    seen = Counter(o.reference for o in receipts)
    for reference, times in seen.items():
        if times > 1:
            result.problems.append(f"receipt {reference} shown to {times} patients")
    for outcome in receipts:
        row = by_reference.get(outcome.reference)
        if row is None:
            result.problems.append(
                f"{outcome.patient}: receipt {outcome.reference} but no such intake"
            )
        elif row["status"] != "submitted":
            result.problems.append(
                f"{outcome.patient}: receipt {outcome.reference} for an intake still {row['status']}"
            )
        elif _identity(row) != outcome.identity or row["email"] != outcome.email:
            result.problems.append(
                f"{outcome.patient}: receipt {outcome.reference} is another patient's intake"
            )

    # No patient's intake stored twice; none stored that no patient sent.
    per_identity = Counter(_identity(r) for r in submitted)
    for identity, times in per_identity.items():
        if times > 1:
            result.problems.append(f"{times} submitted intakes for one patient run {identity}")
    for row in submitted:
        if row["reference"] in seen:
            continue
        outcome = outcomes_by_identity.get(_identity(row))
        if outcome is None:
            result.problems.append(f"submitted intake {row['reference']} of no simulated patient")
        elif not outcome.submit_sent:
            result.problems.append(
                f"{outcome.patient}: intake {row['reference']} submitted, but the patient never sent it"
            )
        else:
            result.lost_receipts.append(f"{outcome.patient}: {row['reference']}")
    if result.lost_receipts and not lost_receipts_allowed:
        result.problems.append(f"submitted without a receipt seen: {result.lost_receipts}")
    if result.submitted != result.receipts + len(result.lost_receipts):
        result.problems.append(
            f"{result.submitted} submitted intakes, {result.receipts} receipts seen, "
            f"{len(result.lost_receipts)} receipts lost"
        )

    # Every patient typed the same answers (apart from who they are), so every submitted intake holds the
    # same clinical answers.
    distinct = {repr(sorted(r["answers"].items())) for r in submitted}
    if len(distinct) > 1:
        result.problems.append(f"submitted intakes hold {len(distinct)} different sets of answers")

    # The drafts left behind: one per unfinished intake (given up), none
    # of a patient who got a receipt. More drafts than that: a "Start now" answered after the patient
    # gave up on it (faults only). Fewer: a draft vanished.
    stored_identities = {_identity(r) for r in submitted}
    unfinished = [
        o
        for o in run.outcomes
        if o.began and not o.completed and o.identity not in stored_identities
    ]
    for row in drafts:
        outcome = outcomes_by_identity.get(_identity(row))
        if outcome is not None and outcome.completed:
            result.problems.append(
                f"{outcome.patient}: a second draft {row['reference']} left beside the intake sent"
            )
    result.extra_drafts = len(drafts) - len(unfinished)
    if result.extra_drafts < 0:
        result.problems.append(
            f"{len(drafts)} drafts stored for {len(unfinished)} unfinished intakes"
        )
    return result


# --- the scan reports: one per patient, none lost, none orphaned ----------------------------------------
REPORT_BYTES = 2 * 1024 * 1024  # about: a scanned page


def report_pdf(size: int = REPORT_BYTES) -> bytes:
    """A PDF of a scanned report, about ``size`` bytes: one page holding a JPEG, as a scanner makes it
    (noise, so that JPEG cannot shrink it; a fixed seed, so every run sends the same file)."""
    import io
    import random

    from PIL import Image

    noise = random.Random(2026).randbytes  # noqa: S311  # nosec B311: test data, not a secret
    width = 1600
    height = max(100, size // width)  # about 1 byte a pixel at quality 92
    image = Image.frombytes("RGB", (width, height), noise(width * height * 3))
    out = io.BytesIO()
    image.save(out, "PDF", resolution=150, quality=92)
    return out.getvalue()


def file_problems(rows: list[dict], folder: Path) -> tuple[dict[str, int], list[str]]:
    """Every submitted intake has its one file, in the folder; no file is there that no row names."""
    import psycopg

    ids = [r["id"] for r in rows]
    with psycopg.connect(_common.database_url(NAME)) as conn:
        files = conn.execute(
            "SELECT intake_id, storage_name, size FROM screening_scanreport WHERE intake_id = ANY(%s)",
            [ids],
        ).fetchall()
    per_intake = Counter(intake_id for intake_id, _name, _size in files)
    problems = [
        f"intake {r['reference']} has {per_intake.get(r['id'], 0)} files, not 1"
        for r in rows
        if r["status"] == "submitted" and per_intake.get(r["id"], 0) != 1
    ]
    named = {name for _id, name, _size in files}
    stored = {p.name for p in folder.iterdir()} if folder.exists() else set()
    problems += [f"file {name} of a row is not in the folder (lost)" for name in named - stored]
    problems += [
        f"file {name} in the folder that no row names (orphaned)" for name in stored - named
    ]
    figures = {
        "rows": len(files),
        "files in the folder": len(stored),
        "bytes": sum(s for *_x, s in files),
    }
    return figures, problems


# --- figures ------------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def print_figures(run: Run, patients: int) -> None:
    requests = run.requests
    posts = [
        r.seconds
        for r in requests
        if r.step in ("begin", "page", "upload", "submit") and not r.failed
    ]
    pages = [r.seconds for r in requests if r.step == "page" and not r.failed]
    uploads = [r.seconds for r in requests if r.step == "upload" and not r.failed]
    gets = [r.seconds for r in requests if r.step == "get" and not r.failed]
    span = max((r.ended for r in requests), default=run.started) - run.started
    window = run.deadline - run.started
    in_window = sum(1 for r in requests if r.ended <= run.deadline)
    outcomes = run.outcomes
    print(f"  patients (threads)          {patients}")
    print(f"  intakes completed           {sum(o.completed for o in outcomes)}")
    print(f"  given up                    {sum(1 for o in outcomes if o.gave_up)}")
    print(
        f"  requests                    {len(requests)} in {span:.1f} s ({in_window} in the first {window:.0f} s)"
    )
    print(
        f"  requests per second         {in_window / window:.1f} with every patient busy "
        f"({len(requests) / span if span else 0:.1f} over the whole run)"
    )
    print(
        f"  page POST latency           p50 {percentile(pages, 50) * 1000:.0f} ms, "
        f"p99 {percentile(pages, 99) * 1000:.0f} ms (n={len(pages)})"
    )
    if uploads:
        print(
            f"  imaging POST with a 2 MB file p50 {percentile(uploads, 50) * 1000:.0f} ms, "
            f"p99 {percentile(uploads, 99) * 1000:.0f} ms (n={len(uploads)})"
        )
    print(
        f"  all POSTs (begin, submit)   p50 {percentile(posts, 50) * 1000:.0f} ms, "
        f"p99 {percentile(posts, 99) * 1000:.0f} ms, max {max(posts, default=0) * 1000:.0f} ms"
    )
    print(
        f"  page GET latency            p50 {percentile(gets, 50) * 1000:.0f} ms, "
        f"p99 {percentile(gets, 99) * 1000:.0f} ms"
    )
    failures = Counter(f.kind for f in run.failures)
    statuses = Counter(r.status for r in requests if r.failed)
    print(
        f"  errors                      {sum(failures.values())} "
        f"{dict(failures) or ''} {dict(statuses) or ''}".rstrip()
    )
    if run.outcomes and any(o.retried_steps for o in run.outcomes):
        print(f"  steps retried               {sum(o.retried_steps for o in outcomes)}")
        print(f"  drafts checked after retry  {sum(o.drafts_checked for o in outcomes)}")


def print_reconciliation(result: Reconciliation) -> None:
    print(f"  receipts seen               {result.receipts}")
    print(f"  submitted intakes stored    {result.submitted}")
    print(f"  receipts lost (stored)      {len(result.lost_receipts)} {result.lost_receipts or ''}")
    print(
        f"  drafts left                 {result.drafts} ({result.extra_drafts:+d} beyond unfinished)"
    )


def patient_problems(run: Run, *, failures_allowed) -> list[str]:
    """Failures a patient must never meet, draft problems, intakes given up."""
    problems = []
    for outcome in run.outcomes:
        for failure in outcome.failures:
            if not failures_allowed(failure):
                problems.append(
                    f"{outcome.patient}: {failure.step}: {failure.kind} {failure.status} "
                    f"{failure.detail}"
                )
        problems += [f"{outcome.patient}: draft: {p}" for p in outcome.draft_problems]
        if outcome.gave_up:
            problems.append(f"{outcome.patient}: gave up: {outcome.gave_up}")
    problems += [f"{name}: still busy long after the deadline" for name in run.stuck]
    return problems


def report(problems: list[str]) -> int:
    if not problems:
        print("PASS")
        return 0
    print(f"FAIL: {len(problems)} problems")
    for problem in problems[:40]:
        print(f"  - {problem}")
    if len(problems) > 40:
        print(f"  ... and {len(problems) - 40} more")
    return 1


# --- the script ---------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--grace", type=float, default=180, help="seconds to finish after the deadline"
    )
    parser.add_argument("--hard-timeout", type=int, default=600)
    parser.add_argument(
        "--reuse-database", action="store_true", help="skip the fresh database (while developing)"
    )
    args = parser.parse_args()

    _common.hard_timeout(args.hard_timeout)
    if not args.reuse_database:
        print(f"Preparing a fresh database facetclinic_bench_{NAME} ...")
        _common.prepare_database(NAME, fresh=True)
    intake_answers()
    log_path = Path(tempfile.gettempdir()) / "facetclinic-bench-load-gunicorn.log"
    media = Path(tempfile.mkdtemp(prefix="facetclinic-bench-media-"))
    pdf = report_pdf()
    with gunicorn_logged(
        log_path, workers=args.workers, MEDIA_ROOT=str(media), UPLOAD_SCAN="off"
    ) as base:
        before = gunicorn_pids()
        first_id = max_intake_id()
        print(
            f"{args.patients} patients for {args.seconds:.0f} s against {base} "
            f"(gunicorn, {args.workers} sync workers) ..."
        )
        run = run_patients(
            base,
            patients=args.patients,
            seconds=args.seconds,
            tag="Load",
            grace=args.grace,
            report=pdf,
        )
        after = gunicorn_pids()
    rows = stored_intakes(first_id)
    result = reconcile(run, rows, lost_receipts_allowed=False)
    files, lost_or_orphaned = file_problems(rows, media / "scan-reports")
    print("Figures:")
    print_figures(run, args.patients)
    print("Reconciliation:")
    print_reconciliation(result)
    print(f"Scan reports ({len(pdf)} bytes each): {files}")
    log = server_log_summary(log_path)
    print(f"Server log ({log_path}): {log}")

    problems = patient_problems(run, failures_allowed=lambda failure: False)
    problems += result.problems + lost_or_orphaned
    if result.drafts:
        problems.append(f"{result.drafts} drafts left behind by {args.patients} patients")
    if not run.outcomes or not result.receipts:
        problems.append("no intake was completed")
    if before != after or not before[1]:
        problems.append(f"gunicorn's workers changed during the run: {before} -> {after}")
    if log["tracebacks"] or log["worker timeouts"]:
        problems.append(f"the server log has errors: {log}")
    signal.alarm(0)
    return report(problems)


if __name__ == "__main__":
    sys.exit(main())
