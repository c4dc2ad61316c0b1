"""Coming back to the intake: resuming a saved form (the resume code and the date of birth), and the
date-of-birth check before a completion link opens."""

from datetime import date

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from screening.forms_base import DescribedForm
from screening.intake.catalogue import filled
from screening.intake.form_parts import date_parts_field, parse_date
from screening.intake.reference_codes import RESUME_LENGTH, normalise_resume_code


class ResumeForm(DescribedForm):
    """Resume a saved form on any device: the code shown when it was saved, and the date of birth."""

    code = forms.CharField(
        label=_("Resume code"),
        help_text=filled(
            _("The %(length)s letters and numbers you were shown, for example %(example)s."),
            length=RESUME_LENGTH,
            example="7KQ3M-XP4AC-9TRWD",
        ),
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    date_of_birth = date_parts_field(_("Date of birth"), birth=True)

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.describe()

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if not code:
            raise forms.ValidationError(_("Enter your resume code"), code="required")
        if normalise_resume_code(code) is None:
            raise forms.ValidationError(
                _("Enter the resume code exactly as shown: %(length)s letters and numbers"),
                code="format",
                params={"length": RESUME_LENGTH},
            )
        return code

    def clean_date_of_birth(self) -> date:
        raw = self.cleaned_data["date_of_birth"]
        if not raw:
            raise forms.ValidationError(_("Enter your date of birth"), code="required")
        return parse_date(raw, _("Date of birth"), self.today)

    def error_links(self) -> list[tuple[str, str]]:
        anchors = {"code": "id_code", "date_of_birth": "id_date_of_birth_0"}
        return [(anchors[k], m) for k in ("code", "date_of_birth") for m in self.errors.get(k, [])]


class BirthDateCheckForm(DescribedForm):
    """The check before a completion link opens: the patient's date of birth."""

    date_of_birth = date_parts_field(_("Date of birth"), birth=True)

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.describe()

    clean_date_of_birth = ResumeForm.clean_date_of_birth

    def error_links(self) -> list[tuple[str, str]]:
        return [("id_date_of_birth_0", m) for m in self.errors.get("date_of_birth", [])]
