"""The staff side's tables: the audit log, counted attempts (limits), and requests for a change that a
second person must approve (four eyes; the one approval mechanism, screening/staff/approvals.py, keeps
these)."""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class AttemptWindow(models.Model):
    """Attempts counted per key (a hashed client address) in a fixed time window, shared by every process.

    The counts live in the database because a limit held in one process's memory is no limit at all.
    """

    key = models.CharField(max_length=80, unique=True)
    window_ends = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} attempts until {self.window_ends:%H:%M}"


class AuditEvent(models.Model):
    """The app's one append-only audit log: who did what to which object, and when."""

    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_ref = models.CharField(max_length=80)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_ref"])]
        permissions = [("view_all_auditevent", "Can read the whole audit log")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_ref}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")


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
    RULES_PUBLISH = "rules.publish", "publish the draft rules"
    RULES_REVIEW = "rules.review", "review a version restored alone"


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
