"""The intake file format (docs/intake-format.md): read, checked with the same rules as the web form.

A file holds one intake or ``{"format_version": 1, "intakes": [...]}``; an intake is
``{"answers": {question key: value, ...}}`` with an optional ``submitted_at``. Values are as stored: text,
whole numbers, "YYYY-MM-DD", "YYYY-MM", choice codes, lists of codes, {"cm": 170} or {"ft": 5, "in": 10},
{"kg": 80} or {"lb": 176}, and true for consents. Each answer goes through the page forms the patients use,
so a file cannot hold what the form would refuse.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from screening.intake import branching as ans
from screening.intake.catalogue import (
    ADDED_SINCE,
    NEWLY_BRANCHED,
    PAGES,
    QUESTIONNAIRE_VERSION,
    QUESTIONS,
    RETIRED,
    Kind,
    Page,
    Question,
    upgrade,
)
from screening.intake.page_forms import PageForm

FORMAT_VERSION = 1
_STRING_KINDS = {
    Kind.TEXT,
    Kind.LONG_TEXT,
    Kind.EMAIL,
    Kind.PHONE,
    Kind.CHOICE,
    Kind.YES_NO,
    Kind.YES_NO_UNSURE,
    Kind.DATE,
    Kind.MONTH_YEAR,
}


@dataclass
class CheckedIntake:
    answers: dict[str, Any]
    submitted_at: datetime | None = None


@dataclass
class Checked:
    intakes: list[CheckedIntake] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read(data: Any, today: date) -> Checked:
    """Every intake of a file, checked; ``problems`` names each field that is wrong, one line each."""
    checked = Checked()
    if isinstance(data, dict) and "intakes" in data:
        if data.get("format_version") != FORMAT_VERSION:
            checked.problems.append(f"format_version: must be {FORMAT_VERSION}")
            return checked
        items = data["intakes"]
        if not isinstance(items, list):
            checked.problems.append("intakes: must be a list of intakes")
            return checked
        labelled = [(f"intakes[{n}]", item) for n, item in enumerate(items)]
    else:
        labelled = [("intake", data)]
    for where, item in labelled:
        intake, problems = _read_one(item, today)
        checked.problems += [f"{where}.{p}" for p in problems]
        if intake is not None:
            checked.intakes.append(intake)
    return checked


def _read_one(item: Any, today: date) -> tuple[CheckedIntake | None, list[str]]:
    if not isinstance(item, dict) or not isinstance(item.get("answers"), dict):
        return None, ['answers: each intake needs an "answers" object']
    unknown = sorted(set(item) - {"answers", "submitted_at", "questionnaire_version"})
    problems = [f"{key}: not a field of an intake" for key in unknown]
    submitted_at = None
    if item.get("submitted_at") is not None:
        try:
            submitted_at = datetime.fromisoformat(item["submitted_at"])
        except (TypeError, ValueError):
            problems.append("submitted_at: must be a date and time like 2026-05-01T14:30:00+00:00")
        else:
            if submitted_at.tzinfo is None:
                problems.append("submitted_at: give the time zone, like 2026-05-01T14:30:00+00:00")
                submitted_at = None
            elif submitted_at.date() > today:
                problems.append("submitted_at: must be in the past")
    version = item.get("questionnaire_version")
    # Questions added since an older questionnaire may be left out of its files.
    newer = frozenset(ADDED_SINCE.get(version, ()))
    if version is not None and version != QUESTIONNAIRE_VERSION and version not in ADDED_SINCE:
        problems.append(
            f"questionnaire_version: the file was written for {version!r}; this app asks "
            f"questionnaire {QUESTIONNAIRE_VERSION!r}"
        )
    answers = item["answers"]
    # An older questionnaire's file keeps its answers to questions no longer asked, as sent, and is
    # read in today's questions (retired.upgrade); answers today's branching would not ask stay too.
    older = version in ADDED_SINCE
    known = {**QUESTIONS, **RETIRED} if older and isinstance(answers, dict) else QUESTIONS
    problems += [
        f"answers.{key}: not a question of questionnaire {version if older else QUESTIONNAIRE_VERSION}"
        for key in sorted(set(answers) - set(known))
    ]
    mistyped = set()
    for key, value in answers.items():
        problem = _type_problem(known[key].kind, value) if key in known else None
        if problem:
            problems.append(f"answers.{key}: {problem}")
            mistyped.add(key)
    kept = {k: v for k, v in answers.items() if k in known and k not in mistyped}
    # The rest is checked as the web form checks it; a mistyped answer is reported once, above.
    if older:
        kept = upgrade(kept)
    answers = {k: v for k, v in kept.items() if k in QUESTIONS}

    stored: dict[str, Any] = {}
    for page in PAGES:
        data = {}
        for q in page.questions:
            if q.key in answers:
                data |= _as_form_data(q.kind, q.key, answers[q.key])
        if not ans.page_shown(page, stored, ans.context(stored, today)):
            continue
        form = PageForm(data, page=page, stored=stored, today=today)
        form.is_valid()
        for q in form.questions:
            if q.key not in mistyped and not (q.key in newer and q.key not in answers):
                problems += [
                    f"answers.{q.key}: {message}" for message in form.errors.get(q.key, [])
                ]
        stored.update({k: v for k, v in form.answers.items() if v is not None})
        # How many files an upload question has (a test case's "report attached"): the form takes
        # files, not numbers, so the number is kept as sent (checked above) where the question applies
        stored.update(
            {
                q.key: answers[q.key]
                for q in form.questions
                if q.kind == Kind.FILE and q.key not in mistyped and answers.get(q.key)
            }
        )
    stored = ans.prune(stored, today)
    if older:
        # Kept as sent, each checked as its own field: the answers to questions no longer asked, and
        # those today's narrower branching would not ask (catalogue.NEWLY_BRANCHED)
        for key, value in kept.items():
            if value is None or key in stored or key in mistyped:
                continue
            if key in RETIRED or key in NEWLY_BRANCHED:
                problem, checked = _check_alone(RETIRED.get(key) or QUESTIONS[key], value, today)
                if problem:
                    problems.append(f"answers.{key}: {problem}")
                else:
                    stored[key] = checked
    wrong = {p.split(":")[0].removeprefix("answers.") for p in problems}
    for key in sorted({k for k, v in answers.items() if v is not None} - set(stored)):
        # Not said of a question hidden only because an answer it follows from is wrong (said above)
        if key in QUESTIONS and key not in wrong and not ans.depends_on(key) & wrong:
            problems.append(f"answers.{key}: this question does not apply given the other answers")
    if problems:
        return None, problems
    return CheckedIntake(answers=stored, submitted_at=submitted_at), []


def _check_alone(question: Question, value: Any, today: date) -> tuple[str | None, Any]:
    """(the problem, or None; the value as stored) of one answer checked as the web form checks it,
    whatever the other answers."""
    alone = replace(question, show_if=(), required=False)
    form = PageForm(
        _as_form_data(question.kind, question.key, value),
        page=Page("alone", "", (alone,)),
        stored={},
        today=today,
    )
    if not form.is_valid():
        return form.errors[question.key][0], None
    return None, form.answers[question.key]


def _type_problem(kind: Kind, value: Any) -> str | None:
    if value is None:
        return None
    if kind in _STRING_KINDS and not isinstance(value, str):
        return "must be text"
    if kind in (Kind.INTEGER, Kind.SCALE) and (
        not isinstance(value, int) or isinstance(value, bool)
    ):
        return "must be a whole number"
    if kind == Kind.MULTI and (
        not isinstance(value, list) or not all(isinstance(v, str) for v in value)
    ):
        return "must be a list of choice codes"
    if kind == Kind.FILE and (
        not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= REPORTS_PER_SCAN
    ):
        return f"must be how many files are attached, a whole number from 1 to {REPORTS_PER_SCAN}"
    if kind == Kind.CONSENT and value is not True:
        return "must be true (given) or left out"
    if kind == Kind.HEIGHT and not (
        isinstance(value, dict) and set(value) in ({"cm"}, {"ft", "in"}, {"ft"})
    ):
        return 'must be {"cm": number} or {"ft": number, "in": number}'
    if kind == Kind.WEIGHT and not (isinstance(value, dict) and set(value) in ({"kg"}, {"lb"})):
        return 'must be {"kg": number} or {"lb": number}'
    if kind in (Kind.HEIGHT, Kind.WEIGHT) and not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()
    ):
        return "must hold numbers"
    return None


def _as_form_data(kind: Kind, key: str, value: Any) -> dict[str, Any]:
    """An answer as the page form receives it from a browser."""
    if value is None:
        return {}
    match kind:
        case Kind.DATE:
            year, month, day = ([*value.split("-"), "", ""])[:3]
            return {f"{key}_day": day, f"{key}_month": month, f"{key}_year": year}
        case Kind.MONTH_YEAR:
            year, month = ([*value.split("-"), ""])[:2]
            return {f"{key}_month": month, f"{key}_year": year}
        case Kind.HEIGHT | Kind.WEIGHT:
            return {f"{key}_{unit}": str(number) for unit, number in value.items()}
        case Kind.CONSENT:
            return {key: "on"}
        case Kind.MULTI:
            return {key: value}
    return {key: str(value)}


REPORTS_PER_SCAN = 5  # settings.REPORTS_PER_SCAN: a file of this format reads the same everywhere


def schema() -> dict:
    """The JSON Schema of the format, generated from the catalogue (docs/intake-format.schema.json)."""
    properties: dict[str, Any] = {}
    for key, q in QUESTIONS.items():
        codes = [c for c, _l in q.choices]
        match q.kind:
            case Kind.INTEGER | Kind.SCALE:
                prop: dict[str, Any] = {"type": "integer"}
                if q.min_value is not None:
                    prop["minimum"] = q.min_value
                if q.max_value is not None:
                    prop["maximum"] = q.max_value
            case Kind.CHOICE | Kind.YES_NO | Kind.YES_NO_UNSURE:
                prop = {"type": "string", "enum": codes}
            case Kind.MULTI:
                prop = {
                    "type": "array",
                    "items": {"type": "string", "enum": codes},
                    "uniqueItems": True,
                }
            case Kind.DATE:
                prop = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
            case Kind.MONTH_YEAR:
                prop = {"type": "string", "pattern": r"^\d{4}-\d{2}$"}
            case Kind.CONSENT:
                prop = {"const": True}
            case Kind.FILE:  # how many files are attached; a file itself is never in this format
                prop = {"type": "integer", "minimum": 1, "maximum": REPORTS_PER_SCAN}
            case Kind.HEIGHT:
                prop = {
                    "oneOf": [
                        {
                            "type": "object",
                            "properties": {"cm": {"type": "number"}},
                            "required": ["cm"],
                            "additionalProperties": False,
                        },
                        {
                            "type": "object",
                            "properties": {"ft": {"type": "integer"}, "in": {"type": "integer"}},
                            "required": ["ft"],
                            "additionalProperties": False,
                        },
                    ]
                }
            case Kind.WEIGHT:
                prop = {
                    "oneOf": [
                        {
                            "type": "object",
                            "properties": {unit: {"type": "number"}},
                            "required": [unit],
                            "additionalProperties": False,
                        }
                        for unit in ("kg", "lb")
                    ]
                }
            case _:
                prop = {"type": "string"}
        prop["description"] = str(q.label)
        properties[key] = prop
    intake = {
        "type": "object",
        "required": ["answers"],
        "additionalProperties": False,
        "properties": {
            "questionnaire_version": {"type": "string"},
            "submitted_at": {"type": "string", "format": "date-time"},
            "answers": {"type": "object", "properties": properties, "additionalProperties": False},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"FacetClinic intake, format {FORMAT_VERSION}, questionnaire {QUESTIONNAIRE_VERSION}",
        "oneOf": [
            {"$ref": "#/$defs/intake"},
            {
                "type": "object",
                "required": ["format_version", "intakes"],
                "additionalProperties": False,
                "properties": {
                    "format_version": {"const": FORMAT_VERSION},
                    "intakes": {"type": "array", "items": {"$ref": "#/$defs/intake"}},
                },
            },
        ],
        "$defs": {"intake": intake},
    }
