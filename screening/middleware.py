"""Pages may show a patient's answers: no browser or proxy may keep a copy of any dynamic page."""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Static files are served by whitenoise before this runs, with their own long cache headers.
        add_never_cache_headers(response)
        return response
