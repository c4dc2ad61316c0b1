"""Attaching and removing scan reports (issue 19): each file checked (report_files), scanned (virus_scan) and
stored under a random key in the "scan_reports" storage; its row written in the same breath, and the file
deleted only after the transaction that drops the row commits (a daily sweep, `manage.py
sweep_scan_reports`, removes any file without a row: a crash between the two writes)."""

import hashlib
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Sum
from django.db.models.signals import post_delete
from django.dispatch import receiver

from screening import clock
from screening.intake import report_files, virus_scan
from screening.intake.catalogue import Kind, Page, Question
from screening.intake.models import Intake, ScanReport
from screening.intake.report_files import MESSAGES, Refused

logger = logging.getLogger(__name__)

ORPHAN_AGE = timedelta(days=1)  # a file without a row this old is an orphan (no upload takes a day)


def storage():
    return storages["scan_reports"]


_STORAGE_NAME = re.compile(r"[A-Za-z0-9_-]{32}\.(pdf|jpg|png)")


def storage_name_or_none(text: str | None) -> str | None:
    """A stored file's name as report_add makes them, or None (anything else names no file)."""
    return text if text and _STORAGE_NAME.fullmatch(text) else None


def upload_questions(page: Page) -> list[Question]:
    return [q for q in page.questions if q.kind == Kind.FILE]


def attached(intake: Intake, since=None) -> dict[str, list[ScanReport]]:
    """The intake's files by upload question, in the order they were attached (``since``: those the
    patient attached from that moment on)."""
    by_question: dict[str, list[ScanReport]] = {}
    reports = ScanReport.objects.filter(intake=intake)
    if since is not None:
        reports = reports.filter(added_by=None, added_at__gte=since)
    for report in reports:
        by_question.setdefault(report.question, []).append(report)
    return by_question


@dataclass
class Received:
    """What came of the files sent with one page: the refusals, by question, in the patient's words."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    added: list[ScanReport] = field(default_factory=list)

    def refuse(self, key: str, message) -> None:
        self.errors.setdefault(key, []).append(str(message))


def reports_receive(
    *,
    intake: Intake,
    page: Page,
    files,
    oversize: Iterable[str] = (),
    within_limit=lambda: True,
    added_by=None,
) -> Received:
    """Check, scan and store each file sent for the page's upload questions (``files``: the request's
    FILES); ``oversize`` names the questions whose file was dropped as it arrived (over 20 MB)."""
    received = Received()
    for key in oversize:
        received.refuse(key, MESSAGES["too_big"])
    for question in upload_questions(page):
        for upload in files.getlist(question.key):
            name = str(upload.name or "")[:120]
            try:
                if not within_limit():
                    raise Refused(MESSAGES["too_fast"])
                report = report_add(
                    intake=intake, question=question, data=upload.read(), name=name, by=added_by
                )
            except Refused as refused:
                received.refuse(question.key, _file_named(name, refused.message))
            else:
                received.added.append(report)
    return received


def _file_named(name: str, message) -> str:
    """The refusal, with the file's name when it has one: several files may be sent at once."""
    return f"{name}: {message}" if name else str(message)


def report_add(*, intake: Intake, question: Question, data: bytes, name: str = "", by=None):
    """Attach one file to ``question`` of the intake, or raise Refused saying what to do instead.

    The file is checked and scanned first (slow, no lock held), stored, then counted against the limits
    and recorded with the intake locked, so two requests at once (two tabs, a double click) cannot pass
    the limits together; a file the limits refuse is deleted again."""
    _within_limits(intake, question, len(data))  # early: no check or scan of a file that cannot fit
    safe = report_files.make_safe(data, scan=_scanned)
    stored_as = storage().save(
        f"{secrets.token_urlsafe(24)}.{safe.extension}", ContentFile(safe.content)
    )
    try:
        with transaction.atomic():
            Intake.objects.select_for_update().filter(pk=intake.pk).first()
            _within_limits(intake, question, len(safe.content))
            return ScanReport.objects.create(
                intake=intake,
                question=question.key,
                storage_name=stored_as,
                original_name=name,
                content_type=safe.content_type,
                size=len(safe.content),
                sha256=hashlib.sha256(safe.content).hexdigest(),
                sha1=hashlib.sha1(safe.content, usedforsecurity=False).hexdigest(),
                scan_status=safe.scan_status,
                added_by=by,
            )
    except BaseException:
        storage().delete(stored_as)  # no row, no file
        raise


def _within_limits(intake: Intake, question: Question, size: int) -> None:
    attached = ScanReport.objects.filter(intake=intake)
    if attached.filter(question=question.key).count() >= settings.REPORTS_PER_SCAN:
        raise Refused(str(MESSAGES["too_many"]) % {"count": settings.REPORTS_PER_SCAN})
    used = attached.aggregate(total=Sum("size"))["total"] or 0
    if used + size > settings.REPORT_BYTES_PER_DRAFT:
        megabytes = settings.REPORT_BYTES_PER_DRAFT // (1024 * 1024)
        raise Refused(str(MESSAGES["too_much"]) % {"megabytes": megabytes})


def _scanned(data: bytes) -> str:
    try:
        return virus_scan.scan(data)
    except virus_scan.Infected:
        logger.warning("scan report refused: a virus signature matched")
        raise Refused(MESSAGES["infected"]) from None
    except virus_scan.ScannerUnavailable as unavailable:
        logger.error("scan report refused: the virus scanner is unavailable (%s)", unavailable)
        raise Refused(MESSAGES["unchecked"]) from None


def report_remove(*, intake: Intake, storage_name: str, since=None) -> bool:
    """Drop one of the intake's files (its file goes once this commits). False if it is not the intake's
    (or, with ``since``, not one the patient attached from then on)."""
    reports = ScanReport.objects.filter(intake=intake, storage_name=storage_name)
    if since is not None:
        reports = reports.filter(added_by=None, added_at__gte=since)
    deleted, _by_model = reports.delete()
    return bool(deleted)


def reports_clear(*, intake: Intake, questions: Iterable[str]) -> None:
    """Drop the files of upload questions that no longer apply (the scan was unticked)."""
    ScanReport.objects.filter(intake=intake, question__in=list(questions)).delete()


@receiver(post_delete, sender=ScanReport)
def _delete_file_after_commit(sender, instance: ScanReport, **kwargs) -> None:
    """However the row went (removed, its scan unticked, its draft purged, its case past retention),
    its file goes once the deletion commits; never before, so a rolled-back deletion keeps its file."""
    name = instance.storage_name
    transaction.on_commit(lambda: storage().delete(name), robust=True)


def sweep_orphans(now=None) -> int:
    """Delete stored files that no row names, older than ORPHAN_AGE. Returns how many."""
    now = now or clock.now()
    store = storage()
    try:
        _folders, names = store.listdir("")
    except FileNotFoundError:
        return 0
    known = set(
        ScanReport.objects.filter(storage_name__in=names).values_list("storage_name", flat=True)
    )
    swept = 0
    for name in names:
        if name in known or now - store.get_modified_time(name) < ORPHAN_AGE:
            continue
        store.delete(name)
        swept += 1
    return swept
