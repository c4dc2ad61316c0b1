"""Every write of the patient intake: start, save a page, issue and use a resume code, submit.

Views call these; nothing here reads a request. Each write is one transaction.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from screening import clock
from screening.casework.case_screening import intake_screen
from screening.casework.models import ScreeningResult
from screening.intake import reference_codes as codes
from screening.intake.branching import context, missing, not_asked, page_shown, prune
from screening.intake.catalogue import (
    FILE_KEYS,
    IDENTIFYING_KEYS,
    QUESTIONNAIRE_VERSION,
    Kind,
    Page,
    Question,
)
from screening.intake.consent import CONSENT_TEXTS
from screening.intake.facts import derived_values
from screening.intake.folding import fold
from screening.intake.models import Consent, Intake, PatientIdentity, ScanReport
from screening.intake.safety import red_flag_tier
from screening.intake.selectors import load_answers
from screening.rules import rulesets
from screening.rules.models import RulesetVersion
from screening.staff.models import AttemptWindow

logger = logging.getLogger(__name__)


class IntakeNotEditable(Exception):
    """The intake was submitted (or expired) and its answers are frozen."""


class IntakeIncomplete(Exception):
    def __init__(self, questions: list[Question]):
        super().__init__(f"{len(questions)} required answers missing")
        self.questions = questions


def draft_is_live(intake: Intake) -> bool:
    return intake.status == Intake.Status.DRAFT and intake.expires_at > clock.now()


# --- writing ----------------------------------------------------------------------------------
def intake_start(language: str = "en") -> Intake:
    """A new draft, in the patient's language, with a fresh random reference (retried on the rare
    collision)."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                intake = Intake.objects.create(
                    reference=codes.new_reference(),
                    questionnaire_version=QUESTIONNAIRE_VERSION,
                    language=language,
                    expires_at=clock.now() + timedelta(days=settings.INTAKE_DRAFT_DAYS),
                )
                PatientIdentity.objects.create(intake=intake)
                return intake
        except IntegrityError:
            continue
    raise RuntimeError("Could not allocate a unique intake reference")


def intake_set_language(*, intake_id: int, language: str) -> None:
    """The patient chose another language: the draft (and its e-mails) speak it from now on."""
    Intake.objects.filter(pk=intake_id, status=Intake.Status.DRAFT).update(language=language)


@dataclass(frozen=True)
class SavedPage:
    intake: Intake
    answers: dict[str, Any]  # as load_answers would read them back now, without reading them again


def _draft_for_saving(intake_id: int) -> Intake | None:
    """The draft with its identity row, locked until the transaction ends. None if there is none."""
    try:
        return (
            Intake.objects.select_for_update(of=("self",))
            .select_related("identity")
            .get(pk=intake_id)
        )
    except Intake.DoesNotExist:
        return None


# Every field a page save changes; the rest of the row is left as it is.
PAGE_SAVE_FIELDS = ["answers", "safety_tier", "safety_advice_tier", "expires_at", "updated_at"]


class DraftState(StrEnum):
    """What a browser's draft is, when it posts a page."""

    NONE = "none"  # no draft, or none any more
    SUBMITTED = "submitted"
    EXPIRED = "expired"
    LIVE = "live"


@dataclass
class PagePost:
    """What became of a page posted: the draft's state, its answers as they were before the post, and
    whether the page applied, was refused by its form (``clean`` gave None), was over the hourly limit,
    or was saved."""

    state: DraftState
    stored: dict[str, Any] = field(default_factory=dict)
    shown: bool = True
    over_limit: bool = False
    saved: SavedPage | None = None


def intake_post_page(
    *,
    intake_id: int | None,
    page: Page,
    clean: Callable[[dict[str, Any]], dict[str, Any] | None],
    within_limit: Callable[[Intake], bool],
) -> PagePost:
    """One page posted, in one transaction: the draft read once and locked (so a page saved in another
    tab meanwhile cannot be overwritten), its answers given to ``clean`` (the page's form: the values to
    store, or None when it refuses them), the save counted by ``within_limit``, then stored."""
    day = clock.today()
    with transaction.atomic():
        intake = _draft_for_saving(intake_id) if intake_id is not None else None
        if intake is None:
            return PagePost(DraftState.NONE)
        if intake.is_submitted:
            return PagePost(DraftState.SUBMITTED)
        if not draft_is_live(intake):
            return PagePost(DraftState.EXPIRED)
        stored = load_answers(intake)
        if not page_shown(page, stored, context(stored, day)):
            return PagePost(DraftState.LIVE, stored, shown=False)
        values = clean(stored)
        if values is None:
            return PagePost(DraftState.LIVE, stored)
        if not within_limit(intake):
            return PagePost(DraftState.LIVE, stored, over_limit=True)
        saved = _save_page(intake=intake, stored=stored, page=page, values=values)
        return PagePost(DraftState.LIVE, stored, saved=saved)


def _save_page(
    *, intake: Intake, stored: dict[str, Any], page: Page, values: dict[str, Any]
) -> SavedPage:
    """Store one page's answers, clear answers that no longer apply, and update the red-flag tier, in
    the transaction that locked the draft (intake_post_page)."""
    answers = dict(stored)
    consents = {kind for kind in CONSENT_TEXTS if answers.get(kind)}
    for question in page.questions:
        if question.key in values:
            answers[question.key] = values[question.key]
    answers = prune(answers, clock.today())
    # A scan unticked: its report no longer applies, and its files go (after this commits)
    unasked_files = [key for key in FILE_KEYS if key in stored and key not in answers]
    if unasked_files:
        ScanReport.objects.filter(intake=intake, question__in=unasked_files).delete()

    _split_answers(intake, answers)
    intake.safety_tier = _red_flag_tier(intake, page, answers)
    if intake.safety_advice_tier is not None and (
        intake.safety_tier is None or intake.safety_tier > intake.safety_advice_tier
    ):
        # The answers changed to a less urgent tier (or none): its own advice is due when it arises.
        intake.safety_advice_tier = None
    intake.expires_at = clock.now() + timedelta(days=settings.INTAKE_DRAFT_DAYS)
    intake.save(update_fields=PAGE_SAVE_FIELDS)
    consents = _record_consents(intake, page, answers, consents)
    files = {key: n for key, n in stored.items() if key in FILE_KEYS and key in answers}
    return SavedPage(intake, load_answers(intake, consents=consents, files=files))


def _published_version() -> RulesetVersion | None:
    """The latest published version, without its rules: what they say is read once per process (the
    urgent facts below, the compiled ruleset in rulesets), since a published version never changes."""
    return (
        RulesetVersion.objects.only("id", "number", "content_hash", "next_steps")
        .order_by("-number")
        .first()
    )


@lru_cache(maxsize=8)
def _urgent_facts(number: int, digest: str) -> frozenset[str]:
    return rulesets.urgent_facts(RulesetVersion.objects.get(number=number))


def _red_flag_tier(intake: Intake, page: Page, answers: dict[str, Any]) -> int | None:
    """The most urgent red-flag tier of the answers, as the published red-flag rules decide it.

    The draft is screened when this page answers a question a red-flag rule reads, so staff see an urgent
    case before it is sent; the tiers of the red flags that fired set the patient's advice. Pages no
    red-flag rule reads keep the tier the last screening gave. Without rules (or if screening fails) the
    fixed tiers of safety.py are the fallback.
    """
    version = _published_version()
    urgent = _urgent_facts(version.number, version.content_hash) if version else frozenset()
    if {q.key for q in page.questions} & urgent:
        result = intake_screen(
            intake=intake, answers=answers, trigger=ScreeningResult.Trigger.DRAFT, version=version
        )
        if result.outcome != ScreeningResult.SCREENING_ERROR:
            tiers = [f["tier"] for f in result.findings if f["outcome"] == "urgent" and f["tier"]]
            return min(tiers) if tiers else None
    elif version is not None:
        return intake.safety_tier
    return red_flag_tier(answers, context(answers, clock.today()))


def _split_answers(intake: Intake, answers: dict[str, Any]) -> None:
    """Identifying details to the identity row (saved here), clinical answers to the intake (not saved):
    consents are rows of their own."""
    identity = intake.identity
    changed = False
    for key in IDENTIFYING_KEYS:
        value = answers.get(key)
        if key == "date_of_birth":
            value = date.fromisoformat(value) if value else None
        value = value if value is not None else ("" if key != "date_of_birth" else None)
        changed = changed or getattr(identity, key) != value
        setattr(identity, key, value)
    if changed:  # most pages ask nothing identifying: no write
        identity.family_name_folded = fold(identity.family_name)
        identity.save()
    intake.answers = {
        k: v
        for k, v in answers.items()
        if k not in IDENTIFYING_KEYS and k not in CONSENT_TEXTS and k not in FILE_KEYS
    }


def _record_consents(
    intake: Intake, page: Page, answers: dict[str, Any], consents: set[str]
) -> set[str]:
    """Record the page's consents (a few queries, however many it asks); returns the kinds of consent
    the intake holds now, given ``consents``, those it held before."""
    asked = [q.key for q in page.questions if q.kind == Kind.CONSENT]
    if not asked:
        return consents
    given = {kind for kind in asked if answers.get(kind)}
    existing = {c.kind: c for c in Consent.objects.filter(intake=intake, kind__in=asked)}
    moment = clock.now()
    Consent.objects.bulk_create(
        Consent(intake=intake, kind=kind, version=CONSENT_TEXTS[kind].version, given_at=moment)
        for kind in asked
        if kind in given and kind not in existing
    )
    for kind in given & existing.keys():
        # Keep the time of the first consent to this version; a new version needs a new consent.
        consent = existing[kind]
        if consent.version != CONSENT_TEXTS[kind].version:
            consent.version, consent.given_at = CONSENT_TEXTS[kind].version, moment
            consent.save(update_fields=["version", "given_at"])
    withdrawn = [kind for kind in asked if kind not in given and kind in existing]
    if withdrawn:
        Consent.objects.filter(intake=intake, kind__in=withdrawn).delete()
    return (consents - set(asked)) | given


def intake_mark_advice_shown(*, intake: Intake, tier: int) -> None:
    Intake.objects.filter(pk=intake.pk).update(safety_advice_tier=tier)


def intake_issue_resume_code(*, intake: Intake) -> str:
    """A new resume code for this draft; it replaces any earlier one. Only its keyed hash is stored."""
    code = codes.new_resume_code()
    digest = codes.resume_digest(codes.normalise_resume_code(code))
    Intake.objects.filter(pk=intake.pk).update(resume_digest=digest, resume_failures=0)
    return code


@dataclass(frozen=True)
class ResumeOutcome:
    intake: Intake | None
    expired: bool = False


def intake_resume(*, code: str, date_of_birth: date) -> ResumeOutcome:
    """The draft that the code and date of birth open, or nothing.

    Every failure looks the same to the caller, so a guesser learns nothing. A draft whose code was right
    but whose date of birth was wrong too often is locked: it opens only from its own browser session.
    """
    normalised = codes.normalise_resume_code(code)
    if normalised is None:
        return ResumeOutcome(None)
    intake = (
        Intake.objects.select_related("identity")
        .filter(resume_digest=codes.resume_digest(normalised), status=Intake.Status.DRAFT)
        .first()
    )
    if intake is None:
        return ResumeOutcome(None)
    # Reserve an attempt against this draft first (a conditional update, so parallel guesses cannot all
    # pass the check); a right date of birth gives it back.
    reserved = Intake.objects.filter(
        pk=intake.pk, resume_failures__lt=settings.INTAKE_RESUME_MAX_FAILURES
    ).update(resume_failures=F("resume_failures") + 1)
    if not reserved or intake.identity.date_of_birth != date_of_birth:
        return ResumeOutcome(None)
    Intake.objects.filter(pk=intake.pk).update(resume_failures=0)
    if not draft_is_live(intake):
        return ResumeOutcome(None, expired=True)
    return ResumeOutcome(intake)


def intake_submit(*, intake_id: int) -> Intake:
    """Freeze the answers and mark the intake submitted. Idempotent: a second call returns the same intake.

    The conditional update is what makes it safe: of two concurrent submits only one changes the row, on
    SQLite and PostgreSQL alike; the other finds it submitted and returns it.
    """
    with transaction.atomic():
        intake = (
            Intake.objects.select_for_update(of=("self",))
            .select_related("identity")
            .get(pk=intake_id)
        )
        if intake.is_submitted:
            return intake
        if not draft_is_live(intake):
            raise IntakeNotEditable(intake.reference)
        answers = load_answers(intake)
        day = clock.today()
        gaps = missing(answers, day)
        if gaps:
            raise IntakeIncomplete(gaps)
        frozen = {
            "status": Intake.Status.SUBMITTED,
            "submitted_at": clock.now(),
            "not_asked": not_asked(answers, day),
            "derived": derived_values(answers, day),
            "resume_digest": None,
        }
        changed = Intake.objects.filter(pk=intake.pk, status=Intake.Status.DRAFT).update(**frozen)
        if changed:
            for field, value in frozen.items():  # the row as written, without reading it again
                setattr(intake, field, value)
            intake_screen(intake=intake, answers=answers, trigger=ScreeningResult.Trigger.SUBMIT)
    if not changed:
        intake.refresh_from_db()  # sent by a parallel request: its row
        return intake
    logger.info("intake submitted", extra={"questionnaire": intake.questionnaire_version})
    return intake


def purge_expired_drafts() -> int:
    """Delete drafts past their expiry, with their identities and consents, and stale attempt counts.

    Returns how many drafts were deleted. Submitted intakes are never touched here, nor drafts that
    reached staff as an urgent case: those are the clinic's record, kept by case retention
    (screening/staff/retention.py).
    """
    moment = clock.now()
    with transaction.atomic():
        _count, per_model = Intake.objects.filter(
            status=Intake.Status.DRAFT, expires_at__lte=moment, case__isnull=True
        ).delete()
        AttemptWindow.objects.filter(window_ends__lte=moment).delete()
    return per_model.get(Intake._meta.label, 0)


@transaction.atomic
def intake_import(*, intakes: list) -> list[str]:
    """Save checked intakes (intake_format.CheckedIntake) as submitted and screen each. All or nothing."""
    references = []
    for item in intakes:
        # An imported intake carries no files: "how many are attached" is no answer of its own here
        item = replace(item, answers={k: v for k, v in item.answers.items() if k not in FILE_KEYS})
        intake = intake_start()
        submitted_at = item.submitted_at or clock.now()
        day = timezone.localdate(submitted_at)
        _split_answers(intake, item.answers)
        intake.status, intake.submitted_at = Intake.Status.SUBMITTED, submitted_at
        intake.not_asked = not_asked(item.answers, day)
        intake.derived = derived_values(item.answers, day)
        intake.save()
        Consent.objects.bulk_create(
            Consent(
                intake=intake, kind=kind, version=CONSENT_TEXTS[kind].version, given_at=submitted_at
            )
            for kind in CONSENT_TEXTS
            if item.answers.get(kind)
        )
        intake_screen(
            intake=intake, answers=item.answers, trigger=ScreeningResult.Trigger.IMPORT, as_of=day
        )
        references.append(intake.reference)
    return references
