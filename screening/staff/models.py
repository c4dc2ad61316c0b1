"""A request for a change that a second person must approve (four eyes): what is to change, who asked,
who decided. The one approval mechanism (screening/staff/approvals.py) keeps these rows."""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import F, Q


def content_hash(kind: str, subject: str, content: dict) -> str:
    """The fingerprint an approver approves: any change of what was asked gives another."""
    canonical = json.dumps(
        {"kind": kind, "subject": subject, "content": content},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class ApprovalKind(models.TextChoices):
    ACCOUNT_CREATE = "account.create", "create a staff account"
    ACCOUNT_EMAIL = "account.email", "change a staff member's e-mail address"
    ACCOUNT_PASSWORD = "account.password", "reset a password"
    ACCOUNT_SECOND_FACTOR = "account.second_factor", "reset a second factor"
    ACCOUNT_GRANT = "account.grant", "give roles or permissions"


class ApprovalState(models.TextChoices):
    PENDING = "pending", "waiting for approval"
    APPROVED = "approved", "approved"
    REFUSED = "refused", "refused"
    WITHDRAWN = "withdrawn", "withdrawn"
    VOID = "void", "void: what it would change changed first"


class ApprovalRequest(models.Model):
    Kind, State = ApprovalKind, ApprovalState

    kind = models.CharField(max_length=30, choices=ApprovalKind.choices)
    subject = models.CharField(max_length=150)  # what it changes: a username
    content = models.JSONField()  # exactly what is to change, with what it changes from
    content_hash = models.CharField(max_length=64)
    note = models.TextField(blank=True)  # why, from the person who asks
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_requests"
    )
    requested_at = models.DateTimeField()
    state = models.CharField(
        max_length=10, choices=ApprovalState.choices, default=ApprovalState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_decisions",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)  # the approver's, with the decision
    # A clinic with one clinic admin (STAFF_CHANGES_NEED_SECOND_ADMIN off): applied by the person who
    # asked, and said so wherever the change is shown.
    without_second_person = models.BooleanField(default=False)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "approval request"
        permissions = [("approve_account_change", "Can approve changes to staff accounts")]
        indexes = [models.Index(fields=["subject", "requested_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ApprovalKind.values), name="approval_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ApprovalState.values), name="approval_state_known"
            ),
            # Decided by someone other than the person who asked, unless the clinic has one admin.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | ~Q(decided_by=F("requested_by"))
                | Q(without_second_person=True),
                name="approval_by_a_second_person",
            ),
            models.UniqueConstraint(
                fields=["kind", "subject"],
                condition=Q(state="pending"),
                name="one_pending_request_per_change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display().capitalize()}: {self.subject}"

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]
