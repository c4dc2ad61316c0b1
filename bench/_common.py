"""What every benchmark and reliability script shares: a PostgreSQL database of its own, the production
settings with loopback-only overrides, and gunicorn started and stopped around a run.

Nothing here is imported by the app. Each script names its own database (``facetclinic_bench_<name>``), so
scripts never disturb each other's data or the test suite's ``test_facetclinic``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")

# Production settings (DEBUG off, manifest static files, the connection pool), over plain HTTP on loopback.
BASE_ENV = {
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_COOKIES": "false",
    "LOG_LEVEL": "WARNING",
}


def database_url(name: str) -> str:
    return f"{PG_SERVER}/facetclinic_bench_{name}"


def env_for(name: str, **extra: str) -> dict[str, str]:
    """The environment for manage.py, gunicorn or django.setup() against this script's database."""
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env |= BASE_ENV | {"DATABASE_URL": database_url(name)} | extra
    return env


def use_database(name: str, **extra: str) -> None:
    """Point this process's Django at the script's database (call before django.setup())."""
    os.environ.update(env_for(name, **extra))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facetclinic.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def manage(name: str, *args: str, **extra: str) -> str:
    done = subprocess.run(  # noqa: S603  # nosec B603: our own manage.py, fixed arguments
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env_for(name, **extra),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def prepare_database(name: str, *, fresh: bool = False) -> None:
    """Create the database if it is missing (or again, with ``fresh``), migrate it, load the default rules,
    the cache table and the collected static files."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [f"facetclinic_bench_{name}"]
        ).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "facetclinic_bench_{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "facetclinic_bench_{name}"')
    manage(name, "migrate", "--noinput", "-v0")
    manage(name, "createcachetable")
    manage(name, "load_default_rules")
    manage(name, "collectstatic", "--noinput", "-v0")


@contextlib.contextmanager
def gunicorn(
    name: str,
    *,
    port: int,
    workers: int = 2,
    settings: str = "facetclinic.settings",
    **extra: str,
):
    """gunicorn serving the app on 127.0.0.1:port against the script's database; yields the base URL.

    Sync workers, no --preload (each worker opens its own connection pool, docs/deploy.md)."""
    env = env_for(name, DJANGO_SETTINGS_MODULE=settings, **extra)
    process = subprocess.Popen(  # noqa: S603  # nosec B603: our own app, fixed arguments
        [
            PYTHON,
            "-m",
            "gunicorn",
            "facetclinic.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
            "--logger-class",
            "facetclinic.access_log.RedactingLogger",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, timeout=30, process=process)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_healthy(base: str, *, timeout: float, process: subprocess.Popen | None = None) -> float:
    """Seconds until /healthz answers 200; exits the script if it never does."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process is not None and process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310  # nosec B310
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"{base}/healthz did not answer within {timeout} s")


def verdict(rows: list[tuple[str, float, str, bool]]) -> int:
    """Print a table of (figure, value, goal, met) and return the exit status (1 if any goal is missed)."""
    width = max(len(r[0]) for r in rows)
    for label, value, goal, met in rows:
        print(f"  {label:<{width}}  {value:>10.3f}   goal {goal:<14} {'ok' if met else 'MISSED'}")
    return 0 if all(r[3] for r in rows) else 1


def hard_timeout(seconds: int) -> None:
    """End the script with a failure if it is still running after ``seconds`` (scripts are bounded)."""

    def out_of_time(signum, frame):
        sys.exit(f"FAIL: hard timeout of {seconds} s reached")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(seconds)
