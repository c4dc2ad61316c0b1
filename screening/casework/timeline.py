"""A case's history for the case page: one list, newest first, from the rows that hold each event.

Notes, contacts, amendments, bookings and completion links come from their own tables (they hold the
content); views, claims, assignments, status changes, re-screens and exports come from the audit log. A
fixed number of queries, however long the history: two (screenings, audit trail), and one more for each
of the other tables that holds anything for the case.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, ExpressionWrapper, Q, Subquery
from django.utils import timezone

from screening.casework.models import Booking, Case, ScreeningResult
from screening.intake.answer_display import day_month_year, display_value, months_short
from screening.intake.catalogue import QUESTIONS, Kind
from screening.intake.staff_wording import staff_choices, staff_label
from screening.rules.wording import number_text
from screening.staff.models import AuditEvent

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

    @property
    def iso(self) -> str:
        return timezone.localtime(self.at).isoformat()

    @property
    def when(self) -> str:
        """3 Mar 2026, 14:05, in the clinic's time."""
        local = timezone.localtime(self.at)
        return f"{day_month_year(local, months_short())}, {local:%H:%M}"


def _views_together(entries: list[Entry]) -> list[Entry]:
    """One "Viewed" line per person per day, dated by their latest view that day ("Viewed 4 times"):
    every action is followed by the page it returns to, so views would otherwise follow every entry."""
    counts: dict[tuple[str, object], int] = {}
    for entry in entries:
        if entry.kind == "view":
            key = (entry.who, timezone.localdate(entry.at))
            counts[key] = counts.get(key, 0) + 1
    together, shown = [], set()
    for entry in entries:  # newest first: the first of each person's day is their latest
        if entry.kind != "view":
            together.append(entry)
            continue
        key = (entry.who, timezone.localdate(entry.at))
        if key in shown:
            continue
        shown.add(key)
        title = "Viewed" if counts[key] == 1 else f"Viewed {counts[key]} times"
        together.append(Entry(entry.at, "view", title, entry.who))
    return together


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _value(key: str, value) -> str:
    """An answer as staff read it on the timeline ("1 block", "80%", "not answered")."""
    question = QUESTIONS.get(key)
    if question is None or value in (None, "", []):
        return "not answered"
    if question.kind == Kind.INTEGER and question.unit and str(question.unit) != "%":
        return number_text(value, str(question.unit))
    if question.choices:
        labels = dict(staff_choices(question))
        codes = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(code, str(code)) for code in codes)
    return display_value(question, value)


def _amendment_entries(amendments) -> list[Entry]:
    """One entry per phone call or use of a completion link (the answers saved together), each answer
    named by what it belongs to ("Block 2: relief (%): not answered → 80%")."""
    calls: dict[tuple, list] = {}
    for amendment in amendments:
        calls.setdefault((amendment.at, amendment.source, amendment.by_id), []).append(amendment)
    entries = []
    for (at, source, _by), changes in calls.items():
        count = len(changes)
        answers = f"{count} answer{'' if count == 1 else 's'}"
        how = "given by phone" if source == "phone" else "given by the patient through a link"
        lines = [
            f"{staff_label(QUESTIONS[a.question]) if a.question in QUESTIONS else a.question}: "
            f"{_value(a.question, a.original)} → {_value(a.question, a.new)}"
            for a in sorted(changes, key=lambda a: _ORDER.get(a.question, len(_ORDER)))
        ]
        entries.append(
            Entry(at, "amendment", f"{answers} {how}", _name(changes[0].by), "\n".join(lines))
        )
    return entries


_ORDER = {key: n for n, key in enumerate(QUESTIONS)}


@dataclass(frozen=True)
class History:
    entries: list[Entry]  # newest first
    screenings: list[ScreeningResult]  # the results since the intake was sent, newest first
    booking: Booking | None  # the current (latest) booking


def case_timeline(case: Case) -> list[Entry]:
    return case_history(case).entries


def case_history(case: Case) -> History:
    """The case's timeline, with the screenings and the current booking read on the way.

    Every note, contact, amendment, booking and completion link is written with its audit event in one
    transaction (screening/casework/services.py), so the audit trail, read first, says which of those tables hold
    anything for this case: only those are read. Most cases have none, and cost two queries here."""
    intake = case.intake
    entries: list[Entry] = []
    if intake.submitted_at:
        entries.append(Entry(intake.submitted_at, "submitted", "Intake sent by the patient"))
    screenings = _screenings(intake)
    sent = [r for r in screenings if r.trigger != ScreeningResult.Trigger.DRAFT][:LIMIT]
    for result in [r for r in screenings if r.trigger == ScreeningResult.Trigger.DRAFT] + sent:
        if result.trigger == ScreeningResult.Trigger.DRAFT:
            entries.append(
                Entry(result.screened_at, "screened", "Urgent red flag in the unsent intake")
            )
            continue
        entries.append(
            Entry(
                result.screened_at,
                "screened",
                f"Screened ({result.get_trigger_display()}): "
                f"{result.outcome.replace('_', ' ')}, ruleset {result.ruleset or 'none'}",
            )
        )
    events = _audit_trail(intake.reference)
    views = [e for e in events if e["action"] == "case.view"]
    changes = [e for e in events if e["action"] != "case.view"][:LIMIT]
    # A trail cut at LIMIT may not name every table that holds rows: then all of them are read.
    held = _FROM_OWN_TABLE if len(changes) >= LIMIT else {e["action"] for e in changes}
    entries += [_audit_entry(e) for e in views + changes if e["action"] not in _FROM_OWN_TABLE]
    if "case.note" in held:
        for note in case.notes.select_related("author")[:LIMIT]:
            entries.append(Entry(note.at, "note", "Note", _name(note.author), note.text))
    if "case.contact" in held:
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
    if "case.amend" in held:
        entries += _amendment_entries(case.amendments.select_related("by")[:LIMIT])
    bookings = (
        list(case.bookings.select_related("booked_by")[:LIMIT]) if "case.book" in held else []
    )
    for booking in bookings:
        entries.append(
            Entry(
                booking.at,
                "booking",
                f"Consultation booked for {timezone.localtime(booking.starts_at):%d %b %Y %H:%M} "
                f"({booking.get_mode_display().lower()}) with {booking.clinician}",
                _name(booking.booked_by),
            )
        )
    if "case.completion_link" in held:
        for link in case.completion_links.select_related("created_by")[:LIMIT]:
            entries.append(
                Entry(link.created_at, "link", "Completion link e-mailed", _name(link.created_by))
            )
            if link.used_at:
                entries.append(Entry(link.used_at, "link", "Completion link used by the patient"))
    entries.sort(key=lambda e: e.at, reverse=True)
    return History(
        entries=_views_together(entries),
        screenings=sent,
        booking=bookings[0] if bookings else None,
    )


def _screenings(intake) -> list[ScreeningResult]:
    """In one query: the results since the intake was sent (newest first, up to LIMIT) and the first
    draft screening that found an urgent red flag, if any (first)."""
    draft = ScreeningResult.Trigger.DRAFT
    first_urgent_draft = (
        ScreeningResult.objects.filter(intake=intake, trigger=draft, outcome="urgent")
        .order_by("screened_at", "pk")
        .values("pk")[:1]
    )
    return list(
        # Without the version's rules, which a timeline does not show (rulesets.version_rules keeps them).
        intake.screenings.select_related("ruleset")
        .defer("ruleset__content")
        .filter(~Q(trigger=draft) | Q(pk=Subquery(first_urgent_draft)))
        .order_by(
            ExpressionWrapper(Q(trigger=draft), output_field=BooleanField()).desc(),
            "-screened_at",
            "-pk",
        )[: LIMIT + 1]
    )


_TRAIL_FIELDS = (
    "at",
    "action",
    "detail",
    "actor__first_name",
    "actor__last_name",
    "actor__username",
)


def _audit_trail(reference: str) -> list[dict]:
    """In one query: the case's last LIMIT changes (any action but a view) and its last VIEWS_LIMIT
    views. Views are many: they are capped apart, so they never push changes off the timeline. Read as
    the few values an entry shows (a busy case has fifty views, each otherwise an event and a user)."""
    trail = AuditEvent.objects.filter(object_type="case", object_ref=reference)
    views = trail.filter(action="case.view").order_by("-at", "-pk").values("pk")[:VIEWS_LIMIT]
    return list(
        trail.filter(~Q(action="case.view") | Q(pk__in=Subquery(views)))
        .values(*_TRAIL_FIELDS)
        .order_by(
            ExpressionWrapper(Q(action="case.view"), output_field=BooleanField()).desc(),
            "-at",
            "-pk",
        )[: LIMIT + VIEWS_LIMIT]
    )


def _audit_entry(event: dict) -> Entry:
    """An entry of the audit trail, as _audit_trail reads it."""
    detail, action = event["detail"], event["action"]
    # As _name() gives it for a user: the full name, else the username (no actor: nobody named).
    full_name = f"{event['actor__first_name'] or ''} {event['actor__last_name'] or ''}".strip()
    who = full_name or event["actor__username"] or ""
    match action:
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
        case "case.alert" if detail.get("again"):
            waited = detail.get("waited_minutes")
            title = "On-call alerted again: nobody had taken the case" + (
                f" after {waited} minute{'' if waited == 1 else 's'}" if waited is not None else ""
            )
        case "case.alert":
            title = "On-call alerted: a new urgent case"
        case "case.red_flag_withdrawn":
            when = (
                "before sending the form"
                if detail.get("trigger") == "draft"
                else "in the form sent"
            )
            title = (
                f"The patient changed an answer that had raised a red flag, {when}: the case keeps "
                "its urgency until staff act on it (the answers show what they say now)"
            )
        case _:
            title = action
    kind = action.removeprefix("case.")
    return Entry(event["at"], kind, title, who)
