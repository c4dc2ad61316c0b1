"""The rules' tables: the drafts rules admins edit, and the versions publishing freezes."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from screening import clock
from screening.intake.facts import fact_specs
from screening.rules import outcomes
from screening.rules.engine import check_condition
from screening.rules.terms import Condition, Op
from screening.rules.wording import condition_text


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
    explanation = models.TextField(
        "clinical note",
        blank=True,
        help_text=(
            "Optional, for staff: what the finding means and where it comes from. The reason on a case "
            "is written from the conditions, so do not repeat their values here."
        ),
    )
    source = models.CharField(max_length=300, help_text="Where the rule comes from (a citation).")
    patient_message = models.TextField(
        blank=True, help_text="Red flags only: what the patient is told at once."
    )
    patient_message_es = models.TextField(
        "patient message in Spanish",
        blank=True,
        help_text=(
            "Red flags only: the same message for patients who fill the form in in Spanish (needed "
            "once the clinic offers Spanish)."
        ),
    )
    tier = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=outcomes.TIER_CHOICES,
        help_text="Red flags only: how urgent the advice the patient sees is.",
    )
    enabled = models.BooleanField(default=True)
    updated_at = clock.ClockedDateTimeField(auto_now=True)

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
        return self.title or self.key


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
        """The condition in words (the admin heads each condition block with it)."""
        condition = Condition(self.fact, self.op, self.value)
        if self.fact and self.op and check_condition(condition, fact_specs()) is None:
            return condition_text(Condition(self.fact, Op(self.op), self.value), fact_specs())
        return "Condition to fix" if self.fact else "New condition"


class NextStep(models.Model):
    """What staff do next for an outcome (or a red flag's tier): one line, published with the rules."""

    key = models.CharField(max_length=30, unique=True)
    text = models.CharField("next step", max_length=300)

    class Meta:
        ordering = ["key"]
        verbose_name = "next step"

    def __str__(self) -> str:
        return self.key


class Review(models.TextChoices):
    """How a version came to be published (the version page says it)."""

    APPROVED = "approved", "approved by a second person"
    ALONE = "alone", "published without a second review"
    RESTORED = "restored", "restored alone for an urgent correction: to be reviewed"


class RulesetVersion(models.Model):
    """A published ruleset: immutable, with its content, a hash of it, who published it, when and why."""

    Review = Review

    number = models.PositiveIntegerField(unique=True)
    content = models.JSONField()  # the rules as data, in the format of default_rules.json
    next_steps = models.JSONField(default=dict, blank=True)  # key (outcome or tier) -> the line
    content_hash = models.CharField(max_length=64)
    note = models.TextField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    published_at = models.DateTimeField()
    review = models.CharField(max_length=10, choices=Review.choices, default=Review.ALONE)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_rulesets",
    )
    approval = models.ForeignKey(
        "screening.ApprovalRequest", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        permissions = [
            ("publish_rulesetversion", "Can preview the rules and submit them to be published"),
            ("approve_rulesetversion", "Can approve publishing the rules (clinician sign-off)"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(review__in=Review.values), name="ruleset_review_known"
            ),
            models.CheckConstraint(
                condition=~Q(review="approved") | Q(approved_by__isnull=False),
                name="ruleset_approved_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class RulePreview(models.Model):
    """The draft screened against past intakes beside the published version, run in the background and
    kept with the draft's fingerprint until the draft (or the published version) changes."""

    class State(models.TextChoices):
        RUNNING = "running", "running"
        DONE = "done", "done"
        FAILED = "failed", "failed: the draft does not compile"
        STOPPED = "stopped", "stopped on an error"

    draft_hash = models.CharField(max_length=64)
    published_number = models.PositiveIntegerField(null=True, blank=True)
    days = models.PositiveSmallIntegerField(null=True, blank=True)  # None: every submitted intake
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(
        default=dict, blank=True
    )  # moves, with references and rules; no identity
    problems = models.JSONField(default=list, blank=True)  # why the draft could not be screened
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["draft_hash", "published_number", "days"])]

    def __str__(self) -> str:
        return f"preview {self.draft_hash[:12]}"


class RuleTestCase(models.Model):
    """An intake whose screening the clinic cares about, with the outcome it must have: run against the
    draft by the preview, the approval and ``manage.py test_rules``; publishing refuses while one fails.

    Its answers carry no identity and no free text; dates are kept as "N months before screening" and
    the age in years, so the case screens the same on any day."""

    name = models.CharField(max_length=200, unique=True)
    answers = (
        models.JSONField()
    )  # clinical answers; dates as {"months_before": n} or {"days_before": n}
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    expected_outcome = models.CharField(max_length=20, choices=outcomes.RULE_CHOICES)
    must_fire = models.SlugField(
        max_length=60, blank=True, help_text="Optional: the key of a rule that must fire."
    )
    must_not_fire = models.SlugField(
        max_length=60, blank=True, help_text="Optional: the key of a rule that must not fire."
    )
    source = models.CharField(
        max_length=200, blank=True
    )  # "case FC-…", "file", a clinical.md bullet
    source_intake = models.ForeignKey(
        "screening.Intake",
        null=True,
        blank=True,
        on_delete=models.CASCADE,  # the copy goes when its source case is purged
        related_name="+",
    )
    expectation_reason = models.TextField(blank=True)  # why the expectation last changed
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        verbose_name = "rule test case"
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_outcome__in=[o.value for o in outcomes.Outcome]),
                name="rule_test_outcome_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name
