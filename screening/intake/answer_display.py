"""Answers as people read them: choice labels, dates in words, units. Used by every page that shows answers."""

from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import Any

from django.utils import formats, timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from screening.intake.catalogue import Kind, Question
from screening.intake.consent import CONSENT_TEXTS


def display_value(question: Question, value: Any, *, for_patient: bool = False) -> str:
    """An answer in words. Staff read a consent with the version of the text agreed to; a patient
    reads "Agreed" (the version is stored, not shown to them)."""
    if value in (None, "", []):
        return ""
    match question.kind:
        case Kind.CHOICE | Kind.YES_NO | Kind.YES_NO_UNSURE:
            return question.choice_label(value)
        case Kind.MULTI:
            return ", ".join(question.choice_label(code) for code in value)
        case Kind.DATE:
            # The format is translated with the words: "14 July 1971", "14 de julio de 1971"
            return formats.date_format(date.fromisoformat(value), pgettext("date", "j F Y"))
        case Kind.MONTH_YEAR:
            year, month = value.split("-")
            return formats.date_format(date(int(year), int(month), 1), pgettext("month", "F Y"))
        case Kind.SCALE:
            return _("%(score)s out of 10") % {"score": value}
        case Kind.INTEGER:
            unit = question.unit_one if value == 1 and question.unit_one else question.unit
            return f"{value} {unit}".strip() if unit != "%" else f"{value}%"
        case Kind.FILE:
            return ngettext("%(count)s file attached", "%(count)s files attached", value) % {
                "count": value
            }
        case Kind.CONSENT if for_patient:
            return _("Agreed")
        case Kind.CONSENT:
            return _("Agreed (version %(version)s)") % {
                "version": CONSENT_TEXTS[question.key].version
            }
        case Kind.HEIGHT:
            if "cm" in value:
                return _("%(cm)s cm") % {"cm": _number(value["cm"])}
            return _("%(ft)s ft %(inches)s in") % {"ft": value["ft"], "inches": value.get("in", 0)}
        case Kind.WEIGHT:
            if "kg" in value:
                return _("%(kg)s kg") % {"kg": _number(value["kg"])}
            return _("%(lb)s lb") % {"lb": _number(value["lb"])}
    return str(value)


def _number(value: float) -> str:
    """72.5 in English, 72,5 in Spanish: the decimal mark of the language the page is read in."""
    return formats.number_format(int(value) if float(value).is_integer() else value)


# --- Dates as the staff pages' lists show them ------------------------------------------------------
# A case page lists up to 350 timeline entries, and the queue 50 cases: a date filter per item costs
# more than the page's queries, so the lists' dates are worked out here, as text, for the templates.


def months_short() -> list[str]:
    """The month abbreviations of the "M" date format, in the active language."""
    return _months_short(get_language())


@lru_cache(maxsize=8)
def _months_short(language: str) -> list[str]:
    return [str(MONTHS_3[month]).title() for month in range(1, 13)]


def day_month_year(moment: datetime, months: list[str], zone: tzinfo | None = None) -> str:
    """As the "j M Y" date format, in local time (``zone``, else the current one): 3 Mar 2026."""
    local = moment.astimezone(zone or timezone.get_current_timezone())
    return f"{local.day} {months[local.month - 1]} {local.year}"
