"""Test cases that guard publishing: intakes whose screening the clinic cares about, each with the outcome
it must have (and optionally a rule that must or must not fire). The preview, the approval page and
``manage.py test_rules`` run them against the draft; publishing refuses while one fails, unless a rules
admin changes the expectation, with a reason (audited).

A test case is a copy without identity: no name, contact details or date of birth (the age in years
instead), no free text, and each date as "N months (or days) before screening", so it screens the same
on any day. A copy of a case is deleted with its source case (RuleTestCase.source_intake cascades).
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from screening import clock
from screening.intake.catalogue import QUESTIONS, Kind
from screening.intake.facts import engine_facts, months_between
from screening.intake.models import Intake
from screening.intake.selectors import load_answers
from screening.rules import outcomes
from screening.rules.engine import CompiledRuleset, screen
from screening.rules.models import RulesetVersion, RuleTestCase
from screening.rules.rulesets import compile_data, compiled_version, draft_data, draft_edited
from screening.rules.terms import FindingState
from screening.staff import audit_log as audit

DEFAULT_TESTS_FILE = Path(__file__).with_name("default_rule_tests.json")
_FREE_TEXT = (Kind.TEXT, Kind.LONG_TEXT)


@dataclass(frozen=True)
class TestResult:
    case: RuleTestCase
    outcome: str
    fired: tuple[str, ...]  # the keys of the rules that fired (or asked for information)

    @property
    def problems(self) -> list[str]:
        """What is wrong, in words; empty when the case passes."""
        c, problems = self.case, []
        if self.outcome != c.expected_outcome:
            problems.append(
                f"expected {outcomes.label(c.expected_outcome)}, "
                f"the rules give {outcomes.label(self.outcome)}"
            )
        if c.must_fire and c.must_fire not in self.fired:
            problems.append(f"rule {c.must_fire} must fire and does not")
        if c.must_not_fire and c.must_not_fire in self.fired:
            problems.append(f"rule {c.must_not_fire} must not fire and does")
        return problems

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        return f"{self.case.name}: {'; '.join(self.problems) or 'passes'}"


# --- Copies without identity ------------------------------------------------------------------------
def copy_answers(answers: dict[str, Any], screened_on: date) -> dict[str, Any]:
    """An intake's clinical answers as a test case keeps them: no identity, no free text, dates relative
    to the day it was screened."""
    copied: dict[str, Any] = {}
    for key, value in answers.items():
        question = QUESTIONS.get(key)
        if question is None or question.identifying or question.kind in _FREE_TEXT:
            continue
        if key.startswith("consent_"):
            continue
        if question.kind == Kind.MONTH_YEAR and isinstance(value, str):
            value = {"months_before": months_between(value, screened_on)}
        elif question.kind == Kind.DATE and isinstance(value, str):
            value = {"days_before": (screened_on - date.fromisoformat(value)).days}
        copied[key] = value
    return copied


def _age(date_of_birth: Any, on: date) -> int | None:
    if not date_of_birth:
        return None
    born = date.fromisoformat(str(date_of_birth))
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def answers_on(case: RuleTestCase, today: date) -> dict[str, Any]:
    """A test case's answers as if the patient sent them ``today``."""
    answers: dict[str, Any] = {}
    for key, value in case.answers.items():
        if isinstance(value, dict) and "months_before" in value:
            month = today.year * 12 + today.month - 1 - int(value["months_before"])
            value = f"{month // 12:04d}-{month % 12 + 1:02d}"
        elif isinstance(value, dict) and "days_before" in value:
            value = (today - timedelta(days=int(value["days_before"]))).isoformat()
        answers[key] = value
    if case.age is not None:
        answers["date_of_birth"] = date(today.year - case.age, 1, 1).isoformat()
    return answers


# --- Running them ----------------------------------------------------------------------------------
def run(compiled: CompiledRuleset, cases=None, today: date | None = None) -> list[TestResult]:
    """Every test case (or ``cases``) screened with ``compiled``."""
    today = today or clock.today()
    cases = list(RuleTestCase.objects.all() if cases is None else cases)
    results = []
    for case in cases:
        result = screen(engine_facts(answers_on(case, today), today), compiled, today)
        fired = tuple(
            dict.fromkeys(f.rule for f in result.findings if f.state != FindingState.NOT_KNOWN)
        )
        results.append(TestResult(case, result.outcome.value, fired))
    return results


def run_draft(cases=None) -> list[TestResult]:
    """Raises RulesetError when the draft does not compile."""
    return run(compile_data("draft", draft_data()), cases)


def run_version(version: RulesetVersion, cases=None) -> list[TestResult]:
    return run(compiled_version(version), cases)


def failing(results: list[TestResult]) -> list[TestResult]:
    return [r for r in results if not r.passed]


# --- Keeping them ----------------------------------------------------------------------------------
def _record(actor, action: str, case: RuleTestCase, **detail) -> None:
    draft_edited(actor=actor)  # the guard changed: a waiting submission is void
    audit.record(
        actor=actor, action=action, object_type="rule_test", object_ref=str(case.pk), detail=detail
    )


def test_case_from_intake(*, actor, intake: Intake, **expectation) -> RuleTestCase:
    """A copy of a submitted intake, without identity, free text or dates."""
    return test_case_from_answers(
        actor=actor,
        answers=load_answers(intake),
        screened_on=timezone.localdate(intake.submitted_at),
        source=f"case {intake.reference}",
        source_intake=intake,
        **expectation,
    )


@transaction.atomic
def test_case_from_answers(
    *,
    actor,
    answers: dict[str, Any],
    screened_on: date,
    name: str,
    expected_outcome: str,
    must_fire: str = "",
    must_not_fire: str = "",
    source: str = "intake file",
    source_intake: Intake | None = None,
) -> RuleTestCase:
    """A test case from a patient's answers (an intake's, or an intake file's), kept without identity."""
    now = clock.now()
    case = RuleTestCase.objects.create(
        name=name,
        answers=copy_answers(answers, screened_on),
        age=_age(answers.get("date_of_birth"), screened_on),
        expected_outcome=expected_outcome,
        must_fire=must_fire,
        must_not_fire=must_not_fire,
        source=source,
        source_intake=source_intake,
        created_at=now,
        updated_at=now,
    )
    _record(actor, "rule_test.add", case, name=name, source=source, expected=expected_outcome)
    return case


@transaction.atomic
def expectation_change(
    *,
    actor,
    case: RuleTestCase,
    expected_outcome: str,
    must_fire: str,
    must_not_fire: str,
    reason: str,
) -> RuleTestCase:
    """Change what a test case expects, with the reason (kept on the case and in the audit log)."""
    before = {
        "expected": case.expected_outcome,
        "must_fire": case.must_fire,
        "must_not_fire": case.must_not_fire,
    }
    case.expected_outcome, case.must_fire, case.must_not_fire = (
        expected_outcome,
        must_fire,
        must_not_fire,
    )
    case.expectation_reason, case.updated_at = reason.strip(), clock.now()
    case.save()
    after = {"expected": expected_outcome, "must_fire": must_fire, "must_not_fire": must_not_fire}
    _record(
        actor,
        "rule_test.expectation",
        case,
        name=case.name,
        before=before,
        after=after,
        reason=case.expectation_reason,
    )
    return case


@transaction.atomic
def test_case_delete(*, actor, case: RuleTestCase) -> None:
    _record(actor, "rule_test.delete", case, name=case.name)
    case.delete()


def default_cases() -> list[dict]:
    """The default ruleset's test cases: one per bullet of ../shared/clinical.md sections 1-3a, each a
    change to one typical candidate."""
    data = json.loads(DEFAULT_TESTS_FILE.read_text(encoding="utf-8"))
    base = data["base"]
    return [
        {
            "name": item["name"],
            "answers": {**base["answers"], **item.get("answers", {})},
            "age": item.get("age", base["age"]),
            "expected_outcome": item["expected_outcome"],
            "must_fire": item.get("must_fire", ""),
            "must_not_fire": item.get("must_not_fire", ""),
            "source": item["source"],
        }
        for item in data["cases"]
    ]


@transaction.atomic
def load_default_cases(version: RulesetVersion | None = None) -> tuple[int, list[str]]:
    """The default test cases, where no test case exists yet (idempotent). With ``version`` (rules a
    clinic has changed from the defaults), only those its rules pass: the others are returned by name,
    for a rules admin to add with the expectation the clinic means. Returns (loaded, left out)."""
    if RuleTestCase.objects.exists():
        return 0, []
    now = clock.now()
    cases = [RuleTestCase(**item, created_at=now, updated_at=now) for item in default_cases()]
    left_out = []
    if version is not None:
        left_out = [r.case.name for r in failing(run_version(version, cases))]
        cases = [c for c in cases if c.name not in left_out]
    RuleTestCase.objects.bulk_create(cases)
    return len(cases), left_out
