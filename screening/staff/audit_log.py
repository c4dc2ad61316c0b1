"""Writing to the append-only audit log. Details name objects and changes, never patient data.

Every entry made while serving a request says where the request came from: the middleware below puts
the client's address in a context variable for the length of the request, and ``record`` adds it.
"""

from contextvars import ContextVar
from typing import Any

from screening import clock
from screening.staff.attempt_limits import client_address
from screening.staff.models import AuditEvent

_client_address: ContextVar[str | None] = ContextVar("audit_client_address", default=None)
# The signed-in staff member of the request, for entries written where the request is not at hand
# (a password change through any of Django's pages is seen only as a change of the user row).
request_user: ContextVar = ContextVar("audit_request_user", default=None)


def record(
    *, actor, action: str, object_type: str, object_ref: str, detail: dict[str, Any] | None = None
):
    detail = dict(detail or {})
    address = _client_address.get()
    if address and "address" not in detail:
        detail["address"] = address
    return AuditEvent.objects.create(
        at=clock.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_ref=str(object_ref),
        detail=detail,
    )


class ClientAddressMiddleware:
    """Makes the request's client address (as throttle.client_address reads it) known to ``record``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            _client_address.reset(token)
