"""The rules admins' forms: a rule's condition (a fact chosen by its label, an operator that fits it, a value
checked against it), and the note that goes with publishing."""

from django import forms

from screening.intake.facts import fact_specs
from screening.rules.engine import Condition, Op, check_condition
from screening.rules.models import ConditionDraft
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
        help_text="Why these rules changed: it is kept with the version.",
        error_messages={"required": "Enter a note saying why the rules changed."},
    )
    rescreen = forms.BooleanField(
        required=False,
        initial=True,
        label="Re-screen submitted intakes",
        help_text="Screen every submitted intake again with the new version, in the background. Earlier "
        "results are kept.",
    )
