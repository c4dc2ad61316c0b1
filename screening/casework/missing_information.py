"""Missing information: which questions a case's `needs_info` findings ask for, as a form page.

A finding names its rule; the questions are the ones behind the rule's facts (and the facts it found
missing), with every follow-up question that those answers can open, so the patient or a coordinator can
give the whole answer (ticking "medial branch block" opens the block's details) on one page.
"""

from dataclasses import replace

from django.utils.translation import gettext_lazy as _

from screening.intake.catalogue import INDEX, QUESTIONS, Kind, Page
from screening.intake.facts import source_questions


def questions_to_complete(findings: list[dict], ruleset_rules: list[dict] | None) -> list[str]:
    """The question keys, in catalogue order, behind the `needs_info` findings of one screening
    (``ruleset_rules``: the rules of the version that screened it, as stored)."""
    rules = {r["key"]: r for r in ruleset_rules or []}
    facts: set[str] = set()
    for finding in findings:
        if finding["outcome"] != "needs_info":
            continue
        facts.update(finding.get("missing") or ())
        rule = rules.get(finding["rule"])
        if rule:
            facts.update(c["fact"] for c in rule["conditions"])
    keys = {key for fact in facts for key in source_questions(fact) if key in QUESTIONS}
    while True:  # the follow-ups: questions shown only after an answer already in the set
        more = {
            q.key
            for q in QUESTIONS.values()
            if q.key not in keys
            and any(w.key in keys for w in (*INDEX.page_of[q.key].show_if, *q.show_if))
        }
        if not more:
            break
        keys |= more
    return [
        key
        for key, q in QUESTIONS.items()
        if key in keys and not q.identifying and q.kind != Kind.CONSENT
    ]


def completion_page(keys: list[str]) -> Page:
    """One page of the given questions. Each carries its own page's condition, so the page's form shows
    or hides it as the answers on this page change (as the intake's pages would)."""
    questions = tuple(
        replace(QUESTIONS[k], show_if=(*INDEX.page_of[k].show_if, *QUESTIONS[k].show_if))
        for k in keys
        if k in QUESTIONS
    )
    return Page(slug="complete", title=_("A few more questions"), questions=questions)
