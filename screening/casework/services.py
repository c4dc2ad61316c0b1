"""Every write of the coordinators' work on a case. Each one is audited; views call these.

Audit details name what changed (statuses, question keys, counts), never what the patient said.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from screening import clock
from screening.casework import notifications as notify
from screening.casework.case_screening import intake_screen
from screening.casework.missing_information import (
    missing_facts,
    questions_to_complete,
    reports_missing,
)
from screening.casework.models import (
    Amendment,
    Booking,
    Case,
    CaseNote,
    CompletionLink,
    ContactAttempt,
    ScreeningResult,
    Treatment,
)
from screening.intake import report_services
from screening.intake.branching import is_answered, not_asked, prune
from screening.intake.catalogue import IDENTIFYING_KEYS, QUESTIONS, RETIRED
from screening.intake.consent import CONSENT_TEXTS
from screening.intake.facts import derived_values
from screening.intake.models import Intake
from screening.intake.selectors import load_answers
from screening.rules import outcomes, rulesets
from screening.staff import audit_log as audit

COMPLETION_LINK_DAYS = 7


class CaseTaken(Exception):
    """Someone else has the case."""

    def __init__(self, holder):
        super().__init__(f"held by {holder}")
        self.holder = holder


@transaction.atomic
def case_claim(*, case_id: int, user) -> Case:
    """Take an unassigned case. Of two coordinators claiming at once, one wins and the other is told who.

    A conditional update, so it holds on SQLite and PostgreSQL alike (select_for_update is a no-op on SQLite).
    """
    # Claimed, the case moves below the unclaimed ones of its group (its rank's last bit).
    won = Case.objects.filter(pk=case_id, assignee__isnull=True).update(
        assignee=user, severity=F("severity").bitor(1), updated_at=clock.now()
    )
    case = Case.objects.select_related("assignee", "intake").get(pk=case_id)
    if not won and case.assignee_id != user.pk:
        raise CaseTaken(case.assignee)
    if won:
        audit.record(
            actor=user, action="case.claim", object_type="case", object_ref=case.intake.reference
        )
        _move_on(case, user, Case.Status.NEW, Case.Status.IN_REVIEW)
    return case


def _move_on(case: Case, user, when: str, to: str) -> None:
    """The status that follows the work: a case still at ``when`` moves to ``to``, recorded as a
    status change (claiming a new case puts it in review; reaching the patient makes it contacted)."""
    if case.status != when:
        return
    case.status = to
    case.save(update_fields=["status", "updated_at"])
    _log(user, "case.status", case, **{"from": when, "to": to, "reason": ""})


# The workflow: forward one step at a time; a case can be closed from any step, and only closing needs
# a reason. Reopening is a step back to "in review".
NEXT_STATUS = {
    Case.Status.NEW: Case.Status.IN_REVIEW,
    Case.Status.IN_REVIEW: Case.Status.CONTACTED,
    Case.Status.CONTACTED: Case.Status.CONSULTATION_BOOKED,
    Case.Status.CONSULTATION_BOOKED: Case.Status.CLOSED,
}


class StatusRefused(ValueError):
    """The change does not fit the workflow; the message says what to do."""


@transaction.atomic
def case_set_status(*, case_id: int, user, status: str, close_reason: str = "") -> Case:
    case = Case.objects.select_for_update(of=("self",)).select_related("intake").get(pk=case_id)
    before = case.status
    if status == Case.Status.CLOSED:
        if close_reason not in Case.CloseReason.values:
            raise StatusRefused("Select why the case is closed.")
    elif status == Case.Status.IN_REVIEW and before == Case.Status.CLOSED:
        close_reason = ""  # reopening
    elif NEXT_STATUS.get(before) != status:
        raise StatusRefused(
            f"A case that is {case.get_status_display().lower()} cannot move to that status."
        )
    else:
        close_reason = ""
    case.status, case.close_reason = status, close_reason
    case.save(update_fields=["status", "close_reason", "updated_at"])
    audit.record(
        actor=user,
        action="case.status",
        object_type="case",
        object_ref=case.intake.reference,
        detail={"from": before, "to": status, "reason": close_reason},
    )
    return case


def _log(user, action: str, case: Case, **detail) -> None:
    audit.record(
        actor=user,
        action=action,
        object_type="case",
        object_ref=case.intake.reference,
        detail=detail,
    )


class ActionRefused(ValueError):
    """The action does not fit the case as it is; the message says why and what to do instead."""


@transaction.atomic
def case_assign(*, case_id: int, user, assignee) -> Case:
    """Give the case to a coordinator (or to nobody), whoever has it now."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("intake", "assignee")
        .get(pk=case_id)
    )
    before = case.assignee.username if case.assignee else ""
    case.assignee = assignee
    case.severity = outcomes.claimed_rank(case.severity, assignee is not None)
    case.save(update_fields=["assignee", "severity", "updated_at"])
    _log(user, "case.assign", case, **{"from": before, "to": assignee.username if assignee else ""})
    return case


def case_add_note(*, case: Case, user, text: str) -> CaseNote:
    with transaction.atomic():
        note = CaseNote.objects.create(case=case, author=user, text=text, at=clock.now())
        _log(user, "case.note", case, note=note.pk)
    return note


def case_record_contact(*, case: Case, user, channel: str, result: str, note: str = ""):
    with transaction.atomic():
        attempt = ContactAttempt.objects.create(
            case=case, by=user, channel=channel, result=result, note=note, at=clock.now()
        )
        _log(user, "case.contact", case, channel=channel, result=result)
        if (
            result == ContactAttempt.Result.REACHED
        ):  # the patient was reached: the case is contacted
            locked = (
                Case.objects.select_for_update(of=("self",))
                .select_related("intake")
                .get(pk=case.pk)
            )
            _move_on(locked, user, Case.Status.IN_REVIEW, Case.Status.CONTACTED)
            _move_on(locked, user, Case.Status.NEW, Case.Status.CONTACTED)
    return attempt


def latest_screening(intake) -> ScreeningResult | None:
    """The screening a case is judged by: the latest one since it was sent (a draft's latest before)."""
    screenings = intake.screenings.select_related("ruleset").defer("ruleset__content")
    return screenings.exclude(trigger=ScreeningResult.Trigger.DRAFT).first() or screenings.first()


def missing_facts_of(screening: ScreeningResult | None) -> tuple[list[str], list[str]]:
    """(unknown, deciding) facts a screening's `needs_info` findings ask for (missing_information)."""
    if screening is None:
        return [], []
    rules = rulesets.version_rules(screening.ruleset) if screening.ruleset else None
    return missing_facts(screening.findings, screening.near_miss, rules)


def missing_questions(screening: ScreeningResult | None, stored: dict[str, Any]) -> list[str]:
    """The questions a screening's `needs_info` findings ask for, given the answers ``stored``."""
    return questions_to_complete(*missing_facts_of(screening), stored)


@transaction.atomic
def case_amend(
    *, case_id: int, values: dict[str, Any], source: str, user=None
) -> ScreeningResult | None:
    """Record answers given after the intake was sent, each change as an amendment keeping the original,
    then screen the intake again with the current rules. Returns the new result (None if nothing changed).

    The facts are taken as at today: the patient gives the new answers now."""
    case = Case.objects.select_for_update(of=("self",)).select_related("intake").get(pk=case_id)
    # Read the intake after the lock: a writer that waited must see the answers the other one stored.
    intake = Intake.objects.select_related("identity").get(pk=case.intake_id)
    day = clock.today()
    before = load_answers(intake)
    merged = {**before, **values}
    after = prune(merged, day)
    # An older questionnaire's answers stay as sent: those to questions no longer asked, and those today's
    # branching would not ask (they were asked then). Only what this amendment hides is cleared.
    hidden_before = set(not_asked(before, day))
    after |= {
        k: v
        for k, v in merged.items()
        if k not in after and (k in RETIRED or k in hidden_before) and is_answered(v)
    }
    changed = [
        key
        for key in QUESTIONS
        if before.get(key) != after.get(key) and key not in IDENTIFYING_KEYS
    ]
    if not changed:
        return None
    now = clock.now()
    Amendment.objects.bulk_create(
        Amendment(
            case=case,
            question=key,
            original=before.get(key),
            new=after.get(key),
            source=source,
            by=user if source == Amendment.Source.PHONE else None,
            at=now,
        )
        for key in changed
    )
    intake.answers = {
        k: v for k, v in after.items() if k not in IDENTIFYING_KEYS and k not in CONSENT_TEXTS
    }
    fields = ["answers", "updated_at"]
    if intake.is_submitted:
        intake.not_asked = not_asked(after, day)
        intake.derived = derived_values(after, day)
        fields += ["not_asked", "derived"]
    intake.save(update_fields=fields)
    if source == Amendment.Source.PHONE:
        # The answers are in: a link sent earlier would let older answers overwrite them.
        CompletionLink.objects.filter(case=case, used_at=None, withdrawn_at=None).update(
            withdrawn_at=now
        )
    result = intake_screen(
        intake=intake, answers=after, trigger=ScreeningResult.Trigger.AMEND, as_of=day
    )
    _log(user, "case.amend", case, source=source, questions=changed, outcome=result.outcome)
    return result


@transaction.atomic
def case_rescreen(*, case_id: int, user) -> ScreeningResult:
    """Screen the intake again with the current ruleset; the earlier results stay."""
    case = Case.objects.select_related("intake", "intake__identity").get(pk=case_id)
    intake = case.intake
    result = intake_screen(
        intake=intake,
        answers=load_answers(intake),
        trigger=ScreeningResult.Trigger.RESCREEN,
        as_of=timezone.localdate(intake.submitted_at) if intake.submitted_at else None,
    )
    _log(user, "case.rescreen", case, outcome=result.outcome, ruleset=str(result.ruleset or ""))
    return result


@transaction.atomic
def case_send_completion_link(*, case_id: int, user) -> CompletionLink:
    """E-mail the patient a single-use link to the missing questions; an earlier open link is withdrawn."""
    case = Case.objects.select_related("intake", "intake__identity").get(pk=case_id)
    if case.status == Case.Status.CLOSED:
        raise ActionRefused("Reopen the case before asking the patient for more information.")
    if not case.intake.is_submitted:
        raise ActionRefused("The patient has not sent the form yet: call them instead.")
    stored = load_answers(case.intake)
    keys = missing_questions(latest_screening(case.intake), stored)
    keys += reports_missing(stored, clock.today())  # the reports of scans done, to attach
    if not keys:
        raise ActionRefused("No information or scan report is missing for this case.")
    if not case.intake.identity.email:
        raise ActionRefused(
            "The patient gave no e-mail address: record the answers by phone instead."
        )
    now = clock.now()
    CompletionLink.objects.filter(case=case, used_at=None, withdrawn_at=None).update(
        withdrawn_at=now
    )
    link = CompletionLink.objects.create(
        case=case,
        questions=keys,
        created_by=user,
        created_at=now,
        expires_at=now + timedelta(days=COMPLETION_LINK_DAYS),
    )
    notify.completion_link(link)
    _log(user, "case.completion_link", case, link=link.pk)
    return link


@transaction.atomic
def case_book(*, case_id: int, user, starts_at: datetime, clinician: str, mode: str) -> Booking:
    """Book a consultation, move the case to "consultation booked", and e-mail the patient (if they
    gave an address) a confirmation without clinical details."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("intake", "intake__identity")
        .get(pk=case_id)
    )
    if case.status == Case.Status.CLOSED:
        raise ActionRefused("Reopen the case before booking a consultation.")
    booking = Booking.objects.create(
        case=case,
        starts_at=starts_at,
        clinician=clinician,
        mode=mode,
        booked_by=user,
        at=clock.now(),
    )
    before = case.status
    if before != Case.Status.CONSULTATION_BOOKED:
        case.status = Case.Status.CONSULTATION_BOOKED
        case.save(update_fields=["status", "updated_at"])
        _log(user, "case.status", case, **{"from": before, "to": case.status, "reason": ""})
    _log(user, "case.book", case, booking=booking.pk, mode=mode)
    if case.intake.identity.email:
        notify.booking_confirmation(booking)
    return booking


# --- reads and exports, recorded -------------------------------------------------------------------
def case_record_read(*, user, case: Case, action: str = "case.view", **detail) -> None:
    """Record a staff member's read of a case (a view, a print, an export), with where from."""
    audit.record(
        actor=user,
        action=action,
        object_type="case",
        object_ref=case.intake.reference,
        detail=detail,
    )


def queue_record_export(*, user, identifiable: bool, rows: int, filters: dict) -> None:
    """Record an export of the queue: who, with or without identity, how many rows, which filters."""
    audit.record(
        actor=user,
        action="queue.export",
        object_type="queue",
        object_ref="csv",
        detail={"identifiable": identifiable, "rows": rows, "filters": filters},
    )


def case_add_report(*, case_id: int, user, question, data: bytes, name: str):
    """A scan report received by post or e-mail, attached by a coordinator (checked and scanned as a
    patient's is: report_files.Refused says why not), then the case screened again (an "MRI report not
    attached" line goes). Recorded in the audit log."""
    case = Case.objects.select_related("intake").get(pk=case_id)
    report = report_services.report_add(
        intake=case.intake, question=question, data=data, name=name, by=user
    )
    _log(user, "case.report.add", case, report=report.pk, scan=question.key)
    case_rescreen(case_id=case_id, user=user)
    return report


def case_record_treatment(*, case: Case, user, **given) -> Treatment:
    """Record a treatment given to the case's patient (issue 20), in the audit log too."""
    with transaction.atomic():
        treatment = Treatment.objects.create(
            case=case, recorded_by=user, recorded_at=clock.now(), **given
        )
        _log(user, "case.treatment", case, treatment=treatment.pk, kind=treatment.kind)
    return treatment
