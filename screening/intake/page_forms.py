"""Intake step forms, built from the catalogue: one Django field per question, validated on the server.

Every field is optional at the Django level; ``clean()`` decides what is required, because whether a question
applies can depend on another answer on the same page (and answers to questions that do not apply are dropped).
Error messages say what to fix in the question's own words (../shared/UX.md).
"""

import json
import re
from datetime import date
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from screening.forms_base import DescribedForm, has_hidden_characters
from screening.intake.answer_display import display_value
from screening.intake.branching import context, is_answered, question_shown
from screening.intake.catalogue import QUESTIONS, Kind, Page, Question
from screening.intake.consent import CONSENT_TEXTS
from screening.intake.form_parts import (
    PartsField,
    PartsWidget,
    month_number,
    numeric,
    parse_date,
    parse_int,
    parse_number,
)
from screening.intake.report_files import PICKER_TYPES

# Text limits; each fits its database column (tests/test_validation.py holds them together).
MAX_TEXT, MAX_LONG_TEXT, MAX_PHONE = 200, 2000, 40


def field_for(question: Question) -> forms.Field:
    label = (
        question.label
        if question.required
        else _("%(label)s (optional)") % {"label": question.label}
    )
    common = {
        "label": label,
        "help_text": question.hint,
        "required": False,
        "error_messages": {
            "invalid_choice": _("Select one of the options"),
            "null_characters_not_allowed": _("Remove the hidden control characters"),
        },
    }
    match question.kind:
        case Kind.TEXT | Kind.PHONE:
            attrs = {"autocomplete": question.autocomplete} if question.autocomplete else {}
            if question.kind == Kind.PHONE:
                attrs |= {"inputmode": "tel", "type": "tel"}
            return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
        case Kind.EMAIL:
            return forms.CharField(
                widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
                **common,
            )
        case Kind.LONG_TEXT:
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **common)
        case Kind.INTEGER:
            return forms.CharField(widget=numeric(**{"class": "fc-number"}), **common)
        case Kind.SCALE:
            choices = [(str(n), str(n)) for n in range(question.min_value, question.max_value + 1)]
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        case Kind.CHOICE | Kind.YES_NO | Kind.YES_NO_UNSURE:
            choices = question.choices or ()
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        case Kind.MULTI:
            field = forms.MultipleChoiceField(
                choices=question.choices, widget=forms.CheckboxSelectMultiple, **common
            )
            field.exclusive = question.exclusive
            return field
        case Kind.CONSENT:
            consent = CONSENT_TEXTS[question.key]
            return forms.BooleanField(**(common | {"label": consent.text}))
        case Kind.DATE:
            auto = (
                ("bday-day", "bday-month", "bday-year") if question.autocomplete == "bday" else ()
            )
            parts = [
                ("day", _("Day"), "w-2"),
                ("month", _("Month"), "w-2"),
                ("year", _("Year"), "w-4"),
            ]
            return PartsField(PartsWidget(parts, auto), **common)
        case Kind.MONTH_YEAR:
            parts = [("month", _("Month"), "w-2"), ("year", _("Year"), "w-4")]
            return PartsField(PartsWidget(parts), **common)
        case Kind.HEIGHT:
            parts = [
                ("cm", _("Centimetres"), "w-3"),
                ("ft", _("or feet"), "w-2"),
                ("in", _("and inches"), "w-2"),
            ]
            return PartsField(PartsWidget(parts), **common)
        case Kind.WEIGHT:
            parts = [("kg", _("Kilograms"), "w-3"), ("lb", _("or pounds"), "w-3")]
            return PartsField(PartsWidget(parts), **common)
        case Kind.FILE:
            return forms.FileField(widget=ReportFilesInput(), **common)
    raise ValueError(f"No form field for {question.kind}")


class ReportFilesInput(forms.ClearableFileInput):
    """A file picker for several files, under the list of those attached already, each with its own
    "Remove" button (a button of the page's form: it works without JavaScript). The files themselves
    are taken by the view (report_services), not by the form: the form only shows them."""

    allow_multiple_selected = True
    template_name = "screening/widgets/report_files.html"

    def __init__(self):
        super().__init__(attrs={"accept": PICKER_TYPES})
        self.attached: list = []

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attached"] = self.attached
        return context


def initial_for(question: Question, value: Any) -> Any:
    """A stored answer as the form field expects it."""
    if value is None:
        return None
    match question.kind:
        case Kind.DATE:
            return date.fromisoformat(value)
        case Kind.INTEGER | Kind.SCALE:
            return str(value)
        case Kind.CONSENT:
            return bool(value)
    return value


def _named(q: Question, message: str, when: str = "", page_title: str = "") -> str:
    """A message about one item of a group named after it: "Block 2 (June 2026): enter the relief as a
    percentage from 0 to 100", "Physical therapy: enter the month of the last time you had it ...". On
    a page about that one thing (a treatment's page, headed by its name) it goes without, unless a
    month names it (a block: "Block 2 (June 2026)")."""
    if not q.group or str(q.group).lower() in message.lower():
        return message  # no group, or the message names it already ("... of block 2")
    if str(q.group) == page_title and not when:
        return message
    group = f"{q.group} ({when})" if when else str(q.group)
    return f"{group}: {message[:1].lower()}{message[1:]}"


class PageForm(DescribedForm):
    """The form of one intake page. ``answers`` in ``cleaned_data`` holds the values to store."""

    def __init__(
        self,
        *args,
        page: Page,
        stored: dict[str, Any],
        today: date,
        require_answers: bool = True,
        file_errors: dict[str, list[str]] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.page, self.stored, self.today = page, stored, today
        self.file_errors = file_errors or {}
        self.require_answers = require_answers
        self.answers: dict[str, Any] = {}
        own_keys = {q.key for q in page.questions}
        ctx = context(stored, today)
        self.questions: list[Question] = []
        self.reveal: dict[str, list[dict]] = {}
        for q in page.questions:
            outside = [w for w in (*page.show_if, *q.show_if) if w.key not in own_keys]
            if not all(w.holds(stored, ctx) for w in outside):
                continue  # does not apply, given answers on other pages
            self.questions.append(q)
            self.fields[q.key] = field_for(q)
            if q.kind == Kind.FILE:  # its files are listed by show_reports
                continue
            self.initial[q.key] = initial_for(q, stored.get(q.key))
            inside = [w for w in q.show_if if w.key in own_keys]
            if inside:
                self.reveal[q.key] = [{"key": w.key, "op": w.op, "value": w.value} for w in inside]
        self.helper = self._helper()
        self.describe()

    def _helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        items: list = []
        current_group, group_items = None, []
        # A page about one thing (a treatment, a block) is headed by it: its questions need no legend
        page_title = str(self.page.title)
        for q in self.questions:
            item = (
                Div(
                    q.key, css_class="fc-reveal", **{"data-show-if": json.dumps(self.reveal[q.key])}
                )
                if q.key in self.reveal
                else q.key
            )
            group = self.page.consent_legend if q.kind == Kind.CONSENT else q.group
            if group != current_group and group_items:
                items.append(
                    Fieldset(current_group, *group_items, css_class="fc-group")
                    if current_group and str(current_group) != page_title
                    else Div(*group_items)
                )
                group_items = []
            current_group = group
            group_items.append(item)
        if group_items:
            items.append(
                Fieldset(current_group, *group_items, css_class="fc-group")
                if current_group and str(current_group) != page_title
                else Div(*group_items)
            )
        helper.layout = Layout(*items)
        return helper

    def show_reports(self, reports: dict[str, list]) -> None:
        """List the files attached to each upload question, each with its "Remove" button."""
        for q in self.questions:
            if q.kind == Kind.FILE:
                self.fields[q.key].widget.attached = reports.get(q.key, [])

    # --- validation -----------------------------------------------------------------------
    def clean(self):
        cleaned = super().clean()
        values: dict[str, Any] = {}
        self._values = values  # converted so far, in page order (a block's month names its errors)
        for q in self.questions:
            if q.kind == Kind.FILE:  # how many are attached: the view took the files sent
                values[q.key] = self.stored.get(q.key)
                for message in self.file_errors.get(q.key, []):
                    self.add_error(q.key, forms.ValidationError(message, code="file"))
                continue
            if q.key in self.errors:
                continue
            try:
                values[q.key] = self._convert(q, cleaned.get(q.key))
            except forms.ValidationError as error:
                self.add_error(q.key, error)
        merged = {**self.stored, **values}
        ctx = context(merged, self.today)
        for q in self.questions:
            if not question_shown(q, merged, ctx):
                self.answers[q.key] = (
                    None  # no longer applies: cleared, later stored as "not asked"
                )
                if q.key in self.errors:
                    del self.errors[q.key]
                continue
            if q.key in self.errors or q.kind == Kind.FILE:
                continue  # files attached are rows of their own, not an answer to store
            value = values.get(q.key)
            if self.require_answers and q.required and not is_answered(value):
                self.add_error(
                    q.key,
                    forms.ValidationError(
                        self._named(q, str(q.error_required or _("Answer this question"))),
                        code="required",
                    ),
                )
                continue
            self.answers[q.key] = value
        return cleaned

    def _convert(self, q: Question, raw: Any) -> Any:
        """Turn a field's raw value into the stored answer, or raise a message saying what to fix."""
        if raw in (None, "", [], False):
            return None
        match q.kind:
            case Kind.TEXT | Kind.LONG_TEXT:
                limit = MAX_LONG_TEXT if q.kind == Kind.LONG_TEXT else MAX_TEXT
                if len(raw) > limit:
                    raise forms.ValidationError(
                        _("Your answer to “%(question)s” must be %(limit)s characters or fewer"),
                        code="too_long",
                        params={"limit": limit, "question": q.label},
                    )
                # Line breaks only where the answer is a box of several lines; tabs nowhere.
                if has_hidden_characters(raw, allowed="\n\r" if q.kind == Kind.LONG_TEXT else ""):
                    raise forms.ValidationError(
                        _(
                            "Remove the hidden control characters from your answer to “%(question)s”"
                        ),
                        code="control",
                        params={"question": q.label},
                    )
                return raw
            case Kind.EMAIL:
                if (
                    len(raw) > 254
                    or has_hidden_characters(raw)
                    or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", raw)
                ):
                    raise forms.ValidationError(
                        _("Enter an email address in the correct format, like name@example.com"),
                        code="email",
                    )
                return raw
            case Kind.PHONE:
                digits = re.sub(r"\D", "", raw)
                if (
                    len(raw) > MAX_PHONE
                    or not re.fullmatch(r"[0-9+()\-. ]+", raw)
                    or not 7 <= len(digits) <= 15
                ):
                    raise forms.ValidationError(
                        _("Enter a phone number, like 555 010 0199 or +1 555 010 0199"),
                        code="phone",
                    )
                return raw
            case Kind.INTEGER:
                return self._integer(q, raw)
            case Kind.SCALE:
                return int(raw)
            case Kind.MULTI:
                chosen = [code for code, _label in q.choices if code in raw]  # catalogue order
                if len(chosen) > 1 and any(code in q.exclusive for code in chosen):
                    names = f" {_('or')} ".join(f'"{q.choice_label(c)}"' for c in q.exclusive)
                    raise forms.ValidationError(
                        _("Select %(names)s on its own, or untick it"),
                        code="exclusive",
                        params={"names": names},
                    )
                return chosen
            case Kind.CONSENT:
                return True
            case Kind.DATE:
                return self._date(q, raw)
            case Kind.MONTH_YEAR:
                return self._month_year(q, raw)
            case Kind.HEIGHT:
                return self._height(raw)
            case Kind.WEIGHT:
                return self._weight(raw)
        return raw

    def _integer(self, q: Question, raw: str) -> int:
        number = parse_int(raw, str(q.unit))
        low, high = q.min_value or 0, q.max_value
        params = {"low": low, "high": high, "unit": q.unit, "item": q.item or q.label}
        if q.unit == "%":
            message = _("Enter %(item)s from %(low)s to %(high)s")
        elif q.unit:
            message = _("Enter %(item)s, a number of %(unit)s from %(low)s to %(high)s")
        else:
            message = _("Enter %(item)s, a number from %(low)s to %(high)s")
        if number is None:  # "lots", "1.5": a whole number, then
            message = (
                _("Enter %(item)s, a whole number from %(low)s to %(high)s")
                if q.unit == "%"
                else _("Enter %(item)s as a whole number from %(low)s to %(high)s")
            )
        if number is None or number < low or (high is not None and number > high):
            code = "not_a_number" if number is None else "out_of_range"
            raise forms.ValidationError(
                self._named(q, message % params, self._block_month(q)), code=code
            )
        return number

    def _named(self, q: Question, message: str, when: str = "") -> str:
        return _named(q, message, when, str(self.page.title))

    def _block_month(self, q: Question) -> str:
        """A block's month and year as the patient gave it on this page ("June 2026"), to name it by."""
        match = re.fullmatch(r"(block_\d+)_.*", q.key)
        month = self._values.get(f"{match.group(1)}_date") if match else None
        return display_value(QUESTIONS[f"{match.group(1)}_date"], month) if month else ""

    def _date(self, q: Question, raw: dict) -> str:
        return parse_date(raw, q.label, self.today, birth=q.key == "date_of_birth").isoformat()

    def _month_year(self, q: Question, raw: dict) -> str:
        month_text, year_text = (raw.get("month") or "").strip(), (raw.get("year") or "").strip()
        item = {"item": q.item or _("this date")}
        if not month_text or not year_text:
            message = (
                _("Enter both the month and the year of %(item)s")
                if q.required
                else _("Enter both the month and the year of %(item)s, or leave both blank")
            )
            raise forms.ValidationError(self._named(q, message % item), code="incomplete")
        month = parse_int(month_text) or month_number(month_text)
        year = parse_int(year_text)
        if not month or not 1 <= month <= 12:
            message = _("Enter the month of %(item)s as a number from 1 to 12, or a month name")
            raise forms.ValidationError(self._named(q, message % item), code="month")
        if year is None or len(year_text) != 4 or year < 1900:
            message = _("Enter the year of %(item)s with 4 numbers, like 2024")
            raise forms.ValidationError(self._named(q, message % item), code="year")
        if (year, month) > (self.today.year, self.today.month):
            message = _("The month of %(item)s must be this month or in the past")
            raise forms.ValidationError(self._named(q, message % item), code="future")
        return f"{year:04d}-{month:02d}"

    def _height(self, raw: dict) -> dict:
        cm, ft, inches = (raw.get(k) or "" for k in ("cm", "ft", "in"))
        if cm and (ft or inches):
            raise forms.ValidationError(
                _("Enter your height in centimetres, or in feet and inches, not both"),
                code="both_units",
            )
        if cm:
            value = parse_number(cm, "cm")
            if value is None:
                raise forms.ValidationError(
                    _("Enter your height in centimetres as a number, like 170"), code="number"
                )
            if not 100 <= value <= 250:
                raise forms.ValidationError(
                    _("Height must be between 100 and 250 centimetres"), code="range"
                )
            return {"cm": value}
        feet, extra = parse_int(ft), parse_int(inches) if inches else 0
        if feet is None or extra is None or not 3 <= feet <= 8 or not 0 <= extra <= 11:
            raise forms.ValidationError(
                _("Height must be between 3 and 8 feet, with 0 to 11 inches"), code="range"
            )
        return {"ft": feet, "in": extra}

    def _weight(self, raw: dict) -> dict:
        kg, lb = raw.get("kg") or "", raw.get("lb") or ""
        if kg and lb:
            raise forms.ValidationError(
                _("Enter your weight in kilograms or in pounds, not both"), code="both_units"
            )
        if kg:
            value = parse_number(kg, "kg")
            if value is None:
                raise forms.ValidationError(
                    _("Enter your weight in kilograms as a number, like 72"), code="number"
                )
            if not 30 <= value <= 300:
                raise forms.ValidationError(
                    _("Weight must be between 30 and 300 kilograms"), code="range"
                )
            return {"kg": value}
        value = parse_number(lb, "lb")
        if value is None:
            raise forms.ValidationError(
                _("Enter your weight in pounds as a number, like 160"), code="number"
            )
        if not 66 <= value <= 660:
            raise forms.ValidationError(_("Weight must be between 66 and 660 pounds"), code="range")
        return {"lb": value}

    # --- for the error summary --------------------------------------------------------------
    def error_links(self) -> list[tuple[str, str]]:
        """(anchor id, message) for each error, in page order, linking to the first input of the field."""
        links = []
        for q in self.questions:
            for message in self.errors.get(q.key, []):
                multi = q.kind in {
                    Kind.SCALE,
                    Kind.CHOICE,
                    Kind.YES_NO,
                    Kind.YES_NO_UNSURE,
                    Kind.MULTI,
                    Kind.DATE,
                    Kind.MONTH_YEAR,
                    Kind.HEIGHT,
                    Kind.WEIGHT,
                }
                links.append((f"id_{q.key}_0" if multi else f"id_{q.key}", message))
        return links
