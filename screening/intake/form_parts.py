"""Building blocks of the patient forms: labelled multi-box inputs (dates, heights) and their parsing."""

import calendar
import re
from datetime import date
from functools import lru_cache

from django import forms
from django.conf import settings
from django.utils import dates, formats, translation
from django.utils.translation import gettext_lazy as _

from screening.intake.folding import fold
from screening.intake.scoring import age_on


def month_number(text: str) -> int | None:
    """The month a patient typed by name, in any language the app speaks: "July", "jul", "Sept",
    "julio", "sep", "setiembre" (accents and case ignored)."""
    folded = fold(text.strip().rstrip("."))
    names = _month_names()
    return names.get(folded) or names.get(folded[:4]) or names.get(folded[:3])


@lru_cache(maxsize=1)
def _month_names() -> dict[str, int]:
    names = {
        name.lower(): n
        for n in range(1, 13)
        for name in (calendar.month_name[n], calendar.month_abbr[n], calendar.month_name[n][:4])
    }
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for n in range(1, 13):
                full = fold(str(dates.MONTHS[n]))
                names.setdefault(full, n)
                names.setdefault(full[:4], n)
                names.setdefault(fold(str(dates.MONTHS_3[n])), n)
    names.setdefault("setiembre", 9)  # the spelling of part of Latin America
    return names


_PART_NAMES = {"day": _("day"), "month": _("month"), "year": _("year")}


def numeric(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false", **attrs})


# What people type after a number, per unit: "85%", "85 %", "7 hours", "7h", "12 wks".
# What people type after a number, in English and Spanish, each set holding a unit's own word as the
# catalogue says it in either language ("months", "meses"): "85%", "85 por ciento", "7 hours", "7 h",
# "12 wks", "3 meses", "1 mes".
UNIT_WORDS: tuple[frozenset[str], ...] = (
    frozenset({"%", "percent", "per cent", "pc", "por ciento"}),
    frozenset({"h", "hr", "hrs", "hour", "hours", "hora", "horas"}),
    frozenset({"w", "wk", "wks", "week", "weeks", "sem", "semana", "semanas"}),
    frozenset({"m", "mo", "mos", "month", "months", "mes", "meses"}),
    frozenset({"kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramo", "kilogramos"}),
    frozenset({"lb", "lbs", "pound", "pounds", "libra", "libras"}),
    frozenset(
        {"cm", "cms", "centimetre", "centimetres", "centimeter", "centimeters", "centimetro"}
        | {"centimetros"}
    ),
)
_NUMBER_AND_WORD = re.compile(r"([0-9][0-9.,]{0,9})[ \t]*([^\d\s][^\n]{0,19})?")
LONGEST_NUMBER_ANSWER = 30  # characters: "85 per cent" is 11; a longer answer is not a number


def _without_unit(text: str, unit: str) -> str | None:
    """The number part of "85%", "7 hours" or "7h" when its word fits ``unit`` (or there is none)."""
    text = (text or "").strip()
    if len(text) > LONGEST_NUMBER_ANSWER:  # refused before any pattern sees it
        return None
    match = _NUMBER_AND_WORD.fullmatch(text)
    if not match:
        return None
    number, word = match.groups()
    if word is None:
        return number
    word = fold(word.strip().rstrip("."))
    unit = fold(str(unit or ""))
    fits = {unit, unit.rstrip("s")} - {""}
    for words in UNIT_WORDS:
        if unit in words:
            fits |= words
    return number if word in fits else None


def parse_int(text: str, unit: str = "") -> int | None:
    """A whole number, with or without its unit after it ("85%", "7 hours")."""
    text = _without_unit(text, unit) or ""
    return int(text) if re.fullmatch(r"\d{1,6}", text) else None


def parse_number(text: str, unit: str = "") -> int | float | None:
    """A number with up to two decimals (a comma works as the point), with or without its unit;
    a whole number stays whole, so "450" is shown back as 450, not 450.0."""
    text = (_without_unit(text, unit) or "").replace(",", ".")
    if not re.fullmatch(r"\d{1,4}(\.\d{1,2})?", text):
        return None
    number = float(text)
    return int(number) if number.is_integer() else number


class PartsWidget(forms.MultiWidget):
    """Several labelled text boxes answering one question (a date, a height)."""

    template_name = "screening/widgets/parts.html"

    def __init__(self, parts: list[tuple[str, str, str]], autocomplete: tuple[str, ...] = ()):
        # parts: (name, label, width class)
        self.parts = parts
        widgets = {}
        for i, (name, _label, _width) in enumerate(parts):
            attrs = {"autocomplete": autocomplete[i]} if autocomplete else {}
            widgets[name] = numeric(**attrs)
        super().__init__(widgets)

    def get_context(self, name, value, attrs):
        ctx = super().get_context(name, value, attrs)
        for sub, (_name, label, width) in zip(ctx["widget"]["subwidgets"], self.parts, strict=True):
            sub["part_label"], sub["width"] = label, width
        return ctx

    def decompress(self, value):
        if not value:
            return [None] * len(self.parts)
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        if isinstance(value, str):  # "YYYY-MM"
            year, month = value.split("-")
            return [int(month), int(year)]
        # A stored 72.5 is shown back as the patient's language writes it ("72,5" in Spanish)
        return [
            formats.number_format(part)
            if isinstance(part, float) and not part.is_integer()
            else part
            for part in (value.get(name) for name, _label, _width in self.parts)
        ]


class PartsField(forms.MultiValueField):
    """Collects the raw text of each part; the form's clean turns it into one answer."""

    def __init__(self, widget: PartsWidget, **kwargs):
        fields = [forms.CharField(required=False, strip=True) for _ in widget.parts]
        kwargs["required"] = False
        super().__init__(fields, widget=widget, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        return dict(zip([name for name, _l, _w in self.widget.parts], data_list, strict=True))


def parse_date(raw: dict, label: str, today: date, *, birth: bool = False) -> date:
    """A date from day, month and year boxes (a month may be a name), or a message saying what to fix."""
    parts = {k: (raw.get(k) or "").strip() for k in ("day", "month", "year")}
    missing = [name for name in ("day", "month", "year") if not parts[name]]
    if missing:
        raise forms.ValidationError(
            _("%(label)s must include a %(part)s"),
            code="incomplete",
            params={"label": label, "part": _PART_NAMES[missing[0]]},
        )
    month_text = parts["month"].lower()
    month = parse_int(month_text) or month_number(month_text)
    day, year = parse_int(parts["day"]), parse_int(parts["year"])
    if year is not None and len(parts["year"]) != 4:
        raise forms.ValidationError(_("Year must include 4 numbers"), code="year_digits")
    try:
        value = date(year, month, day)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise forms.ValidationError(
            _("%(label)s must be a real date"), code="invalid_date", params={"label": label}
        ) from None
    if value > today:
        raise forms.ValidationError(
            _("%(label)s must be in the past"), code="future", params={"label": label}
        )
    if birth:
        age = age_on(value, today)
        if age < 18:
            raise forms.ValidationError(
                _("You must be 18 or older to use this form. Check the year of your date of birth"),
                code="too_young",
            )
        if age > 110:
            raise forms.ValidationError(
                _("Check the year of your date of birth: it must be within the last 110 years"),
                code="too_old",
            )
    return value


def date_parts_field(label: str, *, birth: bool = False) -> PartsField:
    auto = ("bday-day", "bday-month", "bday-year") if birth else ()
    parts = [("day", _("Day"), "w-2"), ("month", _("Month"), "w-2"), ("year", _("Year"), "w-4")]
    return PartsField(PartsWidget(parts, auto), label=label)
