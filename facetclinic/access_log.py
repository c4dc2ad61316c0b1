"""gunicorn's access log without secrets: run gunicorn with ``--logger-class
facetclinic.access_log.RedactingLogger`` (docs/deploy.md).

A completion link's token, and a password-set link's account and token, are in the path of the link's
first request (the app then moves them out of the address); gunicorn would write that path to its access
log. This logger writes such a path with "[redacted]" in place of the secret, drops every query string
(the log keeps paths only), and never writes a cookie (sent or set) or an Authorization header, whatever
``--access-logformat`` asks for. It imports nothing from Django: gunicorn loads it before the app.
"""

import re

from gunicorn.glogging import Logger

# Each secret-bearing route's prefix and what follows it (tests/test_access_log.py holds every route of
# the URL conf that takes a token to this list).
SECRET_PATHS = [
    (re.compile(r"(/complete/)(?!done/)[^/?#\s\"]+"), r"\1[redacted]"),
    (re.compile(r"(/account/set-password/)(?!done/)[^?#\s\"]+"), r"\1[redacted]/"),
]
_QUERY = re.compile(r"\?[^\s\"]*")
# Atoms written as "-": the query string on its own, and any header or variable that carries a cookie
# or credentials ("{cookie}i", "{set-cookie}o", "{http_cookie}e", "{authorization}i", ...).
_QUERY_ATOMS = {"q", "{query_string}e"}
_SECRET_WORDS = ("cookie", "authorization")


def redact(text: str) -> str:
    """The text with every secret path segment replaced and every query string dropped."""
    text = _QUERY.sub("", text)
    for pattern, replacement in SECRET_PATHS:
        text = pattern.sub(replacement, text)
    return text


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if key in _QUERY_ATOMS or any(word in key.lower() for word in _SECRET_WORDS):
                atoms[key] = "-"
            elif isinstance(value, str):
                atoms[key] = redact(value)
        return atoms
