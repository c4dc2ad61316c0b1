"""The app's one clock. Every module reads the time here, never from Django or the system directly, so a
test can move time for all of them at once (``moved_to``)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from django.db import models
from django.utils import timezone

_moved_to: datetime | None = None


def now() -> datetime:
    """The current moment (aware, UTC)."""
    return _moved_to if _moved_to is not None else timezone.now()


def today() -> date:
    """Today in the clinic's time zone."""
    return timezone.localdate(now())


@contextmanager
def moved_to(moment: datetime) -> Iterator[None]:
    """For tests: the clock reads ``moment`` until the block ends."""
    global _moved_to
    before, _moved_to = _moved_to, moment
    try:
        yield
    finally:
        _moved_to = before


class ClockedDateTimeField(models.DateTimeField):
    """A DateTimeField whose ``auto_now`` and ``auto_now_add`` read this clock (Django's read the system's)."""

    def pre_save(self, model_instance, add):
        if self.auto_now or (self.auto_now_add and add):
            value = now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)
