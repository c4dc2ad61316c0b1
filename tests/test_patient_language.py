"""The patient side in Spanish (issue 18): chosen among the languages a clinic enables, first guessed from
the browser, kept for the draft; staff pages stay English; every patient string has a reviewed-or-not
Spanish translation (none missing, none fuzzy) in the committed catalogue."""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.intake_data import FULL_INTAKE
from tests.personas import signed_in, staff_member

pytestmark = pytest.mark.django_db
LOCALE = Path(__file__).resolve().parent.parent / "locale"
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9,en;q=0.5"}
# What `make messages` leaves out of the catalogue (the same list as the Makefile's)
MESSAGES_IGNORE = ["--ignore=.venv", "--ignore=staticfiles", "--ignore=bench", "--ignore=tests"]


@pytest.fixture
def both(settings):
    settings.PATIENT_LANGUAGES = ["en", "es"]


def test_spanish_is_not_offered_until_the_clinic_enables_it(client, default_rules):
    html = client.get("/", **SPANISH).content.decode()
    assert '<html lang="en">' in html and "Start now" in html
    assert 'name="language"' not in html


def test_the_browsers_language_is_the_first_guess_and_the_patient_can_change_it(client, both):
    html = client.get("/", **SPANISH).content.decode()
    assert '<html lang="es">' in html and "Empezar ahora" in html
    assert '<button type="submit" name="language" value="en"' in html  # "English", in English
    client.post(reverse("screening:language"), {"language": "en"}, **SPANISH)
    assert "Start now" in client.get("/", **SPANISH).content.decode()
    assert client.post(reverse("screening:language"), {"language": "fr"}).status_code == 400


def test_a_draft_keeps_its_language_and_asks_in_it(patient, both):
    patient.client.post(reverse("screening:language"), {"language": "es"})
    patient.begin()
    assert patient.intake.language == "es"
    page = patient.client.get(reverse("screening:page", args=["about-you"])).content.decode()
    assert "Fecha de nacimiento" in page and "Continuar" in page
    refused = patient.post_page("about-you", {**FULL_INTAKE["about-you"], "given_name": ""})
    assert "Hay un problema" in refused.content.decode()
    patient.client.post(reverse("screening:language"), {"language": "en"})
    assert patient.intake.language == "en"  # the draft's e-mails follow the choice


def test_staff_pages_are_english_whatever_the_browser_asks(both, default_rules):
    coordinator = signed_in(staff_member("casey", "Coordinator"))
    html = coordinator.get(reverse("screening:queue"), **SPANISH).content.decode()
    assert '<html lang="en">' in html


# --- the catalogue of translations ------------------------------------------------------------------
def _joined(block: str, name: str) -> str:
    """The text of a .po entry's field (``msgid``, ``msgstr``), its quoted lines joined and unescaped."""
    match = re.search(rf'^{name} (".*"(?:\n".*")*)', block, re.M)
    if not match:
        return ""
    return "".join(
        bytes(part, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
        for part in re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(1))
    )


def _entries(po: str) -> list[tuple[str, str, bool, str]]:
    """(msgid, msgstr, fuzzy, context) of each entry of a .po file (plural entries: their first form)."""
    entries = []
    for block in po.split("\n\n"):
        msgid = _joined(block, "msgid")
        if msgid:
            msgstr = _joined(block, "msgstr") or _joined(block, r"msgstr\[0\]")
            entries.append((msgid, msgstr, ", fuzzy" in block, _joined(block, "msgctxt")))
    return entries


def test_every_string_has_a_spanish_translation_none_fuzzy_and_the_compiled_file_matches():
    po = (LOCALE / "es" / "LC_MESSAGES" / "django.po").read_text()
    entries = _entries(po)
    assert len(entries) > 500
    assert [m for m, s, _f, _c in entries if not s] == []
    assert [m for m, _s, fuzzy, _c in entries if fuzzy] == []
    assert "#~" not in po  # no obsolete entries kept
    with (LOCALE / "es" / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [
        m
        for m, s, _f, context in entries
        if "\n" not in m
        and (compiled.pgettext(context, m) if context else compiled.gettext(m)) != s
    ]
    assert stale == [], "the .mo is older than the .po: run `make messages`"


def test_the_catalogue_holds_every_string_the_code_marks(tmp_path):
    """makemessages over the code finds no string the committed catalogue lacks (GNU gettext needed:
    CI installs it; on a machine without it this test is skipped, unless REQUIRE_GETTEXT=1)."""
    if shutil.which("xgettext") is None:
        if os.environ.get("REQUIRE_GETTEXT") == "1":
            pytest.fail("REQUIRE_GETTEXT=1 but GNU gettext (xgettext) is not installed")
        pytest.skip("GNU gettext (xgettext) is not installed")
    root = Path(__file__).resolve().parent.parent
    # A copy of the code and the catalogue: makemessages rewrites the catalogue, which other tests read
    # (the suite runs in parallel)
    copy = tmp_path / "project"
    for part in ("facetclinic", "screening", "templates", "locale"):
        shutil.copytree(root / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(root / "manage.py", copy / "manage.py")
    python = root / ".venv" / "bin" / "python"
    subprocess.run(
        [str(python), "manage.py", "makemessages", "-l", "es", *MESSAGES_IGNORE, "-v0"],
        cwd=copy,
        env={**os.environ, "DEBUG": "true"},
        check=True,
    )
    fresh = _entries((copy / "locale" / "es" / "LC_MESSAGES" / "django.po").read_text())
    assert len(fresh) > 500  # the code's strings were gathered
    missing = [m for m, s, fuzzy, _c in fresh if not s or fuzzy]
    assert missing == [], "strings without a Spanish translation: run `make messages`, translate"


def test_a_coordinator_reads_a_spanish_form_in_english_with_its_language_said(
    patient, both, coordinator
):
    patient.client.post(reverse("screening:language"), {"language": "es"})
    patient.fill()
    patient.submit()
    html = coordinator.get(f"/staff/cases/{patient.intake.reference}/").content.decode()
    assert "Filled in in Spanish" in html
    assert "Low back" in html and "Date of birth" in html  # the answers in English


def test_answers_read_back_in_spanish_conventions(both):
    from django.utils import translation

    from screening.intake.answer_display import display_value
    from screening.intake.catalogue import QUESTIONS

    with translation.override("es"):
        assert display_value(QUESTIONS["date_of_birth"], "1971-07-14") == "14 de julio de 1971"
        assert display_value(QUESTIONS["mri_when"], "2025-05") == "mayo de 2025"
        assert display_value(QUESTIONS["pain_months"], 1) == "1 mes"
        assert display_value(QUESTIONS["weight"], {"kg": 72.5}) == "72,5 kg"
    assert display_value(QUESTIONS["weight"], {"kg": 72.5}) == "72.5 kg"  # staff read English


def test_a_decimal_comma_is_taken_and_shown_back_as_typed_in_spanish(patient, both):
    patient.client.post(reverse("screening:language"), {"language": "es"})
    patient.fill(upto="height-and-weight")
    patient.post_page("height-and-weight", {"height_cm": "168", "weight_kg": "72,5"})
    patient.intake.refresh_from_db()
    assert patient.intake.answers["weight"] == {"kg": 72.5}
    again = patient.client.get(reverse("screening:page", args=["height-and-weight"]))
    assert 'value="72,5"' in again.content.decode()
    check = patient.client.get(reverse("screening:check")).content.decode()
    assert "72,5 kg" in check


# --- red-flag messages in each language ---------------------------------------------------------------
def test_every_default_red_flag_rule_speaks_spanish_too():
    import json

    rules = json.loads(Path("screening/rules/default_rules.json").read_text())["rules"]
    urgent = [r for r in rules if r["outcome"] == "urgent"]
    assert urgent and all(r.get("patient_message_es") for r in urgent)


def test_publishing_refuses_a_red_flag_rule_without_its_spanish_message_once_spanish_is_on(
    settings, default_rules
):
    from screening.rules.rulesets import draft_data, publishable_problems

    rules = draft_data()
    weight = next(r for r in rules if r["key"] == "rf_weight_loss")
    del weight["patient_message_es"]
    settings.PATIENT_LANGUAGES = ["en"]
    assert publishable_problems(rules) == []
    settings.PATIENT_LANGUAGES = ["en", "es"]
    assert publishable_problems(rules) == [
        "rule rf_weight_loss: patients may fill the form in in Spanish: a red-flag rule needs its "
        "message in Spanish too"
    ]


def test_a_red_flag_rules_message_reaches_each_patient_in_their_language(patient, both):
    from screening.rules.models import RuleDraft
    from screening.rules.rulesets import ruleset_publish

    RuleDraft.objects.filter(key="rf_weight_loss").update(
        patient_message="Expect our nurse's call today.",
        patient_message_es="Nuestra enfermera le llamará hoy.",
    )
    ruleset_publish(actor=None, note="messages")
    patient.client.post(reverse("screening:language"), {"language": "es"})
    patient.fill(upto="safety-more")
    patient.post_page("safety-more", {**FULL_INTAKE["safety-more"], "weight_loss": "yes"})
    advice = patient.client.get(reverse("screening:safety-advice")).content.decode()
    assert "Nuestra enfermera le llamará hoy." in advice
    assert "Expect our nurse" not in advice and '<html lang="es">' in advice


def test_the_exports_say_the_language_the_form_was_filled_in_in(patient, both, coordinator):
    from screening.casework.csv_export import columns
    from screening.casework.fhir_export import questionnaire_response

    patient.client.post(reverse("screening:language"), {"language": "es"})
    patient.fill()
    patient.submit()
    case = patient.intake.case
    row = {header: value(case, None) for header, value in columns(False) if "language" in header}
    assert row == {"Form language": "Spanish", "language_code": "es"}
    assert questionnaire_response(patient.intake, identifiable=False)["language"] == "es"


def test_the_queue_finds_cases_by_the_language_they_were_filled_in_in_or_an_interpreter_need(
    patient, both, coordinator
):
    from screening.demo.cases import generate

    patient.client.post(reverse("screening:language"), {"language": "es"})
    patient.fill(overrides={"contact": {"interpreter": "yes", "interpreter_language": "Mixteco"}})
    patient.submit()
    reference = patient.intake.reference
    generate(count=60)  # the demo patients: mostly English, some Spanish, a few need an interpreter
    everyone = coordinator.get("/staff/?status=all").context["rows"]
    spanish = coordinator.get("/staff/?status=all&language=es").context
    assert reference in {r["reference"] for r in spanish["rows"]}
    assert {r["intake__language"] for r in spanish["rows"]} == {"es"}
    assert len(spanish["rows"]) < len(everyone)
    assert sum(n for _label, n in spanish["status_counts"]) == len(spanish["rows"])
    interpreter = coordinator.get("/staff/?status=all&language=interpreter").context["rows"]
    assert reference in {r["reference"] for r in interpreter}
    assert all(r["interpreter"] for r in interpreter) and len(interpreter) < len(everyone)
    # The filter form keeps the choice; the row says the language and the need beside the reference.
    html = coordinator.get("/staff/?status=all&language=es").content.decode()
    assert '<option value="es" selected>Filled in in Spanish</option>' in html
    row = re.search(rf"<tr><th scope=\"row\"><a [^>]*>{reference}</a>.*?</th>", html)
    assert row and "Spanish" in row[0] and "interpreter" in row[0]
    # The CSV of the filtered queue has the same cases; the language typed is free text, so only an
    # export with identity carries it
    export = coordinator.get("/staff/export.csv?status=all&language=interpreter")
    body = b"".join(export.streaming_content).decode()
    assert body.count("\n") == len(interpreter) + 1 and "Mixteco" not in body
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert {row["Interpreter needed"] for row in rows} == {"Yes"}
    # A language nobody speaks here is no filter at all.
    assert len(coordinator.get("/staff/?status=all&language=xx").context["rows"]) == len(everyone)


def _check(**env) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CLINIC_HOURS") and k != "PATIENT_LANGUAGES"
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=LOCALE.parent,
        env=environment | {"SECRET_KEY": "x", "DEBUG": "true"} | env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_clinic_that_sets_its_hours_sets_them_in_every_language_it_offers():
    """The demo's Spanish hours never stand in for a clinic's own."""
    refused = _check(CLINIC_HOURS="Mon-Thu 9-5", PATIENT_LANGUAGES="en,es")
    assert refused.returncode != 0 and "Set CLINIC_HOURS_ES" in refused.stderr
    assert _check(CLINIC_HOURS="Mon-Thu 9-5").returncode == 0  # Spanish not offered: not needed
    both = _check(
        CLINIC_HOURS="Mon-Thu 9-5", CLINIC_HOURS_ES="lun-jue 9-17", PATIENT_LANGUAGES="en,es"
    )
    assert both.returncode == 0, both.stderr


def test_the_clinics_hours_are_given_in_the_patients_language(client, both, default_rules):
    from django.conf import settings

    english = client.get("/").content.decode()  # every patient page says them, in its footer
    client.post(reverse("screening:language"), {"language": "es"})
    spanish = client.get("/").content.decode()
    assert settings.CLINIC_HOURS["en"] in english and settings.CLINIC_HOURS["es"] not in english
    assert settings.CLINIC_HOURS["es"] in spanish and settings.CLINIC_HOURS["en"] not in spanish


# --- no English left on a Spanish page ---------------------------------------------------------------
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|<[^>]+>")


def _english_phrases() -> set[str]:
    """Runs of four words or more of each English string of the catalogue, cut at its placeholders and
    markup, where the Spanish differs: none may show on a page read in Spanish."""
    po = (LOCALE / "es" / "LC_MESSAGES" / "django.po").read_text()
    phrases = set()
    for msgid, msgstr, _fuzzy, _context in _entries(po):
        if msgid == msgstr:
            continue
        for part in _PLACEHOLDER.split(msgid):
            part = " ".join(part.split()).strip(" .,:;()")
            if len(part.split()) >= 4 and part not in msgstr:
                phrases.add(part)
    return phrases


def _text(response) -> str:
    import html

    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_no_english_is_left_on_any_page_a_spanish_speaking_patient_reads(patient, both):
    from tests.intake_data import EVERY_PAGE

    client = patient.client
    client.post(reverse("screening:language"), {"language": "es"})
    read = {path: _text(client.get(path)) for path in ("/", "/privacy/", "/intake/resume/")}
    patient.begin()
    for slug, data in EVERY_PAGE.items():
        url = reverse("screening:page", args=[slug])
        read[slug] = _text(client.get(url))
        read[f"{slug}, with errors"] = _text(client.post(url, {"action": "continue"}))
        if slug == "safety":
            data = {**data, "saddle_numbness": "yes"}  # the emergency advice, and its reminders
        assert client.post(url, {**data, "action": "continue"}).status_code == 302, slug
        if slug == "safety":
            read["safety advice"] = _text(client.get(reverse("screening:safety-advice")))
    read["task list"] = _text(client.get(reverse("screening:tasks")))
    read["check"] = _text(client.get(reverse("screening:check")))
    read["receipt"] = _text(client.post(reverse("screening:submit"), follow=True))
    assert "Su formulario se envió." in read["receipt"]
    english = _english_phrases()
    assert len(english) > 300
    left = {where: sorted(p for p in english if p in text) for where, text in read.items()}
    assert {where: found for where, found in left.items() if found} == {}
    # Text never marked for translation is in no catalogue: English's commonest words find it
    common = re.compile(r"\b(the|your|you|and|with|this|what|please)\b", re.I)
    typed = [
        v for page in EVERY_PAGE.values() for v in page.values() if isinstance(v, str) and " " in v
    ]
    words = {
        where: sorted(set(common.findall(re.sub("|".join(map(re.escape, typed)), " ", text))))
        for where, text in read.items()
    }
    assert {where: found for where, found in words.items() if found} == {}


def test_months_and_units_typed_in_spanish_are_understood(patient, both):
    from screening.intake.form_parts import month_number, parse_int

    assert [
        month_number(m) for m in ("julio", "Jul", "ene", "Septiembre", "setiembre", "sept.")
    ] == [
        7,
        7,
        1,
        9,
        9,
        9,
    ]
    assert parse_int("1 mes", "meses") == 1 and parse_int("85 por ciento", "%") == 85
    assert parse_int("3 meses", "months") == 3 and parse_int("2 horas", "horas") == 2
    patient.client.post(reverse("screening:language"), {"language": "es"})
    patient.fill(upto="about-you")
    patient.begin()
    born = {**FULL_INTAKE["about-you"], "date_of_birth_month": "julio"}
    assert patient.post_page("about-you", born).status_code == 302
    assert patient.intake.identity.date_of_birth.month == 7


def test_a_form_resumed_elsewhere_goes_on_in_its_language(patient, both):
    from django.test import Client

    patient.client.post(reverse("screening:language"), {"language": "es"})
    patient.fill(upto="pain-where")
    code = patient.post_page("pain-where", action="save").context["code"]
    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="en")  # another browser, in English
    born = {"date_of_birth_day": "14", "date_of_birth_month": "7", "date_of_birth_year": "1971"}
    resumed = elsewhere.post(reverse("screening:resume"), {"code": code, **born}, follow=True)
    assert '<html lang="es">' in resumed.content.decode()


def test_the_printed_case_says_the_language_and_the_interpreter_need(patient, both, coordinator):
    patient.client.post(reverse("screening:language"), {"language": "es"})
    contact = {**FULL_INTAKE["contact"], "interpreter": "yes", "interpreter_language": "Mixteco"}
    patient.fill(overrides={"contact": contact})
    patient.submit()
    printed = coordinator.get(f"/staff/cases/{patient.intake.reference}/print/").content.decode()
    assert "Filled in in Spanish" in printed and "Needs an interpreter: Mixteco" in printed
