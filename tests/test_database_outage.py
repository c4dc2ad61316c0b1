"""When the database goes away, a patient sees the friendly error page (which needs no database), keeps every
saved answer, and the app serves again as soon as the database is back, without a restart.

bench/faults.py does the same against gunicorn and a real PostgreSQL restart; these are the quick checks.
"""

import contextlib
import re
import socket
import threading
import time

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse

FRIENDLY = "Sorry, there is a problem with the service"
ERROR_REFERENCE = re.compile(r"ERR-[3-9A-Z]{4}-[3-9A-Z]{4}")


@contextlib.contextmanager
def database_unavailable(tmp_path):
    """Every connection to the app's database fails until the block ends: SQLite's file is in a directory
    that does not exist; PostgreSQL is asked for on a port nothing listens on (its pool gives up after
    1 s instead of 10, to keep the test short)."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.close_pool()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(port))
        pool = saved["OPTIONS"].get("pool")
        if isinstance(pool, dict):
            connection.settings_dict["OPTIONS"] = {
                **saved["OPTIONS"],
                "pool": {**pool, "timeout": 1},
            }
    else:
        connection.settings_dict["NAME"] = str(tmp_path / "no-such-directory" / "db.sqlite3")
    try:
        yield
    finally:
        connection.close()
        if connection.vendor == "postgresql":
            connection.close_pool()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def assert_friendly(response, settings):
    assert response.status_code == 500
    html = response.content.decode()
    assert FRIENDLY in html
    assert ERROR_REFERENCE.search(html)
    assert settings.CLINIC["phone"] in html
    for leak in ("Traceback", "OperationalError", "Internal Server Error", "sqlite", "psycopg"):
        assert leak not in html


@pytest.mark.django_db(transaction=True)
def test_a_patient_sees_the_friendly_page_while_the_database_is_down_and_keeps_their_answers(
    patient, settings, tmp_path, caplog
):
    patient.fill(upto="pain-where")
    patient.client.raise_request_exception = False
    page = reverse("screening:page", args=["pain-where"])

    with database_unavailable(tmp_path):
        with pytest.raises(OperationalError):  # the outage is real
            connection.ensure_connection()
        assert_friendly(patient.client.get(page), settings)  # the session cannot be read
        assert_friendly(patient.post_page("pain-where"), settings)  # nor the page saved
        assert_friendly(patient.submit(), settings)
        health = Client().get(reverse("healthz"))  # a monitor's request: no session cookie
        assert health.status_code == 503 and health.content == b"unavailable"
        # A browser with a session asks too: still 503, not the error page of a session not read.
        health = patient.client.get(reverse("healthz"))
        assert health.status_code == 503 and health.content == b"unavailable"

    # The errors were logged with their references, and the patient carries on where they were.
    assert "Internal Server Error: /intake/pain-where/" in caplog.text
    answers = patient.client.get(reverse("screening:check")).content.decode()
    for typed in ("Quarrington", "zelda.q@example.org", "168 cm"):
        assert typed in answers
    assert patient.post_page("pain-where").status_code == 302
    assert patient.intake.answers["pain_months"] == 18


# --- PostgreSQL: the pool reconnects as soon as the server is back -------------------------------------
class Relay:
    """A TCP relay on loopback in front of PostgreSQL that can go down (connections refused, relayed
    connections cut, as in a restart) and come back on the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.listener: socket.socket | None = None

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self.listener, stopped = listener, threading.Event()
        self.stopped = stopped
        threading.Thread(target=self._accept, args=(listener, stopped), daemon=True).start()

    def down(self) -> None:
        self.stopped.set()
        time.sleep(0.1)  # the accepting thread notices and closes the listening socket
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket, stopped: threading.Event) -> None:
        with listener:
            while not stopped.is_set():
                try:
                    client, _address = listener.accept()
                except TimeoutError:
                    continue
                client.settimeout(None)
                try:
                    server = socket.create_connection(self.target)
                except OSError:
                    client.close()
                    continue
                with self.lock:
                    self.sockets += [client, server]
                for source, sink in ((client, server), (server, client)):
                    threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def relayed():
    """Django's own PostgreSQL backend with the app's settings (its pool included), reaching the test
    database through a Relay; yields (relay, backend, serve)."""
    if connection.vendor != "postgresql" or not connection.settings_dict["OPTIONS"].get("pool"):
        pytest.skip("PostgreSQL with the connection pool only")
    host = connection.settings_dict["HOST"] or "127.0.0.1"
    if host.startswith("/"):
        pytest.skip("the relay speaks TCP; the database is on a Unix socket")
    relay = Relay((host, int(connection.settings_dict["PORT"] or 5432)))
    relay.up()
    backend = type(connections["default"])(
        {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": str(relay.port)}, alias="relayed"
    )

    def serve() -> bool:
        """What one request does with the database: take a pooled connection, query, give it back."""
        try:
            with backend.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except OperationalError:
            return False
        finally:
            backend.close()

    assert serve()
    yield relay, backend, serve
    relay.down()
    with contextlib.suppress(Exception):
        backend.close_pool()


@pytest.mark.django_db
def test_the_pool_serves_again_within_a_second_or_two_of_postgresql_returning(relayed):
    """An 8 s outage: with psycopg_pool's own backoff (1, 2, 4, 8 s between attempts) a request waiting
    for a connection would get none for about 7 s after the server was back, and time out; with the
    settings' reconnect options it is served within a second or two."""
    relay, _backend, serve = relayed
    relay.down()
    back = threading.Timer(8.0, relay.up)
    back.start()
    came_back = time.monotonic() + 8.0
    served = serve()  # waits for a connection (up to the pool's 10 s) through the outage
    waited_after = time.monotonic() - came_back
    back.join()
    assert served, "no connection within the pool's timeout"
    assert waited_after < 2.0, f"served {waited_after:.1f} s after PostgreSQL was back"
    assert all(serve() for _ in range(5))


@pytest.mark.django_db
def test_a_pool_full_of_dead_connections_serves_at_once(relayed):
    """Five pooled connections die together (as in a restart, or pg_terminate_backend) and PostgreSQL is
    back at once: psycopg_pool alone would check them one by one with pauses of 0, 1, 2, 4 s and fail the
    request after 10 s; the settings' check drops them all at the first dead one."""
    relay, backend, serve = relayed
    pool = backend.pool
    held = [pool.getconn() for _ in range(5)]  # the pool grows to five, as several outages make it
    for conn in held:
        pool.putconn(conn)
    relay.down()
    relay.up()
    started = time.monotonic()
    assert serve()
    assert time.monotonic() - started < 2.0
