"""The coordinators' tables: each screening of an intake, the case the clinic works, and what is done on it
(notes, contact attempts, amended answers, completion links, bookings, e-mails)."""

import operator
from functools import reduce

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from screening import clock
from screening.intake.models import Intake
from screening.rules import outcomes
from screening.rules.models import RulesetVersion


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
    # What kept the intake from specialist review (rules.wording's lines, per candidacy rule), and what
    # staff do next; both as the ruleset version in force put them.
    near_miss = models.JSONField(default=list, blank=True)
    next_step = models.TextField(blank=True)
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
    # The latest screening's outcome (with its red flag's tier, when urgent), and the case's rank in the
    # queue: outcomes.queue_rank, from the outcome, the tier and whether someone has claimed the case.
    outcome = models.CharField(max_length=20, choices=outcomes.CASE_CHOICES)
    tier = models.PositiveSmallIntegerField(null=True, blank=True)
    severity = models.PositiveSmallIntegerField()
    top_finding = models.CharField(
        max_length=200, blank=True
    )  # the most severe finding's rule title (a routine case: why it is not for specialist review)
    # Why a case is not for specialist review (the near miss in one line), under its top finding in the
    # queue; empty when a specialist-review rule fired, or when the top finding says it already.
    why_not_review = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField()
    updated_at = clock.ClockedDateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["severity", "received_at"], name="case_queue_order"),
            # The default queue: open cases only, in their order.
            models.Index(
                fields=["severity", "received_at"],
                name="case_open_queue",
                condition=~Q(status="closed"),
            ),
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
            # The outcome is one of the vocabulary's, and the queue's rank one of the outcome's.
            models.CheckConstraint(
                condition=reduce(
                    operator.or_,
                    (Q(outcome=o, severity__in=ranks) for o, ranks in outcomes.RANKS.items()),
                ),
                name="case_outcome_and_rank_valid",
            ),
            models.CheckConstraint(
                condition=Q(tier__isnull=True) | Q(outcome="urgent", tier__in=outcomes.TIERS),
                name="case_tier_of_a_red_flag",
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
        URGENT_AGAIN = "urgent_again", "urgent case alert again (nobody has taken it)"
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


class Treatment(models.Model):
    """A treatment given to the patient of a case (issue 20): what, when, where on the spine, by whom.
    A case can have several over time; each will carry its own follow-up schedule."""

    class Kind(models.TextChoices):
        PRP = "prp", "Platelet-rich plasma (PRP)"
        ADIPOSE = "adipose", "Adipose-derived regenerative cells"
        BONE_MARROW = "bone_marrow", "Bone-marrow cells"
        WHARTONS_JELLY = "whartons_jelly", "Wharton's jelly"
        HYDRODISSECTION = "hydrodissection", "Hydrodissection"
        RFA = "rfa", "Radiofrequency ablation"
        OTHER = "other", "Other"

    class Side(models.TextChoices):
        LEFT = "left", "Left"
        RIGHT = "right", "Right"
        BOTH = "both", "Both sides"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="treatments")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    other = models.CharField(max_length=200, blank=True)  # what it was, when the kind is "other"
    given_on = models.DateField()
    levels = models.JSONField(default=list)  # codes of the intake's spinal levels ("l4_l5")
    side = models.CharField(max_length=5, choices=Side.choices)
    clinician = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "prp",
                        "adipose",
                        "bone_marrow",
                        "whartons_jelly",
                        "hydrodissection",
                        "rfa",
                        "other",
                    ]
                ),
                name="treatment_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(other=""), name="treatment_other_named"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.given_on} for case {self.case_id}"

    @property
    def what(self) -> str:
        return self.other if self.kind == self.Kind.OTHER else self.get_kind_display()

    @property
    def level_names(self) -> str:
        """ "L4-L5, L5-S1": the levels as the intake names them."""
        from screening.intake.catalogue.schema import SPINAL_LEVELS

        names = dict(SPINAL_LEVELS)
        return ", ".join(str(names.get(code, code)) for code in self.levels)
