"""The rules admins' forms: a rule's condition in the clinicians' editor (a question picked by its wording,
an operator in words, a value of the question's kind), publishing and restoring, and test cases."""

import json

from django import forms
from django.utils import timezone

from screening import clock
from screening.intake import file_format
from screening.intake.facts import fact_groups, fact_specs
from screening.intake.models import Intake
from screening.rules import outcomes
from screening.rules.engine import Condition, check_condition
from screening.rules.models import ConditionDraft, RuleTestCase
from screening.rules.rulesets import draft_data
from screening.rules.terms import OPERATORS_FOR, STATE_OPERATORS, FactType, Op
from screening.rules.wording import OP_LABELS


def _fact_choices():
    """The facts grouped by intake section (optgroups), in the patient's order."""
    return [("", "Choose a question or fact"), *((t, list(items)) for t, items in fact_groups())]


OP_CHOICES = [(op.value, OP_LABELS[op]) for op in OP_LABELS]
PERIOD_UNITS = [("months", "months"), ("days", "days")]
CHOICE_OPS = {Op.ONE_OF, Op.NONE_OF}


def editor_data() -> dict:
    """What the editor's script needs per fact: its type, unit, choices and the operators that fit it
    (rules/static/screening/rule_editor.js): the same facts and words the server checks against."""
    return {
        key: {
            "type": str(spec.type),
            "unit": spec.unit,
            "choices": [list(c) for c in spec.choice_labels],
            "ops": [op.value for op in editor_ops(spec)],
        }
        for key, spec in fact_specs().items()
    }


class ConditionForm(forms.ModelForm):
    """A condition in the clinicians' editor: a question picked from its section by its wording, an
    operator in words, and a value of the question's kind: its answers ticked, a number with its unit, or
    a period as a number of months or days. No codes are typed."""

    fact = forms.ChoiceField(label="Question or fact", choices=_fact_choices)
    op = forms.ChoiceField(label="Condition", choices=OP_CHOICES)
    choices = forms.MultipleChoiceField(
        label="Answers", required=False, widget=forms.CheckboxSelectMultiple
    )
    number = forms.FloatField(label="Number", required=False)
    period_amount = forms.IntegerField(label="Within the last", required=False, min_value=1)
    period_unit = forms.ChoiceField(
        label="Months or days", required=False, choices=PERIOD_UNITS, initial="months"
    )

    class Meta:
        model = ConditionDraft
        fields = ["position", "fact", "op"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kept = self.instance.fact
        if kept and kept in fact_specs() and not any(kept in dict(i) for _t, i in fact_groups()):
            # A condition on a question no longer asked stays as it is (older intakes may answer it);
            # no new condition can pick one
            label = f"{fact_specs()[kept].label} (no longer asked)"
            self.fields["fact"].choices = [
                *_fact_choices(),
                ("No longer asked (older intakes only)", [(kept, label)]),
            ]
        key = self.data.get(self.add_prefix("fact")) if self.is_bound else self.instance.fact
        spec = fact_specs().get(key or "")
        if spec is not None:
            self.fields["choices"].choices = list(spec.choice_labels)
            if spec.unit:
                self.fields["number"].label = f"Number ({spec.unit})"
        value = self.instance.value
        if self.instance.pk and not self.is_bound:
            if isinstance(value, list):
                self.initial["choices"] = value
            elif isinstance(value, dict) and "amount" in value:
                self.initial["period_amount"] = value["amount"]
                self.initial["period_unit"] = value["unit"]
            elif isinstance(value, int | float) and not isinstance(value, bool):
                self.initial["number"] = value
            elif isinstance(value, str):
                self.initial["choices"] = [value]

    def clean(self):
        cleaned = super().clean()
        fact, op = cleaned.get("fact"), cleaned.get("op")
        if not fact or not op:
            return cleaned
        spec, op = fact_specs()[fact], Op(op)
        fits = editor_ops(spec)  # the same list the editor's script offers
        if op not in fits:
            fitting = [OP_LABELS[o] for o in fits]
            self.add_error(
                "op",
                f"“{OP_LABELS[op]}” does not fit this question. Choose one of: "
                f"{', '.join(fitting)}.",
            )
            return cleaned
        value = self._value(op, spec, cleaned)
        if value is _MISSING:
            return cleaned
        problem = check_condition(Condition(fact, op, value), fact_specs())
        if problem:
            self.add_error(None, problem[0].upper() + problem[1:] + ".")
        self.instance.value = value
        return cleaned

    def _value(self, op: Op, spec, cleaned: dict):
        """The condition's value from the field that fits its operator, or _MISSING (with an error)."""
        if op in STATE_OPERATORS or op in (Op.IS_YES, Op.IS_NO):
            return None
        ticked = cleaned.get("choices") or []
        if op in CHOICE_OPS:
            if not ticked:
                self.add_error("choices", "Tick one or more answers.")
                return _MISSING
            return list(ticked)
        if op == Op.WITHIN_LAST:
            amount, unit = cleaned.get("period_amount"), cleaned.get("period_unit") or "months"
            if amount is None:
                self.add_error("period_amount", "Enter a whole number of months or days, like 3.")
                return _MISSING
            return {"amount": amount, "unit": unit}
        if spec.type == FactType.NUMBER:
            number = cleaned.get("number")
            if number is None:
                self.add_error("number", "Enter a number, like 80 or 40.5.")
                return _MISSING
            return int(number) if float(number).is_integer() else number
        if len(ticked) != 1:
            self.add_error(
                "choices",
                f"Tick exactly one answer for “{OP_LABELS[op]}” (for several, choose “is one of”).",
            )
            return _MISSING
        return ticked[0]


_MISSING = object()


def editor_ops(spec) -> list[Op]:
    return [
        op
        for op in OP_LABELS
        if op in STATE_OPERATORS
        or (
            op in OPERATORS_FOR[spec.type]
            and (op not in (Op.IS_YES, Op.IS_NO) or {"yes", "no"} <= spec.choices)
        )
    ]


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


MAX_FILE_BYTES = 1_000_000  # an intake file is a few kilobytes


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
        if upload.size > MAX_FILE_BYTES:
            self.add_error("intake_file", "This file is over 1 MB: upload one intake file (.json).")
            return
        try:
            data = json.loads(upload.read().decode("utf-8"))
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
