"""A logging filter, on every handler in settings.LOGGING, that takes patient data out of log records.

Our own log calls carry no patient data (tests/test_log_hygiene.py checks a whole intake). This filter is
the safety net for text we do not write ourselves: exception messages, database errors, addresses and
whatever a library passes in ``extra``. The policy, record by record:

- Exceptions: the type and every frame (file, line, function, source line) are kept, for each exception
  in the chain (``raise ... from``, "during handling of"); every exception MESSAGE becomes "[scrubbed]",
  because messages quote values ("invalid literal for int(): 'Zelda'", psycopg's "DETAIL: Failing row
  contains (...)"). Notes added to an exception are dropped. Local variables are never logged.
- The message is rendered here (``msg % args``) and the arguments are dropped, so no handler, formatter or
  JSON shipper sees a raw argument. While rendering, an exception passed as an argument is shown as its
  type; afterwards, any exception message of the record quoted in the text becomes "[scrubbed]" (Django
  logs ``str(exc)`` for bad requests), a database "DETAIL:"/"HINT:"/"CONTEXT:" tail is cut, and a query
  string is cut from anything that looks like an address (``/path?[scrubbed]``).
- SQL (``django.db.backends``, debug level only): string and number literals become "?".
- ``extra`` fields: only those in ALLOWED_EXTRA are kept. Django's ``request`` is dropped (its repr has the
  query string); the error reference the 500 page put on it is kept, as ``error_reference`` and in the
  message, so staff can find the entry a patient quotes.

Anything else in a message we wrote ourselves is kept as written: a filter cannot tell a name from a word.
The record is changed in place (and marked), so every handler after the first, including pytest's caplog,
sees the scrubbed record. If scrubbing itself fails, the record is reduced to its logger and level.
"""

import logging
import re
import traceback

SCRUBBED = "[scrubbed]"

# Fields a log call may pass in ``extra``: ours, and Django's that carry no patient data.
ALLOWED_EXTRA = frozenset(
    {
        "status_code",  # django.request
        "server_time",  # django.server (runserver)
        "duration",  # django.db.backends
        "alias",  # django.db.backends
        "questionnaire",  # screening.intake.services: the questionnaire version of a submitted intake
        "error_reference",  # set here, from the 500 page
        "scrubbed",  # set here
    }
)
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__)
_STANDARD |= {"message", "asctime"}  # set by a formatter
_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"

_DB_DETAIL = re.compile(r"\b(?:DETAIL|HINT|CONTEXT):.*|Failing row contains.*", re.DOTALL)
_QUERY_STRING = re.compile(r"(/[^\s?#'\"<>]*)\?[^\s#'\"<>]+")
_SQL_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


class ScrubPatientData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.__dict__.get("scrubbed"):
            return True
        try:
            _scrub(record)
        except Exception:  # fail closed: never let an unscrubbed record through
            record.msg, record.args = "[log record scrubbed: the scrubber failed]", ()
            record.exc_info, record.exc_text, record.message = None, None, record.msg
            _drop_extra(record)
        record.scrubbed = True
        return True


def _scrub(record: logging.LogRecord) -> None:
    errors = list(_chain(record.exc_info[1])) if record.exc_info and record.exc_info[1] else []
    reference = getattr(record.__dict__.get("request"), "error_reference", None)

    message = _render(record)
    for error in errors:
        message = _unquote(message, error)
    message = _QUERY_STRING.sub(rf"\1?{SCRUBBED}", _DB_DETAIL.sub(SCRUBBED, message))
    if record.name.startswith("django.db.backends"):
        sql = record.__dict__.get("sql")
        message = f"{_SQL_LITERAL.sub('?', str(sql))} [values scrubbed]" if sql else SCRUBBED
    if reference:
        record.error_reference = reference
        message = f"{message} (error reference {reference})"

    record.msg, record.args, record.message = message, (), message
    if errors:
        record.exc_text = _scrubbed_traceback(record.exc_info[1])
    elif record.exc_text:  # formatted by an earlier handler from an exception we cannot see
        record.exc_text = f"[traceback {SCRUBBED}]"
    record.exc_info = None  # a formatter now prints exc_text, the scrubbed traceback
    _drop_extra(record)


def _render(record: logging.LogRecord) -> str:
    args = record.args
    if isinstance(args, dict):
        args = {key: _exception_as_type(value) for key, value in args.items()}
    elif isinstance(args, tuple):
        args = tuple(_exception_as_type(value) for value in args)
    try:
        return str(record.msg) % args if args else str(record.msg)
    except Exception:  # a mistake in the log call: show where it was, not its arguments
        return f"{record.msg} [arguments {SCRUBBED}: they did not fit the message]"


def _exception_as_type(value: object) -> object:
    return f"{_type_name(value)}: {SCRUBBED}" if isinstance(value, BaseException) else value


def _unquote(message: str, error: BaseException) -> str:
    """The message without the exception's own text, also in the escaped form django.request logs."""
    text = str(error)
    if not text:
        return message
    for form in {text, text.encode("unicode_escape").decode("ascii")}:
        message = message.replace(form, SCRUBBED)
    return message


def _chain(error: BaseException):
    """The exception and every exception chained to it or grouped in it, each once."""
    pending, seen = [error], set()
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__]
        if isinstance(current, BaseExceptionGroup):
            pending += current.exceptions


def _scrubbed_traceback(error: BaseException) -> str:
    """The traceback as Python prints it, with every exception's message replaced."""
    parts: list[str] = []
    seen: set[int] = set()

    def add(current: BaseException) -> None:
        seen.add(id(current))
        cause, context = current.__cause__, current.__context__
        if cause is not None and id(cause) not in seen:
            add(cause)
            parts.append(_CAUSE)
        elif context is not None and not current.__suppress_context__ and id(context) not in seen:
            add(context)
            parts.append(_CONTEXT)
        if current.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.extract_tb(current.__traceback__).format())
        parts.append(f"{_type_name(current)}: {SCRUBBED}\n")
        if isinstance(current, BaseExceptionGroup):
            count = len(current.exceptions)
            for number, inner in enumerate(current.exceptions, 1):
                if id(inner) not in seen:
                    parts.append(f"\n-- exception {number} of {count} in the group:\n")
                    add(inner)

    add(error)
    return "".join(parts).rstrip("\n")


def _type_name(error: BaseException) -> str:
    kind = type(error)
    if kind.__module__ in ("builtins", "__main__"):
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def _drop_extra(record: logging.LogRecord) -> None:
    for name in set(record.__dict__) - _STANDARD - ALLOWED_EXTRA:
        delattr(record, name)
