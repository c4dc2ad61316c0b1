"""Writing to the append-only audit log. Details name objects and changes, never patient data."""

from typing import Any

from django.utils import timezone

from screening.models import AuditEvent


def record(
    *, actor, action: str, object_type: str, object_ref: str, detail: dict[str, Any] | None = None
):
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_ref=str(object_ref),
        detail=detail or {},
    )
