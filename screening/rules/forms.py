"""The rules admins' forms: a rule's condition (a fact chosen by its label, an operator that fits it, a value
checked against it), and the note that goes with publishing."""

import json

from django import forms
from django.utils import timezone

from screening import clock
from screening.intake import file_format
from screening.intake.facts import fact_specs
from screening.intake.models import Intake
from screening.rules import outcomes
from screening.rules.engine import Condition, Op, check_condition
from screening.rules.models import ConditionDraft, RuleTestCase
from screening.rules.rulesets import draft_data
from screening.rules.values import format_value, parse_value


def _fact_choices():
    specs = fact_specs()
    return sorted(
        ((key, f"{spec.label or key} ({key})") for key, spec in specs.items()),
        key=lambda c: c[1].lower(),
    )


class ConditionForm(forms.ModelForm):
    """A condition: a fact chosen by its label, an operator that must fit it, a value checked against it."""

    fact = forms.ChoiceField(choices=_fact_choices)
    value_text = forms.CharField(
        label="Value",
        required=False,
        help_text="A number (80), a choice code (yes), codes separated by commas (pregnant, breastfeeding), "
        "or a period (3 months). Empty for 'is yes', 'is no', 'is answered' and 'is not answered'.",
    )

    class Meta:
        model = ConditionDraft
        fields = ["position", "fact", "op"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["value_text"] = format_value(self.instance.value)

    def clean(self):
        cleaned = super().clean()
        fact, op = cleaned.get("fact"), cleaned.get("op")
        if not fact or not op:
            return cleaned
        specs = fact_specs()
        try:
            value = parse_value(cleaned.get("value_text", ""), Op(op), specs.get(fact))
        except ValueError as error:
            self.add_error("value_text", str(error))
            return cleaned
        problem = check_condition(Condition(fact, Op(op), value), specs)
        if problem:
            self.add_error(
                "value_text"
                if "value" in problem or "choice" in problem or "number" in problem
                else "op",
                problem[0].upper() + problem[1:] + ".",
            )
        self.instance.value = value
        return cleaned


class PublishForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why these rules change: the approver reads it, and it is kept with the version.",
        error_messages={"required": "Enter a note saying why the rules changed."},
    )
    rescreen = forms.BooleanField(
        required=False,
        initial=True,
        label="Re-screen submitted intakes",
        help_text="Screen every submitted intake again with the new version, in the background. Earlier "
        "results are kept.",
    )


class RestoreForm(forms.Form):
    reason = forms.CharField(
        label="Why restore it now",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For an urgent correction only (a red-flag rule disabled by mistake, say): it is "
        "published at once, marked to be reviewed, and the rules approvers are asked to review it.",
        error_messages={
            "required": "Say why this version is restored without waiting for approval."
        },
    )


def _rule_choices():
    return [
        ("", "(none)"),
        *sorted(
            ((r["key"], f"{r['title']} ({outcomes.label(r['outcome'])})") for r in draft_data()),
            key=lambda c: c[1].lower(),
        ),
    ]


MAX_FILE_BYTES = 1_000_000


MAX_FILE_BYTES = 1_000_000


class RuleTestCaseForm(forms.ModelForm):
    """A test case: made from a case's reference (a copy without identity) or an intake file, with what it
    must give; a changed expectation needs a reason, kept and audited."""

    reference = forms.CharField(
        required=False,
        label="Copy a case",
        help_text="The case's reference (FC-…): its answers are copied without identity, free text or "
        "dates. Or upload an intake file below.",
    )
    intake_file = forms.FileField(
        required=False,
        label="Or an intake file",
        help_text="One intake in the documented format (docs/intake-format.md).",
    )
    must_fire = forms.ChoiceField(
        required=False, choices=_rule_choices, label="A rule that must fire"
    )
    must_not_fire = forms.ChoiceField(
        required=False, choices=_rule_choices, label="A rule that must not fire"
    )
    expectation_reason = forms.CharField(
        required=False,
        label="Why the expectation changes",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you change what an existing test case expects: it is kept with the case "
        "and in the audit log.",
    )

    class Meta:
        model = RuleTestCase
        fields = ["name", "expected_outcome", "must_fire", "must_not_fire"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["reference"], self.fields["intake_file"]
            self.initial["expectation_reason"] = ""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            expectation = ("expected_outcome", "must_fire", "must_not_fire")
            changed = any(cleaned.get(f, "") != getattr(self.instance, f) for f in expectation)
            if changed and not cleaned.get("expectation_reason", "").strip():
                self.add_error(
                    "expectation_reason", "Say why the expectation changes: it is kept and audited."
                )
            return cleaned
        reference, upload = cleaned.get("reference", "").strip().upper(), cleaned.get("intake_file")
        if bool(reference) == bool(upload):
            self.add_error(
                "reference", "Enter a case's reference, or upload an intake file (one of the two)."
            )
        elif reference:
            self._from_case(reference, cleaned)
        else:
            self._from_file(upload, cleaned)
        return cleaned

    def _from_case(self, reference: str, cleaned: dict) -> None:
        intake = Intake.objects.filter(reference=reference, status=Intake.Status.SUBMITTED).first()
        if intake is None:
            self.add_error("reference", f"No submitted intake has the reference {reference}.")
            return
        cleaned["source"] = {"intake": intake}

    def _from_file(self, upload, cleaned: dict) -> None:
        today = clock.today()
        try:
            data = json.loads(upload.read(MAX_FILE_BYTES + 1)[:MAX_FILE_BYTES].decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self.add_error("intake_file", "This file is not JSON: upload an intake file (.json).")
            return
        checked = file_format.read(data, today)
        if checked.problems or len(checked.intakes) != 1:
            first = "; ".join(checked.problems[:3]) or "the file must hold exactly one intake"
            self.add_error("intake_file", f"Fix the file first: {first}.")
            return
        intake = checked.intakes[0]
        sent = timezone.localdate(intake.submitted_at) if intake.submitted_at else today
        cleaned["source"] = {"answers": intake.answers, "screened_on": sent}
