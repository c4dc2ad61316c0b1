"""/healthz says up or down and nothing more; an unexpected error gives the patient a reference that staff
find in the log, and the log keeps the error's type and place but no patient value."""

import inspect
import io
import logging
import re

import psycopg.errors
import pytest
from django.contrib.sessions.models import Session
from django.db import IntegrityError, OperationalError, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from facetclinic import urls as app_urls
from screening.staff.log_scrub import ScrubPatientData

pytestmark = pytest.mark.django_db

PLANTED = "Zelda Quarrington 1971-07-14"
PLANTED_PARTS = ("Zelda", "Quarrington", "1971-07-14")
FAILING_ROW = (
    'null value in column "email" of relation "screening_patientidentity" violates not-null constraint'
    "\nDETAIL:  Failing row contains (7, Zelda, Quarrington, 1971-07-14)."
)
REFERENCE = re.compile(r"ERR-[3-9A-Z]{4}-[3-9A-Z]{4}")


def fail_with_a_value(request):
    raise ValueError(PLANTED)


def fail_in_the_database(request):
    # What Django raises for psycopg: its own IntegrityError, caused by psycopg's, both with the DETAIL.
    raise IntegrityError(FAILING_ROW) from psycopg.errors.NotNullViolation(FAILING_ROW)


# The URL conf of the tests marked `urls(__name__)`: the app's routes, its 500 page, and two failing views.
handler500 = app_urls.handler500
urlpatterns = [
    path("fail/value/", fail_with_a_value),
    path("fail/database/", fail_in_the_database),
    *app_urls.urlpatterns,
]


@pytest.fixture
def handler_output():
    """What the handlers of settings.LOGGING write, formatted, while the test runs."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, ScrubPatientData) for f in handler.filters)
    ]
    assert handlers, "no handler of settings.LOGGING is on the root logger"
    stream = io.StringIO()
    previous = [handler.setStream(stream) for handler in handlers]
    yield stream
    for handler, old in zip(handlers, previous, strict=True):
        handler.setStream(old)


def _raise_line(view) -> int:
    lines, first = inspect.getsourcelines(view)
    return first + next(n for n, line in enumerate(lines) if line.strip().startswith("raise "))


def _everything_logged(caplog, handler_output) -> dict[str, str]:
    """The log as each reader sees it: caplog's text, the records whole, the configured handlers."""
    records = "\n".join(f"{r.__dict__!r}\n{logging.Formatter().format(r)}" for r in caplog.records)
    return {"caplog": caplog.text, "records": records, "handlers": handler_output.getvalue()}


# --- /healthz ----------------------------------------------------------------------------------------


def test_it_answers_ok_when_the_database_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]


def test_it_answers_head_but_not_post(client):
    assert client.head(reverse("healthz")).status_code == 200
    assert client.post(reverse("healthz")).status_code == 405


def test_it_sets_no_cookie_and_writes_no_session(client, patient):
    response = client.get(reverse("healthz"))
    assert not response.cookies
    assert not Session.objects.exists()

    patient.begin()  # a patient's browser with a session asks too
    before = Session.objects.values().get()
    response = patient.client.get(reverse("healthz"))
    assert not response.cookies
    assert Session.objects.values().get() == before


def _refuse(*args, **kwargs):
    raise OperationalError(f"connection to server at 10.0.0.5 failed: {PLANTED}")


@pytest.mark.parametrize("failure", ["connecting", "querying"])
def test_it_answers_unavailable_without_detail_when_the_database_is_down(
    failure, client, monkeypatch, caplog
):
    if failure == "connecting":
        monkeypatch.setattr(type(connections["default"]), "ensure_connection", _refuse)
        response = client.get(reverse("healthz"))
    else:
        with connection.execute_wrapper(_refuse):  # every query fails, as on a dead server
            response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.content == b"unavailable"
    assert "no-store" in response["Cache-Control"]
    assert "health check: the database is unavailable (OperationalError)" in caplog.text
    assert "10.0.0.5" not in caplog.text and "Zelda" not in caplog.text


# --- the 500 page and its reference -------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_it_shows_a_reference_on_the_500_page_that_is_in_the_log(caplog, handler_output, settings):
    client = Client(raise_request_exception=False)
    response = client.get("/fail/value/")
    assert response.status_code == 500
    html = response.content.decode()
    assert settings.CLINIC["phone"] in html
    assert "quote this reference" in html
    reference = REFERENCE.search(html).group(0)

    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.error_reference == reference
    assert record.getMessage().endswith(f"/fail/value/ (error reference {reference})")
    assert reference in handler_output.getvalue()

    again = REFERENCE.search(client.get("/fail/value/").content.decode()).group(0)
    assert again != reference  # one per error


# --- scrubbing --------------------------------------------------------------------------------------


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("view", "exceptions"),
    [
        (fail_with_a_value, ["ValueError"]),
        (
            fail_in_the_database,
            ["psycopg.errors.NotNullViolation", "django.db.utils.IntegrityError"],
        ),
    ],
)
def test_it_logs_the_type_and_place_of_an_error_but_not_its_message(
    view, exceptions, caplog, handler_output
):
    url = "/fail/value/" if view is fail_with_a_value else "/fail/database/"
    assert Client(raise_request_exception=False).get(url).status_code == 500

    for where, text in _everything_logged(caplog, handler_output).items():
        for value in (*PLANTED_PARTS, "Failing row", "DETAIL"):
            assert value not in text, (where, value)
        assert "Internal Server Error: /fail/" in text, where
        assert "Traceback (most recent call last):" in text, where
        assert f'File "{__file__}", line {_raise_line(view)}, in {view.__name__}' in text, where
        for exception in exceptions:
            assert f"\n{exception}: [scrubbed]" in text, (where, exception)


def test_it_scrubs_what_a_log_call_passes_in(caplog, handler_output):
    log = logging.getLogger("screening.tests")
    log.warning("could not save: %s", ValueError(PLANTED))
    log.warning("the database said: %s", FAILING_ROW)
    log.warning('"GET /intake/resume/?name=Zelda&dob=1971-07-14 HTTP/1.1" 200 512')
    log.warning("submitted", extra={"answers": {"given_name": "Zelda"}, "questionnaire": "2"})
    try:
        int(PLANTED)
    except ValueError as error:
        log.error("could not read %r", str(error), exc_info=True)

    messages = [r.getMessage() for r in caplog.records]
    assert messages[:4] == [
        "could not save: ValueError: [scrubbed]",
        'the database said: null value in column "email" of relation "screening_patientidentity"'
        " violates not-null constraint\n[scrubbed]",
        '"GET /intake/resume/?[scrubbed] HTTP/1.1" 200 512',
        "submitted",
    ]
    assert messages[4] == 'could not read "[scrubbed]"'  # the exception's own text, quoted
    extra = caplog.records[3]
    assert extra.questionnaire == "2" and not hasattr(extra, "answers")
    for where, text in _everything_logged(caplog, handler_output).items():
        for value in PLANTED_PARTS:
            assert value not in text, (where, value)
        assert "\nValueError: [scrubbed]" in text, where


def test_it_masks_the_values_in_logged_sql(caplog, handler_output):
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    with CaptureQueriesContext(connection):  # turns on Django's SQL debug log
        Session.objects.filter(session_key="Zelda-Quarrington", expire_date__year=1971).exists()
    sql = [r.getMessage() for r in caplog.records if r.name == "django.db.backends"]
    assert sql and "django_session" in sql[0] and "[values scrubbed]" in sql[0]
    for text in _everything_logged(caplog, handler_output).values():
        assert "Zelda" not in text and "1971" not in text


def test_every_configured_handler_scrubs_and_django_keeps_none_of_its_own(settings):
    for name, handler in settings.LOGGING["handlers"].items():
        assert "scrub" in handler.get("filters", []), name
    # Django's default handlers (mail_admins, its DEBUG console) would otherwise see unscrubbed records.
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django.request").handlers == []
