"""Realistic synthetic cases for demos, tests and benchmarks: every outcome, status, age and answer pattern,
fake names from a fixed seed, written with bulk inserts.

Each case starts from one of the example intakes in docs/examples/ (one per outcome), varied in the ways
that keep it valid (names, contact details, age, pain scores, months of pain, dates), then screened with
the published rules, so its outcome is what the rules say rather than what the template hoped.
"""

import json
import random
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from screening import clock
from screening.casework import bulk_copy as bulk
from screening.casework.case_screening import case_values
from screening.casework.models import Case, ScreeningResult
from screening.intake import reference_codes as codes
from screening.intake.branching import not_asked
from screening.intake.catalogue import IDENTIFYING_KEYS, QUESTIONNAIRE_VERSION
from screening.intake.consent import CONSENT_TEXTS
from screening.intake.facts import derived_values, engine_facts
from screening.intake.folding import fold
from screening.intake.models import Consent, Intake, PatientIdentity
from screening.rules.explaining import screen_explained
from screening.rules.rulesets import compiled_version, latest_version

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples"
GIVEN = [
    "Avery",
    "Blake",
    "Camila",
    "Dmitri",
    "Elena",
    "Farah",
    "Gustavo",
    "Hana",
    "Ikaika",
    "Jorge",
    "Keiko",
    "Luis",
    "Maya",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tomasz",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoë",
    "Anaïs",
    "Björn",
    "Chloé",
    "Dolores",
]
FAMILY = [
    "Abara",
    "Bergström",
    "Castillo",
    "Dąbrowski",
    "Eze",
    "Fischer",
    "García",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalczyk",
    "Lefèvre",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Papadopoulos",
    "Quiroga",
    "Rossi",
    "Sánchez",
    "Tanaka",
    "Urquhart",
    "Varga",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zieliński",
]
# A working clinic: what happened to a case depends on how long ago it came in. Old cases are mostly closed
# or booked; the last week's are mostly new or in review. (days received ago, at least) -> status weights.
STATUS_BY_AGE = (
    (60, {"closed": 1}),
    (30, {"closed": 70, "consultation_booked": 30}),
    (7, {"in_review": 20, "contacted": 20, "consultation_booked": 30, "closed": 30}),
    (0, {"new": 60, "in_review": 25, "contacted": 15}),
)


def _status(rng: random.Random, days: int) -> str:
    weights = next(w for least, w in STATUS_BY_AGE if days >= least)
    return rng.choices(list(weights), weights=list(weights.values()))[0]


BATCH = 1000


# A share of demo patients fill the form in another language the clinic offers, and a share (whatever
# language they filled it in) need an interpreter, so the queue's language filter has cases to find.
OTHER_LANGUAGE_SHARE = 0.15
INTERPRETER_SHARE = 0.05
INTERPRETED = ("Vietnamese", "Mandarin", "Arabic", "Portuguese")


def _templates() -> list[dict]:
    return [json.loads(p.read_text())["answers"] for p in sorted(EXAMPLES.glob("*.json"))]


def _vary(template: dict, rng: random.Random, today: date) -> dict:
    answers = dict(template)
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    age = rng.randint(19, 88)
    birth = today - timedelta(days=age * 365 + rng.randint(0, 364))
    answers |= {
        "given_name": given,
        "family_name": family,
        "date_of_birth": birth.isoformat(),
        "email": f"{given.lower()}.{rng.randint(100, 999)}@example.org".encode(
            "ascii", "ignore"
        ).decode(),
        "phone": f"555 01{rng.randint(0, 9)} {rng.randint(1000, 9999)}",
        "contact_method": rng.choice(["phone", "text", "email"]),
        "pain_now": rng.randint(2, 9),
        "pain_average": rng.randint(3, 8),
        "pain_worst": rng.randint(6, 10),
        "pain_months": rng.choice([4, 6, 9, 12, 18, 24, 36, 60, 120]),
        "height": {"cm": rng.randint(150, 195)},
        "weight": {"kg": rng.randint(50, 130)},
    }
    if answers.get("sex") == "male" and rng.random() < 0.5:
        answers["sex"] = "female" if age >= 60 else "male"  # pregnancy is asked only under 60
    if rng.random() < INTERPRETER_SHARE:
        answers |= {"interpreter": "yes", "interpreter_language": rng.choice(INTERPRETED)}
    return answers


def _language(rng: random.Random) -> str:
    """The language a demo patient filled the form in: one of those the clinic offers, English mostly."""
    others = [code for code in settings.PATIENT_LANGUAGES if code != "en"]
    return rng.choice(others) if others and rng.random() < OTHER_LANGUAGE_SHARE else "en"


def generate(*, count: int, seed: int = 2026, drafts_share: float = 0.02) -> int:
    """Create ``count`` cases (a small share of them urgent drafts not yet sent). Returns how many."""
    version = latest_version()
    if version is None:
        raise RuntimeError("No ruleset is published: run `manage.py load_default_rules` first.")
    ruleset = compiled_version(version)
    # Demo data from a fixed seed, nothing secret.
    rng = random.Random(seed)  # noqa: S311  # nosec B311
    templates = _templates()
    coordinators = list(get_user_model().objects.filter(groups__name="Coordinator"))
    now, today = clock.now(), clock.today()
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        with transaction.atomic():
            _batch(
                size,
                rng,
                templates,
                ruleset,
                version,
                coordinators,
                now,
                today,
                drafts_share,
                fresh=made == 0,
            )
        made += size
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Fresh statistics after a bulk load, so the planner knows how big the tables are now.
            cursor.execute("ANALYZE")
    return made


def _batch(
    size, rng, templates, ruleset, version, coordinators, now, today, drafts_share, *, fresh=False
) -> None:
    """``fresh``: the batch's first case is a tier-1 red flag sent a few minutes ago, nobody on it yet."""
    rows = []
    for n in range(size):
        answers = _vary(rng.choice(templates), rng, today)
        draft = rng.random() < drafts_share
        if draft:
            answers["saddle_numbness"] = "yes"
        received = now - timedelta(minutes=rng.randint(5, 365 * 24 * 60))
        if fresh and n == 0:
            draft, received = False, now - timedelta(minutes=4)
            answers["saddle_numbness"] = "yes"
        hidden, derived = not_asked(answers, today), derived_values(answers, today)
        facts = engine_facts(answers, today, hidden=hidden, derived=derived)
        result = screen_explained(facts, ruleset, version, today)
        rows.append((answers, draft, received, result, hidden, derived, _language(rng)))
    intakes = [
        Intake(
            reference=codes.new_reference(),
            status=Intake.Status.DRAFT if draft else Intake.Status.SUBMITTED,
            questionnaire_version=QUESTIONNAIRE_VERSION,
            language=language,
            answers={
                k: v
                for k, v in answers.items()
                if k not in IDENTIFYING_KEYS and k not in CONSENT_TEXTS
            },
            not_asked=[] if draft else hidden,
            derived={} if draft else derived,
            safety_tier=1 if draft else None,
            expires_at=received + timedelta(days=settings.INTAKE_DRAFT_DAYS),
            submitted_at=None if draft else received,
        )
        for answers, draft, received, _result, hidden, derived, language in rows
    ]
    bulk.insert(Intake, intakes, with_ids=True)
    bulk.insert(
        PatientIdentity,
        [
            PatientIdentity(
                intake=intake,
                **{k: answers[k] for k in IDENTIFYING_KEYS if k != "date_of_birth"},
                family_name_folded=fold(answers["family_name"]),
                date_of_birth=date.fromisoformat(answers["date_of_birth"]),
            )
            for intake, (answers, *_rest) in zip(intakes, rows, strict=True)
        ],
    )
    bulk.insert(
        Consent,
        [
            Consent(
                intake=intake, kind=kind, version=CONSENT_TEXTS[kind].version, given_at=received
            )
            for intake, (answers, draft, received, *_) in zip(intakes, rows, strict=True)
            if not draft
            for kind in CONSENT_TEXTS
        ],
    )
    bulk.insert(
        ScreeningResult,
        [
            ScreeningResult(
                intake=intake,
                ruleset=version,
                outcome=result.outcome,
                findings=result.findings,
                near_miss=result.near_miss,
                next_step=result.next_step,
                trigger=ScreeningResult.Trigger.DRAFT if draft else ScreeningResult.Trigger.SUBMIT,
                screened_at=received,
            )
            for intake, (_a, draft, received, result, *_) in zip(intakes, rows, strict=True)
        ],
    )
    cases = []
    for intake, (_answers, draft, received, result, *_) in zip(intakes, rows, strict=True):
        status = "new" if draft else _status(rng, (now - received).days)
        assignee = rng.choice(coordinators) if coordinators and status != "new" else None
        cases.append(
            Case(
                intake=intake,
                status=status,
                close_reason=rng.choice(Case.CloseReason.values) if status == "closed" else "",
                assignee=assignee,
                received_at=received,
                **case_values(
                    result.outcome,
                    result.findings,
                    result.near_miss,
                    claimed=assignee is not None,
                ),
            )
        )
    bulk.insert(Case, cases)
