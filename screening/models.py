"""The tables of the intake: one intake per patient visit, identity kept apart, consents with versions."""

import operator
from functools import reduce

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from screening.intake.catalogue import QUESTIONS
from screening.intake.consent import CONSENT_TEXTS
from screening.intake.safety import TIERS
from screening.rules import outcomes
from screening.rules.engine import Op

CONTACT_METHODS = QUESTIONS["contact_method"].choices


class Intake(models.Model):
    """One patient's intake, from first page to submission. Addressed by its reference, never its id."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    reference = models.CharField(max_length=12, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    questionnaire_version = models.CharField(max_length=20)
    # Clinical answers only: identifying details live in PatientIdentity.
    answers = models.JSONField(default=dict, blank=True)
    # Frozen at submission: the questions that did not apply (hidden by branching).
    not_asked = models.JSONField(default=list, blank=True)
    # Frozen at submission: scores and derived values, each with its formula version.
    derived = models.JSONField(default=dict, blank=True)
    # Most urgent red-flag tier in the answers now, and the most urgent tier whose advice was shown.
    safety_tier = models.PositiveSmallIntegerField(null=True, blank=True)
    safety_advice_tier = models.PositiveSmallIntegerField(null=True, blank=True)
    # A keyed hash of the current resume code; the code itself is never stored.
    resume_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    resume_failures = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted"]), name="intake_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="intake_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=Q(safety_tier__isnull=True) | Q(safety_tier__in=TIERS),
                name="intake_safety_tier_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class PatientIdentity(models.Model):
    """Who the patient is and how to reach them, stored apart from the clinical answers."""

    intake = models.OneToOneField(Intake, on_delete=models.CASCADE, related_name="identity")
    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    # The family name folded for search (lower case, no accents), kept by whoever writes family_name.
    family_name_folded = models.CharField(max_length=200, blank=True, db_index=True)
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    contact_method = models.CharField(max_length=10, choices=CONTACT_METHODS, blank=True)

    class Meta:
        verbose_name_plural = "patient identities"
        indexes = [
            # Possible duplicates are found by e-mail, case-insensitively (iexact is UPPER() = UPPER()).
            models.Index(Upper("email"), name="identity_email_upper"),
            models.Index(fields=["date_of_birth", "family_name_folded"], name="identity_dob_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact_method__in=["", *(code for code, _label in CONTACT_METHODS)]),
                name="identity_contact_method_valid",
            )
        ]

    def __str__(self) -> str:
        return f"Identity for {self.intake.reference}"


class Consent(models.Model):
    """A consent the patient gave: which text, which version of it, and when."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=30, choices=[(k, k) for k in CONSENT_TEXTS])
    version = models.CharField(max_length=20)
    given_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["intake", "kind"], name="consent_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"


class AttemptWindow(models.Model):
    """Attempts counted per key (a hashed client address) in a fixed time window, shared by every process.

    The counts live in the database because a limit held in one process's memory is no limit at all.
    """

    key = models.CharField(max_length=80, unique=True)
    window_ends = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} attempts until {self.window_ends:%H:%M}"


# --- Screening rules -----------------------------------------------------------------------------------


class RuleDraft(models.Model):
    """A rule as rules admins edit it. Publishing freezes all drafts into a RulesetVersion."""

    key = models.SlugField(
        max_length=60, unique=True, help_text="A stable name, e.g. rf_saddle_numbness."
    )
    title = models.CharField(max_length=200)
    outcome = models.CharField(max_length=20, choices=outcomes.RULE_CHOICES)
    join = models.CharField(
        max_length=3, choices=[("all", "all of"), ("any", "any of")], default="all"
    )
    explanation = models.TextField(help_text="For staff: why this matters.")
    source = models.CharField(max_length=300, help_text="Where the rule comes from (a citation).")
    patient_message = models.TextField(
        blank=True, help_text="Red flags only: what the patient is told at once."
    )
    tier = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=[(1, "1: emergency now"), (2, "2: medical care today"), (3, "3: the clinic calls")],
        help_text="Red flags only: how urgent the advice the patient sees is.",
    )
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = "rule (draft)"
        verbose_name_plural = "rules (draft)"
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=[o.value for o in outcomes.Outcome]),
                name="rule_outcome_valid",
            ),
            models.CheckConstraint(condition=Q(join__in=["all", "any"]), name="rule_join_valid"),
        ]

    def __str__(self) -> str:
        return self.key


class ConditionDraft(models.Model):
    rule = models.ForeignKey(RuleDraft, on_delete=models.CASCADE, related_name="conditions")
    position = models.PositiveSmallIntegerField(default=0)
    fact = models.CharField(max_length=60)
    op = models.CharField(max_length=20, choices=[(o.value, o.value.replace("_", " ")) for o in Op])
    value = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["rule", "position", "pk"]
        verbose_name = "condition"

    def __str__(self) -> str:
        return f"{self.fact} {self.op} {self.value}"


class RulesetVersion(models.Model):
    """A published ruleset: immutable, with its content, a hash of it, who published it, when and why."""

    number = models.PositiveIntegerField(unique=True)
    content = models.JSONField()  # the rules as data, in the format of default_rules.json
    content_hash = models.CharField(max_length=64)
    note = models.TextField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        permissions = [
            ("publish_rulesetversion", "Can preview and publish the rules as a new version")
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class ScreeningResult(models.Model):
    """One screening of one intake. A re-screen adds a result; earlier ones stay."""

    class Trigger(models.TextChoices):
        SUBMIT = "submit", "submitted"
        DRAFT = "draft", "draft saved"
        RESCREEN = "rescreen", "re-screened"
        IMPORT = "import", "imported"
        AMEND = "amend", "answers completed"

    SCREENING_ERROR = outcomes.SCREENING_ERROR

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="screenings")
    ruleset = models.ForeignKey(RulesetVersion, null=True, blank=True, on_delete=models.PROTECT)
    outcome = models.CharField(max_length=20, choices=outcomes.CASE_CHOICES)
    findings = models.JSONField(default=list)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    screened_at = models.DateTimeField()

    class Meta:
        ordering = ["-screened_at", "-pk"]
        indexes = [models.Index(fields=["intake", "-screened_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=outcomes.CASE_OUTCOMES), name="result_outcome_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.outcome} ({self.ruleset})"


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


# --- The coordinator workspace --------------------------------------------------------------------
SEVERITY_RANK = outcomes.SEVERITY_RANK


class Case(models.Model):
    """The clinic's handling of one intake: a submitted intake, or a draft with an urgent red flag."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_REVIEW = "in_review", _("In review")
        CONTACTED = "contacted", _("Contacted")
        CONSULTATION_BOOKED = "consultation_booked", _("Consultation booked")
        CLOSED = "closed", _("Closed")

    class CloseReason(models.TextChoices):
        NOT_A_CANDIDATE_NOW = "not_a_candidate_now", _("Not a candidate now")
        REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred elsewhere")
        DECLINED = "declined", _("Declined")
        UNREACHABLE = "unreachable", _("Unreachable")
        TREATED = "treated", _("Treated")

    intake = models.OneToOneField(Intake, on_delete=models.CASCADE, related_name="case")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    close_reason = models.CharField(max_length=30, choices=CloseReason.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # The latest screening's outcome, and its rank for the queue (0 screening error, 1 urgent, ...).
    outcome = models.CharField(max_length=20, choices=outcomes.CASE_CHOICES)
    severity = models.PositiveSmallIntegerField()
    top_finding = models.CharField(
        max_length=200, blank=True
    )  # the most severe finding's rule title
    received_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["severity", "received_at"], name="case_queue_order"),
            models.Index(fields=["status", "severity", "received_at"], name="case_status_queue"),
            models.Index(
                fields=["assignee", "severity", "received_at"], name="case_assignee_queue"
            ),
            # Cases received in a range of days: the queue's date filters and its weekly chart (which
            # reads the outcome from the index alone).
            models.Index(fields=["received_at", "outcome"], name="case_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["new", "in_review", "contacted", "consultation_booked", "closed"]
                ),
                name="case_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", close_reason__gt="")
                | (~Q(status="closed") & Q(close_reason="")),
                name="case_closed_has_reason",
            ),
            # The outcome is one of the vocabulary's, and the queue's rank is the outcome's.
            models.CheckConstraint(
                condition=reduce(
                    operator.or_,
                    (Q(outcome=o, severity=rank) for o, rank in outcomes.SEVERITY_RANK.items()),
                ),
                name="case_outcome_and_rank_valid",
            ),
        ]
        permissions = [
            ("export_case", "Can export cases (without identifying data)"),
            ("export_identifiable_case", "Can export identifiable data"),
        ]

    def __str__(self) -> str:
        return f"Case {self.intake.reference}"


class CaseNote(models.Model):
    """A coordinator's note on a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    text = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"Note on {self.case_id} at {self.at:%Y-%m-%d %H:%M}"


class ContactAttempt(models.Model):
    """One attempt to reach the patient: how, and what came of it."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone call")
        SMS = "sms", _("Text message")
        EMAIL = "email", _("E-mail")
        LETTER = "letter", _("Letter")

    class Result(models.TextChoices):
        REACHED = "reached", _("Spoke to the patient")
        LEFT_MESSAGE = "left_message", _("Left a message")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_DETAILS = "wrong_details", _("Wrong number or address")
        SENT = "sent", _("Sent, no reply yet")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    result = models.CharField(max_length=20, choices=Result.choices)
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=["phone", "sms", "email", "letter"]),
                name="contact_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    result__in=["reached", "left_message", "no_answer", "wrong_details", "sent"]
                ),
                name="contact_result_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.result}"


class Amendment(models.Model):
    """One answer changed after the intake was sent: the original, the new value, who gave it and how."""

    class Source(models.TextChoices):
        PHONE = "phone", _("given by phone")
        LINK = "link", _("given by the patient through a completion link")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="amendments")
    question = models.CharField(max_length=60)
    original = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    # The coordinator who recorded it; empty when the patient gave it through a link.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="link") | Q(by__isnull=False), name="amendment_phone_has_author"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question} ({self.source})"


class CompletionLink(models.Model):
    """A single-use link for the patient to answer the missing questions themselves.

    Only a keyed hash of its token is stored; the token is made when the e-mail is sent."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="completion_links")
    questions = models.JSONField()  # the question keys the link opens (with their follow-ups)
    token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)  # wrong dates of birth

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Completion link for {self.case_id}"


class Booking(models.Model):
    """A consultation booked for the patient. The latest booking of a case is the current one."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="bookings")
    starts_at = models.DateTimeField()
    clinician = models.CharField(max_length=200)
    mode = models.CharField(max_length=10, choices=Mode.choices)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=["in_person", "video"]), name="booking_mode_valid"
            )
        ]

    def __str__(self) -> str:
        return f"Consultation {self.starts_at:%Y-%m-%d %H:%M}"


class OutgoingEmail(models.Model):
    """An e-mail the app sends in the background, with its delivery state for clinic admins.

    It names what to send, never the content: the message is rendered when it is sent, and patient
    e-mails carry no clinical details."""

    class Kind(models.TextChoices):
        URGENT = "urgent", "urgent case alert"
        DIGEST = "digest", "daily digest"
        BOOKING = "booking", "booking confirmation"
        COMPLETION = "completion", "completion link"
        SECOND_FACTOR_LOCKED = "otp_locked", "second factor locked (to the account's owner)"
        APPROVAL_ASKED = "approval", "approval asked (to the approvers)"
        ACCOUNT_CHANGED = "account", "account changed (to the account's owner)"

    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        RETRYING = "retrying", "retrying"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.CASCADE)
    link = models.ForeignKey(CompletionLink, null=True, blank=True, on_delete=models.CASCADE)
    # The staff member an e-mail about their own account goes to (its address is read when it is sent).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="account_emails",
    )
    approval = models.ForeignKey(
        "screening.ApprovalRequest", null=True, blank=True, on_delete=models.CASCADE
    )
    references = models.JSONField(default=list, blank=True)  # a digest's case references
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)  # the error's type, never its message
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outgoing e-mail"
        indexes = [models.Index(fields=["state", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(kind="urgent"), name="one_urgent_alert_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.state})"


# Models of the audience packages, so Django finds them in this app.
from screening.staff.models import ApprovalRequest  # noqa: E402, F401
