"""Missing information: what a case's `needs_info` findings ask for, by name and as a form page.

What is asked for, as facts (`missing_facts`):
- a finding that needs information: the facts it found unknown (unanswered, or "not sure");
- a `needs_info` rule that fired (no diagnostic block yet, one block where two are asked for): the facts
  that kept the case from specialist review (its near miss), since their answers decide it.
Staff read them by the names the generated reasons use (`missing_names`). The form (`questions_to_complete`)
asks the questions behind them: for an unknown fact only those unanswered, "not sure" or not asked, with
the answered ones that open them (the treatments tried, which open a block's questions); for a deciding
fact all of them, prefilled; and every follow-up not answered yet, hidden until an answer opens it. So a
coordinator on the phone, or the patient through a link, answers what is missing and nothing else.
"""

from dataclasses import replace
from typing import Any

from django.utils.translation import gettext_lazy as _

from screening.intake.branching import context, question_shown
from screening.intake.catalogue import INDEX, QUESTIONS, Kind, Page
from screening.intake.facts import fact_specs, source_questions
from screening.intake.staff_wording import staff_label

UNSURE = "not_sure"


def _conditions(key: str):
    return (*INDEX.page_of[key].show_if, *QUESTIONS[key].show_if)


def _open(value: Any) -> bool:
    """Unanswered, "not sure", or not asked: what the form asks again."""
    return value in (None, "", [], UNSURE, [UNSURE])


def missing_facts(
    findings: list[dict], near_miss: list[dict], ruleset_rules: list[dict] | None
) -> tuple[list[str], list[str]]:
    """(unknown facts, deciding facts) that a screening's `needs_info` findings ask for."""
    rules = {r["key"]: r for r in ruleset_rules or []}
    unknown: dict[str, None] = {}
    deciding: dict[str, None] = {}
    for finding in findings:
        if finding["outcome"] != "needs_info":
            continue
        unknown.update(dict.fromkeys(finding.get("missing") or ()))
        if finding.get("state", "fired") != "fired":
            continue
        if near_miss and "facts" in near_miss[0]:
            deciding.update(dict.fromkeys(f for miss in near_miss for f in miss["facts"]))
        elif rule := rules.get(finding["rule"]):  # a result stored before near misses named facts
            deciding.update(dict.fromkeys(c["fact"] for c in rule["conditions"]))
    return list(unknown), [f for f in deciding if f not in unknown]


def missing_names(unknown: list[str], deciding: list[str]) -> list[str]:
    """The facts asked for, by the names the findings' reasons use ("Number of diagnostic blocks")."""
    specs = fact_specs()
    return [specs[f].label if f in specs else f for f in (*unknown, *deciding)]


def questions_to_complete(
    unknown: list[str], deciding: list[str], stored: dict[str, Any]
) -> list[str]:
    """The question keys, in catalogue order, that ask for these facts, given the answers ``stored``."""

    def behind(facts):
        return {key for fact in facts for key in source_questions(fact) if key in QUESTIONS}

    asked = behind(unknown)
    keys = {key for key in asked if _open(stored.get(key))} | behind(deciding)
    # The answered questions that open them: a block's questions open from the treatments tried.
    keys |= {w.key for key in list(keys) for w in _conditions(key) if w.key in asked}
    while True:  # the follow-ups not answered yet, hidden until an answer on the form opens them
        more = {
            q.key
            for q in QUESTIONS.values()
            if q.key not in keys
            and _open(stored.get(q.key))
            and any(w.key in keys for w in _conditions(q.key))
        }
        if not more:
            break
        keys |= more
    return [
        key
        for key, q in QUESTIONS.items()
        if key in keys and not q.identifying and q.kind != Kind.CONSENT
    ]


def completion_page(keys: list[str], *, for_staff: bool = False) -> Page:
    """One page of the given questions. Each carries its own page's condition, so the page's form shows
    or hides it as the answers on this page change (as the intake's pages would). ``for_staff``: each
    question in staff's words (a coordinator asks it on the phone), without the patient's hints."""
    questions = tuple(
        replace(
            QUESTIONS[k],
            show_if=_conditions(k),
            **({"label": staff_label(QUESTIONS[k]), "hint": "", "group": ""} if for_staff else {}),
        )
        for k in keys
        if k in QUESTIONS
    )
    return Page(slug="complete", title=_("A few more questions"), questions=questions)


def reports_missing(stored: dict[str, Any], today) -> list[str]:
    """The upload questions of the scans the patient had whose report is not attached: a completion link
    can ask for them (a phone call cannot)."""
    ctx = context(stored, today)
    return [
        key
        for key, q in QUESTIONS.items()
        if q.kind == Kind.FILE and not stored.get(key) and question_shown(q, stored, ctx)
    ]
