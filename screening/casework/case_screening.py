"""Screening a submitted intake into a case: the published ruleset's result stored beside earlier ones, the
case opened or updated with its outcome, and the on-call coordinators alerted to a new urgent case. Also
re-screening every submitted intake with a new version, in batches and in the background."""

import gc
import logging
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Mod
from django.tasks import task
from django.utils import timezone

from screening import clock
from screening.casework import bulk_copy as bulk
from screening.casework import notifications as notify
from screening.casework.models import Case, ScreeningResult
from screening.intake.facts import engine_facts
from screening.intake.models import Intake, PatientIdentity
from screening.intake.selectors import consents_and_files, load_answers
from screening.rules import outcomes
from screening.rules.engine import CompiledRuleset
from screening.rules.explaining import (
    Explained,
    screen_explained,
    top_finding,
    urgent_tier,
    why_not_review,
)
from screening.rules.models import RulesetVersion
from screening.rules.rulesets import compiled_version, latest_version, next_step, ruleset_publish
from screening.staff import audit_log as audit

logger = logging.getLogger(__name__)


def case_values(outcome: str, findings: list[dict], misses: list[dict], *, claimed: bool) -> dict:
    """What a case takes from its latest screening: the outcome, the red flag's tier, the queue rank
    (which also says whether someone has the case), and its queue row's lines."""
    tier = urgent_tier(outcome, findings)
    return {
        "outcome": outcome,
        "tier": tier,
        "severity": outcomes.queue_rank(outcome, tier, claimed),
        "top_finding": top_finding(outcome, findings, misses),
        "why_not_review": why_not_review(outcome, misses),
    }


def _update_case(intake: Intake, result: ScreeningResult) -> None:
    """A submitted intake, or a draft with an urgent red flag and a way to reach the patient, is a case; its
    outcome is the latest screening's. A draft's case stays once made (staff may already have called)."""
    # Locked before it is read: a claim or an assignment waits, so the rank's "claimed" bit is the case's.
    previous, claimed, tier = Case.objects.select_for_update(of=("self",)).filter(
        intake=intake
    ).values_list("outcome", "assignee_id", "tier").first() or (None, None, None)
    if previous == "urgent" and result.trigger in _PATIENT_TRIGGERS and _less_urgent(result, tier):
        # The patient took back an answer that raised a red flag (a mis-tap, or not): staff can see the
        # case already, so it keeps its outcome and tier until staff act on it (a re-screen, an
        # amendment, closing it), and its timeline says an answer changed.
        _red_flag_withdrawn(intake, result)
        return
    values = case_values(result.outcome, result.findings, result.near_miss, claimed=bool(claimed))
    reachable = PatientIdentity.objects.filter(intake=intake).filter(
        Q(phone__gt="") | Q(email__gt="")
    )
    if intake.is_submitted or (result.outcome == "urgent" and reachable.exists()):
        case, _created = Case.objects.update_or_create(
            intake=intake,
            defaults=values,
            create_defaults=values | {"received_at": intake.submitted_at or result.screened_at},
        )
        if result.outcome == "urgent" and previous != "urgent":
            notify.urgent_case(case)  # sent once this transaction commits; once per case
    else:
        Case.objects.filter(intake=intake).update(**values)


_PATIENT_TRIGGERS = (ScreeningResult.Trigger.DRAFT, ScreeningResult.Trigger.SUBMIT)


def _less_urgent(result: ScreeningResult, tier: int | None) -> bool:
    """Whether a result would lower an urgent case: no longer urgent, or urgent at a less urgent tier. A
    screening error is never "less urgent" (it ranks first)."""
    if result.outcome == ScreeningResult.SCREENING_ERROR:
        return False
    if result.outcome != "urgent":
        return True
    tiers = [f["tier"] for f in result.findings if f["outcome"] == "urgent" and f.get("tier")]
    return tier is not None and (not tiers or min(tiers) > tier)


def _red_flag_withdrawn(intake: Intake, result: ScreeningResult) -> None:
    """Record, for the case's timeline, that an answer which raised a red flag in the screening just
    before this one no longer does (once per change, not on every later page). No answer or rule is
    named in the audit log: the case page shows the answers to staff who may read them."""
    before = (
        ScreeningResult.objects.filter(intake=intake)
        .exclude(pk=result.pk)
        .exclude(outcome=ScreeningResult.SCREENING_ERROR)
        .order_by("-screened_at", "-pk")
        .values_list("findings", flat=True)
        .first()
    ) or []
    now = {f["rule"] for f in result.findings if f["outcome"] == "urgent"}
    if not any(f["outcome"] == "urgent" and f["rule"] not in now for f in before):
        return
    audit.record(
        actor=None,
        action="case.red_flag_withdrawn",
        object_type="case",
        object_ref=intake.reference,
        detail={"trigger": result.trigger},
    )


def intake_screen(
    *,
    intake: Intake,
    answers: dict,
    trigger: str,
    version: RulesetVersion | None = None,
    as_of: date | None = None,
) -> ScreeningResult:
    """Screen one intake with the published ruleset and store the result beside earlier ones.

    If screening itself fails the result says so ("screening error"), which puts the case at the top of the
    queue; the error is logged by type only, since its message could quote an answer. ``as_of`` is the day
    the facts are taken at (months since a treatment, age): today for a new intake, the day it was sent
    for a re-screen or an import, so the same answers give the same facts.
    """
    now = clock.now()
    try:
        # A savepoint: a database error while screening must not undo the submission.
        with transaction.atomic():
            version = version or latest_version()
            if version is None:
                raise LookupError("no published ruleset")
            compiled = compiled_version(version)
    except Exception as error:  # any failure must still leave a result
        logger.error("screening failed for intake %s: %s", intake.reference, type(error).__name__)
        explained = _failed(version)
    else:
        day = as_of or timezone.localdate(now)
        explained = _evaluate(intake, answers, compiled, version, day)
    stored = ScreeningResult.objects.create(
        intake=intake,
        ruleset=version,
        outcome=explained.outcome,
        findings=explained.findings,
        near_miss=explained.near_miss,
        next_step=explained.next_step,
        trigger=trigger,
        screened_at=now,
    )
    _update_case(intake, stored)
    return stored


def _failed(version: RulesetVersion | None) -> Explained:
    outcome = ScreeningResult.SCREENING_ERROR
    return Explained(outcome, [], [], next_step(version, outcome))


def _evaluate(
    intake: Intake, answers: dict, compiled: CompiledRuleset, version, day: date
) -> Explained:
    """One intake's screening as staff read it, or a screening error (logged by type only: the
    message could quote an answer)."""
    try:
        return screen_explained(engine_facts(answers, day), compiled, version, day)
    except Exception as error:  # any failure must still leave a result
        logger.error("screening failed for intake %s: %s", intake.reference, type(error).__name__)
        return _failed(version)


RESCREEN_BATCH = 500


def rescreen(
    version: RulesetVersion, *, include_closed: bool = False, part: tuple[int, int] = (0, 1)
) -> int:
    """Screen every submitted intake again with ``version`` (those of closed cases too with
    ``include_closed``), each as at the day it was sent; returns how many were screened.

    Each intake gets a new result beside its earlier ones, and its case the new outcome. An intake that
    already has a re-screen result of this version is left alone, so a second run (or two queued tasks) do
    the work once. Written for 100,000 intakes (bench/rescreen.py): batches in primary-key order, each in
    its own transaction with a fixed number of queries (the batch's keys, the ones done already, the intakes
    with their identities and cases, their consents, the new results in one COPY, the changed cases in one
    update), so memory stays flat however many there are. ``part`` (i, n) takes only the intakes whose key
    is i modulo n, for n processes sharing the work (``manage.py rescreen --jobs n``).
    """
    compiled = compiled_version(version)
    rows = (
        Intake.objects.select_related("identity", "case")
        .defer("not_asked", "derived")  # worked out again, as at the day each was sent
        .order_by("pk")
    )
    ids_after = Intake.objects.filter(status=Intake.Status.SUBMITTED).order_by("pk")
    if not include_closed:
        ids_after = ids_after.exclude(case__status=Case.Status.CLOSED)
    index, parts = part
    if parts > 1:
        ids_after = ids_after.alias(part=Mod("pk", parts)).filter(part=index)
    count, last = 0, 0
    while True:
        with transaction.atomic():
            # The next batch's keys first, then its rows: each query has one plan (the primary key's
            # index), whatever the table's statistics say (they lag behind a bulk load).
            ids = list(ids_after.filter(pk__gt=last).values_list("pk", flat=True)[:RESCREEN_BATCH])
            if not ids:
                return count
            last = ids[-1]
            # Done already with this version: skipped per batch, by the results' intake index (a NOT EXISTS
            # in the query was planned as a scan of every result, once per batch: 261 s for 100,000).
            done = {
                intake_id
                for intake_id, ruleset_id in ScreeningResult.objects.filter(
                    intake_id__in=ids, trigger=ScreeningResult.Trigger.RESCREEN
                ).values_list("intake_id", "ruleset_id")
                if ruleset_id == version.pk
            }
            todo = list(rows.filter(pk__in=[pk for pk in ids if pk not in done]))
            _rescreen_batch(todo, version, compiled)
        count += len(todo)
        # A batch's intakes and cases point at each other (select_related both ways): free them now, so
        # memory stays that of one batch instead of growing until a full collection comes round.
        del todo
        gc.collect()


def _rescreen_batch(batch: list[Intake], version: RulesetVersion, compiled) -> None:
    # The batch's cases locked, and who has each read under the lock: a claim or an assignment made
    # meanwhile waits for the batch, so the ranks written keep their "claimed" bit.
    holders = dict(
        Case.objects.select_for_update(of=("self",))
        .filter(intake__in=batch)
        .values_list("pk", "assignee_id")
    )
    rows = consents_and_files(batch)
    now, zone = clock.now(), timezone.get_current_timezone()
    results, changed, urgent = [], [], []
    for intake in batch:
        consents, files = rows.get(intake.pk, ((), {}))
        answers = load_answers(intake, consents=consents, files=files)
        sent = timezone.localdate(intake.submitted_at, zone)
        explained = _evaluate(intake, answers, compiled, version, sent)
        outcome = explained.outcome
        result = ScreeningResult(
            intake=intake,
            ruleset=version,
            outcome=outcome,
            findings=explained.findings,
            near_miss=explained.near_miss,
            next_step=explained.next_step,
            trigger=ScreeningResult.Trigger.RESCREEN,
            screened_at=now,
        )
        results.append(result)
        case = getattr(intake, "case", None)
        if case is None:  # not made at submission (an older import, say): the single path makes it
            _update_case(intake, result)
            continue
        values = case_values(
            outcome,
            explained.findings,
            explained.near_miss,
            claimed=holders.get(case.pk, case.assignee_id) is not None,
        )
        if any(getattr(case, field) != value for field, value in values.items()):
            if outcome == "urgent" and case.outcome != "urgent":
                urgent.append(case)
            for field, value in values.items():
                setattr(case, field, value)
            case.updated_at = now
            changed.append(case)
    bulk.insert(ScreeningResult, results)
    Case.objects.bulk_update(
        changed, ["outcome", "tier", "severity", "top_finding", "why_not_review", "updated_at"]
    )
    for case in urgent:
        notify.urgent_case(case)  # sent once this transaction commits; once per case


@task
def rescreen_open_intakes(version_number: int) -> int:
    """Screen every submitted intake whose case is open again with the latest version (rescreen).

    Queued when ``version_number`` was published; if a newer version exists by the time it runs, it uses
    that one (so a later publication without re-screening is not skipped), and an intake already
    re-screened with the latest version is left alone (so two queued tasks do the work once)."""
    version = latest_version()
    if version is None or version.number < version_number:
        return 0
    return rescreen(version)


@transaction.atomic
def publish_and_rescreen(*, actor, note: str, rescreen: bool, **review) -> RulesetVersion:
    """Publish the draft rules; with ``rescreen``, screen every open case's intake again with them in
    the background, once the publication has committed. ``review``: how it was approved
    (rulesets.ruleset_publish)."""
    version = ruleset_publish(actor=actor, note=note, rescreen=rescreen, **review)
    if rescreen:
        transaction.on_commit(lambda: rescreen_open_intakes.enqueue(version.number))
    return version
