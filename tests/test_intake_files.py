"""The intake file format: `screen` and `import_intakes` on the documented format, and bad input refused."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from screening.casework.models import ScreeningResult
from screening.intake.file_format import schema
from screening.intake.models import Intake
from screening.management.commands.screen import OUTPUT_SCHEMA

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parent.parent / "docs"
EXAMPLES = sorted((DOCS / "examples").glob("*.json"))


def run(command, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_the_documented_schema_is_the_one_the_catalogue_generates():
    assert json.loads((DOCS / "intake-format.schema.json").read_text()) == schema()


def test_there_is_an_example_for_every_outcome():
    assert {p.stem for p in EXAMPLES} == {
        "urgent",
        "not_suitable_now",
        "needs_info",
        "specialist_review",
        "routine",
    }


def _problems(value, schema, where="$") -> list[str]:
    """What in ``value`` breaks ``schema`` (the subset of JSON Schema OUTPUT_SCHEMA uses)."""
    if "enum" in schema:
        return [] if value in schema["enum"] else [f"{where}: {value!r} not in {schema['enum']}"]
    kind = schema.get("type")
    if kind == "string":
        return [] if isinstance(value, str) else [f"{where}: not a string"]
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where}: not a list"]
        return [
            p
            for n, item in enumerate(value)
            for p in _problems(item, schema["items"], f"{where}[{n}]")
        ]
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{where}: not an object"]
        problems = [f"{where}: {key} missing" for key in schema["required"] if key not in value]
        problems += [
            f"{where}: {key} not allowed" for key in set(value) - set(schema["properties"])
        ]
        return problems + [
            p
            for key, sub in schema["properties"].items()
            if key in value
            for p in _problems(value[key], sub, f"{where}.{key}")
        ]
    return []


def test_the_documented_output_schema_is_the_commands():
    text = (DOCS / "intake-format.md").read_text()
    documented = text.split("Its JSON Schema")[1].split("```json")[1].split("```")[0]
    assert json.loads(documented) == OUTPUT_SCHEMA


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_each_example_screens_to_the_outcome_it_is_named_after(default_rules, example):
    result = json.loads(run("screen", str(example)))
    assert result["outcome"] == example.stem
    assert result["ruleset_version"] == "v1"
    assert _problems(result, OUTPUT_SCHEMA) == []
    assert result["next_step"]  # every outcome says what staff do next
    if example.stem == "routine":  # a routine intake says why
        assert result["near_miss"] and result["near_miss"][0]["lines"]
        assert any(f["state"] == "fired" and f["because"] for f in result["findings"])
    for finding in result["findings"]:
        assert (
            finding["reason"] and "set the block count" not in finding["reason"] + finding["note"]
        )
    assert Intake.objects.count() == 0  # screening a file saves nothing


def test_a_file_of_the_questionnaire_before_the_past_infection_question_still_imports(
    default_rules, tmp_path
):
    item = json.loads((DOCS / "examples" / "routine.json").read_text())
    item["questionnaire_version"] = "2026-11-25.1"
    del item["answers"]["past_spinal_infection"]
    path = tmp_path / "older.json"
    path.write_text(json.dumps(item))
    result = json.loads(run("screen", str(path)))
    assert result["outcome"] == "routine"
    assert any(
        f["rule"] == "info_past_spinal_infection" and f["state"] == "not_known"
        for f in result["findings"]
    )


def test_several_intakes_in_one_file_give_a_list(default_rules, tmp_path):
    bundle = {"format_version": 1, "intakes": [json.loads(p.read_text()) for p in EXAMPLES]}
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    results = json.loads(run("screen", str(path)))
    assert [r["outcome"] for r in results] == [p.stem for p in EXAMPLES]


def test_importing_saves_submitted_intakes_screened_with_identity_apart(default_rules):
    out = run("import_intakes", str(DOCS / "examples" / "urgent.json"))
    intake = Intake.objects.get()
    assert out.strip() == f"Imported 1 intake(s): {intake.reference}"
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.submitted_at.isoformat() == "2026-11-20T10:30:00+00:00"
    assert intake.identity.family_name == "Patient" and "family_name" not in intake.answers
    assert intake.consents.count() == 5
    assert intake.derived["odi"]["percent"] == 42
    result = ScreeningResult.objects.get(intake=intake)
    assert (result.outcome, result.trigger) == ("urgent", "import")


def _write(tmp_path, data) -> str:
    path = tmp_path / "intakes.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_bad_input_is_refused_with_one_message_per_problem_and_nothing_saved(
    default_rules, tmp_path
):
    good = json.loads((DOCS / "examples" / "routine.json").read_text())
    bad = json.loads(json.dumps(good))
    bad["answers"] |= {"colour": "blue", "sex": 3, "pain_months": -2, "block_1_relief_percent": 101}
    del bad["answers"]["family_name"]
    bad["answers"]["interpreter_language"] = "Tagalog"  # with no interpreter needed
    path = _write(tmp_path, {"format_version": 1, "intakes": [good, bad]})
    with pytest.raises(CommandError) as refused:
        run("import_intakes", path)
    message = str(refused.value)
    assert "has 6 problem(s); nothing was done" in message
    for line in (
        "intakes[1].answers.colour: not a question of questionnaire",
        "intakes[1].answers.sex: must be text",
        "intakes[1].answers.family_name: Enter your last name",
        "intakes[1].answers.pain_months: Enter how many months you have had this pain as a whole number from 0 to 1200",
        "intakes[1].answers.block_1_relief_percent: Block 1 (June 2025): enter the relief as a percentage from 0 to 100",
        "intakes[1].answers.interpreter_language: this question does not apply given the other answers",
    ):
        assert line in message
    assert Intake.objects.count() == 0  # the good intake was not saved either


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("not json", "is not valid JSON"),
        ('{"format_version": 2, "intakes": []}', "format_version: must be 1"),
        ('{"patient": {}}', 'each intake needs an "answers" object'),
        ('{"answers": {}, "notes": "x"}', "notes: not a field of an intake"),
    ],
)
def test_a_malformed_file_is_refused_plainly(default_rules, tmp_path, content, problem):
    path = tmp_path / "f.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=problem):
        run("screen", str(path))


def test_a_missing_file_is_refused_plainly(default_rules):
    with pytest.raises(CommandError, match="Cannot read /no/such/file"):
        run("screen", "/no/such/file.json")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"submitted_at": "2026-05-01T14:30:00"}, "submitted_at: give the time zone"),
        ({"submitted_at": "2999-05-01T14:30:00+00:00"}, "submitted_at: must be in the past"),
        (
            {"questionnaire_version": "1999-01-01.1"},
            "questionnaire_version: the file was written for",
        ),
    ],
)
def test_dates_and_versions_that_do_not_fit_are_refused(default_rules, tmp_path, change, problem):
    intake = json.loads((DOCS / "examples" / "routine.json").read_text()) | change
    with pytest.raises(CommandError, match=problem):
        run("import_intakes", _write(tmp_path, intake))
    assert Intake.objects.count() == 0


def test_a_deeply_nested_file_is_refused_plainly(default_rules, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(CommandError, match=r"nested too deeply"):
        run("screen", str(path))


def test_an_import_is_screened_as_at_the_day_it_was_sent(default_rules, tmp_path):
    intake = json.loads((DOCS / "examples" / "routine.json").read_text())
    intake["submitted_at"] = "2026-02-10T09:00:00+00:00"
    intake["answers"]["treatments_tried"] = [
        *intake["answers"]["treatments_tried"],
        "facet_steroid",
    ]
    intake["answers"] |= {
        "facet_steroid_last": "2026-01",
        "facet_steroid_relief": "none",
    }
    run("import_intakes", _write(tmp_path, intake))
    result = ScreeningResult.objects.get()
    assert result.outcome == "not_suitable_now"  # a steroid injection a month before it was sent
    assert any(f["rule"] == "ci_recent_facet_steroid" for f in result.findings)
