"""The intake's tables: one intake per patient visit, identity kept apart, consents with versions."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from screening import clock
from screening.intake.catalogue import QUESTIONS
from screening.intake.consent import CONSENT_TEXTS
from screening.intake.safety import TIERS

CONTACT_METHODS = QUESTIONS["contact_method"].choices


class Intake(models.Model):
    """One patient's intake, from first page to submission. Addressed by its reference, never its id."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    reference = models.CharField(max_length=12, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    questionnaire_version = models.CharField(max_length=20)
    # The language the patient chose (issue 18): the draft's pages and e-mails speak it; staff see it
    language = models.CharField(max_length=8, default="en")
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
    created_at = clock.ClockedDateTimeField(auto_now_add=True)
    updated_at = clock.ClockedDateTimeField(auto_now=True)
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


class ScanReport(models.Model):
    """A scan report attached to an intake (issue 19): by the patient on the imaging page, or by a
    coordinator from a report received by post or e-mail.

    The file lives in the "scan_reports" storage under ``storage_name``, a random key: never a name the
    patient gave, never a guessable address. Staff open it through the case page only (each read audited).
    The row goes with its intake; the file goes after the transaction that dropped the row commits.
    """

    class ScanStatus(models.TextChoices):
        CLEAN = "clean", "Scanned: no virus found"
        NOT_SCANNED = "not_scanned", "Not scanned"

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="reports")
    question = models.CharField(max_length=40)  # the catalogue's upload question: report_mri, ...
    storage_name = models.CharField(max_length=80, unique=True, editable=False)
    # The name the patient's device gave it, shown to them (to tell their files apart) and to staff;
    # never part of the stored file's name or of any address
    original_name = models.CharField(max_length=120, blank=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    sha1 = models.CharField(max_length=40, blank=True)  # FHIR's Attachment.hash is a SHA-1
    scan_status = models.CharField(max_length=12, choices=ScanStatus.choices)
    added_at = clock.ClockedDateTimeField(auto_now_add=True)
    # Who attached it: the patient (null) or a coordinator
    added_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["added_at", "id"]
        indexes = [models.Index(fields=["intake", "question"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(scan_status__in=["clean", "not_scanned"]),
                name="scan_report_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"Scan report {self.pk} of {self.intake_id}"
