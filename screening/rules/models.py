"""The rules' tables: the drafts rules admins edit, and the versions publishing freezes."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from screening import clock
from screening.rules import outcomes
from screening.rules.terms import Op


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
    tier = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=[(1, "1: emergency now"), (2, "2: medical care today"), (3, "3: the clinic calls")],
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


class NextStep(models.Model):
    """What staff do next for an outcome (or a red flag's tier): one line, published with the rules."""

    key = models.CharField(max_length=30, unique=True)
    text = models.CharField("next step", max_length=300)

    class Meta:
        ordering = ["key"]
        verbose_name = "next step"

    def __str__(self) -> str:
        return self.key


class RulesetVersion(models.Model):
    """A published ruleset: immutable, with its content, a hash of it, who published it, when and why."""

    number = models.PositiveIntegerField(unique=True)
    content = models.JSONField()  # the rules as data, in the format of default_rules.json
    next_steps = models.JSONField(default=dict, blank=True)  # key (outcome or tier) -> the line
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
