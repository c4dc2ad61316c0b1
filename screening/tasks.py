"""Where background tasks lived before the app was split by audience. Tasks queued then are stored by
this path (django-tasks-db keeps "screening.tasks.<name>"); these names let them run after an upgrade.
New tasks are queued by their own modules' paths."""

from screening.casework.case_screening import rescreen_open_intakes
from screening.casework.email_sending import send_email

__all__ = ["rescreen_open_intakes", "send_email"]
