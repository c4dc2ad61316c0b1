"""The default ruleset, shipped as data (default_rules.json), read into engine rules. No Django."""

import json
from pathlib import Path

from screening.rules.outcomes import Outcome
from screening.rules.terms import Condition, Op, Rule

DEFAULT_RULES_FILE = Path(__file__).with_name("default_rules.json")


def rule_from_data(data: dict) -> Rule:
    return Rule(
        key=data["key"],
        title=data["title"],
        outcome=Outcome(data["outcome"]),
        join=data.get("join", "all"),
        conditions=tuple(
            Condition(c["fact"], Op(c["op"]), c.get("value")) for c in data["conditions"]
        ),
        explanation=data.get("explanation", ""),
        source=data.get("source", ""),
        patient_message=data.get("patient_message"),
        patient_message_es=data.get("patient_message_es"),
        tier=data.get("tier"),
        enabled=data.get("enabled", True),
    )


def default_rules(path: Path = DEFAULT_RULES_FILE) -> list[Rule]:
    return [rule_from_data(r) for r in json.loads(path.read_text(encoding="utf-8"))["rules"]]
