"""Each attached file is scanned by a ClamAV daemon before it is accepted (issue 19).

clamd's INSTREAM command over its socket (CLAMAV_SOCKET: a Unix socket path, or host:port): the file goes
in chunks, clamd answers "stream: OK" or "stream: <signature> FOUND". Production keeps the signatures fresh
with `freshclam`; the tests and CI run clamd with the signature file in tests/clamav/, which detects the
EICAR test file (these machines cannot download signatures).

Where no scanner is set: with DEBUG on (`make run`) files are accepted and marked "not scanned"; with DEBUG
off they are refused unless UPLOAD_SCAN=off says, explicitly, to accept them unscanned (docs/deploy.md
names the risk).
"""

import socket
import struct

from django.conf import settings

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 10  # well within gunicorn's 30 s: a slow scanner refuses the file, not the worker

CLEAN = "clean"
NOT_SCANNED = "not_scanned"


class ScannerUnavailable(Exception):
    """No scanner is set where one is required, or it did not answer: the file is not accepted."""


class Infected(Exception):
    """The scanner found a signature; the file is not accepted (the signature's name is not shown)."""


def mode() -> str:
    """ "clamav" (a daemon scans every file), "off" (files accepted unscanned) or "required" (no scanner
    is set where one must be: files are refused)."""
    if settings.CLAMAV_SOCKET:
        return "clamav"
    if settings.UPLOAD_SCAN == "off" or settings.DEBUG:
        return "off"
    return "required"


def scan(data: bytes) -> str:
    """CLEAN or NOT_SCANNED; Infected or ScannerUnavailable otherwise."""
    match mode():
        case "off":
            return NOT_SCANNED
        case "required":
            raise ScannerUnavailable(
                "no scanner is set (CLAMAV_SOCKET), and UPLOAD_SCAN is not off"
            )
    reply = _instream(settings.CLAMAV_SOCKET, data)
    if reply.endswith("OK") and "FOUND" not in reply:
        return CLEAN
    if reply.endswith("FOUND"):
        raise Infected
    raise ScannerUnavailable(f"clamd answered {reply[:80]!r}")


def ping() -> bool:
    """Whether the scanner answers (the health check's view of it)."""
    try:
        with _connect(settings.CLAMAV_SOCKET) as conn:
            conn.sendall(b"zPING\0")
            return _read_reply(conn) == "PONG"
    except OSError:
        return False


def _connect(address: str) -> socket.socket:
    if ":" in address and not address.startswith("/"):
        host, port = address.rsplit(":", 1)
        conn = socket.create_connection((host, int(port)), timeout=TIMEOUT_SECONDS)
    else:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(TIMEOUT_SECONDS)
        conn.connect(address)
    return conn


def _instream(address: str, data: bytes) -> str:
    try:
        with _connect(address) as conn:
            conn.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                conn.sendall(struct.pack("!L", len(chunk)) + chunk)
            conn.sendall(struct.pack("!L", 0))
            return _read_reply(conn)
    except OSError as error:
        raise ScannerUnavailable(f"clamd at CLAMAV_SOCKET: {type(error).__name__}") from None


def _read_reply(conn: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0"):
        part = conn.recv(4096)
        if not part:
            break
        reply += part
        if len(reply) > 4096:
            break
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()
