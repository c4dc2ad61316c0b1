"""Request and response rules for every page: no NUL byte reaches a view; no browser or proxy may keep a
copy of any dynamic page (pages may show a patient's answers)."""

from django.core.exceptions import BadRequest
from django.utils.cache import add_never_cache_headers


class RefuseNulMiddleware:
    """A NUL byte in the path or the query string is refused with 400 before any view runs.

    PostgreSQL refuses NUL in text, so a crafted address (a case reference, an admin filter) would
    otherwise reach the database and fail as a server error. No real link or form holds one; form fields
    refuse them in what is posted (Django's CharField, and the intake's own checks)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL in the address")
        return self.get_response(request)


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Static files are served by whitenoise before this runs, with their own long cache headers.
        add_never_cache_headers(response)
        return response
