"""Benchmark: screening with the rules engine and the compiled default ruleset, against the same criteria
written by hand in plain Python (bench/baseline.py).

What it measures: the time to screen one intake's facts, ``screen(facts, ruleset, today)`` (outcome and
findings with reasons, deciding facts, missing facts and the ruleset version), against
``screen_baseline(facts)`` (outcome and the rules that fired, with their missing facts).

How:
1. 1,000 intakes from the example intakes in docs/examples/ (one per outcome), varied by the demo data's
   ``_vary`` (screening/demo/cases.py) from its fixed seed; half of them then get one to three changes to
   the questions that one default rule reads (a new valid answer to each, "not sure" included, and now
   and then one left out), so that every rule fires somewhere and unknown answers ask for information.
   The answers are pruned as the app stores them and turned into the engine's facts by ``engine_facts``
   once, before any timing; the engine and the baseline get the same facts dicts.
2. The ruleset is compiled straight from screening/rules/default_rules.json by the app's own code path
   (``screening.rules.rulesets.compile_data``); no database is read.
3. Check first: on every intake the baseline and the engine must agree on the outcome and on which rules
   fired (with the facts they miss, for a rule that needs information), and the intakes must cover every
   outcome. Any disagreement is printed, rule by rule, and the script exits 1 before timing anything.
4. Timing: after an untimed warm-up, rounds (7 by default) each time the engine over all 1,000 facts
   dicts and then the baseline over the same ones, alternating which goes first. The clock is the
   process's CPU time (``time.process_time``), so time the shared cores spend on other processes is not
   counted; garbage collection stays on (allocating findings is part of the engine's cost). Per-intake
   microseconds are the median over the rounds; the ratio is engine / baseline of those medians. Only
   the ratio, measured in the same run, is judged.

Goal: the engine takes at most 1.5 times the baseline's time per intake. The script prints its figures
against the goal and exits 1 if the goal is missed (or the check fails).

    .venv/bin/python -m bench.rules_engine [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta

from bench.baseline import SEVERITY, screen_baseline

SEED = 2026  # the demo data's seed (screening/demo/cases.py)
COUNT = 1000
TODAY = date(2026, 3, 2)  # a fixed day, so every run screens the same facts
PERTURBED_SHARE = 0.5
GOAL_RATIO = 1.5

# Numbers the extra changes pick from (the catalogue's ranges are wider than is useful here).
NUMBER_RANGES = {"pain_months": (0, 24), "pain_average": (0, 10), "mbb_amount": (1, 3)}
RELIEF_RANGE = (30, 100)  # block_<n>_relief_percent


# --- the intakes ------------------------------------------------------------------------------------
def _rule_questions() -> list[list[str]]:
    """For each default rule, the questions it reads, directly or through derived facts (age, ...)."""
    from screening.intake.facts import source_questions
    from screening.rules.defaults import DEFAULT_RULES_FILE

    rules = json.loads(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))["rules"]
    return [
        list(dict.fromkeys(q for c in r["conditions"] for q in source_questions(c["fact"])))
        for r in rules
    ]


def _month_ago(today: date, months: int) -> str:
    total = today.year * 12 + today.month - 1 - months
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def _new_answer(key: str, rng: random.Random, today: date):
    """Another valid answer to one question, chosen at random."""
    from screening.intake.catalogue import QUESTIONS, Kind

    question = QUESTIONS[key]
    codes = [code for code, _label in question.choices]
    match question.kind:
        case Kind.MULTI:
            if question.exclusive and rng.random() < 0.25:
                return [rng.choice(question.exclusive)]
            plain = [c for c in codes if c not in question.exclusive]
            return rng.sample(plain, rng.randint(1, min(3, len(plain))))
        case Kind.CHOICE | Kind.YES_NO | Kind.YES_NO_UNSURE:
            return rng.choice(codes)
        case Kind.INTEGER | Kind.SCALE:
            low, high = NUMBER_RANGES.get(key, RELIEF_RANGE)
            return rng.randint(low, high)
        case Kind.DATE:  # the date of birth: ages 15 to 90
            return (today - timedelta(days=rng.randint(15 * 365, 90 * 365))).isoformat()
        case Kind.MONTH_YEAR:
            return _month_ago(today, rng.randint(0, 24))
        case Kind.HEIGHT:
            return {"cm": rng.randint(150, 195)}
        case Kind.WEIGHT:
            return {"kg": rng.randint(45, 170)}
        case Kind.FILE:  # how many scan reports are attached (none: not answered)
            return rng.choice([None, 1, 2])
    raise AssertionError(f"no answer maker for {key} ({question.kind})")


def _perturb(answers: dict, rng: random.Random, today: date, rules: list[list[str]]) -> None:
    """One to three changes, each to the questions one default rule reads (all of them, so that rules
    with several conditions come true too): a new answer to each, and now and then one left out."""
    for _ in range(rng.randint(1, 3)):
        questions = rng.choice(rules)
        for key in questions:
            answers[key] = _new_answer(key, rng, today)
            _follow_up(answers, key, rng, today)
        if rng.random() < 0.3:
            answers.pop(rng.choice(questions), None)


def _follow_up(answers: dict, key: str, rng: random.Random, today: date) -> None:
    """What a changed answer brings with it: the questions it shows, answered."""
    from screening.intake.catalogue import QUESTIONS
    from screening.intake.catalogue.history import MAX_BLOCKS, TREATMENTS

    if key == "pregnancy":
        answers["sex"] = "female"  # asked of women under 60 only
    elif key == "infection_spine":
        answers["infection_now"] = rng.choice(["yes", "not_sure"])
    elif key == "treatments_tried":
        for t in TREATMENTS:
            if t.key in answers[key]:
                answers.setdefault(f"{t.key}_last", _month_ago(today, rng.randint(0, 24)))
                if f"{t.key}_relief" in QUESTIONS:
                    answers.setdefault(f"{t.key}_relief", rng.choice(["none", "some", "good"]))
        if "mbb" in answers[key]:
            count = answers.setdefault("mbb_amount", rng.randint(1, 3))
            for n in range(1, min(count, MAX_BLOCKS) + 1):
                answers.setdefault(f"block_{n}_relief_percent", rng.randint(*RELIEF_RANGE))


def generated_answers(count: int = COUNT, seed: int = SEED, today: date = TODAY) -> list[dict]:
    """``count`` varied intakes' answers (as stored: pruned of questions that no longer apply)."""
    from screening.demo.cases import _templates, _vary
    from screening.intake.branching import prune

    rng = random.Random(seed)  # noqa: S311  # nosec B311: test data from a fixed seed
    templates, rules = _templates(), _rule_questions()
    intakes = []
    for _ in range(count):
        answers = _vary(rng.choice(templates), rng, today)
        if rng.random() < PERTURBED_SHARE:
            _perturb(answers, rng, today, rules)
        intakes.append(prune(answers, today))
    return intakes


def generated_facts(count: int = COUNT, seed: int = SEED, today: date = TODAY) -> list[dict]:
    """The engine's facts of the generated intakes, derived facts included."""
    from screening.intake.facts import engine_facts

    return [engine_facts(answers, today) for answers in generated_answers(count, seed, today)]


def default_ruleset():
    """The default rules compiled as the app compiles a published version (no database)."""
    from screening.rules.defaults import DEFAULT_RULES_FILE
    from screening.rules.rulesets import compile_data

    rules = json.loads(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))["rules"]
    return compile_data("default", rules)


# --- the check ----------------------------------------------------------------------------------------
def _describe(seen: tuple | None) -> str:
    if seen is None:
        return "did not fire"
    outcome, missing = seen
    return f"{outcome} (missing {', '.join(missing)})" if missing else outcome


def disagreements(facts_list: list[dict], ruleset, today: date = TODAY) -> list[str]:
    """Every way the baseline and the engine disagree, one line each (none when they agree)."""
    from screening.rules.engine import screen

    problems = []
    for n, facts in enumerate(facts_list):
        result = screen(facts, ruleset, today)
        outcome, found = screen_baseline(facts)
        engine = {f.rule: (f.outcome.value, f.missing) for f in result.findings}
        baseline = {rule: (out, missing) for rule, out, missing in found}
        if len(baseline) != len(found):
            problems.append(f"intake {n}: the baseline lists a rule twice: {found}")
        for rule in sorted(engine.keys() | baseline.keys()):
            if engine.get(rule) != baseline.get(rule):
                problems.append(
                    f"intake {n}: rule {rule}: engine {_describe(engine.get(rule))}, "
                    f"baseline {_describe(baseline.get(rule))}"
                )
        if result.outcome.value != outcome:
            problems.append(f"intake {n}: outcome: engine {result.outcome}, baseline {outcome}")
    return problems


def coverage(facts_list: list[dict], ruleset, today: date = TODAY) -> tuple[Counter, Counter]:
    """How many intakes had each outcome, and how often each rule fired (or asked for information)."""
    from screening.rules.engine import screen

    outcomes, rules = Counter(), Counter()
    for facts in facts_list:
        result = screen(facts, ruleset, today)
        outcomes[result.outcome.value] += 1
        rules.update(f.rule for f in result.findings)
    return outcomes, rules


# --- the timing ---------------------------------------------------------------------------------------
def _time_engine(facts_list: list[dict], ruleset, today: date) -> float:
    from screening.rules.engine import screen

    started = time.process_time()
    for facts in facts_list:
        screen(facts, ruleset, today)
    return time.process_time() - started


def _time_baseline(facts_list: list[dict]) -> float:
    started = time.process_time()
    for facts in facts_list:
        screen_baseline(facts)
    return time.process_time() - started


def measure(facts_list: list[dict], ruleset, rounds: int) -> tuple[list[float], list[float]]:
    """Seconds per round for the engine and the baseline, interleaved, after one untimed warm-up."""
    _time_engine(facts_list, ruleset, TODAY)
    _time_baseline(facts_list)
    engine, baseline = [], []
    for n in range(rounds):
        if n % 2:
            baseline.append(_time_baseline(facts_list))
            engine.append(_time_engine(facts_list, ruleset, TODAY))
        else:
            engine.append(_time_engine(facts_list, ruleset, TODAY))
            baseline.append(_time_baseline(facts_list))
    return engine, baseline


def _setup_django() -> None:
    from bench import _common

    os.environ.pop("DEBUG", None)
    # The shared production settings; this script opens no database connection.
    _common.use_database("rules_engine")
    import django

    django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds of each (default 7)")
    args = parser.parse_args()
    _setup_django()
    from bench._common import verdict

    ruleset = default_ruleset()
    facts_list = generated_facts()
    outcomes, rules = coverage(facts_list, ruleset)
    print(
        f"{len(facts_list)} intakes (seed {SEED}, facts as of {TODAY}), {len(ruleset.rules)} rules"
    )
    print("  outcomes: " + ", ".join(f"{o} {outcomes[o]}" for o in SEVERITY))
    silent = [c.rule.key for c in ruleset.rules if not rules[c.rule.key]]
    print(f"  rules that fired: {len(ruleset.rules) - len(silent)} of {len(ruleset.rules)}")
    if silent:
        print(f"  never fired: {', '.join(silent)}")
    if missing := [o for o in SEVERITY if not outcomes[o]]:
        print(f"FAILED: no generated intake has the outcome {', '.join(missing)}")
        return 1

    problems = disagreements(facts_list, ruleset)
    if problems:
        print(f"FAILED: baseline and engine disagree ({len(problems)}):")
        for line in problems[:50]:
            print(f"  {line}")
        return 1
    print("  check: baseline and engine agree on every outcome and every rule that fired")

    engine, baseline = measure(facts_list, ruleset, args.rounds)
    per_intake = 1e6 / len(facts_list)
    engine_us = statistics.median(engine) * per_intake
    baseline_us = statistics.median(baseline) * per_intake
    ratio = engine_us / baseline_us
    print(
        f"{args.rounds} rounds; best round: engine {min(engine) * per_intake:.2f} µs, "
        f"baseline {min(baseline) * per_intake:.2f} µs per intake"
    )
    return verdict(
        [
            ("engine, µs per intake (median)", engine_us, "(figure)", True),
            ("baseline, µs per intake (median)", baseline_us, "(figure)", True),
            ("engine / baseline", ratio, f"<= {GOAL_RATIO}", ratio <= GOAL_RATIO),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
