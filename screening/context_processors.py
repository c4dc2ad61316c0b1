"""Template context shared by every page: the clinic's details from settings."""

from django.conf import settings


def clinic(request):
    # Signed in with a backup code (no app yet): the staff header offers to set up an app.
    device = getattr(getattr(request, "user", None), "otp_device", None)
    return {
        "clinic": settings.CLINIC,
        "staff_idle_seconds": settings.STAFF_IDLE_MINUTES * 60,
        "needs_authenticator_app": type(device).__name__ == "StaticDevice",
    }
