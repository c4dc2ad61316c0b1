"""gunicorn's access log, as deployed (docs/deploy.md), keeps no link token, query string or cookie."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from facetclinic.access_log import redact

ROOT = Path(__file__).resolve().parent.parent
SECRET = "Zq8-SECRET-token_value"
# Every atom an operator's format could name that might carry the token, a query or a cookie.
LOG_FORMAT = (
    '%(r)s %(s)s %(U)s "%(q)s" "%(f)s" %({cookie}i)s %({set-cookie}o)s %({query_string}e)s '
    "%({raw_uri}e)s %({http_cookie}e)s"
)


def _routes(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.pattern.converters


def test_every_route_that_takes_a_token_is_redacted():
    secret_routes = [
        route
        for route, converters in _routes(get_resolver())
        if {"token", "uidb64"} & set(converters)
    ]
    assert secret_routes, "the completion link's route takes a token"
    for route in secret_routes:
        path = "/" + route.replace("<str:token>", SECRET).replace("<uidb64>", "MTIz")
        path = path.replace("<token>", SECRET)
        assert SECRET not in redact(f"GET {path} HTTP/1.1"), route
        assert "[redacted]" in redact(path)


def test_redaction_keeps_what_an_operator_needs():
    assert redact("GET /complete/done/ HTTP/1.1") == "GET /complete/done/ HTTP/1.1"
    assert redact("GET /staff/?after=1~2~3&q=x HTTP/1.1") == "GET /staff/ HTTP/1.1"
    assert redact("https://intake.example.org/complete/abc/") == (
        "https://intake.example.org/complete/[redacted]/"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


@pytest.mark.django_db(transaction=True)  # gunicorn's workers read the same test database
def test_gunicorn_writes_the_path_of_a_completion_link_without_its_token(tmp_path, default_rules):
    log = tmp_path / "access.log"
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _database_url(), "DB_POOL": "false"}
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "facetclinic.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1"),
            *("--logger-class", "facetclinic.access_log.RedactingLogger"),
            *(
                "--access-logfile",
                str(log),
                "--access-logformat",
                '%(r)s %(s)s "%(f)s" %({cookie}i)s',
            ),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.1)
        request = urllib.request.Request(  # noqa: S310 - loopback
            f"{base}/complete/{SECRET}/?x={SECRET}",
            headers={"Referer": f"{base}/complete/{SECRET}/", "Cookie": f"sessionid={SECRET}"},
        )
        with pytest.raises(urllib.error.HTTPError) as closed:  # an unknown token: the closed page
            urllib.request.urlopen(request, timeout=5)  # noqa: S310 - loopback
        assert closed.value.code == 404
        with urllib.request.urlopen(f"{base}/staff/login/", timeout=5) as login:  # noqa: S310
            set_cookie = login.headers["Set-Cookie"]  # the CSRF cookie
        cookie_value = set_cookie.split(";")[0].split("=", 1)[1]
    finally:
        server.terminate()
        server.wait(timeout=15)
    written = log.read_text()
    assert "GET /complete/[redacted]/ HTTP/1.1 404" in written
    assert SECRET not in written
    assert "GET /staff/login/ HTTP/1.1 200" in written and cookie_value not in written
