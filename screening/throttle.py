"""Limits on repeated attempts (resume-code guesses), counted atomically in the database.

``take`` reserves one attempt with a conditional update, so concurrent requests cannot all slip under the
limit (as a read-then-write counter lets them).
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from screening.models import AttemptWindow


def client_key(scope: str, request: HttpRequest) -> str:
    """A key for the client's address, hashed so the table holds no address."""
    address = client_address(request)
    return f"{scope}:" + hashlib.sha256(address.encode()).hexdigest()[:64]


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


def take(key: str, *, limit: int, window: timedelta) -> bool:
    """Count one attempt; False when the limit for this window is already used up."""
    now = timezone.now()
    AttemptWindow.objects.get_or_create(key=key, defaults={"window_ends": now + window})
    AttemptWindow.objects.filter(key=key, window_ends__lte=now).update(
        count=0, window_ends=now + window
    )
    return AttemptWindow.objects.filter(key=key, count__lt=limit).update(count=F("count") + 1) == 1


def reset(key: str) -> None:
    AttemptWindow.objects.filter(key=key).delete()


def blocked(key: str, *, limit: int) -> bool:
    return AttemptWindow.objects.filter(
        key=key, count__gte=limit, window_ends__gt=timezone.now()
    ).exists()
