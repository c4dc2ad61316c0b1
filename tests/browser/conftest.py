"""Browser tests: a real Chromium (the system one at /usr/bin/chromium) against Django's live server.

Without Chromium the browser tests are skipped, unless REQUIRE_BROWSER=1 (set in CI), where they fail:
browser tests must never be skipped silently in CI. Every test here carries the ``browser`` marker.
"""

import os
from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, ConsoleLog

HERE = Path(__file__).resolve().parent


def _browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER") == "1"


def _missing_browser_message() -> str:
    return (
        f"{CHROMIUM} is missing: install it with "
        "`apt-get install -y --no-install-recommends chromium` to run the browser tests"
    )


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder ``browser``; skip them all when Chromium is missing (not in CI)."""
    mine = [item for item in items if HERE in Path(str(item.path)).resolve().parents]
    for item in mine:
        item.add_marker(pytest.mark.browser)
    if not CHROMIUM.exists() and not _browser_required():
        skip = pytest.mark.skip(reason=_missing_browser_message())
        for item in mine:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        # Only reached with REQUIRE_BROWSER=1 (otherwise the tests were skipped at collection).
        pytest.fail(f"REQUIRE_BROWSER=1 but {_missing_browser_message()}", pytrace=False)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


def _no_static_handler(application):
    """Let WhiteNoise (in the middleware, as in production) serve /static/ from STATIC_ROOT."""
    return application


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, but with static files served as in production.

    pytest-django serves /static/ with staticfiles' finders, which know only the unhashed names, while the
    pages (DEBUG off, manifest storage) link the hashed names in STATIC_ROOT: every asset would be a 404.
    """
    from pytest_django.live_server_helper import LiveServer

    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(address, start=False)
    server.thread.static_handler = _no_static_handler
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(live_server) -> str:
    """The live server's base URL, without a trailing slash."""
    return live_server.url.rstrip("/")


@pytest.fixture
def console() -> ConsoleLog:
    """Records console messages and page errors of every page it watches (see ConsoleLog.watch)."""
    return ConsoleLog()


@pytest.fixture
def page(page, console):
    """pytest-playwright's page, watched for console errors and CSP violations, failing fast."""
    page.set_default_timeout(10_000)
    console.watch(page)
    return page
