"""The intake file format: `screen` and `import_intakes` on the documented format, and bad input refused."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from screening.casework.models import ScreeningResult
from screening.intake.file_format import schema
from screening.intake.models import Intake

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


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_each_example_screens_to_the_outcome_it_is_named_after(default_rules, example):
    result = json.loads(run("screen", str(example)))
    assert result["outcome"] == example.stem
    assert result["ruleset_version"] == "v1"
    assert all({"rule", "outcome", "reason"} <= set(f) for f in result["findings"])
    assert Intake.objects.count() == 0  # screening a file saves nothing


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
    bad["answers"]["stiffness_duration"] = "over_60"
    bad["answers"]["morning_stiffness"] = "no"  # so the duration does not apply
    path = _write(tmp_path, {"format_version": 1, "intakes": [good, bad]})
    with pytest.raises(CommandError) as refused:
        run("import_intakes", path)
    message = str(refused.value)
    assert "has 6 problem(s); nothing was done" in message
    for line in (
        "intakes[1].answers.colour: not a question of questionnaire",
        "intakes[1].answers.sex: must be text",
        "intakes[1].answers.family_name: Enter your last name",
        "intakes[1].answers.pain_months: Enter a number of months from 0 to 1200",
        "intakes[1].answers.block_1_relief_percent: Enter a percentage from 0 to 100",
        "intakes[1].answers.stiffness_duration: this question does not apply given the other answers",
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
        "facet_steroid_amount": 1,
        "facet_steroid_relief": "none",
    }
    run("import_intakes", _write(tmp_path, intake))
    result = ScreeningResult.objects.get()
    assert result.outcome == "not_suitable_now"  # a steroid injection a month before it was sent
    assert any(f["rule"] == "ci_recent_facet_steroid" for f in result.findings)
