"""Hostile input never breaks the intake or the staff forms: property-based tests with hypothesis.

Every intake page (reached as a patient would, so branching shows it) and every staff form is posted random
and extreme values: huge strings, control characters and NUL bytes, emoji and bidi marks, numbers out of
range or not numbers at all, impossible dates, unknown choice codes, lists where one value is expected,
fields left out. Each post is answered without a server error; a refused post stores nothing; whatever an
accepted post stores passes the form's own validation again. Valid values round-trip: what is stored is
what was typed (after the forms' documented normalisation: surrounding whitespace stripped, numbers and
dates parsed, ticked options in catalogue order), and the pages that show it show it.

The "ci" profile is fixed (derandomized) and bounded so the file runs in well under a minute on SQLite;
set HYPOTHESIS_PROFILE=thorough for a longer, random search.
"""

import calendar
import os
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, event, given
from hypothesis import settings as profiles
from hypothesis import strategies as st

from screening.casework.forms import MAX_CLINICIAN, MAX_NOTE, coordinators
from screening.casework.missing_information import completion_page
from screening.casework.models import Amendment, Booking, Case, CaseNote, ContactAttempt
from screening.intake.answer_display import display_value
from screening.intake.branching import context, question_shown
from screening.intake.catalogue import PAGES, QUESTIONS, Kind, Page, Question, page_by_slug
from screening.intake.form_parts import PartsWidget
from screening.intake.models import Intake
from screening.intake.page_forms import MAX_LONG_TEXT, MAX_PHONE, MAX_TEXT, PageForm
from screening.intake.reference_codes import normalise_resume_code
from screening.intake.selectors import load_answers
from tests.intake_data import EVERY_PAGE, FULL_INTAKE
from tests.personas import sign_in, staff_member

profiles.register_profile(
    "ci",
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,  # nothing written to .hypothesis/ in the repository
    print_blob=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one draft or case per test, shared by its examples
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
profiles.register_profile(
    "thorough", parent=profiles.get_profile("ci"), max_examples=300, derandomize=False
)
profiles.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

pytestmark = pytest.mark.django_db

SLUGS = [page.slug for page in PAGES]
# A case that is missing information, so the phone-amendment page has questions to ask.
NO_BLOCKS = {"treatments": {"treatments_tried": ["nsaids", "physical_therapy"]}}
DROP = object()  # a field left out of the post


# --- hostile values ------------------------------------------------------------------------------
EDGE_STRINGS = [
    *("", " ", "\t", "0", "00", "-0", "-1", "+5", "1.5", "1,5", "1.999", "1e309", "-1e309", "1e3"),
    *("NaN", "nan", "inf", "-Infinity", "0x10", "1_000", "0000001", "99999999999999999999999"),
    *("\u0663", "\uff11\uff12", "\u00b2", "\u2167", "31", "30", "29", "2", "13", "0000", "0001"),
    *("1899", "1900", "9999", "10000", "Feb", "February", "febr", "Sept", "Smarch", "12/31/2025"),
    *("2025-02-31", "2025-13-01", "24:00", "23:59:60", "12:60", "-1:00", "1e309:00"),
    *("yes", "no", "not_sure", "none", "on", "off", "true", "True", "null", "None", "[]", "{}"),
    *("__proto__", "%s", "%(x)s", "{0}", "{{7*7}}", "' OR '1'='1", "\\", "../../etc/passwd"),
    *("a@b.c", "a@b", "@", "+1 (555) 010-0199", "555 010 0199\n", "\u202e9910 010 555"),
]
CHOICE_CODES = sorted({code for q in QUESTIONS.values() for code, _label in q.choices})
ODD_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
CONTROL = st.text(
    st.characters(max_codepoint=0x1F) | st.sampled_from("\x7f\x85\u2028\u2029\ufeff\u200b\u202e"),
    min_size=1,
    max_size=5,
)
CONTROL_TEXT = st.builds(
    lambda head, middle, tail: head + middle + tail,
    st.sampled_from(["", "Zelda", "12", "555 010", "a"]),
    CONTROL,
    st.sampled_from(["", "x", "34", "7788", "@example.com"]),
)
HUGE = st.builds(
    lambda char, size: char * size,
    st.sampled_from(["x", "9", "\u00e9", "\U0001f600", "\u202e", "<", "\x00", " ", "1 "]),
    st.integers(10_000, 100_000),
)
SMALL = st.one_of(st.sampled_from(EDGE_STRINGS), st.sampled_from(CHOICE_CODES), ODD_TEXT)
HOSTILE = st.sampled_from(
    [*("edge", "code", "odd", "control") * 3, "huge", "list", "list", "drop", "too_many"]
).flatmap(
    lambda kind: {
        "edge": st.sampled_from(EDGE_STRINGS),
        "code": st.sampled_from(CHOICE_CODES),
        "odd": ODD_TEXT,
        "control": CONTROL_TEXT,
        "huge": HUGE,
        "list": st.lists(SMALL, min_size=2, max_size=4),
        "drop": st.just(DROP),
        "too_many": st.just(["1"] * 1001),  # more fields than Django reads
    }[kind]
)


def hostile_post(base: dict, names: list[str]) -> st.SearchStrategy[dict]:
    """``base`` with one to three of ``names`` replaced by hostile values or left out."""

    @st.composite
    def build(draw) -> dict:
        payload = dict(base)
        targets = st.lists(
            st.sampled_from(names), min_size=1, max_size=min(3, len(names)), unique=True
        )
        for name in draw(targets):
            value = draw(HOSTILE)
            if value is DROP:
                payload.pop(name, None)
            else:
                payload[name] = value
        return payload

    return build()


# --- what a valid stored answer is (an oracle written apart from the forms) ----------------------
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def assert_valid_answer(q: Question, value) -> None:
    """A stored answer has its question's type, range and choices: never anything a form refuses."""
    codes = [code for code, _label in q.choices]
    where = f"{q.key}={value!r:.200}"
    match q.kind:
        case Kind.TEXT | Kind.LONG_TEXT:
            limit = MAX_LONG_TEXT if q.kind == Kind.LONG_TEXT else MAX_TEXT
            assert isinstance(value, str) and 0 < len(value) <= limit, where
            assert value == value.strip() and not CONTROL_CHARS.search(value), where
        case Kind.EMAIL:
            assert isinstance(value, str) and len(value) <= 254, where
            assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) and "\x00" not in value, where
        case Kind.PHONE:
            assert isinstance(value, str) and len(value) <= MAX_PHONE, where
            assert re.fullmatch(r"[0-9+()\-.\s]+", value), where
            assert 7 <= len(re.sub(r"\D", "", value)) <= 15, where
        case Kind.INTEGER | Kind.SCALE:
            assert type(value) is int, where
            assert (q.min_value or 0) <= value, where
            assert q.max_value is None or value <= q.max_value, where
        case Kind.CHOICE | Kind.YES_NO | Kind.YES_NO_UNSURE:
            assert value in codes, where
        case Kind.MULTI:
            assert isinstance(value, list) and value, where
            assert value == [code for code in codes if code in value], (
                where
            )  # known, unique, ordered
            assert len(value) == 1 or not set(value) & set(q.exclusive), where
        case Kind.CONSENT:
            assert value is True, where
        case Kind.DATE:
            day = date.fromisoformat(value)
            today = timezone.localdate()
            assert day <= today, where
            if q.key == "date_of_birth":
                age = today.year - day.year - ((today.month, today.day) < (day.month, day.day))
                assert 18 <= age <= 110, where
        case Kind.MONTH_YEAR:
            assert re.fullmatch(r"\d{4}-\d{2}", value), where
            year, month = int(value[:4]), int(value[5:])
            today = timezone.localdate()
            assert year >= 1900 and 1 <= month <= 12, where
            assert (year, month) <= (today.year, today.month), where
        case Kind.HEIGHT:
            if "cm" in value:
                assert set(value) == {"cm"} and 100 <= value["cm"] <= 250, where
            else:
                assert set(value) == {"ft", "in"}, where
                assert 3 <= value["ft"] <= 8 and 0 <= value["in"] <= 11, where
        case Kind.WEIGHT:
            (unit, number), *rest = value.items()
            assert not rest, where
            low, high = {"kg": (30, 300), "lb": (66, 660)}[unit]
            assert low <= number <= high, where
        case _:
            pytest.fail(f"No oracle for {q.kind}")


def encode(q: Question, value) -> dict:
    """A stored answer as a browser would post it again."""
    match q.kind:
        case Kind.MULTI:
            return {q.key: list(value)}
        case Kind.CONSENT:
            return {q.key: "on"}
        case Kind.DATE:
            day = date.fromisoformat(value)
            return {
                f"{q.key}_day": str(day.day),
                f"{q.key}_month": str(day.month),
                f"{q.key}_year": str(day.year),
            }
        case Kind.MONTH_YEAR:
            year, month = value.split("-")
            return {f"{q.key}_month": str(int(month)), f"{q.key}_year": year}
        case Kind.HEIGHT | Kind.WEIGHT:
            return {f"{q.key}_{unit}": f"{number:g}" for unit, number in value.items()}
    return {q.key: str(value)}


def assert_stored_answers_valid(page: Page, stored: dict, *, require: bool) -> None:
    """Every stored answer passes the oracle, and the page's answers pass the page's form again."""
    for key, value in stored.items():
        assert_valid_answer(QUESTIONS[key], value)
    data = {}
    for q in page.questions:
        if q.key in stored:
            data |= encode(q, stored[q.key])
    form = PageForm(
        data, page=page, stored=stored, today=timezone.localdate(), require_answers=require
    )
    assert form.is_valid(), form.errors
    for key, value in form.answers.items():
        assert stored.get(key) == value, key


def post_names(page: Page, stored: dict) -> list[str]:
    """The names a browser posts for the page's fields (one per box of a date or a height)."""
    form = PageForm(page=page, stored=stored, today=timezone.localdate())
    names = []
    for q in form.questions:
        widget = form.fields[q.key].widget
        if isinstance(widget, PartsWidget):
            names += [f"{q.key}_{part}" for part, _label, _width in widget.parts]
        else:
            names.append(q.key)
    return names


def _posted(payload: dict, name: str) -> str:
    """The value a form reads for ``name``: the last one when a list was posted (QueryDict.get)."""
    value = payload.get(name, "")
    return (value[-1] if value else "") if isinstance(value, list) else value


def _stored(intake_pk: int) -> dict:
    return load_answers(Intake.objects.select_related("identity").get(pk=intake_pk))


def _form_errors(response) -> dict | None:
    """The errors of the page's form, or None when the page shown has no bound form."""
    form = response.context.get("form") if response.context else None
    return dict(form.errors) if form is not None and form.is_bound else None


# --- valid values --------------------------------------------------------------------------------
PRINTABLE = st.characters(exclude_categories=("Cs", "Cc"))


def _years_ago(years: int, today: date) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _month_text(month: int) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [str(month), f"{month:02d}", calendar.month_name[month], calendar.month_abbr[month]]
    )


def valid_answer(q: Question) -> st.SearchStrategy[tuple[dict, object]]:
    """(what a browser posts, the answer stored) for a valid answer to ``q``."""
    today = timezone.localdate()
    key = q.key
    match q.kind:
        case Kind.TEXT | Kind.LONG_TEXT:
            limit = MAX_LONG_TEXT if q.kind == Kind.LONG_TEXT else MAX_TEXT
            text = st.one_of(
                st.text(PRINTABLE, min_size=1, max_size=min(limit, 300)),
                st.sampled_from(["x" * limit, "\U0001f600" * limit, " " + "\u00e9" * limit]),
            ).filter(lambda s: s.strip())
            return text.map(lambda s: ({key: s}, s.strip()))
        case Kind.EMAIL:
            return st.emails().filter(lambda s: len(s) <= 254).map(lambda s: ({key: s}, s))

        case Kind.PHONE:

            @st.composite
            def phone(draw):
                digits = draw(st.text("0123456789", min_size=7, max_size=15))
                text = draw(st.sampled_from(["", "+"]))
                for digit in digits:
                    text += digit + draw(st.sampled_from(["", "", " ", "-", ".", "(", ")"]))
                text = text[:MAX_PHONE]
                return {key: f" {text} "}, text.strip()

            return phone().filter(lambda pair: 7 <= len(re.sub(r"\D", "", pair[1])) <= 15)
        case Kind.INTEGER | Kind.SCALE:
            numbers = st.integers(q.min_value or 0, q.max_value)
            shapes = st.sampled_from(["{}", " {} ", "0{}"] if q.kind == Kind.INTEGER else ["{}"])
            return st.tuples(numbers, shapes).map(lambda p: ({key: p[1].format(p[0])}, p[0]))
        case Kind.CHOICE | Kind.YES_NO | Kind.YES_NO_UNSURE:
            return st.sampled_from([c for c, _label in q.choices]).map(lambda c: ({key: c}, c))
        case Kind.MULTI:
            codes = [c for c, _label in q.choices]
            plain = [c for c in codes if c not in q.exclusive]
            ticked = st.one_of(
                st.lists(st.sampled_from(plain), min_size=1, unique=True),
                *([st.sampled_from(q.exclusive).map(lambda c: [c])] if q.exclusive else []),
            )
            return ticked.map(lambda t: ({key: t}, [c for c in codes if c in t]))
        case Kind.CONSENT:
            return st.just(({key: "on"}, True))
        case Kind.DATE:
            days = st.dates(_years_ago(111, today) + timedelta(days=1), _years_ago(18, today))
            return days.flatmap(
                lambda d: _month_text(d.month).map(
                    lambda m: (
                        {f"{key}_day": str(d.day), f"{key}_month": m, f"{key}_year": str(d.year)},
                        d.isoformat(),
                    )
                )
            )
        case Kind.MONTH_YEAR:
            months = st.tuples(st.integers(1900, today.year), st.integers(1, 12)).filter(
                lambda ym: ym <= (today.year, today.month)
            )
            return months.flatmap(
                lambda ym: _month_text(ym[1]).map(
                    lambda m: (
                        {f"{key}_month": m, f"{key}_year": str(ym[0])},
                        f"{ym[0]:04d}-{ym[1]:02d}",
                    )
                )
            )
        case Kind.HEIGHT:
            cm = st.integers(10_000, 25_000).map(
                lambda n: ({f"{key}_cm": f"{n // 100}.{n % 100:02d}"}, {"cm": n / 100})
            )
            imperial = st.tuples(st.integers(3, 8), st.integers(0, 11)).map(
                lambda p: (
                    {f"{key}_ft": str(p[0]), f"{key}_in": str(p[1])},
                    {"ft": p[0], "in": p[1]},
                )
            )
            return st.one_of(cm, imperial)
        case Kind.WEIGHT:
            return st.one_of(
                *(
                    st.integers(low * 100, high * 100).map(
                        lambda n, unit=unit: (
                            {f"{key}_{unit}": f"{n // 100}.{n % 100:02d}"},
                            {unit: n / 100},
                        )
                    )
                    for unit, low, high in (("kg", 30, 300), ("lb", 66, 660))
                )
            )
    raise AssertionError(f"No valid values for {q.kind}")


def valid_page(page: Page, stored: dict) -> st.SearchStrategy[tuple[dict, dict]]:
    """(what a browser posts, the answers expected) for the page's questions; optional ones may be blank."""
    form = PageForm(page=page, stored=stored, today=timezone.localdate())

    @st.composite
    def build(draw):
        posted, expected = {}, {}
        for q in form.questions:
            if (
                q.kind == Kind.FILE
            ):  # files come as uploads (tests/test_scan_reports.py), not values
                continue
            if not q.required and draw(st.booleans()):
                continue
            data, value = draw(valid_answer(q))
            posted |= data
            expected[q.key] = value
        return posted, expected

    return build()


# --- the intake ----------------------------------------------------------------------------------
@pytest.fixture
def at_page(patient, slug, settings):
    """A patient who has answered every page before ``slug``; returns their client and draft's id."""
    settings.INTAKE_LIMITS_MULTIPLIER = 100  # the hourly page-save limit is not under test here
    patient.fill(upto=slug, pages=EVERY_PAGE)
    return patient.client, patient.client.session["intake_id"]


def _post_hostile_page(client, intake_pk: int, page: Page, data) -> None:
    """Hostile values on one page: refused with nothing stored, or accepted with only valid answers."""
    before = _stored(intake_pk)
    names = post_names(page, before)
    base = EVERY_PAGE[page.slug]
    payload = data.draw(hostile_post(base, sorted({*names, *base, "not_a_field"})), "payload")
    action = data.draw(st.sampled_from(["continue"] * 5 + ["back", "save", "bogus"]), "action")
    url = reverse("screening:page", args=[page.slug])
    response = client.post(url, payload | {"action": action})

    assert response.status_code in (200, 302, 400, 429)
    after = _stored(intake_pk)
    if response.status_code in (400, 429) or _form_errors(response):
        event(f"hostile: refused with {response.status_code}")
        assert after == before  # nothing stored, nothing cleared
        return
    event(f"hostile: accepted with {response.status_code}")
    assert_stored_answers_valid(page, after, require=action == "continue")
    own = {q.key for q in page.questions}
    for key, value in before.items():
        if key not in own:
            assert after.get(key) in (value, None), key  # kept, or cleared by branching
    assert not set(after) - set(before) - own
    shown = client.get(url)  # what was stored shows again, without an error
    assert shown.status_code == 200 and not _form_errors(shown)


def _post_valid_page(client, intake_pk: int, page: Page, data) -> None:
    """Valid values on one page: stored as typed (normalised) and shown on the check-answers page."""
    before = _stored(intake_pk)
    posted, expected = data.draw(valid_page(page, before), "valid answers")
    url = reverse("screening:page", args=[page.slug])
    response = client.post(url, posted | {"action": "continue"})

    assert response.status_code == 302, _form_errors(response)
    after = _stored(intake_pk)
    merged = {**before, **expected}
    ctx = context(merged, timezone.localdate())
    html = client.get(reverse("screening:check")).content.decode()
    for q in page.questions:
        applies = q.key in expected and question_shown(q, merged, ctx)
        assert after.get(q.key) == (expected[q.key] if applies else None), q.key
        if applies and q.kind != Kind.CONSENT:
            assert escape(display_value(q, expected[q.key])) in html, q.key


@pytest.mark.parametrize("slug", SLUGS)
@given(data=st.data())
def test_every_intake_page_refuses_hostile_input_and_keeps_valid_input_as_typed(
    slug, at_page, data
):
    client, intake_pk = at_page
    page = page_by_slug(slug)
    _post_hostile_page(client, intake_pk, page, data)
    _post_valid_page(client, intake_pk, page, data)


BIRTH = {k: v for k, v in FULL_INTAKE["about-you"].items() if k.startswith("date_of_birth")}


@pytest.fixture
def saved_draft(patient) -> tuple[str, int]:
    """A draft saved for later: the resume code the patient was shown, and the draft's id."""
    patient.fill(upto="pain-where")
    response = patient.post_page("height-and-weight", action="save")
    return response.context["code"], patient.intake.pk


@given(data=st.data())
def test_the_resume_form_refuses_hostile_input_and_opens_the_draft_with_the_code_shown(
    saved_draft, data
):
    code, intake_pk = saved_draft
    url = reverse("screening:resume")
    payload = data.draw(hostile_post({"code": code, **BIRTH}, ["code", *BIRTH]), "payload")
    stranger = Client()  # from its own address, so its failures do not hold the patient back
    response = stranger.post(url, payload, REMOTE_ADDR="192.0.2.1")
    assert response.status_code in (200, 302, 400, 429)
    event(f"hostile: {response.status_code}")
    if response.status_code == 302:  # only the right code and date of birth open the draft
        assert stranger.session["intake_id"] == intake_pk
        assert normalise_resume_code(_posted(payload, "code")) == normalise_resume_code(code)
    else:
        assert "intake_id" not in stranger.session

    # The code as shown, in lower case, without dashes or with spaces: the documented normalisation.
    typed = data.draw(
        st.sampled_from([code, code.lower(), code.replace("-", ""), code.replace("-", " ")])
    )
    patient = Client()
    response = patient.post(url, {"code": f" {typed} ", **BIRTH})
    assert response.status_code == 302 and patient.session["intake_id"] == intake_pk


# --- the staff forms -----------------------------------------------------------------------------
_staff = staff_member


@pytest.fixture
def case(patient, coordinator) -> Case:
    """A sent intake that is missing information (so it can be completed by phone)."""
    patient.fill(overrides=NO_BLOCKS)
    assert patient.submit().status_code == 302
    case = Case.objects.select_related("intake").get(intake=patient.intake)
    assert case.outcome == "needs_info"
    return case


def _case_url(case: Case, action: str = "") -> str:
    return f"/staff/cases/{case.intake.reference}/" + (f"{action}/" if action else "")


def _latest(model):
    return model.objects.order_by("-pk").first()


def _saved_one(client: Client, url: str, payload: dict, model) -> bool:
    """Post; True when it saved one row, False when it was refused (and saved nothing)."""
    count = model.objects.count()
    response = client.post(url, payload)
    assert response.status_code in (302, 400)
    saved = response.status_code == 302
    event(f"hostile: {'accepted' if saved else 'refused'}")
    assert model.objects.count() == count + saved
    return saved


NOTE_TEXT = st.one_of(
    st.text(PRINTABLE, min_size=1, max_size=300),
    st.sampled_from(["n" * MAX_NOTE, " \U0001f600 ", "Line one\r\nLine two"]),
).filter(lambda s: s.strip())


@given(data=st.data())
def test_notes_refuse_hostile_text_and_keep_valid_text_as_typed(case, coordinator, data):
    url = _case_url(case, "notes")
    payload = data.draw(hostile_post({"text": "Rang the patient"}, ["text", "unexpected"]))
    if _saved_one(coordinator, url, payload, CaseNote):
        note = _latest(CaseNote)
        assert note.text == _posted(payload, "text").strip() and 0 < len(note.text) <= MAX_NOTE
        assert "\x00" not in note.text

    text = data.draw(NOTE_TEXT, "valid note")
    assert coordinator.post(url, {"text": text}).status_code == 302
    assert _latest(CaseNote).text == text.strip()
    assert escape(text.strip()) in coordinator.get(_case_url(case)).content.decode()


@given(data=st.data())
def test_contact_attempts_refuse_hostile_input_and_keep_valid_input_as_typed(
    case, coordinator, data
):
    url = _case_url(case, "contacts")
    base = {"channel": "phone", "result": "left_message", "note": "Rang the mobile"}
    payload = data.draw(hostile_post(base, ["channel", "result", "note"]))
    if _saved_one(coordinator, url, payload, ContactAttempt):
        attempt = _latest(ContactAttempt)
        assert attempt.channel in ContactAttempt.Channel.values
        assert attempt.result in ContactAttempt.Result.values
        assert attempt.note == _posted(payload, "note").strip() and len(attempt.note) <= 500
        assert "\x00" not in attempt.note

    channel = data.draw(st.sampled_from(ContactAttempt.Channel.values), "channel")
    result = data.draw(st.sampled_from(ContactAttempt.Result.values), "result")
    note = data.draw(st.text(PRINTABLE, max_size=500), "note")
    posted = {"channel": channel, "result": result, "note": note}
    assert coordinator.post(url, posted).status_code == 302
    attempt = _latest(ContactAttempt)
    assert (attempt.channel, attempt.result, attempt.note) == (channel, result, note.strip())
    if note.strip():
        assert escape(note.strip()) in coordinator.get(_case_url(case)).content.decode()


@pytest.fixture
def colleagues(coordinator) -> dict[str, User]:
    """Who a case could be assigned to, and who it could not."""
    return {
        "robin": _staff("robin", "Coordinator"),
        "rosa": _staff("rosa", "Rules admin"),
        "gone": _staff("gone", "Coordinator", is_active=False),
        "casey": coordinator.user,
    }


@given(data=st.data())
def test_assignment_refuses_hostile_input_and_keeps_a_valid_choice(
    case, coordinator, colleagues, data
):
    url = _case_url(case, "assign")
    pks = [str(user.pk) for user in colleagues.values()]
    odd = [f" {pks[0]} ", f"{pks[0]}.0", "0", "-1", str(2**63), "9" * 30, "1 OR 1=1"]
    payload = data.draw(
        st.one_of(
            hostile_post({"assignee": pks[0]}, ["assignee", "unexpected"]),
            st.sampled_from(odd + pks).map(lambda pk: {"assignee": pk}),
        )
    )
    before = Case.objects.get(pk=case.pk).assignee_id
    response = coordinator.post(url, payload)
    assert response.status_code in (302, 400)
    event(f"hostile: {response.status_code}")
    assignee = Case.objects.get(pk=case.pk).assignee
    if response.status_code == 400:
        assert getattr(assignee, "pk", None) == before
    else:
        assert assignee is None or assignee in coordinators()

    who = data.draw(st.sampled_from(["", "robin", "casey"]), "valid assignee")
    pk = colleagues[who].pk if who else ""
    assert coordinator.post(url, {"assignee": pk}).status_code == 302
    assert Case.objects.get(pk=case.pk).assignee_id == (pk or None)


@given(data=st.data())
def test_bookings_refuse_hostile_input_and_keep_valid_input_as_typed(case, coordinator, data):
    url = _case_url(case, "book")
    week = (timezone.localdate() + timedelta(days=7)).isoformat()
    base = {"date": week, "time": "10:30", "clinician": "Dr Osei", "mode": "video"}
    payload = data.draw(hostile_post(base, ["date", "time", "clinician", "mode"]))
    if _saved_one(coordinator, url, payload, Booking):
        booking = _latest(Booking)
        now = timezone.now()
        assert now - timedelta(minutes=5) < booking.starts_at <= now + timedelta(days=366)
        assert booking.mode in Booking.Mode.values
        assert booking.clinician == _posted(payload, "clinician").strip()
        assert 0 < len(booking.clinician) <= MAX_CLINICIAN and "\x00" not in booking.clinician

    day = timezone.localdate() + timedelta(days=data.draw(st.integers(1, 360), "days ahead"))
    minutes = data.draw(st.integers(7 * 60, 20 * 60 - 1), "minutes into the day")  # clinic hours
    clock = time(minutes // 60, minutes % 60)
    clinician = data.draw(
        st.text(PRINTABLE, min_size=1, max_size=MAX_CLINICIAN).filter(str.strip), "clinician"
    )
    mode = data.draw(st.sampled_from(Booking.Mode.values), "mode")
    posted = {"date": day.isoformat(), "time": f"{clock:%H:%M}", "clinician": clinician}
    assert coordinator.post(url, posted | {"mode": mode}).status_code == 302
    booking = _latest(Booking)
    typed = datetime.combine(day, clock)
    assert timezone.localtime(booking.starts_at).replace(tzinfo=None) == typed
    assert (booking.clinician, booking.mode) == (clinician.strip(), mode)


@pytest.fixture
def phone_questions(case, coordinator) -> str:
    """The question keys of the case's phone page as first opened, which the page posts back."""
    response = coordinator.get(_case_url(case, "complete-by-phone"))
    assert response.status_code == 200
    return response.context["questions"]


@given(data=st.data())
def test_answers_by_phone_refuse_hostile_input_and_keep_valid_input_as_typed(
    case, coordinator, phone_questions, data
):
    url = _case_url(case, "complete-by-phone")
    keys = phone_questions
    page = completion_page(keys.split(","))
    before = _stored(case.intake_id)
    amendments = Amendment.objects.count()
    base = {k: v for answers in EVERY_PAGE.values() for k, v in answers.items()}
    payload = data.draw(hostile_post(base, post_names(page, before)), "payload")
    version = data.draw(st.sampled_from([_version(case)] * 5 + ["", "2020-01-01T00:00Z"]))
    response = coordinator.post(url, payload | {"version": version, "questions": keys})
    assert response.status_code in (302, 400, 409)
    event(f"hostile: {response.status_code}")
    after = _stored(case.intake_id)
    if response.status_code == 302:
        assert_stored_answers_valid(page, after, require=True)
    else:
        assert after == before and Amendment.objects.count() == amendments

    before = after
    posted, expected = data.draw(valid_page(page, before), "valid answers")
    response = coordinator.post(url, posted | {"version": _version(case), "questions": keys})
    assert response.status_code == 302, _form_errors(response)
    after = _stored(case.intake_id)
    merged = {**before, **expected}
    ctx = context(merged, timezone.localdate())
    for q in page.questions:
        applies = q.key in expected and question_shown(q, merged, ctx)
        assert after.get(q.key) == (expected[q.key] if applies else None), q.key


def _version(case: Case) -> str:
    return Intake.objects.get(pk=case.intake_id).updated_at.isoformat()


QUEUE_FIELDS = ["q", "outcome", "status", "assignee", "from", "to"]


@given(data=st.data())
def test_the_queue_filters_refuse_hostile_input(case, coordinator, data):
    base = {"q": "Quarr", "outcome": "needs_info", "status": "new", "from": "2020-01-01"}
    payload = data.draw(hostile_post(base, QUEUE_FIELDS))
    response = coordinator.post(reverse("screening:queue"), payload)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        shown = coordinator.get(response.url)
        assert shown.status_code == 200
    params = data.draw(hostile_post({"search": "1", "after": "1~1.0~1"}, ["after", *QUEUE_FIELDS]))
    response = coordinator.get(reverse("screening:queue"), params)
    assert response.status_code in (200, 400)
    response = coordinator.get(reverse("screening:queue-export"), params)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert b"".join(response.streaming_content).startswith(b'"Reference",')


# --- found by these tests: known bugs, kept failing until fixed -----------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "zelda\x01q@example.org"),
        ("email", "zelda\x7f@example.org"),
        ("phone", "555\x0b010\x0c7788"),
        ("phone", "555\x1c010\x1f7788"),
    ],
)
def test_contact_details_refuse_control_characters(patient, field, value):
    patient.fill(upto="contact")
    response = patient.post_page("contact", FULL_INTAKE["contact"] | {field: value})
    assert response.status_code == 200 and field in _form_errors(response)


@pytest.mark.parametrize(
    ("slug", "field", "value"),
    [
        ("about-you", "given_name", "Zel\x7fda"),
        ("about-you", "family_name", "Quarr\x9b2Jington"),
        ("goals", "hopes", "Walk the dog\x9b31m"),
        ("goals", "hopes", "Walk\tthe dog"),
    ],
)
def test_free_text_refuses_del_and_c1_control_characters(patient, slug, field, value):
    patient.fill(upto=slug)
    response = patient.post_page(slug, FULL_INTAKE[slug] | {field: value})
    assert response.status_code == 200 and field in _form_errors(response)


def _a_local_time_that_does_not_exist() -> tuple[date, str] | None:
    """The first half past the hour, within the booking horizon, that the clock skips (spring
    forward) in the clinic's time zone; None where the clocks never change."""
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    for days in range(1, 360):
        day = today + timedelta(days=days)
        for hour in range(24):
            local = datetime.combine(day, time(hour, 30))
            if (
                local.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
                != local
            ):
                return day, f"{hour:02d}:30"
    return None


def test_a_booking_at_a_time_the_clock_skips_is_refused_or_kept(case, coordinator):
    missing = _a_local_time_that_does_not_exist()
    if missing is None:
        pytest.skip("the clinic's time zone has no daylight saving")
    day, time_text = missing
    data = {"date": day.isoformat(), "time": time_text, "clinician": "Dr Osei", "mode": "video"}
    response = coordinator.post(_case_url(case, "book"), data)
    if response.status_code == 302:
        stored = timezone.localtime(_latest(Booking).starts_at)
        assert (stored.date(), stored.strftime("%H:%M")) == (day, time_text)
    else:
        assert response.status_code == 400


class _QueryParameters:
    """Every parameter sent to the database while it is installed (connection.execute_wrapper)."""

    def __init__(self):
        self.seen: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.seen.append(repr(params))
        return execute(sql, params, many, context)

    @property
    def nul(self) -> bool:
        return any("\\x00" in params for params in self.seen)


def test_a_nul_in_the_queue_search_never_reaches_the_database(case, coordinator):
    response = coordinator.post(reverse("screening:queue"), {"q": "Quarr\x00"})
    parameters = _QueryParameters()
    with connection.execute_wrapper(parameters):
        assert coordinator.get(response.url).status_code in (200, 400)
    assert not parameters.nul


def test_a_nul_in_the_audit_log_search_never_reaches_the_database(default_rules):
    """Unlike the queue's search, the admin's search box is a form field, which refuses a NUL."""
    admin = _staff("ines", "Clinic admin", is_staff=True)
    client = Client()
    sign_in(client, admin)
    parameters = _QueryParameters()
    with connection.execute_wrapper(parameters):
        response = client.get(reverse("admin:screening_auditevent_changelist"), {"q": "FC-\x00"})
    assert response.status_code in (200, 400)
    assert not parameters.nul


@pytest.mark.parametrize(
    "value",
    [
        "Zelda\u202eenotsirraQ",
        "Zel\u2066da",
        "Zel\x7fda",
        # Invisible: zero-width space and joiner, direction marks, Arabic letter mark, byte order mark,
        # word joiner, soft hyphen, a tag character; a tab (it would split a cell of an export).
        *("Zel\u200bda", "Zel\u200dda", "Zel\u200eda", "Zel\u200fda", "Zel\u061cda"),
        *("\ufeffZelda", "Zel\u2060da", "Zel\u00adda", "Zelda\U000e0041", "Smith\t=2+5"),
        # Line and paragraph separators, and characters that show as nothing: the combining grapheme
        # joiner, a Hangul filler, a variation selector.
        *("Zel\u2028da", "Zel\u2029da", "Zel\u034fda", "\u3164", "Zel\u115fda", "Zel\ufe0fda"),
    ],
)
def test_names_refuse_characters_that_would_make_them_read_differently(patient, value):
    """Names are one line of visible text."""
    patient.fill(upto="about-you")
    response = patient.post_page("about-you", FULL_INTAKE["about-you"] | {"family_name": value})
    assert response.status_code == 200 and "family_name" in _form_errors(response)
    assert "Remove the hidden control characters" in response.content.decode()


def test_a_persian_name_keeps_its_zero_width_non_joiner(patient):
    patient.fill(upto="about-you")
    name = "\u0645\u06cc\u200c\u0646\u0627"  # the ZWNJ is part of the spelling
    response = patient.post_page("about-you", FULL_INTAKE["about-you"] | {"family_name": name})
    assert response.status_code == 302
    assert patient.intake.identity.family_name == name


def test_a_long_answer_keeps_its_line_breaks(patient):
    patient.fill(upto="goals")
    response = patient.post_page("goals", FULL_INTAKE["goals"] | {"hopes": "Walk\r\nSleep"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/staff/cases/FC-%00/",
        "/staff/cases/FC-%00/print/",
        "/staff/cases/FC-%00/fhir/",
        "/staff/cases/FC-%00/claim/",
        "/staff/?after=99999999999999999999~1~1",
        "/staff/?after=1~1~99999999999999999999",
        "/staff/?after=1~99999999999999999999~1",
        "/staff/?outcome=%00",
        "/staff/export.csv?status=%00",
    ],
)
def test_crafted_staff_addresses_are_refused_not_a_server_error(case, coordinator, path):
    response = coordinator.get(path)
    if "%00" in path:
        assert response.status_code == 400
        assert "Something went wrong with that request" in response.content.decode()
    else:
        assert response.status_code == 200  # a cursor that cannot be a position: the first page


@pytest.mark.parametrize(
    "path",
    [
        "/admin/screening/auditevent/?action__exact=%00",
        "/admin/screening/auditevent/?object_type__exact=%00",
        "/admin/screening/auditevent/?at__gte=%00",
        "/admin/auth/user/?groups__id__exact=99999999999999999999",
        "/admin/auth/user/%00/change/",
    ],
)
def test_crafted_admin_addresses_are_refused_not_a_server_error(default_rules, path):
    admin = _staff("ines", "Clinic admin", is_staff=True)
    client = Client()
    sign_in(client, admin)
    response = client.get(path)
    assert response.status_code == (400 if "%00" in path else 200), response.status_code
