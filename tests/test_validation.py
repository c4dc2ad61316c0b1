"""Every validation rule of the intake, on the page forms: each error has a stable code and says what to fix."""

from datetime import date

import pytest

from screening.intake.catalogue import page_by_slug
from screening.intake.page_forms import PageForm
from tests.intake_data import FULL_INTAKE, LAST_YEAR

TODAY = date(2026, 11, 25)
ADULT = {
    "date_of_birth": "1971-07-14",
    "sex": "female",
    "treatments_tried": ["nsaids", "physical_therapy", "mbb"],
    "mbb_amount": 2,
    "pain_months": 18,
}


def form(slug, changes=None, stored=None, *, require=True, drop=()):
    data = {**FULL_INTAKE[slug], **(changes or {})}
    for key in drop:
        data.pop(key, None)
    f = PageForm(
        data,
        page=page_by_slug(slug),
        stored=stored if stored is not None else ADULT,
        today=TODAY,
        require_answers=require,
    )
    f.is_valid()
    return f


def test_the_full_intake_is_valid_page_by_page():
    stored = {"date_of_birth": "1971-07-14"}
    for slug in FULL_INTAKE:
        f = form(slug, stored=stored)
        assert not f.errors, (slug, f.errors)
        stored.update({k: v for k, v in f.answers.items() if v is not None})


def test_an_empty_page_asks_for_every_required_answer_and_not_the_optional_ones():
    f = PageForm({}, page=page_by_slug("pain-where"), stored=ADULT, today=TODAY)
    assert not f.is_valid()
    for key in ("pain_regions", "pain_spread", "pain_months"):
        assert f.has_error(key, "required"), key
    assert f.errors["pain_regions"] == ["Select where you have pain"]
    f = PageForm({}, page=page_by_slug("health-more"), stored=ADULT, today=TODAY)
    assert not f.is_valid() and f.has_error("cancer", "required")
    assert "medicines" not in f.errors and "allergies" not in f.errors


def test_saving_for_later_skips_required_answers_but_still_checks_what_was_typed():
    f = form("pain-where", {"pain_months": "lots"}, drop=("pain_regions",), require=False)
    assert not f.has_error("pain_regions")
    assert f.has_error("pain_months", "not_a_number")


@pytest.mark.parametrize(
    ("slug", "changes", "field", "code"),
    [
        ("pain-how", {"pain_now": "11"}, "pain_now", "invalid_choice"),
        ("pain-how", {"pain_now": "-1"}, "pain_now", "invalid_choice"),
        ("pain-where", {"pain_months": "1201"}, "pain_months", "out_of_range"),
        ("pain-where", {"pain_months": "2.5"}, "pain_months", "not_a_number"),
        ("safety", {"saddle_numbness": "purple"}, "saddle_numbness", "invalid_choice"),
        ("pain-where", {"pain_spread": ["buttock", "none"]}, "pain_spread", "exclusive"),
        ("pain-where", {"pain_regions": ["low_back", "tail"]}, "pain_regions", "invalid_choice"),
        ("block-1", {"block_1_relief_percent": "101"}, "block_1_relief_percent", "out_of_range"),
        ("block-1", {"block_1_relief_percent": "abc"}, "block_1_relief_percent", "not_a_number"),
        ("blocks", {"mbb_levels": ["l4_l5", "not_sure"]}, "mbb_levels", "exclusive"),
        ("imaging", {"scans_done": ["mri", "none"]}, "scans_done", "exclusive"),
        ("height-and-weight", {"height_cm": "300"}, "height", "range"),
        (
            "height-and-weight",
            {"height_cm": "", "height_ft": "5", "height_in": "12"},
            "height",
            "range",
        ),
        ("height-and-weight", {"height_ft": "5"}, "height", "both_units"),
        ("height-and-weight", {"weight_kg": "20"}, "weight", "range"),
        ("height-and-weight", {"weight_kg": "", "weight_lb": "700"}, "weight", "range"),
        ("height-and-weight", {"weight_lb": "150"}, "weight", "both_units"),
        ("about-you", {"date_of_birth_year": "2030"}, "date_of_birth", "future"),
        ("about-you", {"date_of_birth_year": "2015"}, "date_of_birth", "too_young"),
        ("about-you", {"date_of_birth_year": "1900"}, "date_of_birth", "too_old"),
        (
            "about-you",
            {"date_of_birth_day": "31", "date_of_birth_month": "2"},
            "date_of_birth",
            "invalid_date",
        ),
        ("about-you", {"date_of_birth_day": ""}, "date_of_birth", "incomplete"),
        ("about-you", {"date_of_birth_year": "71"}, "date_of_birth", "year_digits"),
        ("about-you", {"given_name": "x" * 201}, "given_name", "too_long"),
        ("about-you", {"given_name": "Ze\x00lda"}, "given_name", "null_characters_not_allowed"),
        ("about-you", {"given_name": "Ze\x07lda"}, "given_name", "control"),
        ("contact", {"email": "zelda-at-example"}, "email", "email"),
        ("contact", {"phone": "call me"}, "phone", "phone"),
        ("contact", {"phone": "12345"}, "phone", "phone"),
        ("contact", {"phone": "555-010-7788" + "()" * 30}, "phone", "phone"),
        ("imaging", {"mri_when_year": "2027"}, "mri_when", "future"),
        ("imaging", {"mri_when_month": "13"}, "mri_when", "month"),
        ("imaging", {"mri_when_year": ""}, "mri_when", "incomplete"),
        ("imaging", {"diagnoses_told": ["none", "not_sure"]}, "diagnoses_told", "exclusive"),
        ("health-more", {"medicines": "m" * 2001}, "medicines", "too_long"),
        ("consent", {"consent_contact": ""}, "consent_contact", "required"),
    ],
)
def test_it_refuses_bad_input_with_a_message_next_to_the_field(slug, changes, field, code):
    f = form(slug, changes)
    assert f.has_error(field, code), f.errors.as_data()
    message = f.errors[field][0]
    assert "invalid" not in message.lower() and "please" not in message.lower()
    assert "This field is required" not in message


def test_messages_say_what_to_fix_in_the_questions_own_words():
    assert form("block-1", {"block_1_relief_percent": "101"}).errors["block_1_relief_percent"] == [
        f"Block 1 (June {LAST_YEAR}): enter the relief as a percentage from 0 to 100"
    ]
    assert form("height-and-weight", {"weight_kg": "20"}).errors["weight"] == [
        "Weight must be between 30 and 300 kilograms"
    ]
    assert form("about-you", {"date_of_birth_year": "2030"}).errors["date_of_birth"] == [
        "Date of birth must be in the past"
    ]


def test_it_accepts_month_names_and_imperial_units():
    f = form("about-you", {"date_of_birth_month": "July"})
    assert f.answers["date_of_birth"] == "1971-07-14"
    f = form("imaging", {"mri_when_month": "sept"})
    assert f.answers["mri_when"].endswith("-09")
    f = form(
        "height-and-weight",
        {"height_cm": "", "height_ft": "5", "height_in": "7", "weight_kg": "", "weight_lb": "160"},
    )
    assert f.answers["height"] == {"ft": 5, "in": 7}
    assert f.answers["weight"] == {"lb": 160.0}


def test_a_follow_up_question_is_only_required_when_it_applies():
    f = form("health", {"infection_now": "no"}, drop=("infection_spine",))
    assert not f.errors
    f = form("health", {"infection_now": "yes"}, drop=("infection_spine",))
    assert f.has_error("infection_spine", "required")


def test_an_answer_to_a_question_that_no_longer_applies_is_dropped_even_if_malformed():
    f = form("imaging", {"scans_done": ["xray"], "mri_when_month": "99"})
    assert not f.errors
    assert f.answers["mri_when"] is None


def test_every_text_limit_fits_its_database_column():
    from screening.intake.models import PatientIdentity
    from screening.intake.page_forms import MAX_PHONE, MAX_TEXT

    column = {
        f.name: f.max_length for f in PatientIdentity._meta.get_fields() if hasattr(f, "max_length")
    }
    assert column["given_name"] >= MAX_TEXT and column["family_name"] >= MAX_TEXT
    assert column["phone"] >= MAX_PHONE
    assert column["email"] >= 254


def test_numbers_are_accepted_with_their_unit_and_whole_numbers_stay_whole():
    f = form("block-1", {"block_1_relief_percent": "85%", "block_1_relief_hours": "7 hours"})
    assert (f.answers["block_1_relief_percent"], f.answers["block_1_relief_hours"]) == (85, 7)
    f = form("block-1", {"block_1_relief_percent": "85 %", "block_1_relief_hours": "7h"})
    assert (f.answers["block_1_relief_percent"], f.answers["block_1_relief_hours"]) == (85, 7)
    refused = form("block-1", {"block_1_relief_hours": "7 weeks"})  # not the question's unit
    assert "block_1_relief_hours" in refused.errors
    f = form("height-and-weight", {"weight_kg": "", "weight_lb": "450"})
    assert f.answers["weight"] == {"lb": 450} and str(f.answers["weight"]["lb"]) == "450"
    assert form("height-and-weight", {"weight_kg": "72,5 kg"}).answers["weight"] == {"kg": 72.5}
