"""Sections 1 and 2: about the patient, and their pain."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from screening.intake.catalogue.schema import (
    Kind,
    Page,
    Section,
    When,
    ask,
)

# --- 1. About you ---------------------------------------------------------------------------------
ABOUT_YOU = Section(
    "about_you",
    _("About you"),
    (
        Page(
            "about-you",
            _("About you"),
            (
                ask(
                    "given_name",
                    _("First name"),
                    Kind.TEXT,
                    identifying=True,
                    autocomplete="given-name",
                    error_required=_("Enter your first name"),
                ),
                ask(
                    "family_name",
                    _("Last name"),
                    Kind.TEXT,
                    identifying=True,
                    autocomplete="family-name",
                    error_required=_("Enter your last name"),
                ),
                ask(
                    "date_of_birth",
                    _("Date of birth"),
                    Kind.DATE,
                    identifying=True,
                    hint=_("For example, 27 3 1968"),
                    autocomplete="bday",
                    error_required=_("Enter your date of birth"),
                ),
                ask(
                    "sex",
                    _("Sex"),
                    Kind.CHOICE,
                    choices=(
                        ("female", _("Female")),
                        ("male", _("Male")),
                        ("intersex", _("Intersex")),
                        ("not_say", _("I prefer not to say")),
                    ),
                    hint=_("We ask because some treatments are not safe in pregnancy."),
                    error_required=_("Select your sex, or that you prefer not to say"),
                ),
            ),
        ),
        Page(
            "contact",
            _("How can the clinic contact you?"),
            (
                ask(
                    "email",
                    _("Email address"),
                    Kind.EMAIL,
                    identifying=True,
                    autocomplete="email",
                    error_required=_("Enter your email address"),
                ),
                ask(
                    "phone",
                    _("Phone number"),
                    Kind.PHONE,
                    identifying=True,
                    autocomplete="tel",
                    hint=_("Include the area code. For example, 555 010 0199"),
                    error_required=_("Enter your phone number"),
                ),
                ask(
                    "contact_method",
                    _("How would you prefer to be contacted?"),
                    Kind.CHOICE,
                    identifying=True,
                    choices=(
                        ("phone", _("Phone call")),
                        ("text", _("Text message")),
                        ("email", _("Email")),
                    ),
                    error_required=_("Select how you would prefer to be contacted"),
                ),
                ask(
                    "interpreter",
                    _("Do you need an interpreter?"),
                    Kind.YES_NO,
                    error_required=_("Select yes if you need an interpreter"),
                ),
                ask(
                    "interpreter_language",
                    _("Which language?"),
                    Kind.TEXT,
                    show_if=(When("interpreter", "eq", "yes"),),
                    hint=_("For example, Spanish, Vietnamese or American Sign Language"),
                    error_required=_("Enter the language you need an interpreter for"),
                ),
            ),
        ),
        Page(
            "height-and-weight",
            _("Your height and weight"),
            (
                ask(
                    "height",
                    _("Height"),
                    Kind.HEIGHT,
                    hint=_("Enter centimetres, or feet and inches."),
                    error_required=_("Enter your height"),
                ),
                ask(
                    "weight",
                    _("Weight"),
                    Kind.WEIGHT,
                    hint=_("Enter kilograms, or pounds."),
                    error_required=_("Enter your weight"),
                ),
            ),
        ),
    ),
)

# --- 2. Your pain ---------------------------------------------------------------------------------
PAIN = Section(
    "pain",
    _("Your pain"),
    (
        Page(
            "pain-where",
            _("Where it hurts"),
            (
                ask(
                    "pain_regions",
                    _("Where do you have pain?"),
                    Kind.MULTI,
                    choices=(
                        ("low_back", _("Low back")),
                        ("neck", _("Neck")),
                        ("mid_back", _("Mid back")),
                    ),
                    hint=_("Select all that apply."),
                    error_required=_("Select where you have pain"),
                ),
                ask(
                    "pain_spread",
                    _("Does the pain spread anywhere?"),
                    Kind.MULTI,
                    choices=(
                        ("buttock", _("Buttock")),
                        ("thigh", _("Thigh")),
                        ("below_knee", _("Below the knee")),
                        ("arm", _("Arm")),
                        ("none", _("No, it stays in my back or neck")),
                    ),
                    exclusive=("none",),
                    hint=_("Select all that apply."),
                    error_required=_(
                        "Select where the pain spreads, or that it stays in your back or neck"
                    ),
                ),
                ask(
                    "pain_months",
                    _("How many months have you had this pain?"),
                    Kind.INTEGER,
                    min_value=0,
                    max_value=1200,
                    unit=_("months"),
                    unit_one=_("month"),
                    item=_("how many months you have had this pain"),
                    hint=_("Enter 0 if less than a month."),
                    error_required=_("Enter how many months you have had this pain"),
                ),
            ),
        ),
        Page(
            "pain-how",
            _("How much it hurts"),
            (
                ask(
                    "pain_now",
                    _("How bad is your pain right now?"),
                    Kind.SCALE,
                    min_value=0,
                    max_value=10,
                    hint=_("0 is no pain, 10 is the worst pain you can imagine."),
                    error_required=_("Select a number from 0 to 10 for your pain right now"),
                ),
                ask(
                    "pain_average",
                    _("How bad was your pain on average over the last week?"),
                    Kind.SCALE,
                    min_value=0,
                    max_value=10,
                    hint=_("0 is no pain, 10 is the worst pain you can imagine."),
                    error_required=_(
                        "Select a number from 0 to 10 for your average pain last week"
                    ),
                ),
                ask(
                    "pain_worst",
                    _("How bad was your pain at its worst over the last week?"),
                    Kind.SCALE,
                    min_value=0,
                    max_value=10,
                    hint=_("0 is no pain, 10 is the worst pain you can imagine."),
                    error_required=_("Select a number from 0 to 10 for your worst pain last week"),
                ),
                ask(
                    "leg_numbness",
                    _("Do you have numbness or tingling in a leg?"),
                    Kind.YES_NO_UNSURE,
                    error_required=_("Select yes if you have numbness or tingling in a leg"),
                ),
            ),
        ),
    ),
)
