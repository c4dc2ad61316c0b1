"""The instruments' copyrighted wording stays out of the repository; a licensed file is checked at start."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

from screening.intake import instruments

ROOT = Path(__file__).resolve().parent.parent


def _licensed_shape(word: str = "Licensed"):
    return {
        "odi": {
            key: {"title": f"{word} {key}", "statements": [f"{word} {n}" for n in range(6)]}
            for key in instruments.ODI_SECTIONS
        },
        "startback": {
            key: {"text": f"{word} {key}", "choices": ["a"] * (5 if key == "item_9" else 2)}
            for key in instruments.STARTBACK_ITEMS
        },
    }


def test_without_a_file_the_demo_wording_is_used_and_labelled():
    wording = instruments.load_wording("")
    assert not wording.licensed
    assert "Demo wording" in str(instruments.DEMO_NOTICE)


def test_a_licensed_file_that_fits_the_structure_is_loaded(tmp_path):
    path = tmp_path / "wording.json"
    path.write_text(json.dumps(_licensed_shape()))
    wording = instruments.load_wording(str(path))
    assert wording.licensed
    assert wording.odi["walking"]["title"] == "Licensed walking"


def test_a_file_holds_each_language_and_each_page_reads_its_own(tmp_path):
    path = tmp_path / "wording.json"
    path.write_text(json.dumps({"en": _licensed_shape(), "es": _licensed_shape("Con licencia")}))
    wording = instruments.load_wording(str(path), ["en", "es"])
    walking, last = wording.odi["walking"]["title"], wording.odi["walking"]["statements"][5]
    with translation.override("es"):
        assert (str(walking), str(last)) == ("Con licencia walking", "Con licencia 5")
    with translation.override("en"):
        assert (str(walking), str(last)) == ("Licensed walking", "Licensed 5")


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        # Spanish offered, but the file is English only: no demo Spanish beside the licensed English
        (_licensed_shape(), "The file has no wording in es"),
        ({"es": _licensed_shape()}, "The file has no wording in en"),
        ({"en": _licensed_shape(), "es": {"odi": {}}}, "es: The file must hold exactly two keys"),
    ],
)
def test_a_file_without_every_offered_language_is_refused(tmp_path, content, complaint):
    path = tmp_path / "wording.json"
    path.write_text(json.dumps(content))
    with pytest.raises(instruments.WordingFileError, match=complaint):
        instruments.load_wording(str(path), ["en", "es"])


@pytest.mark.parametrize(
    ("damage", "complaint"),
    [
        (lambda d: d["odi"].pop("walking"), "odi must have exactly the sections"),
        (
            lambda d: d["odi"]["sitting"]["statements"].pop(),
            "odi.sitting needs exactly 6 statements",
        ),
        (
            lambda d: d["startback"]["item_9"].update(choices=["a", "b"]),
            "startback.item_9 needs exactly 5",
        ),
        (
            lambda d: d["startback"]["item_1"].update(text=""),
            "startback.item_1 needs a non-empty text",
        ),
        (lambda d: d.pop("startback"), "exactly two keys"),
        (lambda d: d["odi"].update(walking=["a"]), "odi.walking must be an object"),
        (lambda d: d["startback"].update(item_3="text"), "startback.item_3 must be an object"),
    ],
)
def test_a_file_that_does_not_fit_is_refused_with_a_reason(tmp_path, damage, complaint):
    data = _licensed_shape()
    damage(data)
    path = tmp_path / "wording.json"
    path.write_text(json.dumps(data))
    with pytest.raises(instruments.WordingFileError, match=complaint):
        instruments.load_wording(str(path))


def test_the_app_refuses_to_start_with_a_wording_file_that_does_not_fit(tmp_path):
    path = tmp_path / "wording.json"
    path.write_text(json.dumps({"odi": {}, "startback": {}}))
    env = {**os.environ, "INSTRUMENT_WORDING_FILE": str(path), "SECRET_KEY": "x"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "odi must have exactly the sections" in result.stderr
