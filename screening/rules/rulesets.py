"""The Django side of the rules: drafts to data, publishing versions, loading the defaults, and screening an
intake with the published ruleset. The evaluation itself is engine.py's."""

import gc
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Mod
from django.utils import timezone

from screening.casework import bulk_copy as bulk
from screening.casework import notifications as notify
from screening.casework.models import SEVERITY_RANK, Case, ScreeningResult
from screening.intake.facts import engine_facts, fact_specs, source_questions
from screening.intake.models import Consent, Intake, PatientIdentity
from screening.intake.selectors import load_answers
from screening.rules.defaults import DEFAULT_RULES_FILE, rule_from_data
from screening.rules.engine import CompiledRuleset, RulesetError, compile_ruleset, screen
from screening.rules.models import ConditionDraft, RuleDraft, RulesetVersion
from screening.staff import audit_log as audit

logger = logging.getLogger(__name__)


def draft_data() -> list[dict]:
    """Every draft rule as data, in the format of default_rules.json, sorted by key."""
    rules = RuleDraft.objects.prefetch_related("conditions").order_by("key")
    return [
        {
            "key": r.key,
            "title": r.title,
            "outcome": r.outcome,
            "join": r.join,
            "conditions": [
                {"fact": c.fact, "op": c.op, "value": c.value} for c in r.conditions.all()
            ],
            "explanation": r.explanation,
            "source": r.source,
            "patient_message": r.patient_message or None,
            "tier": r.tier,
            "enabled": r.enabled,
        }
        for r in rules
    ]


def content_hash(rules: list[dict]) -> str:
    canonical = json.dumps(rules, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def compile_data(version: str, rules: list[dict]) -> CompiledRuleset:
    """Raises engine.RulesetError saying what to fix."""
    return compile_ruleset(version, [rule_from_data(r) for r in rules], fact_specs())


def publishable_problems(rules: list[dict]) -> list[str]:
    """What a ruleset needs beyond compiling: red flags, and patient messages exactly where they show."""
    enabled = [r for r in rules if r["enabled"]]
    problems = []
    if not any(r["outcome"] == "urgent" for r in enabled):
        problems.append(
            "the ruleset has no enabled red-flag (urgent) rule: urgent answers would go unseen"
        )
    for r in enabled:
        if r["outcome"] == "urgent" and not r.get("patient_message"):
            problems.append(
                f"rule {r['key']}: a red-flag rule needs the message the patient is shown"
            )
        if r["outcome"] != "urgent" and r.get("patient_message"):
            problems.append(
                f"rule {r['key']}: only red-flag rules speak to patients; remove its message"
            )
        if r["outcome"] == "urgent" and r.get("tier") not in (1, 2, 3):
            problems.append(f"rule {r['key']}: a red-flag rule needs its tier (1, 2 or 3)")
        if r["outcome"] != "urgent" and r.get("tier") is not None:
            problems.append(f"rule {r['key']}: only red-flag rules have a tier; clear it")
    return problems


@lru_cache(maxsize=8)
def _rules(number: int, digest: str) -> list[dict]:
    return RulesetVersion.objects.values_list("content", flat=True).get(number=number)


def version_rules(version: RulesetVersion) -> list[dict]:
    """A published version's rules as stored, read once per process (versions never change, so the
    cache is safe; the hash in its key tells apart a database made again with the same numbers). Only
    ``number`` and ``content_hash`` of ``version`` are read. Shared: read it, never change it."""
    return _rules(version.number, version.content_hash)


@lru_cache(maxsize=8)
def _compiled(number: int, digest: str) -> CompiledRuleset:
    return compile_data(f"v{number}", _rules(number, digest))


def compiled_version(version: RulesetVersion) -> CompiledRuleset:
    """A published version, compiled once per process (versions never change, so the cache is safe)."""
    return _compiled(version.number, version.content_hash)


def urgent_facts(version: RulesetVersion | None) -> frozenset[str]:
    """The questions that the version's urgent (red-flag) rules read, directly or through derived facts."""
    if version is None:
        return frozenset()
    return frozenset(
        question
        for r in version.content
        if r["outcome"] == "urgent" and r["enabled"]
        for c in r["conditions"]
        for question in source_questions(c["fact"])
    )


def latest_version() -> RulesetVersion | None:
    return RulesetVersion.objects.order_by("-number").first()


@transaction.atomic
def ruleset_publish(*, actor, note: str, rescreen: bool = False) -> RulesetVersion:
    """Freeze the drafts as a new version. Refuses (RulesetError) a draft that does not compile.

    With ``rescreen``, every submitted intake is screened again with it in the background, once the
    publication has committed."""
    rules = draft_data()
    latest = latest_version()
    number = (latest.number + 1) if latest else 1
    compile_data(f"v{number}", rules)
    problems = publishable_problems(rules)
    if problems:
        raise RulesetError(problems)
    version = RulesetVersion.objects.create(
        number=number,
        content=rules,
        content_hash=content_hash(rules),
        note=note,
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
        published_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        action="ruleset.publish",
        object_type="ruleset",
        object_ref=f"v{number}",
        detail={
            "note": note,
            "hash": version.content_hash,
            "rules": len(rules),
            "rescreen": rescreen,
        },
    )
    if rescreen:
        from screening.casework.tasks import rescreen_open_intakes

        transaction.on_commit(lambda: rescreen_open_intakes.enqueue(number))
    return version


@transaction.atomic
def rules_load_defaults() -> RulesetVersion | None:
    """On a database without rules: the default rules as drafts, published as version 1. Idempotent."""
    if RuleDraft.objects.exists() or RulesetVersion.objects.exists():
        return None
    _replace_drafts(json.loads(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))["rules"])
    return ruleset_publish(actor=None, note="The default rules (clinical.md sections 1-3a)")


def _update_case(intake: Intake, result: ScreeningResult) -> None:
    """A submitted intake, or a draft with an urgent red flag and a way to reach the patient, is a case; its
    outcome is the latest screening's. A draft's case stays once made (staff may already have called)."""
    values = {
        "outcome": result.outcome,
        "severity": SEVERITY_RANK[result.outcome],
        "top_finding": top_finding(result.findings),
    }
    reachable = PatientIdentity.objects.filter(intake=intake).filter(
        Q(phone__gt="") | Q(email__gt="")
    )
    previous = Case.objects.filter(intake=intake).values_list("outcome", flat=True).first()
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
    now = timezone.now()
    try:
        # A savepoint: a database error while screening must not undo the submission.
        with transaction.atomic():
            version = version or latest_version()
            if version is None:
                raise LookupError("no published ruleset")
            compiled = compiled_version(version)
    except Exception as error:  # any failure must still leave a result
        logger.error("screening failed for intake %s: %s", intake.reference, type(error).__name__)
        outcome, findings = ScreeningResult.SCREENING_ERROR, []
    else:
        outcome, findings = _evaluate(intake, answers, compiled, as_of or timezone.localdate(now))
    stored = ScreeningResult.objects.create(
        intake=intake,
        ruleset=version,
        outcome=outcome,
        findings=findings,
        trigger=trigger,
        screened_at=now,
    )
    _update_case(intake, stored)
    return stored


def _evaluate(
    intake: Intake, answers: dict, compiled: CompiledRuleset, day: date
) -> tuple[str, list[dict]]:
    """The outcome and findings of one intake, or a screening error (logged by type only: the message
    could quote an answer)."""
    try:
        result = screen(engine_facts(answers, day), compiled, day)
        return result.outcome.value, [finding_data(f) for f in result.findings]
    except Exception as error:  # any failure must still leave a result
        logger.error("screening failed for intake %s: %s", intake.reference, type(error).__name__)
        return ScreeningResult.SCREENING_ERROR, []


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
    consents: dict[int, list[str]] = {}
    for intake_id, kind in Consent.objects.filter(intake__in=batch).values_list(
        "intake_id", "kind"
    ):
        consents.setdefault(intake_id, []).append(kind)
    now, zone = timezone.now(), timezone.get_current_timezone()
    results, changed, urgent = [], [], []
    for intake in batch:
        answers = load_answers(intake, consents=consents.get(intake.pk, ()))
        sent = timezone.localdate(intake.submitted_at, zone)
        outcome, findings = _evaluate(intake, answers, compiled, sent)
        result = ScreeningResult(
            intake=intake,
            ruleset=version,
            outcome=outcome,
            findings=findings,
            trigger=ScreeningResult.Trigger.RESCREEN,
            screened_at=now,
        )
        results.append(result)
        case = getattr(intake, "case", None)
        if case is None:  # not made at submission (an older import, say): the single path makes it
            _update_case(intake, result)
            continue
        values = {
            "outcome": outcome,
            "severity": SEVERITY_RANK[outcome],
            "top_finding": top_finding(findings),
        }
        if any(getattr(case, field) != value for field, value in values.items()):
            if outcome == "urgent" and case.outcome != "urgent":
                urgent.append(case)
            for field, value in values.items():
                setattr(case, field, value)
            case.updated_at = now
            changed.append(case)
    bulk.insert(ScreeningResult, results)
    Case.objects.bulk_update(changed, ["outcome", "severity", "top_finding", "updated_at"])
    for case in urgent:
        notify.urgent_case(case)  # sent once this transaction commits; once per case


def top_finding(findings: list[dict]) -> str:
    """The most severe finding in a few words, for the queue (findings come most severe first)."""
    if not findings:
        return ""
    return findings[0].get("title") or findings[0]["rule"]


def finding_data(finding) -> dict:
    return {
        "rule": finding.rule,
        "title": finding.title,
        "outcome": finding.outcome.value,
        "reason": finding.reason,
        "patient_message": finding.patient_message,
        "tier": finding.tier,
        "decided_by": [[fact, value] for fact, value in finding.decided_by],
        "missing": list(finding.missing),
        "ruleset_version": finding.ruleset_version,
    }


# --- preview, diff and restore --------------------------------------------------------------------
@dataclass(frozen=True)
class Preview:
    """How the draft would move past intakes between outcomes, beside the published version."""

    published: RulesetVersion | None
    intakes: int
    moves: dict[tuple[str, str], list[str]]  # (published outcome, draft outcome) -> references

    @property
    def moved(self) -> int:
        return sum(len(refs) for refs in self.moves.values())


def preview(*, days: int | None) -> Preview:
    """Screen past submitted intakes (the last ``days`` days, or all) with the draft and the published
    version. Raises RulesetError when the draft does not compile. Nothing is stored."""
    draft = compile_data("draft", draft_data())
    published = latest_version()
    current = compiled_version(published) if published else None
    now = timezone.now()
    intakes = Intake.objects.filter(status=Intake.Status.SUBMITTED).select_related("identity")
    intakes = intakes.prefetch_related("consents").order_by("submitted_at")
    if days is not None:
        intakes = intakes.filter(submitted_at__gte=now - timedelta(days=days))
    moves: dict[tuple[str, str], list[str]] = {}
    count = 0
    for intake in intakes.iterator(chunk_size=500):
        count += 1
        sent = timezone.localdate(intake.submitted_at)
        facts = engine_facts(load_answers(intake), sent)
        before = screen(facts, current, sent).outcome.value if current else "none"
        after = screen(facts, draft, sent).outcome.value
        if before != after:
            moves.setdefault((before, after), []).append(intake.reference)
    return Preview(published=published, intakes=count, moves=moves)


def diff(old: list[dict], new: list[dict]) -> dict[str, list]:
    """What changed between two rulesets' content: rules added, removed, and changed (with fields)."""
    before, after = {r["key"]: r for r in old}, {r["key"]: r for r in new}
    changed = []
    for key in sorted(before.keys() & after.keys()):
        fields = sorted(
            f
            for f in before[key].keys() | after[key].keys()
            if before[key].get(f) != after[key].get(f)
        )
        if fields:
            changed.append(
                {
                    "rule": key,
                    "fields": fields,
                    "before": {f: before[key].get(f) for f in fields},
                    "after": {f: after[key].get(f) for f in fields},
                }
            )
    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": changed,
    }


@transaction.atomic
def ruleset_restore(*, version: RulesetVersion, actor) -> RulesetVersion:
    """Make an older version's rules the draft again and publish them as a new version."""
    _replace_drafts(version.content)
    audit.record(
        actor=actor,
        action="ruleset.restore",
        object_type="ruleset",
        object_ref=str(version),
        detail={"restored": version.number},
    )
    return ruleset_publish(actor=actor, note=f"Restored from v{version.number}")


def _replace_drafts(rules: list[dict]) -> None:
    """The draft becomes exactly these rules (data in the format of default_rules.json)."""
    ConditionDraft.objects.all().delete()
    RuleDraft.objects.all().delete()
    for item in rules:
        rule = RuleDraft.objects.create(
            key=item["key"],
            title=item["title"],
            outcome=item["outcome"],
            join=item.get("join", "all"),
            explanation=item.get("explanation", ""),
            source=item.get("source", ""),
            patient_message=item.get("patient_message") or "",
            enabled=item.get("enabled", True),
            tier=item.get("tier"),
        )
        ConditionDraft.objects.bulk_create(
            ConditionDraft(rule=rule, position=n, fact=c["fact"], op=c["op"], value=c.get("value"))
            for n, c in enumerate(item["conditions"])
        )
