"""Shared fixtures: the default rules and roles, and the personas (tests/personas.py)."""

import pytest

pytest_plugins = ["tests.personas"]


@pytest.fixture
def default_rules(db):
    """The default screening rules, published as version 1 (as `make run` loads them), and the staff
    groups (which a flush after a transactional test removes, unlike the migration that made them)."""
    import django.apps

    from screening.rules.rulesets import rules_load_defaults
    from screening.staff.roles import ensure_groups

    ensure_groups(django.apps.apps)
    rules_load_defaults()


@pytest.fixture(autouse=True)
def _scan_reports_in_a_temporary_folder(settings, tmp_path_factory):
    """Scan reports stored under a folder of this test run, never the project's media folder."""
    storages = {**settings.STORAGES}
    storages["scan_reports"] = {
        **storages["scan_reports"],
        "OPTIONS": {
            **storages["scan_reports"]["OPTIONS"],
            "location": tmp_path_factory.mktemp("scan-reports"),
        },
    }
    settings.STORAGES = storages


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    """A ClamAV daemon of this test run, with the project's test signature (it detects EICAR): its
    socket's path. Skipped where clamd is not installed, unless REQUIRE_CLAMAV=1 (CI), where it fails."""
    import os
    import shutil
    import socket
    import subprocess
    import time
    from pathlib import Path

    binary = shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )
    if binary is None:
        message = "clamd is missing: `apt-get install clamav-daemon` runs the virus-scan tests"
        if os.environ.get("REQUIRE_CLAMAV") == "1":
            pytest.fail(f"REQUIRE_CLAMAV=1 but {message}", pytrace=False)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("clamd")
    sock = folder / "clamd.sock"
    config = folder / "clamd.conf"
    signatures = Path(__file__).resolve().parent / "clamav"
    config.write_text(
        f"LocalSocket {sock}\nDatabaseDirectory {signatures}\nForeground yes\n"
        f"TemporaryDirectory {folder}\nLogFile {folder / 'clamd.log'}\nStreamMaxLength 25M\n"
    )
    daemon = subprocess.Popen([binary, "-c", str(config)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(300):  # it loads the one signature in well under a second
            if sock.exists():
                try:
                    with socket.socket(socket.AF_UNIX) as probe:
                        probe.connect(str(sock))
                    break
                except OSError:
                    pass
            if daemon.poll() is not None:
                pytest.fail(f"clamd stopped: {(folder / 'clamd.log').read_text()[-500:]}")
            time.sleep(0.1)
        yield str(sock)
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
