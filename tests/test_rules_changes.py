"""Rules and their changes in words (screening/rules/changes.py): the sentences rules admins, approvers and
the version page read, written from the rules as data. Pure, except the last test (the real catalogue)."""

from screening.rules.changes import rule_sentence, ruleset_changes
from tests.test_rules_wording import SPECS

CANDIDATE = {
    "key": "sr_candidate",
    "title": "Facet candidate",
    "outcome": "specialist_review",
    "join": "all",
    "conditions": [
        {"fact": "months", "op": "at_least", "value": 3},
        {"fact": "blocks", "op": "at_least", "value": 2},
        {"fact": "relief", "op": "at_least", "value": 80},
    ],
    "enabled": True,
}
SADDLE = {
    "key": "rf_saddle",
    "title": "Saddle numbness",
    "outcome": "urgent",
    "tier": 1,
    "join": "all",
    "conditions": [{"fact": "saddle", "op": "one_of", "value": ["yes", "not_sure"]}],
    "patient_message": "Go to an emergency department now.",
    "enabled": True,
}


def test_a_rule_reads_as_a_sentence_from_the_labels_of_its_facts_and_values():
    assert rule_sentence(SADDLE, SPECS) == (
        "Urgent (tier 1: emergency now) when: Saddle numbness: Yes or Not sure"
    )
    assert rule_sentence(CANDIDATE, SPECS) == (
        "Specialist review when all of these hold: Pain duration: at least 3 months; "
        "Number of diagnostic blocks: at least 2; Best block relief: at least 80 %"
    )
    assert rule_sentence(CANDIDATE | {"join": "any", "enabled": False}, SPECS).startswith(
        "Disabled. Specialist review when any of these holds: Pain duration: at least 3 months; or "
    )


def test_a_changed_requirement_reads_before_and_after_and_a_dropped_condition_as_removed():
    after = CANDIDATE | {
        "conditions": [
            {"fact": "months", "op": "at_least", "value": 3},
            {"fact": "blocks", "op": "at_least", "value": 1},
        ]
    }
    changes = ruleset_changes([CANDIDATE, SADDLE], [after, SADDLE], SPECS)
    (change,) = changes.rules
    assert change.change == "changed" and change.title == "Facet candidate"
    assert change.lines == (
        "Number of diagnostic blocks: at least 2 → at least 1",
        "Removed: Best block relief: at least 80 %",
    )
    assert "at least 2" in change.before and "at least 1" in change.after
    assert changes.summary == "1 changed"
    # The data behind the words stays available for the technical details.
    assert changes.details["sr_candidate"]["after"]["conditions"] == after["conditions"]


def test_added_removed_disabled_outcome_and_text_changes_are_each_said():
    moved = SADDLE | {
        "enabled": False,
        "tier": 2,
        "patient_message": "Get medical care today.",
    }
    new_rule = CANDIDATE | {"key": "sr_other", "title": "Other"}
    changes = ruleset_changes(
        [CANDIDATE, SADDLE],
        [moved, new_rule],
        SPECS,
        {"urgent_tier_1": "Call 911"},
        {"urgent_tier_1": "Call the patient now"},
    )
    by_key = {c.key: c for c in changes.rules}
    assert by_key["rf_saddle"].lines == (
        "Enabled → disabled",
        "Outcome: Urgent (tier 1: emergency now) → Urgent (tier 2: medical care today)",
        "Message to the patient: “Go to an emergency department now.” → “Get medical care today.”",
    )
    assert by_key["sr_candidate"].change == "removed"
    assert by_key["sr_candidate"].lines[0].startswith("Removed: Specialist review when all")
    assert by_key["sr_other"].change == "added"
    assert changes.next_steps == (
        "Next step for Urgent (tier 1: emergency now): “Call 911” → “Call the patient now”",
    )
    assert changes.summary == "1 changed, 1 added, 1 removed, 1 next step changed"


def test_no_change_is_falsy_and_says_so():
    changes = ruleset_changes([SADDLE], [dict(SADDLE)], SPECS)
    assert not changes and changes.summary == "no change"


def test_a_label_with_a_colon_reads_whole_before_the_change():
    from screening.intake.facts import fact_specs

    fact = "physical_therapy_amount"
    before = CANDIDATE | {"conditions": [{"fact": fact, "op": "at_least", "value": 50}]}
    after = CANDIDATE | {"conditions": [{"fact": fact, "op": "at_least", "value": 70}]}
    (change,) = ruleset_changes([before], [after], fact_specs()).rules
    assert change.lines == ("Physical therapy: how much: at least 50 weeks → at least 70 weeks",)
