"""The patient's language (issue 18): chosen on the start page, first guessed from the browser, kept in the
session and on the draft (so its e-mails speak it too). Patients choose among ``PATIENT_LANGUAGES`` only: a
clinic enables a language once its translation is signed off (docs/intake.md). Staff pages are English
whatever the browser asks: staff read answers as codes shown in English.
"""

from django.conf import settings
from django.db import DatabaseError
from django.utils import translation

SESSION_KEY = "patient_language"
STAFF_PATHS = ("/staff/", "/admin/")


def offered() -> list[str]:
    """The languages patients may choose, in the clinic's order (the first is the default)."""
    return list(settings.PATIENT_LANGUAGES)


def names() -> list[tuple[str, str]]:
    """(code, the language's name in itself) for each language offered: "English", "Español"."""
    return [
        (code, translation.get_language_info(code)["name_local"].capitalize()) for code in offered()
    ]


def in_english(code: str) -> str:
    """A language's name as staff read it: "Spanish" (staff pages are English); an unknown code as it is."""
    try:
        return translation.get_language_info(code)["name"]
    except KeyError:
        return code


def staff_names() -> dict[str, str]:
    """Every language the app speaks, by code, as staff read it: a draft keeps its language even after
    a clinic stops offering it to new patients."""
    return {code: in_english(code) for code, _name in settings.LANGUAGES}


def _from_browser(header: str) -> str | None:
    """The first language of an Accept-Language header that patients may choose, by its weight."""
    choices = []
    for n, part in enumerate(header.split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        code = tag.strip().lower().split("-")[0]
        if code in offered() and weight > 0:
            choices.append((-weight, n, code))
    return min(choices)[2] if choices else None


def for_request(request) -> str:
    """The language a page is shown in: English for staff; the patient's choice, else the browser's
    first language on offer, else the clinic's first language."""
    if request.path_info.startswith(STAFF_PATHS):
        return "en"
    try:
        chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    except DatabaseError:
        chosen = None  # sessions unreadable (the database is down): the view says so, in a language
    if chosen in offered():
        return chosen
    return _from_browser(request.META.get("HTTP_ACCEPT_LANGUAGE", "")) or offered()[0]


class PatientLanguageMiddleware:
    """Activates the language of each request (in place of Django's LocaleMiddleware, which would follow
    the browser on staff pages and offer languages not yet signed off)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = for_request(request)
        request.LANGUAGE_CODE = language
        # Active for this request only: the thread serves the next request (or test) in its own
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if not request.path_info.startswith(STAFF_PATHS):
            vary = response.headers.get("Vary", "")
            if "accept-language" not in vary.lower():
                response.headers["Vary"] = f"{vary}, Accept-Language" if vary else "Accept-Language"
        return response
