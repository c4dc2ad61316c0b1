"""Coordinator forms on a case: notes, contact attempts, assignment, booking. Errors say what to fix."""

from datetime import UTC, datetime, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from screening import clock
from screening.casework.models import Booking, ContactAttempt, Treatment
from screening.forms_base import StaffForm
from screening.intake.catalogue.schema import SPINAL_LEVELS

MAX_NOTE = 5000
MAX_CLINICIAN = 200
BOOKING_HORIZON_DAYS = 366


class NoteForm(StaffForm):
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_NOTE,
        error_messages={
            "required": "Enter the note",
            "max_length": f"Note must be {MAX_NOTE} characters or fewer",
        },
    )


class ContactForm(StaffForm):
    channel = forms.ChoiceField(
        label="How",
        choices=ContactAttempt.Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you tried to reach the patient"},
    )
    result = forms.ChoiceField(
        label="Result",
        choices=ContactAttempt.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what came of it"},
    )
    note = forms.CharField(
        label="Details (optional)",
        required=False,
        max_length=500,
        error_messages={"max_length": "Details must be 500 characters or fewer"},
    )


def coordinators():
    """Active staff who may work cases: the choices for assignment."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(groups__permissions__codename="change_case")
            | Q(user_permissions__codename="change_case")
            | Q(is_superuser=True)
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class AssigneeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class AssignForm(StaffForm):
    assignee = AssigneeChoice(
        label="Assign to",
        queryset=coordinators(),
        required=False,
        empty_label="Nobody",
        error_messages={"invalid_choice": "Select a coordinator from the list"},
    )


class BookingForm(StaffForm):
    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date of the consultation",
            "invalid": "Date must be a real date, like 2026-12-01",
        },
    )
    time = forms.TimeField(
        label="Time",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Enter the time of the consultation",
            "invalid": "Time must be a real time, like 14:30",
        },
    )
    clinician = forms.CharField(
        label="Clinician",
        max_length=MAX_CLINICIAN,
        error_messages={
            "required": "Enter the clinician's name",
            "max_length": f"Clinician must be {MAX_CLINICIAN} characters or fewer",
        },
    )
    mode = forms.ChoiceField(
        label="How",
        choices=Booking.Mode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select in person or video"},
    )

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("date"), cleaned.get("time")
        if day and time:
            starts_at = timezone.make_aware(datetime.combine(day, time))
            now = clock.now()
            # Through UTC and back: a local time the clock skips comes back an hour later.
            round_trip = timezone.localtime(starts_at.astimezone(UTC))
            if round_trip.replace(tzinfo=None) != datetime.combine(day, time):
                self.add_error(
                    "time", "That time does not exist on that day (the clocks go forward)"
                )
            elif starts_at <= now:
                self.add_error("date", "The consultation must be in the future")
            elif starts_at > now + timedelta(days=BOOKING_HORIZON_DAYS):
                self.add_error("date", "The consultation must be within a year")
            else:
                cleaned["starts_at"] = starts_at
        return cleaned


class ReportForm(StaffForm):
    """A scan report received by post or e-mail, added by a coordinator (checked and scanned as a
    patient's is)."""

    scan = forms.ChoiceField(
        label="Report of which scan",
        choices=[],
        error_messages={"required": "Select the scan this report is of"},
    )
    file = forms.FileField(
        label="The report (a PDF, or a photo of each printed page)",
        error_messages={
            "required": "Choose the report's file",
            "empty": "The file is empty: choose the report's file again",
        },
    )

    def __init__(self, *args, scans: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scan"].choices = [("", "Select a scan"), *scans]


class TreatmentForm(StaffForm):
    """A treatment given (issue 20). Errors say what to fix, by the field."""

    kind = forms.ChoiceField(
        label="Treatment",
        choices=Treatment.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the treatment given"},
    )
    other = forms.CharField(
        label="If other, which treatment",
        required=False,
        max_length=200,
        error_messages={"max_length": "Name the treatment in 200 characters or fewer"},
    )
    given_on = forms.DateField(
        label="Given on",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the day the treatment was given",
            "invalid": "Enter the day the treatment was given as a date, like 2026-12-01",
        },
    )
    levels = forms.MultipleChoiceField(
        label="Levels treated",
        choices=[(code, str(label)) for code, label in SPINAL_LEVELS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the levels treated"},
    )
    side = forms.ChoiceField(
        label="Side",
        choices=Treatment.Side.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the side treated"},
    )
    clinician = forms.CharField(
        label="Clinician",
        max_length=MAX_CLINICIAN,
        error_messages={
            "required": "Enter the clinician who gave the treatment",
            "max_length": f"Clinician must be {MAX_CLINICIAN} characters or fewer",
        },
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"Notes must be {MAX_NOTE} characters or fewer"},
    )

    def clean_given_on(self):
        given = self.cleaned_data["given_on"]
        if given > clock.today():
            raise forms.ValidationError(
                "The day the treatment was given must be today or in the past"
            )
        return given

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Treatment.Kind.OTHER and not (cleaned.get("other") or "").strip():
            self.add_error("other", "Name the treatment, since it is not in the list")
        return cleaned
