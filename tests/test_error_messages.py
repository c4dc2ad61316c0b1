"""Every kind of question's error names the item in the question's own words (issue 17): a required answer
left out, a number out of range or not a number, a month and year incomplete, impossible or in the future, a
date, a text too long, an e-mail address, a phone number, a height, a weight, and an exclusive choice. A
message about one item of a group starts with the group's name (a block, named by its month), except on
the page about that one thing (a treatment's page, headed by its name)."""

import pytest

from screening.intake.catalogue import QUESTIONS, Kind
from tests.intake_data import LAST_YEAR
from tests.test_validation import form


def _message(slug, changes, key, drop=()) -> str:
    errors = form(slug, changes, drop=drop).errors
    assert key in errors, f"no error for {key}: {errors}"
    return errors[key][0]


@pytest.mark.parametrize(
    ("slug", "changes", "key", "expected"),
    [
        # numbers
        (
            "blocks",
            {"mbb_amount": ""},
            "mbb_amount",
            "Enter how many blocks you have had, for example 2",
        ),
        (
            "blocks",
            {"mbb_amount": "99"},
            "mbb_amount",
            "Enter how many blocks you have had, a number of blocks from 1 to 20",
        ),
        (
            "treatment-physical-therapy",
            {"physical_therapy_amount": "a lot"},
            "physical_therapy_amount",
            "Enter how many weeks you had physical therapy for as a whole number from 0 to 520",
        ),
        (
            "block-2",
            {"block_2_relief_percent": "150"},
            "block_2_relief_percent",
            f"Block 2 (May {LAST_YEAR}): enter the relief as a percentage from 0 to 100",
        ),
        (
            "block-1",
            {"block_1_relief_hours": "a while"},
            "block_1_relief_hours",
            f"Block 1 (June {LAST_YEAR}): enter how many hours the relief lasted as a whole number "
            "from 0 to 720",
        ),
        (
            "pain-where",
            {"pain_months": "lots"},
            "pain_months",
            "Enter how many months you have had this pain as a whole number from 0 to 1200",
        ),
        (
            "pain-where",
            {"pain_months": "1500"},
            "pain_months",
            "Enter how many months you have had this pain, a number of months from 0 to 1200",
        ),
        (
            "treatment-nsaids",
            {"nsaids_last_month": "", "nsaids_last_year": ""},
            "nsaids_last",
            # On the treatment's own page (headed by its name) the message goes without it
            "Enter the month and year you last had it",
        ),
        # months and years
        (
            "imaging",
            {"mri_when_year": ""},
            "mri_when",
            "Enter both the month and the year of your most recent MRI scan, or leave both blank",
        ),
        (
            "imaging",
            {"mri_when_month": "13"},
            "mri_when",
            "Enter the month of your most recent MRI scan as a number from 1 to 12, or a month name",
        ),
        (
            "imaging",
            {"scans_done": ["mri", "ct"], "ct_when_month": "3", "ct_when_year": "25"},
            "ct_when",
            "Enter the year of your most recent CT scan with 4 numbers, like 2024",
        ),
        (
            "imaging",
            {"mri_when_year": "2999"},
            "mri_when",
            "The month of your most recent MRI scan must be this month or in the past",
        ),
        (
            "block-2",
            {"block_2_date_month": "", "block_2_date_year": ""},
            "block_2_date",
            "Enter the month and year of block 2",
        ),
        (
            "treatment-nsaids",
            {"nsaids_last_month": "99"},
            "nsaids_last",
            "Enter the month of the last time you had it as a number from 1 to 12, or a month name",
        ),
        # a date, texts, contact details, body
        (
            "about-you",
            {"date_of_birth_year": "2030"},
            "date_of_birth",
            "Date of birth must be in the past",
        ),
        (
            "health-more",
            {"medicines": "x" * 2001},
            "medicines",
            "Your answer to “What medicines do you take?” must be",
        ),
        (
            "contact",
            {"email": "zelda.example.org"},
            "email",
            "Enter an email address in the correct format",
        ),
        ("contact", {"phone": "call me"}, "phone", "Enter a phone number"),
        (
            "height-and-weight",
            {"weight_kg": "20"},
            "weight",
            "Weight must be between 30 and 300 kilograms",
        ),
        (
            "height-and-weight",
            {"height_cm": "20"},
            "height",
            "Height must be between 100 and 250 centimetres",
        ),
        # choices
        (
            "imaging",
            {"diagnoses_told": ["none", "stenosis"]},
            "diagnoses_told",
            '"No, none of these"',
        ),
        (
            "safety",
            {"saddle_numbness": ""},
            "saddle_numbness",
            "Select yes if you have numbness around your bottom, genitals or inner thighs",
        ),
        (
            "contact",
            {"interpreter": "yes", "interpreter_language": ""},
            "interpreter_language",
            "Enter the language you need an interpreter for",
        ),
    ],
)
def test_each_message_names_its_item(slug, changes, key, expected):
    assert expected in _message(slug, changes, key)


def test_every_required_question_has_a_message_in_its_own_words():
    generic = {"Answer this question", "This field is required."}
    for q in QUESTIONS.values():
        if q.required:
            assert q.error_required and str(q.error_required) not in generic, q.key


def test_every_number_and_month_is_named_for_its_messages():
    for q in QUESTIONS.values():
        if q.kind in (Kind.INTEGER, Kind.MONTH_YEAR):
            assert q.item, f"{q.key} has no item to name in its messages"


def test_a_very_long_number_answer_is_refused_at_once():
    from screening.intake.form_parts import parse_int, parse_number

    # Refused by its length before any pattern reads it (a pattern over 20,000 characters took seconds).
    hostile = "1" + "," * 20_000 + "\n2"
    assert parse_int(hostile, "%") is None and parse_number(hostile, "kg") is None
