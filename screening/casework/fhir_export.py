"""One intake as a FHIR R4 QuestionnaireResponse, for the clinic's EHR, built from the catalogue.

Each catalogue section is a group item holding its answered questions, each answer typed by the question's
kind; a final "scores" group holds the derived scores with their formula versions. Unanswered and not-asked
questions are left out. Without ``identifiable`` the identifying questions are left out entirely, so the
export carries no name, date of birth or contact detail (the age, which would follow from the date of
birth, is not exported either).

Each scan report attached is a contained DocumentReference (issue 19), which its upload question's answer
references: its metadata (type, size, SHA-1, when) and the address staff open it at. The file itself is
never in the export; the EHR fetches it by reference, as a signed-in coordinator or specialist.
"""

import base64
from typing import Any

from django.conf import settings
from django.urls import reverse

from screening.intake.branching import is_answered
from screening.intake.catalogue import (
    IDENTIFYING_KEYS,
    RETIRED,
    SECTIONS,
    Kind,
    Question,
    scan_of_report,
)
from screening.intake.facts import height_cm, weight_kg
from screening.intake.models import Intake, ScanReport
from screening.intake.selectors import NO_LONGER_ASKED, load_answers

UCUM = "http://unitsofmeasure.org"

# The derived scores exported, as stored in ``intake.derived``: (linkId, text, path to the value, FHIR type).
# Each score's formula version is at ``derived[path[0]]["version"]`` and is named in the item's text.
SCORES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("odi_percent", "Oswestry Disability Index (%)", ("odi", "percent"), "valueInteger"),
    ("odi_band", "Oswestry Disability Index band", ("odi", "band"), "valueString"),
    ("startback_total", "STarT Back total score", ("startback", "total"), "valueInteger"),
    (
        "startback_psychosocial",
        "STarT Back psychosocial subscore",
        ("startback", "psychosocial"),
        "valueInteger",
    ),
    ("startback_risk", "STarT Back risk group", ("startback", "risk"), "valueString"),
    *(
        (f"nrs_{key}_band", f"Pain band (NRS 0-10): {when}", ("nrs", key, "band"), "valueString")
        for key, when in (
            ("pain_now", "right now"),
            ("pain_average", "average last week"),
            ("pain_worst", "worst last week"),
        )
    ),
    ("bmi", "Body mass index (kg/m2)", ("bmi", "value"), "valueDecimal"),
    ("bmi_band", "Body mass index band", ("bmi", "band"), "valueString"),
)
NOT_SCORED = "not_scored"


def questionnaire_response(intake: Intake, *, identifiable: bool) -> dict[str, Any]:
    """The intake as a plain, JSON-able QuestionnaireResponse; identifying answers only if asked for."""
    answers = load_answers(intake)
    reports = list(ScanReport.objects.filter(intake=intake))
    references: dict[str, list[dict]] = {}
    for n, report in enumerate(reports, start=1):
        references.setdefault(report.question, []).append(
            {"valueReference": {"reference": f"#report-{n}"}}
        )
    # A submitted intake's "not asked" list is frozen; a draft's answers are pruned as each page is saved.
    hidden = set(intake.not_asked)
    if not identifiable:
        hidden |= set(IDENTIFYING_KEYS)
    items = []
    for section in SECTIONS:
        questions = [
            _item(q, answers[q.key], references.get(q.key))
            for page in section.pages
            for q in page.questions
            if q.key not in hidden and is_answered(answers.get(q.key))
        ]
        if questions:
            items.append({"linkId": section.key, "text": str(section.title), "item": questions})
    # An older questionnaire's answers to questions no longer asked, as the case page shows them
    retired = [_item(q, answers[k]) for k, q in RETIRED.items() if is_answered(answers.get(k))]
    if retired:
        items.append({"linkId": "no_longer_asked", "text": NO_LONGER_ASKED, "item": retired})
    scores = _scores(intake.derived or {})
    if scores:
        items.append({"linkId": "scores", "text": "Derived scores", "item": scores})
    authored = intake.submitted_at or intake.updated_at
    contained = (
        {"contained": [_document(intake, report, n) for n, report in enumerate(reports, start=1)]}
        if reports
        else {}
    )
    return {
        "resourceType": "QuestionnaireResponse",
        **contained,
        "id": intake.reference,
        "identifier": {
            "system": f"{settings.SITE_URL}/fhir/intake-reference",
            "value": intake.reference,
        },
        "questionnaire": (
            f"{settings.SITE_URL}/fhir/Questionnaire/facetclinic-intake|{intake.questionnaire_version}"
        ),
        "language": intake.language,  # the language the patient answered in
        "status": "completed" if intake.is_submitted else "in-progress",
        "authored": authored.isoformat(),
        "item": items,
    }


def _item(question: Question, value: Any, files: list[dict] | None = None) -> dict[str, Any]:
    text = str(question.label)
    if question.group:
        text = f"{question.group}: {text}"  # "Block 1: When was it?", as the case page shows it
    return {"linkId": question.key, "text": text, "answer": files or _answers(question, value)}


def _document(intake: Intake, report: ScanReport, n: int) -> dict[str, Any]:
    """A scan report as a DocumentReference: metadata, and the file by reference only (no file is read:
    its SHA-1, FHIR's Attachment.hash, was recorded when it was attached)."""
    attachment = {
        "contentType": report.content_type,
        "size": report.size,
        "creation": report.added_at.isoformat(),
        "url": settings.SITE_URL
        + reverse("screening:case-report", args=[intake.reference, report.storage_name]),
    }
    if report.sha1:
        attachment["hash"] = base64.b64encode(bytes.fromhex(report.sha1)).decode()
    return {
        "resourceType": "DocumentReference",
        "id": f"report-{n}",
        "status": "current",
        "type": {
            "coding": [{"system": "http://loinc.org", "code": "18748-4"}],
            "text": f"{scan_of_report(report.question)[1]} report",
        },
        "date": report.added_at.isoformat(),
        "content": [{"attachment": attachment}],
    }


def _answers(question: Question, value: Any) -> list[dict[str, Any]]:
    match question.kind:
        case Kind.CHOICE | Kind.YES_NO | Kind.YES_NO_UNSURE:
            return [_coding(question, value)]
        case Kind.MULTI:
            return [_coding(question, code) for code in value]
        case Kind.INTEGER | Kind.SCALE | Kind.FILE:  # a file question: how many are attached
            return [{"valueInteger": int(value)}]
        case Kind.DATE | Kind.MONTH_YEAR:
            return [{"valueDate": value}]  # "YYYY-MM-DD" or "YYYY-MM": both valid FHIR dates
        case Kind.CONSENT:
            return [{"valueBoolean": bool(value)}]
        case Kind.HEIGHT:
            return [_quantity(height_cm(value), "cm")]
        case Kind.WEIGHT:
            return [_quantity(weight_kg(value), "kg")]
    return [{"valueString": str(value)}]


def _coding(question: Question, code: str) -> dict[str, Any]:
    return {
        "valueCoding": {
            "system": f"{settings.SITE_URL}/fhir/CodeSystem/{question.key}",
            "code": code,
            "display": question.choice_label(code),
        }
    }


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit}}


def _scores(derived: dict[str, Any]) -> list[dict[str, Any]]:
    items = []
    for link_id, text, path, value_type in SCORES:
        value: Any = derived
        for step in path:
            value = value.get(step) if isinstance(value, dict) else None
        if value is None or value == NOT_SCORED:
            continue
        version = derived[path[0]].get("version")
        items.append(
            {"linkId": link_id, "text": f"{text} [{version}]", "answer": [{value_type: value}]}
        )
    return items
