"""Rulesets: the drafts as data, compiling (kept per process), publishing versions, loading the defaults,
previewing a draft against past intakes, comparing and restoring versions. The evaluation itself is
engine.py's; screening an intake into a case is casework's (screening/casework/case_screening.py)."""

import hashlib
import json
import logging
from functools import lru_cache

from django.conf import settings
from django.db import transaction

from screening import clock
from screening.intake.facts import fact_specs, source_questions
from screening.rules import changes
from screening.rules.defaults import DEFAULT_RULES_FILE, rule_from_data
from screening.rules.engine import CompiledRuleset, RulesetError, compile_ruleset
from screening.rules.models import ConditionDraft, NextStep, RuleDraft, RulesetVersion
from screening.staff import audit_log as audit
from screening.staff.models import ApprovalRequest

logger = logging.getLogger(__name__)


def draft_data() -> list[dict]:
    """Every draft rule as data, in the format of default_rules.json, sorted by key."""
    rules = RuleDraft.objects.prefetch_related("conditions").order_by("key")
    return [rule_data(r) for r in rules]


def rule_data(r: RuleDraft) -> dict:
    """A draft rule as data, in the format of default_rules.json."""
    return {
        "key": r.key,
        "title": r.title,
        "outcome": r.outcome,
        "join": r.join,
        "conditions": [{"fact": c.fact, "op": c.op, "value": c.value} for c in r.conditions.all()],
        "explanation": r.explanation,
        "source": r.source,
        "patient_message": r.patient_message or None,
        # Only when there is one: versions from before keep their fingerprint
        **({"patient_message_es": r.patient_message_es} if r.patient_message_es else {}),
        "tier": r.tier,
        "enabled": r.enabled,
    }


def draft_hash() -> str:
    """The draft's fingerprint: what a preview is kept with and an approval covers."""
    return content_hash(draft_data(), draft_next_steps())


def draft_next_steps() -> dict[str, str]:
    """The next steps as rules admins left them: key (an outcome, or urgent_tier_N) -> the line."""
    return dict(NextStep.objects.values_list("key", "text"))


def content_hash(rules: list[dict], next_steps: dict[str, str] | None = None) -> str:
    """The version's fingerprint: its rules, and its next steps when it has any (versions published
    before next steps existed keep the hash of their rules alone)."""
    content = {"rules": rules, "next_steps": next_steps} if next_steps else rules
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def next_step(version: RulesetVersion | None, outcome: str, tier: int | None = None) -> str:
    """What staff do next for this outcome (a red flag's tier first), as the version says."""
    steps = version.next_steps if version is not None else {}
    if tier is not None and f"{outcome}_tier_{tier}" in steps:
        return steps[f"{outcome}_tier_{tier}"]
    return steps.get(outcome, "")


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
        if r["outcome"] != "urgent" and (r.get("patient_message") or r.get("patient_message_es")):
            problems.append(
                f"rule {r['key']}: only red-flag rules speak to patients; remove its message"
            )
        spanish = "es" in settings.PATIENT_LANGUAGES
        if r["outcome"] == "urgent" and spanish and not r.get("patient_message_es"):
            problems.append(
                f"rule {r['key']}: patients may fill the form in in Spanish: a red-flag rule "
                "needs its message in Spanish too"
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
def ruleset_publish(
    *,
    actor,
    note: str,
    rescreen: bool = False,
    review: str = RulesetVersion.Review.ALONE,
    approved_by=None,
    approval=None,
    content: dict | None = None,
) -> RulesetVersion:
    """Freeze the drafts as a new version. Refuses (RulesetError) a draft that does not compile.

    ``rescreen`` is recorded with it: whether the caller re-screens the submitted intakes with it
    (casework/case_screening.py's ``publish_and_rescreen`` queues that). ``review`` says how it came to
    be published (rules/publishing.py: approved by a second person, alone, or restored alone).
    ``content`` ({"rules", "next_steps"}): exactly what was approved, instead of the draft as it is."""
    if content is not None:
        rules, steps = content["rules"], content["next_steps"]
    else:
        rules, steps = draft_data(), draft_next_steps()
    latest = latest_version()
    number = (latest.number + 1) if latest else 1
    compile_data(f"v{number}", rules)
    problems = publishable_problems(rules)
    if problems:
        raise RulesetError(problems)
    version = RulesetVersion.objects.create(
        number=number,
        content=rules,
        next_steps=steps,
        content_hash=content_hash(rules, steps),
        note=note,
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
        published_at=clock.now(),
        review=review,
        approved_by=approved_by,
        approval=approval,
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
            "review": review,
            "approved_by": approved_by.username if approved_by else None,
        },
    )
    return version


@transaction.atomic
def rules_load_defaults() -> RulesetVersion | None:
    """On a database without rules: the default rules as drafts, published as version 1. Idempotent."""
    if RuleDraft.objects.exists() or RulesetVersion.objects.exists():
        return None
    defaults = json.loads(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))
    _replace_drafts(defaults["rules"], defaults.get("next_steps", {}))
    return ruleset_publish(actor=None, note="The default rules (clinical.md sections 1-3a)")


# --- what changed, and restore ---------------------------------------------------------------------
def draft_changes() -> changes.Changes:
    """What the draft changes from the published version, in words."""
    published = latest_version()
    return changes.ruleset_changes(
        published.content if published else [],
        draft_data(),
        fact_specs(),
        published.next_steps if published and published.next_steps else draft_next_steps(),
        draft_next_steps(),
    )


def version_changes(version: RulesetVersion) -> changes.Changes:
    """What a version changed from the one before it, in words."""
    previous = previous_version(version)
    return changes.ruleset_changes(
        previous.content if previous else [],
        version.content,
        fact_specs(),
        (previous.next_steps or version.next_steps) if previous else version.next_steps,
        version.next_steps,
    )


def previous_version(version: RulesetVersion) -> RulesetVersion | None:
    return RulesetVersion.objects.filter(number__lt=version.number).order_by("-number").first()


@transaction.atomic
def ruleset_restore(
    *, version: RulesetVersion, actor, reason: str = "", review: str = RulesetVersion.Review.ALONE
) -> RulesetVersion:
    """Make an older version's rules the draft again and publish them as a new version (an urgent
    correction: rules/publishing.py marks it to be reviewed when approval is on)."""
    _replace_drafts(version.content, version.next_steps)
    draft_edited(actor=actor)
    audit.record(
        actor=actor,
        action="ruleset.restore",
        object_type="ruleset",
        object_ref=str(version),
        detail={"restored": version.number, "reason": reason},
    )
    note = f"Restored from v{version.number}" + (f": {reason}" if reason else "")
    return ruleset_publish(actor=actor, note=note, review=review)


def _replace_drafts(rules: list[dict], next_steps: dict[str, str]) -> None:
    """The draft becomes exactly these rules (data in the format of default_rules.json) and next steps
    (a version without any keeps the drafts' next steps)."""
    if next_steps:
        NextStep.objects.all().delete()
        NextStep.objects.bulk_create(NextStep(key=k, text=v) for k, v in sorted(next_steps.items()))
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
            patient_message_es=item.get("patient_message_es") or "",
            enabled=item.get("enabled", True),
            tier=item.get("tier"),
        )
        ConditionDraft.objects.bulk_create(
            ConditionDraft(rule=rule, position=n, fact=c["fact"], op=c["op"], value=c.get("value"))
            for n, c in enumerate(item["conditions"])
        )


# --- editing the draft: every change in the audit log -------------------------------------------------
def draft_edited(*, actor) -> None:
    """The draft changed: a submission waiting for approval is void (approving it would approve
    something else); its author submits the draft again. Recorded."""
    now = clock.now()
    waiting = ApprovalRequest.objects.select_for_update().filter(
        kind=ApprovalRequest.Kind.RULES_PUBLISH, state=ApprovalRequest.State.PENDING
    )
    for request in waiting:
        request.state, request.decided_at = ApprovalRequest.State.VOID, now
        request.comment = "The draft changed after it was submitted."
        request.save(update_fields=["state", "decided_at", "comment"])
        audit.record(
            actor=actor,
            action="approval.void",
            object_type="ruleset",
            object_ref=request.subject,
            detail={"request": request.pk, "kind": request.kind, "reason": request.comment},
        )


def rule_snapshot(rule: RuleDraft) -> dict:
    """A draft rule as the audit log keeps it, before and after a change."""
    return {
        "key": rule.key,
        "title": rule.title,
        "outcome": rule.outcome,
        "join": rule.join,
        "enabled": rule.enabled,
        "explanation": rule.explanation,
        "source": rule.source,
        "patient_message": rule.patient_message,
        "patient_message_es": rule.patient_message_es,
        "tier": rule.tier,
        "conditions": [[c.fact, c.op, c.value] for c in rule.conditions.all()],
    }


def rule_record_saved(*, actor, rule: RuleDraft, before: dict | None) -> None:
    """Record a draft rule the admin has just saved (with its conditions): added, or changed from
    ``before``."""
    rule = RuleDraft.objects.prefetch_related("conditions").get(pk=rule.pk)  # as saved
    draft_edited(actor=actor)
    audit.record(
        actor=actor,
        action="rule.change" if before is not None else "rule.add",
        object_type="rule",
        object_ref=rule.key,
        detail={"before": before, "after": rule_snapshot(rule)},
    )


@transaction.atomic
def rule_delete(*, actor, rule: RuleDraft) -> None:
    snapshot = rule_snapshot(rule)
    rule.delete()
    draft_edited(actor=actor)
    audit.record(
        actor=actor,
        action="rule.delete",
        object_type="rule",
        object_ref=rule.key,
        detail={"before": snapshot},
    )


@transaction.atomic
def rules_set_enabled(*, actor, rules, enabled: bool) -> None:
    """Enable or disable draft rules (those not so already), each change recorded."""
    for rule in rules.exclude(enabled=enabled):
        draft_edited(actor=actor)
        rule.enabled = enabled
        rule.save(update_fields=["enabled", "updated_at"])
        audit.record(
            actor=actor,
            action="rule.enable" if enabled else "rule.disable",
            object_type="rule",
            object_ref=rule.key,
            detail={"enabled": enabled},
        )


@transaction.atomic
def next_step_change(*, actor, step: NextStep, text: str) -> None:
    """Change an outcome's next step in the draft (published with the next version), recorded."""
    before = NextStep.objects.values_list("text", flat=True).get(pk=step.pk)
    step.text = text
    step.save(update_fields=["text"])
    draft_edited(actor=actor)
    audit.record(
        actor=actor,
        action="next_step.change",
        object_type="next_step",
        object_ref=step.key,
        detail={"before": before, "after": text},
    )
