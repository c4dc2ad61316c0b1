"""The patient's side of a completion link: a date-of-birth check, then only the missing questions."""

from django.http import Http404, HttpRequest, HttpResponse


def complete(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404
