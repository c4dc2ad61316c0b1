"""Template context shared by every page: the clinic's details from settings."""

from django.conf import settings


def clinic(request):
    return {"clinic": settings.CLINIC}
