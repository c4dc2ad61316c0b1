"""A case's history for the case page: one list, newest first, from the rows that hold each event.

Notes, contacts, amendments, bookings and completion links come from their own tables (they hold the
content); views, claims, assignments, status changes, re-screens and exports come from the audit log. A
fixed number of queries, however long the history.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from screening.catalogue import QUESTIONS
from screening.display import display_value
from screening.models import AuditEvent, Case, ScreeningResult

# Audit actions whose content the timeline shows from their own table instead.
_FROM_OWN_TABLE = {
    "case.note",
    "case.contact",
    "case.amend",
    "case.book",
    "case.completion_link",
}
_STATUS_LABELS = dict(Case.Status.choices)
_REASON_LABELS = dict(Case.CloseReason.choices)
LIMIT = 300
VIEWS_LIMIT = 50


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # a CSS-friendly name: submitted, screened, viewed, status, note, contact, ...
    title: str
    who: str = ""
    text: str = ""  # shown as written (notes), escaped by the template


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _value(key: str, value) -> str:
    question = QUESTIONS.get(key)
    if question is None or value in (None, "", []):
        return "no answer"
    return display_value(question, value)


def case_timeline(case: Case) -> list[Entry]:
    intake = case.intake
    entries: list[Entry] = []
    if intake.submitted_at:
        entries.append(Entry(intake.submitted_at, "submitted", "Intake sent by the patient"))
    for result in intake.screenings.select_related("ruleset").exclude(
        trigger=ScreeningResult.Trigger.DRAFT
    )[:LIMIT]:
        entries.append(
            Entry(
                result.screened_at,
                "screened",
                f"Screened ({result.get_trigger_display()}): "
                f"{result.outcome.replace('_', ' ')}, ruleset {result.ruleset or 'none'}",
            )
        )
    first_draft = (
        intake.screenings.filter(trigger=ScreeningResult.Trigger.DRAFT, outcome="urgent")
        .order_by("screened_at")
        .first()
    )
    if first_draft:
        entries.append(
            Entry(first_draft.screened_at, "screened", "Urgent red flag in the unsent intake")
        )
    trail = AuditEvent.objects.filter(object_type="case", object_ref=intake.reference)
    # Views are many: they are capped apart, so they never push changes off the timeline.
    for events in (
        trail.exclude(action__in={*_FROM_OWN_TABLE, "case.view"}).select_related("actor")[:LIMIT],
        trail.filter(action="case.view").select_related("actor")[:VIEWS_LIMIT],
    ):
        entries += [_audit_entry(event) for event in events]
    for note in case.notes.select_related("author")[:LIMIT]:
        entries.append(Entry(note.at, "note", "Note", _name(note.author), note.text))
    for contact in case.contacts.select_related("by")[:LIMIT]:
        entries.append(
            Entry(
                contact.at,
                "contact",
                f"{contact.get_channel_display()}: {contact.get_result_display().lower()}",
                _name(contact.by),
                contact.note,
            )
        )
    for amendment in case.amendments.select_related("by")[:LIMIT]:
        question = QUESTIONS.get(amendment.question)
        label = str(question.label) if question else amendment.question
        entries.append(
            Entry(
                amendment.at,
                "amendment",
                f"Answer changed, {amendment.get_source_display()}",
                _name(amendment.by) or "the patient",
                f"{label}: {_value(amendment.question, amendment.original)} → "
                f"{_value(amendment.question, amendment.new)}",
            )
        )
    for booking in case.bookings.select_related("booked_by")[:LIMIT]:
        entries.append(
            Entry(
                booking.at,
                "booking",
                f"Consultation booked for {timezone.localtime(booking.starts_at):%d %b %Y %H:%M} "
                f"({booking.get_mode_display().lower()}) with {booking.clinician}",
                _name(booking.booked_by),
            )
        )
    for link in case.completion_links.select_related("created_by")[:LIMIT]:
        entries.append(
            Entry(link.created_at, "link", "Completion link e-mailed", _name(link.created_by))
        )
        if link.used_at:
            entries.append(Entry(link.used_at, "link", "Completion link used by the patient"))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def _audit_entry(event: AuditEvent) -> Entry:
    who, detail = _name(event.actor), event.detail
    match event.action:
        case "case.view":
            title = "Viewed"
        case "case.claim":
            title = "Took the case"
        case "case.assign":
            title = f"Assigned to {detail.get('to') or 'nobody'}"
        case "case.status":
            title = f"Status: {_STATUS_LABELS.get(detail.get('to'), detail.get('to'))}"
            if detail.get("reason"):
                title += f" ({_REASON_LABELS.get(detail['reason'], detail['reason']).lower()})"
        case "case.rescreen":
            title = "Re-screen asked for"
        case "case.export":
            title = f"Exported ({detail.get('format', '')})"
        case _:
            title = event.action
    kind = event.action.removeprefix("case.")
    return Entry(event.at, kind, title, who)
