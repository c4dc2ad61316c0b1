"""Limits on repeated actions (resume guesses, new drafts, page saves, submissions), counted in the database.

The counts are rows of AttemptWindow, one per key in a fixed time window, in the database every process
shares: a limit held in one process's memory is no limit behind several workers.

Why not Django's cache: the default cache is a shared DatabaseCache (settings.CACHES), but its ``incr`` is
BaseCache's get-then-set, and its ``add`` over an expired entry is a read then an update. Neither is atomic
(the value is a pickled blob, so no SQL can add to it): twelve parallel guesses would all read 0, write 1
and all pass. ``take`` here reserves one attempt with a conditional UPDATE (``count < limit``), which is
atomic on SQLite and PostgreSQL alike, so concurrent requests cannot slip under the limit.

Every limit passed in is multiplied by INTAKE_LIMITS_MULTIPLIER (1 in production), so one setting raises
them all for a load test.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.http import HttpRequest

from screening import clock
from screening.staff.models import AttemptWindow

KEY_HASH_LENGTH = 40  # 160 bits of the address's hash: the scope and it fit AttemptWindow.key (80)


def client_key(scope: str, request: HttpRequest) -> str:
    """A key for the client's address, hashed so the table holds no address."""
    address = client_address(request)
    key = f"{scope}:" + hashlib.sha256(address.encode()).hexdigest()[:KEY_HASH_LENGTH]
    if len(key) > AttemptWindow._meta.get_field("key").max_length:
        raise ValueError(f"the limit's scope {scope!r} is too long for a key")
    return key


def draft_key(scope: str, intake_id: int) -> str:
    """A key for one draft."""
    return f"{scope}:draft:{intake_id}"


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_HOPS proxies in front, the address the
    outermost trusted proxy saw (counted from the right of X-Forwarded-For, which clients can forge on
    the left)."""
    hops = settings.TRUSTED_PROXY_HOPS
    if hops:
        forwarded = [
            a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def _scaled(limit: int) -> int:
    return limit * settings.INTAKE_LIMITS_MULTIPLIER


def take(key: str, *, limit: int, window: timedelta) -> bool:
    """Count one attempt; False when the limit for this window is already used up.

    Every step is a conditional statement, so concurrent requests cannot slip under the limit. One query
    when the key's window is open and has room (every page save of a draft but its first): the UPDATE
    counts the attempt. A new key's window is inserted first (ignoring a conflict, so two requests that
    both find no row make one): three queries. A window that is over starts again with this attempt."""
    now = clock.now()
    room = AttemptWindow.objects.filter(key=key, window_ends__gt=now, count__lt=_scaled(limit))
    if room.update(count=F("count") + 1):
        return True
    AttemptWindow.objects.bulk_create(
        [AttemptWindow(key=key, window_ends=now + window)], ignore_conflicts=True
    )
    if room.update(count=F("count") + 1):
        return True
    if AttemptWindow.objects.filter(key=key, window_ends__lte=now).update(
        count=1, window_ends=now + window
    ):
        return True
    # Full; or another request has just started the window again, and this one counts on it.
    return room.update(count=F("count") + 1) == 1


def refund(key: str) -> None:
    """Give back the attempt that ``take`` counted, after it turned out right.

    A success never clears the count: with a reset, four wrong guesses and one right answer (a resume of
    one's own draft) could be repeated for ever. Only the success's own attempt is given back, so the
    limit counts failures, and a window that had room for one more failure still has room for one."""
    AttemptWindow.objects.filter(key=key, count__gt=0, window_ends__gt=clock.now()).update(
        count=F("count") - 1
    )


def seconds_left(key: str) -> int:
    """Seconds until the key's window ends (0 when it has none open)."""
    ends = (
        AttemptWindow.objects.filter(key=key, window_ends__gt=clock.now())
        .values_list("window_ends", flat=True)
        .first()
    )
    return max(0, int((ends - clock.now()).total_seconds())) if ends else 0


def blocked(key: str, *, limit: int) -> bool:
    return AttemptWindow.objects.filter(
        key=key, count__gte=_scaled(limit), window_ends__gt=clock.now()
    ).exists()
