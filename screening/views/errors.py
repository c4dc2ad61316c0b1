"""The page for unexpected errors: friendly, with the clinic's phone, and nothing from the request."""

from django.conf import settings
from django.http import HttpRequest, HttpResponseServerError
from django.template import loader


def server_error(request: HttpRequest) -> HttpResponseServerError:
    # Rendered without the request, so no context processor (or the database) can fail a second time.
    html = loader.render_to_string("500.html", {"clinic": settings.CLINIC})
    return HttpResponseServerError(html)
