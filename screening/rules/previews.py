"""Previews: the draft screened against past submitted intakes beside the published version, in the
background (at 100,000 intakes it takes as long as a re-screen), with progress. A preview is kept with the
draft's fingerprint and the published version's number, so it is shown again until either changes.

Its result names cases by reference only, never identity: how many moved from which outcome to which, and
for each case the rules that made the difference.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from screening import clock
from screening.intake.facts import engine_facts
from screening.intake.models import Intake
from screening.intake.selectors import consents_and_files, load_answers
from screening.rules import outcomes, rulesets
from screening.rules.engine import screen
from screening.rules.models import RulePreview
from screening.rules.terms import FindingState, RulesetError

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 200  # intakes between two progress writes
STALE = timedelta(minutes=30)  # a preview of 100,000 intakes takes about two
DAYS = 90  # the shorter period, one click away


def _wanted(days: int | None) -> dict:
    published = rulesets.latest_version()
    return {
        "draft_hash": rulesets.draft_hash(),
        "published_number": published.number if published else None,
        "days": days,
    }


def current(days: int | None) -> RulePreview | None:
    """The latest preview of the draft as it is, against the version published now."""
    return RulePreview.objects.filter(**_wanted(days)).first()


def start(*, days: int | None, actor) -> RulePreview:
    """The draft's preview for this period: the one kept if the draft has not changed (a draft that
    does not compile fails the same way until it changes), else a new one, run in the background."""
    wanted = _wanted(days)
    with transaction.atomic():
        kept = RulePreview.objects.select_for_update().filter(**wanted).first()
        if kept is not None and not _stopped(kept):
            return kept
        # One preview kept per period: those of earlier drafts go (a task still running on one stops).
        RulePreview.objects.filter(days=days).delete()
        preview = RulePreview.objects.create(
            **wanted,
            started_by=actor if getattr(actor, "is_authenticated", False) else None,
            started_at=clock.now(),
        )
        transaction.on_commit(lambda: run_preview.enqueue(preview.pk))
    return preview


def _stopped(preview: RulePreview) -> bool:
    """A preview that stopped on an error, or whose worker went away (no end after STALE), runs again
    when asked; one whose draft does not compile fails the same way until the draft changes."""
    if preview.state == RulePreview.State.STOPPED:
        return True
    return preview.state == RulePreview.State.RUNNING and preview.started_at < clock.now() - STALE


def _intakes(days: int | None):
    intakes = Intake.objects.filter(status=Intake.Status.SUBMITTED)
    if days is not None:
        intakes = intakes.filter(submitted_at__gte=clock.now() - timedelta(days=days))
    return intakes


@task
def run_preview(preview_id: int) -> int:
    """Screen the intakes with the draft and the published version; store who would move."""
    preview = RulePreview.objects.filter(pk=preview_id).first()
    if preview is None or preview.state != RulePreview.State.RUNNING:
        return 0  # replaced by a preview of a newer draft, or done already
    rules, steps = rulesets.draft_data(), rulesets.draft_next_steps()
    if rulesets.content_hash(rules, steps) != preview.draft_hash:
        # The draft changed after this preview was asked for: the next visit asks for a new one.
        RulePreview.objects.filter(pk=preview.pk).delete()
        return 0
    try:
        return _run(preview, rules)
    except RulesetError as error:
        state, problems = RulePreview.State.FAILED, error.problems
    except Exception as error:  # a preview must end, never stay "running" for ever
        logger.exception("rules preview stopped")
        state, problems = RulePreview.State.STOPPED, [type(error).__name__]
    RulePreview.objects.filter(pk=preview.pk).update(
        state=state, problems=problems, finished_at=clock.now()
    )
    return 0


def _run(preview: RulePreview, rules: list[dict]) -> int:
    draft = rulesets.compile_data("draft", rules)
    published = rulesets.latest_version()
    current_rules = rulesets.compiled_version(published) if published else None
    intakes = _intakes(preview.days)
    RulePreview.objects.filter(pk=preview.pk).update(total=intakes.count())
    titles = {r["key"]: r["title"] for r in rules}
    if published:
        titles = {r["key"]: r["title"] for r in rulesets.version_rules(published)} | titles
    moves: dict[tuple[str, str], list[dict]] = {}
    count, zone = 0, timezone.get_current_timezone()
    for intake, (consents, files) in _batches(intakes):
        count += 1
        sent = timezone.localdate(intake.submitted_at, zone)
        facts = engine_facts(load_answers(intake, consents=consents, files=files), sent)
        after = screen(facts, draft, sent)
        before = screen(facts, current_rules, sent) if current_rules else None
        was = before.outcome.value if before else "none"
        if was != after.outcome.value:
            moves.setdefault((was, after.outcome.value), []).append(
                {"reference": intake.reference, "rules": _difference(before, after, titles)}
            )
        if count % PROGRESS_EVERY == 0:
            progress = RulePreview.objects.filter(pk=preview.pk)
            if not progress.update(done=F("done") + PROGRESS_EVERY):
                return count  # replaced by a preview of a newer draft: stop
    RulePreview.objects.filter(pk=preview.pk).update(
        state=RulePreview.State.DONE,
        done=count,
        total=count,
        finished_at=clock.now(),
        result={
            "published": f"v{published.number}" if published else None,
            "intakes": count,
            "moves": [
                {"from": was, "to": now, "cases": cases}
                for (was, now), cases in sorted(
                    moves.items(),
                    key=lambda m: (outcomes.SEVERITY_RANK.get(m[0][0], 99), m[0][1]),
                )
            ],
        },
    )
    return count


def _batches(intakes, size: int = 500):
    """Each intake with its consents' kinds and files, read a batch at a time (a query per batch, not per intake:
    bench/preview.py)."""
    last = 0
    rows = intakes.select_related("identity").defer("not_asked", "derived").order_by("pk")
    while True:
        batch = list(rows.filter(pk__gt=last)[:size])
        if not batch:
            return
        last = batch[-1].pk
        read = consents_and_files(batch)
        for intake in batch:
            yield intake, read.get(intake.pk, ((), {}))


def _raising(result) -> set[str]:
    """The rules that raised the result's outcome (fired, or asked for information)."""
    if result is None:
        return set()
    return {
        f.rule
        for f in result.findings
        if f.state != FindingState.NOT_KNOWN and f.outcome == result.outcome
    }


def _difference(before, after, titles: dict[str, str]) -> list[str]:
    """The rules that made the difference: those raising the new outcome that did not before, and those
    that raised the old one and no longer do; by title."""
    was, now = _raising(before), _raising(after)
    keys = sorted(now - was) + sorted(was - now)
    return [f"{titles.get(k, k)} ({'now' if k in now else 'no longer'})" for k in keys]


def moves_for_display(preview: RulePreview) -> list[dict]:
    """The preview's moves with the outcomes' labels, for the page."""
    return [
        {
            "from": outcomes.label(move["from"]) if move["from"] != "none" else "No version",
            "to": outcomes.label(move["to"]),
            "cases": move["cases"],
        }
        for move in preview.result.get("moves", [])
    ]
