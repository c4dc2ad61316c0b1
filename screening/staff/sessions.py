"""Staff sessions: a second factor on every staff page and in the admin, idle and absolute timeouts.

One middleware holds the rules for every staff request, whichever page the password was given on:
- signed in for more than STAFF_SESSION_HOURS, or idle for more than STAFF_IDLE_MINUTES: signed out
  (activity is written to the session at most once a minute, so reading pages writes no session row);
- a staff page (``/staff/``, ``/admin/``) without a verified second factor: sent to verify one (or, the
  first time, to set up an authenticator app). Only the sign-in and second-factor pages are exempt.
Patients' pages are not staff pages: a patient's session has no user and is left alone.
"""

from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import get_script_prefix, reverse
from django.utils.http import urlencode
from django_otp import user_has_device

from screening import clock
from screening.staff import audit_log as audit

SIGNED_IN_AT, LAST_SEEN = "staff_signed_in_at", "staff_last_seen"


LAST_SEEN_RESOLUTION = 60  # seconds: activity is written to the session at most this often


STAFF_PREFIXES = ("/staff/", "/admin/")


def _exempt_paths() -> set[str]:
    """Paths as path_info has them (without any SCRIPT_NAME prefix)."""
    prefix = get_script_prefix()
    return {
        "/" + path.removeprefix(prefix)
        for path in (
            reverse("screening:staff-login"),
            reverse("screening:staff-logout"),
            reverse("screening:two-factor-verify"),
            reverse("screening:two-factor-setup"),
            reverse("admin:login"),
            reverse("admin:logout"),
        )
    }


@lru_cache(maxsize=4)
def _health_path(script_prefix: str) -> str:
    """/healthz as path_info has it, worked out once (this is asked on every request)."""
    return "/" + reverse("healthz").removeprefix(script_prefix)


def _is_health_check(request) -> bool:
    return request.path_info == _health_path(get_script_prefix())


def _ended(request, now) -> str:
    """Why the session has ended, or ""."""
    session = request.session
    signed_in = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN)
    if signed_in is None or last_seen is None:
        return ""
    if now - signed_in > timedelta(hours=settings.STAFF_SESSION_HOURS).total_seconds():
        return f"after {settings.STAFF_SESSION_HOURS} hours"
    if now - last_seen > timedelta(minutes=settings.STAFF_IDLE_MINUTES).total_seconds():
        return f"after {settings.STAFF_IDLE_MINUTES} minutes without activity"
    return ""


def _note_activity(request, now: float) -> int:
    """Record the request as activity; returns the seconds left before the idle sign-out.

    The time is written at most once a minute (a tenth of the idle time, if that is shorter) and on
    every POST, such as "stay signed in": a page that changes nothing else then costs no session write.
    Idle time counts from the time written, so a session may end up to a minute early, never late; the
    page's warning counts from the same time."""
    session = request.session
    last_seen = session.get(LAST_SEEN)
    idle = timedelta(minutes=settings.STAFF_IDLE_MINUTES).total_seconds()
    # A tenth of the idle time when that is shorter than a minute, so activity always counts.
    resolution = min(LAST_SEEN_RESOLUTION, idle / 10)
    if (
        last_seen is None
        or now - last_seen >= resolution
        or request.method not in ("GET", "HEAD", "OPTIONS")
    ):
        session[LAST_SEEN] = last_seen = now
    return max(1, round(idle - (now - last_seen)))


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # The health check reads neither session nor user: it must answer 503 while the database is
        # down, whatever cookie the asker's browser sends.
        if user is None or _is_health_check(request) or not user.is_authenticated:
            return self.get_response(request)
        now = clock.now().timestamp()
        reason = _ended(request, now)
        if reason:
            audit.record(
                actor=user,
                action="auth.timeout",
                object_type="user",
                object_ref=user.username,
                detail={"reason": reason},
            )
            logout(request)
            messages.info(request, f"You were signed out {reason}. Sign in again.")
            return redirect(settings.LOGIN_URL)
        request.session.setdefault(SIGNED_IN_AT, now)
        request.staff_idle_seconds = _note_activity(request, now)
        token = audit.request_user.set(user)
        try:
            return self._second_factor(request, user)
        finally:
            audit.request_user.reset(token)

    def _second_factor(self, request, user):
        # path_info, as the URL resolver sees it: request.path also holds SCRIPT_NAME, which a client
        # could set through a proxy to make a staff page look like another.
        path = request.path_info
        staff_page = path.startswith(STAFF_PREFIXES)
        if staff_page and not user.is_verified() and path not in _exempt_paths():
            step = "verify" if user_has_device(user) else "setup"
            target = reverse(f"screening:two-factor-{step}")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
