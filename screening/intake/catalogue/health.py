"""Sections 7 and 8: health and medicines; daily life (ODI and STarT Back, wording from instruments.py)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from screening.intake import instruments
from screening.intake.catalogue.schema import Kind, Page, Section, When, ask, filled

# --- 7. Health --------------------------------------------------------------------------------------
HEALTH = Section(
    "health",
    _("Your health"),
    (
        Page(
            "health",
            _("Infections and the immune system"),
            (
                ask(
                    "infection_now",
                    _("Do you have an infection now?"),
                    Kind.YES_NO_UNSURE,
                    hint=_("For example a urine, chest, skin or wound infection."),
                    error_required=_("Select yes if you have an infection now"),
                ),
                ask(
                    "infection_spine",
                    _("Has a doctor said the infection is in or near your spine?"),
                    Kind.YES_NO_UNSURE,
                    show_if=(When("infection_now", "in", ("yes", "not_sure")),),
                    error_required=_(
                        "Select yes if a doctor said the infection is in or near your spine"
                    ),
                ),
                ask(
                    "past_spinal_infection",
                    _("Have you ever had an infection in or near your spine?"),
                    Kind.YES_NO_UNSURE,
                    hint=_(
                        "For example after an operation or an injection, even if it has healed."
                    ),
                    error_required=_(
                        "Select yes if you have ever had an infection in or near your spine"
                    ),
                ),
                ask(
                    "autoimmune",
                    _("Do you have an autoimmune or inflammatory disease?"),
                    Kind.YES_NO_UNSURE,
                    hint=_("For example rheumatoid arthritis, lupus or ankylosing spondylitis."),
                    error_required=_(
                        "Select yes if you have an autoimmune or inflammatory disease"
                    ),
                ),
                ask(
                    "autoimmune_which",
                    _("Which autoimmune or inflammatory disease?"),
                    Kind.MULTI,
                    choices=(
                        ("rheumatoid_arthritis", _("Rheumatoid arthritis")),
                        ("lupus", _("Lupus")),
                        (
                            "axial_spondyloarthritis",
                            _("Ankylosing spondylitis or axial spondyloarthritis"),
                        ),
                        ("psoriatic_arthritis", _("Psoriatic arthritis")),
                        ("ibd", _("Crohn's disease or ulcerative colitis")),
                        ("other", _("Another one")),
                    ),
                    show_if=(When("autoimmune", "eq", "yes"),),
                    hint=_("Select all that apply."),
                    error_required=_("Select which autoimmune or inflammatory disease you have"),
                ),
                ask(
                    "immunosuppressants",
                    _("Do you take medicine that weakens the immune system?"),
                    Kind.YES_NO_UNSURE,
                    hint=_("For example methotrexate, biologics, or medicine after a transplant."),
                    error_required=_(
                        "Select yes if you take medicine that weakens the immune system"
                    ),
                ),
                ask(
                    "long_term_steroids",
                    _("Have you taken steroid tablets for more than 3 months?"),
                    Kind.YES_NO_UNSURE,
                    hint=_("For example prednisone."),
                    error_required=_(
                        "Select yes if you have taken steroid tablets for more than 3 months"
                    ),
                ),
            ),
        ),
        Page(
            "health-more",
            _("Other conditions and medicines"),
            (
                ask(
                    "blood_thinners",
                    _("Do you take blood thinners, or have a bleeding disorder?"),
                    Kind.YES_NO_UNSURE,
                    hint=_("For example warfarin, apixaban, clopidogrel, or haemophilia."),
                    error_required=_(
                        "Select yes if you take blood thinners or have a bleeding disorder"
                    ),
                ),
                ask(
                    "pregnancy",
                    _("Are you pregnant, breastfeeding or planning a pregnancy?"),
                    Kind.MULTI,
                    choices=(
                        ("pregnant", _("I am pregnant")),
                        ("breastfeeding", _("I am breastfeeding")),
                        ("planning", _("I am planning a pregnancy in the next year")),
                        ("none", _("No, none of these")),
                        ("not_sure", _("I'm not sure")),
                    ),
                    exclusive=("none", "not_sure"),
                    show_if=(
                        When("sex", "in", ("female", "intersex", "not_say")),
                        When("age", "lt", 60),
                    ),
                    hint=_("Select all that apply."),
                    error_required=_(
                        'Select if you are pregnant, breastfeeding or planning a pregnancy, or "No, none of these"'
                    ),
                ),
                ask(
                    "cancer",
                    _("Have you ever had cancer?"),
                    Kind.CHOICE,
                    choices=(
                        ("no", _("No")),
                        ("current", _("Yes, I have cancer now")),
                        ("past", _("Yes, in the past")),
                        ("not_sure", _("I'm not sure")),
                    ),
                    error_required=_("Select if you have ever had cancer"),
                ),
                ask(
                    "osteoporosis",
                    _("Do you have osteoporosis (weak bones)?"),
                    Kind.YES_NO_UNSURE,
                    error_required=_("Select yes if you have osteoporosis"),
                ),
                ask(
                    "medicines",
                    _("What medicines do you take?"),
                    Kind.LONG_TEXT,
                    required=False,
                    hint=_("Include doses if you know them. Leave blank if none."),
                ),
                ask(
                    "allergies",
                    _("Do you have any allergies?"),
                    Kind.LONG_TEXT,
                    required=False,
                    hint=_("Include allergies to medicines, latex or iodine. Leave blank if none."),
                ),
            ),
        ),
    ),
)

# --- 8. Daily life: Oswestry Disability Index and STarT Back -------------------------------------------
WORDING = instruments.load_wording(
    getattr(settings, "INSTRUMENT_WORDING_FILE", ""), settings.PATIENT_LANGUAGES
)

ODI_QUESTIONS = tuple(
    ask(
        f"odi_{key}",
        WORDING.odi[key]["title"],
        Kind.CHOICE,
        required=False,
        choices=tuple((str(n), text) for n, text in enumerate(WORDING.odi[key]["statements"])),
    )
    for key in instruments.ODI_SECTIONS
)
STARTBACK_QUESTIONS = tuple(
    ask(
        f"startback_{key}",
        WORDING.startback[key]["text"],
        Kind.CHOICE,
        choices=tuple((str(n), text) for n, text in enumerate(WORDING.startback[key]["choices"])),
        error_required=filled(
            _("Select an answer for: %(question)s"), question=WORDING.startback[key]["text"]
        ),
    )
    for key in instruments.STARTBACK_ITEMS
)
_wording_note = "" if WORDING.licensed else instruments.DEMO_NOTICE

# Asked when the pain has lasted 3 months or more (clinical.md section 2's candidacy duration): a baseline
# for treatment. Shorter pain is not treated yet, so its daily-life scores would guide nothing (pending
# clinician sign-off).
_LASTING = (When("pain_months", "gte", 3),)
_ODI_INTRO = _(
    "Choose the statement that best describes you today. Skip a section only if it does not apply "
    "to you: your score needs at least 8 of the 10."
)

DAILY_LIFE = Section(
    "daily_life",
    _("Your daily life"),
    (
        Page(
            "function",
            _("How your pain affects daily activities"),
            ODI_QUESTIONS[:5],
            intro=_ODI_INTRO,
            notice=_wording_note,
            show_if=_LASTING,
        ),
        Page(
            "function-more",
            _("More daily activities"),
            ODI_QUESTIONS[5:],
            intro=_ODI_INTRO,
            notice=_wording_note,
            show_if=_LASTING,
        ),
        Page(
            "outlook",
            _("How you have felt over the last 2 weeks"),
            STARTBACK_QUESTIONS[:4],
            notice=_wording_note,
            show_if=_LASTING,
        ),
        Page(
            "outlook-more",
            _("More about the last 2 weeks"),
            STARTBACK_QUESTIONS[4:],
            notice=_wording_note,
            show_if=_LASTING,
        ),
    ),
)
