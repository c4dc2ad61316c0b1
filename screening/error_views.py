"""Unexpected errors: a friendly page with the clinic's phone and a reference, no request data."""

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponseServerError
from django.template import loader

from screening.intake.reference_codes import ALPHABET

ERROR_REFERENCE_LENGTH = 8


def new_error_reference() -> str:
    """An error reference such as ERR-7KQ3-MXP4: random, so it reveals nothing, and easy to read aloud."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(ERROR_REFERENCE_LENGTH))
    return f"ERR-{code[:4]}-{code[4:]}"


def server_error(request: HttpRequest) -> HttpResponseServerError:
    reference = new_error_reference()
    # Django logs the error just after this returns, with the request in the record: the log filter
    # (screening.staff.log_scrub) copies this reference into the log line, so staff can find it when quoted.
    request.error_reference = reference
    # Rendered without the request, so no context processor (or the database) can fail a second time.
    context = {"clinic": settings.CLINIC, "reference": reference}
    return HttpResponseServerError(loader.render_to_string("500.html", context))
