"""The one list of intake questions: keys, wording, types, choices, branching and safety tiers.

Everything else is derived from it: the step forms and their validation, the check-answers page, the stored
answers and "not asked" markers, and (later) the rules' fact choices, the case view and the exports. Adding a
question is one change here; bump QUESTIONNAIRE_VERSION when the list changes, since every intake stores it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from screening import instruments

QUESTIONNAIRE_VERSION = "2026-11-25.1"


class Kind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    EMAIL = "email"
    PHONE = "phone"
    INTEGER = "integer"
    SCALE = "scale"  # 0-10 pain score, radios
    DATE = "date"  # day, month, year
    MONTH_YEAR = "month_year"  # for dates people half-remember
    CHOICE = "choice"
    MULTI = "multi"
    YES_NO = "yes_no"
    YES_NO_UNSURE = "yes_no_unsure"
    CONSENT = "consent"
    HEIGHT = "height"  # {"cm": 170} or {"ft": 5, "in": 10}
    WEIGHT = "weight"  # {"kg": 80} or {"lb": 176}


YES_NO = (("yes", _("Yes")), ("no", _("No")))
YES_NO_UNSURE = (("yes", _("Yes")), ("no", _("No")), ("not_sure", _("I'm not sure")))


@dataclass(frozen=True)
class When:
    """Show a question only when another answer (or the patient's age) fits: branching as data."""

    key: str
    op: str  # eq, in, contains, contains_any, gte, lt
    value: Any

    def holds(self, answers: dict[str, Any], context: dict[str, Any]) -> bool:
        actual = context.get(self.key) if self.key in context else answers.get(self.key)
        if actual is None:
            return False
        match self.op:
            case "eq":
                return actual == self.value
            case "in":
                return actual in self.value
            case "contains":
                return isinstance(actual, list) and self.value in actual
            case "contains_any":
                return isinstance(actual, list) and any(v in actual for v in self.value)
            case "gte":
                return isinstance(actual, int | float) and actual >= self.value
            case "lt":
                return isinstance(actual, int | float) and actual < self.value
        raise ValueError(f"Unknown branching operator {self.op!r}")


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: Kind
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = True
    hint: str = ""
    show_if: tuple[When, ...] = ()  # all must hold
    identifying: bool = False  # stored apart from clinical answers
    min_value: int | None = None
    max_value: int | None = None
    exclusive: tuple[str, ...] = ()  # MULTI choices that cannot be ticked with others
    error_required: str = ""  # what to do when it is left empty, in the question's own words
    safety_tier: int | None = None  # red-flag tier of clinical.md section 1
    autocomplete: str = ""
    unit: str = ""  # shown after a number, and in the check-answers page
    group: str = ""  # a sub-heading on the page, e.g. one treatment of several

    @property
    def has_choices(self) -> bool:
        return bool(self.choices)

    def choice_label(self, code: str) -> str:
        return str(dict(self.choices).get(code, code))


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    questions: tuple[Question, ...]
    intro: str = ""
    show_if: tuple[When, ...] = ()
    notice: str = ""  # e.g. that the instruments' wording is demo wording


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    pages: tuple[Page, ...]


def filled(template, **params):
    """A translated template with its blanks filled in when it is shown, so each language gets its own."""
    return lazy(lambda: str(template) % {k: str(v) for k, v in params.items()}, str)()


_DEFAULT_CHOICES = {Kind.YES_NO: YES_NO, Kind.YES_NO_UNSURE: YES_NO_UNSURE}


def _q(key: str, label, kind: Kind, **kwargs) -> Question:
    kwargs.setdefault("choices", _DEFAULT_CHOICES.get(kind, ()))
    return Question(key=key, label=label, kind=kind, **kwargs)


SPINAL_LEVELS = (
    ("c2_c3", "C2-C3"),
    ("c3_c4", "C3-C4"),
    ("c4_c5", "C4-C5"),
    ("c5_c6", "C5-C6"),
    ("c6_c7", "C6-C7"),
    ("c7_t1", "C7-T1"),
    ("thoracic", _("Mid back (thoracic)")),
    ("l1_l2", "L1-L2"),
    ("l2_l3", "L2-L3"),
    ("l3_l4", "L3-L4"),
    ("l4_l5", "L4-L5"),
    ("l5_s1", "L5-S1"),
    ("not_sure", _("I'm not sure")),
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
                _q(
                    "given_name",
                    _("First name"),
                    Kind.TEXT,
                    identifying=True,
                    autocomplete="given-name",
                    error_required=_("Enter your first name"),
                ),
                _q(
                    "family_name",
                    _("Last name"),
                    Kind.TEXT,
                    identifying=True,
                    autocomplete="family-name",
                    error_required=_("Enter your last name"),
                ),
                _q(
                    "date_of_birth",
                    _("Date of birth"),
                    Kind.DATE,
                    identifying=True,
                    hint=_("For example, 27 3 1968"),
                    autocomplete="bday",
                    error_required=_("Enter your date of birth"),
                ),
                _q(
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
                _q(
                    "email",
                    _("Email address"),
                    Kind.EMAIL,
                    identifying=True,
                    autocomplete="email",
                    error_required=_("Enter your email address"),
                ),
                _q(
                    "phone",
                    _("Phone number"),
                    Kind.PHONE,
                    identifying=True,
                    autocomplete="tel",
                    hint=_("Include the area code. For example, 555 010 0199"),
                    error_required=_("Enter your phone number"),
                ),
                _q(
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
            ),
        ),
        Page(
            "body-and-work",
            _("Your height, weight and work"),
            (
                _q(
                    "height",
                    _("Height"),
                    Kind.HEIGHT,
                    hint=_("Enter centimetres, or feet and inches."),
                    error_required=_("Enter your height"),
                ),
                _q(
                    "weight",
                    _("Weight"),
                    Kind.WEIGHT,
                    hint=_("Enter kilograms, or pounds."),
                    error_required=_("Enter your weight"),
                ),
                _q(
                    "occupation",
                    _("What is your job or main daily activity?"),
                    Kind.TEXT,
                    hint=_("For example, nurse, retired, student"),
                    error_required=_("Enter your job or main daily activity"),
                ),
                _q(
                    "heavy_lifting",
                    _("Does your work involve heavy lifting?"),
                    Kind.YES_NO,
                    error_required=_("Select yes if your work involves heavy lifting"),
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
            _("Where is your pain?"),
            (
                _q(
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
                _q(
                    "pain_side",
                    _("Which side is the pain on?"),
                    Kind.CHOICE,
                    choices=(
                        ("left", _("Mostly left")),
                        ("right", _("Mostly right")),
                        ("both", _("Both sides")),
                        ("centre", _("In the middle")),
                    ),
                    error_required=_("Select which side the pain is on"),
                ),
                _q(
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
                _q(
                    "pain_months",
                    _("How many months have you had this pain?"),
                    Kind.INTEGER,
                    min_value=0,
                    max_value=1200,
                    unit=_("months"),
                    hint=_("Enter 0 if less than a month."),
                    error_required=_("Enter how many months you have had this pain"),
                ),
                _q(
                    "pain_onset",
                    _("How did the pain start?"),
                    Kind.CHOICE,
                    choices=(
                        ("injury", _("After an injury or accident")),
                        ("lifting", _("After lifting something")),
                        ("gradual", _("Gradually, for no clear reason")),
                        ("not_sure", _("I'm not sure")),
                    ),
                    error_required=_("Select how the pain started"),
                ),
                _q(
                    "spinal_levels",
                    _("Has a doctor told you which spinal levels are affected?"),
                    Kind.MULTI,
                    choices=SPINAL_LEVELS,
                    exclusive=("not_sure",),
                    required=False,
                    hint=_("Select all that apply, or leave blank if you have not been told."),
                ),
            ),
        ),
        Page(
            "pain-how",
            _("How does your pain affect you?"),
            (
                _q(
                    "pain_now",
                    _("How bad is your pain right now?"),
                    Kind.SCALE,
                    min_value=0,
                    max_value=10,
                    hint=_("0 is no pain, 10 is the worst pain you can imagine."),
                    error_required=_("Select a number from 0 to 10 for your pain right now"),
                ),
                _q(
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
                _q(
                    "pain_worst",
                    _("How bad was your pain at its worst over the last week?"),
                    Kind.SCALE,
                    min_value=0,
                    max_value=10,
                    hint=_("0 is no pain, 10 is the worst pain you can imagine."),
                    error_required=_("Select a number from 0 to 10 for your worst pain last week"),
                ),
                _q(
                    "morning_stiffness",
                    _("Is your back or neck stiff in the morning?"),
                    Kind.YES_NO,
                    error_required=_("Select yes if your back or neck is stiff in the morning"),
                ),
                _q(
                    "stiffness_duration",
                    _("How long does the morning stiffness last?"),
                    Kind.CHOICE,
                    choices=(
                        ("under_30", _("Less than 30 minutes")),
                        ("30_to_60", _("30 minutes to an hour")),
                        ("over_60", _("More than an hour")),
                    ),
                    show_if=(When("morning_stiffness", "eq", "yes"),),
                    error_required=_("Select how long the morning stiffness lasts"),
                ),
                _q(
                    "pain_turning_night",
                    _("Does the pain wake you at night or when you turn in bed?"),
                    Kind.YES_NO,
                    error_required=_(
                        "Select yes if the pain wakes you at night or when you turn in bed"
                    ),
                ),
                _q(
                    "pain_twist_extend",
                    _("Is the pain worse when you twist or lean backwards?"),
                    Kind.YES_NO,
                    error_required=_(
                        "Select yes if the pain is worse when you twist or lean backwards"
                    ),
                ),
                _q(
                    "leg_numbness",
                    _("Do you have numbness or tingling in a leg?"),
                    Kind.YES_NO_UNSURE,
                    error_required=_("Select yes if you have numbness or tingling in a leg"),
                ),
            ),
        ),
    ),
)


# --- 3. Safety: symptoms and events that need care before anything else ----------------------------
def _safety(key: str, label, tier: int, error, hint="") -> Question:
    return _q(
        key,
        label,
        Kind.YES_NO_UNSURE,
        safety_tier=tier,
        error_required=error,
        hint=hint,
    )


SAFETY = Section(
    "safety",
    _("Symptoms that need care quickly"),
    (
        Page(
            "safety",
            _("Do you have any of these symptoms?"),
            (
                _safety(
                    "saddle_numbness",
                    _("Numbness around your bottom, genitals or inner thighs?"),
                    1,
                    _(
                        "Select yes if you have numbness around your bottom, genitals or inner thighs"
                    ),
                ),
                _safety(
                    "bladder_problem",
                    _("New problems passing urine or controlling your bladder?"),
                    1,
                    _(
                        "Select yes if you have new problems passing urine or controlling your bladder"
                    ),
                ),
                _safety(
                    "bowel_incontinence",
                    _("New loss of control of your bowels?"),
                    1,
                    _("Select yes if you have new loss of control of your bowels"),
                ),
                _safety(
                    "leg_weakness_worsening",
                    _("Weakness in a leg that is getting worse?"),
                    1,
                    _("Select yes if you have weakness in a leg that is getting worse"),
                ),
                _safety(
                    "weakness_both_legs",
                    _("Weakness in both legs?"),
                    1,
                    _("Select yes if you have weakness in both legs"),
                ),
                _safety(
                    "fever_chills",
                    _("Fever or chills along with the back or neck pain?"),
                    2,
                    _("Select yes if you have fever or chills with the pain"),
                ),
                _safety(
                    "major_trauma",
                    _("A major injury recently, such as a car crash or a fall from a height?"),
                    2,
                    _("Select yes if you had a major injury recently"),
                ),
                _safety(
                    "minor_fall",
                    _("A minor fall or injury recently, followed by new pain?"),
                    2,
                    _("Select yes if you had a minor fall or injury followed by new pain"),
                ),
                _safety(
                    "weight_loss",
                    _("Weight loss you cannot explain?"),
                    3,
                    _("Select yes if you have lost weight you cannot explain"),
                ),
                _safety(
                    "iv_drug_use",
                    _("Have you ever injected drugs into a vein?"),
                    3,
                    _("Select yes if you have ever injected drugs into a vein"),
                    hint=_("We ask everyone. Your answer is confidential."),
                ),
            ),
            intro=_('Answer for how you are now. If you are not sure, choose "I\'m not sure".'),
        ),
    ),
)


# --- 4. Imaging -------------------------------------------------------------------------------------
def _scan(key: str, name) -> tuple[Question, Question]:
    return (
        _q(
            f"{key}_done",
            filled(_("Have you had %(scan)s of your spine?"), scan=name),
            Kind.YES_NO_UNSURE,
            error_required=filled(
                _("Select yes if you have had %(scan)s of your spine"), scan=name
            ),
        ),
        _q(
            f"{key}_when",
            filled(_("When was the most recent %(scan)s?"), scan=name),
            Kind.MONTH_YEAR,
            show_if=(When(f"{key}_done", "eq", "yes"),),
            required=False,
            hint=_("Month and year, for example 4 2025. Leave blank if you do not remember."),
        ),
    )


IMAGING = Section(
    "imaging",
    _("Scans and what you were told"),
    (
        Page(
            "imaging",
            _("Scans and what you were told"),
            (
                *_scan("xray", _("an X-ray")),
                *_scan("mri", _("an MRI scan")),
                *_scan("ct", _("a CT scan")),
                _q(
                    "diagnoses_told",
                    _("Has a doctor mentioned any of these about your spine?"),
                    Kind.MULTI,
                    choices=(
                        ("facet_arthritis", _("Facet joint arthritis")),
                        ("disc_herniation", _("Disc herniation (slipped or bulging disc)")),
                        ("stenosis", _("Spinal stenosis (narrowing)")),
                        ("spondylolisthesis", _("Spondylolisthesis (a slipped vertebra)")),
                        ("spondylosis", _("Spondylosis (wear and tear)")),
                        ("radiculopathy", _("Radiculopathy (a trapped or pinched nerve)")),
                        ("fracture", _("Fracture")),
                        ("scoliosis", _("Scoliosis")),
                        ("none", _("No, none of these")),
                        ("not_sure", _("I'm not sure")),
                    ),
                    exclusive=("none", "not_sure"),
                    hint=_("Select all that apply."),
                    error_required=_('Select what a doctor mentioned, or "No, none of these"'),
                ),
            ),
        ),
    ),
)

# --- 5. Treatments ----------------------------------------------------------------------------------
RELIEF = (("none", _("No relief")), ("some", _("Some relief")), ("good", _("Good relief")))
RELIEF_DURATION = (
    ("under_week", _("Less than a week")),
    ("1_4_weeks", _("1 to 4 weeks")),
    ("1_3_months", _("1 to 3 months")),
    ("3_6_months", _("3 to 6 months")),
    ("over_6_months", _("More than 6 months")),
    ("ongoing", _("I still have relief")),
)


@dataclass(frozen=True)
class Treatment:
    key: str
    name: str
    amount_label: str
    amount_unit: str = ""
    amount_kind: Kind = Kind.INTEGER
    amount_max: int = 520


TREATMENTS = (
    Treatment(
        "nsaids",
        _("Anti-inflammatory medicines (NSAIDs, such as ibuprofen or naproxen)"),
        _("For how many weeks did you take them?"),
        _("weeks"),
    ),
    Treatment(
        "muscle_relaxants",
        _("Muscle relaxants"),
        _("For how many weeks did you take them?"),
        _("weeks"),
    ),
    Treatment(
        "physical_therapy",
        _("Physical therapy"),
        _("For how many weeks did you have physical therapy?"),
        _("weeks"),
    ),
    Treatment(
        "chiropractic",
        _("Chiropractic"),
        _("How many sessions did you have?"),
        _("sessions"),
        amount_max=1000,
    ),
    Treatment(
        "facet_steroid",
        _("Steroid injections into the facet joint"),
        _("How many injections did you have?"),
        _("injections"),
        amount_max=100,
    ),
    Treatment(
        "epidural",
        _("Epidural injections"),
        _("How many injections did you have?"),
        _("injections"),
        amount_max=100,
    ),
    Treatment(
        "mbb",
        _("Medial branch blocks (a numbing test injection)"),
        _("How many blocks did you have?"),
        _("blocks"),
        amount_max=20,
    ),
    Treatment(
        "rfa",
        _("Radiofrequency ablation (nerve burning)"),
        _("How many times did you have it?"),
        _("times"),
        amount_max=50,
    ),
    Treatment(
        "surgery",
        _("Spinal surgery or fusion"),
        _("At which level or levels?"),
        amount_kind=Kind.MULTI,
    ),
    Treatment(
        "regenerative",
        _("PRP or stem-cell treatment"),
        _("How many treatments did you have?"),
        _("treatments"),
        amount_max=50,
    ),
)


def _treatment_questions(t: Treatment) -> tuple[Question, ...]:
    tried = (When("treatments_tried", "contains", t.key),)
    amount = (
        _q(
            f"{t.key}_amount",
            t.amount_label,
            Kind.MULTI,
            choices=SPINAL_LEVELS,
            exclusive=("not_sure",),
            show_if=tried,
            group=t.name,
            error_required=_('Select the level of your surgery, or "I\'m not sure"'),
        )
        if t.amount_kind == Kind.MULTI
        else _q(
            f"{t.key}_amount",
            t.amount_label,
            Kind.INTEGER,
            min_value=1 if t.key == "mbb" else 0,
            max_value=t.amount_max,
            unit=t.amount_unit,
            show_if=tried,
            group=t.name,
            error_required=filled(_("Enter a number for: %(question)s"), question=t.amount_label),
        )
    )
    return (
        _q(
            f"{t.key}_last",
            _("When did you last have it?"),
            Kind.MONTH_YEAR,
            show_if=tried,
            group=t.name,
            hint=_("Month and year, for example 4 2025. If you still do, enter this month."),
            error_required=_("Enter the month and year you last had it"),
        ),
        amount,
        _q(
            f"{t.key}_relief",
            _("How much did it help?"),
            Kind.CHOICE,
            choices=RELIEF,
            show_if=tried,
            group=t.name,
            error_required=_("Select how much it helped"),
        ),
        _q(
            f"{t.key}_relief_duration",
            _("How long did the relief last?"),
            Kind.CHOICE,
            choices=RELIEF_DURATION,
            group=t.name,
            show_if=(*tried, When(f"{t.key}_relief", "in", ("some", "good"))),
            error_required=_("Select how long the relief lasted"),
        ),
    )


TREATMENT_SECTION = Section(
    "treatments",
    _("Treatments you have tried"),
    (
        Page(
            "treatments",
            _("Which treatments have you tried for this pain?"),
            (
                _q(
                    "treatments_tried",
                    _("Which treatments have you tried for this pain?"),
                    Kind.MULTI,
                    choices=(
                        *((t.key, t.name) for t in TREATMENTS),
                        ("none", _("No, none of these")),
                    ),
                    exclusive=("none",),
                    hint=_("Select all that apply."),
                    error_required=_(
                        'Select the treatments you have tried, or "No, none of these"'
                    ),
                ),
            ),
        ),
        Page(
            "treatment-details",
            _("About the treatments you tried"),
            tuple(q for t in TREATMENTS for q in _treatment_questions(t)),
            show_if=(When("treatments_tried", "contains_any", tuple(t.key for t in TREATMENTS)),),
        ),
    ),
)

# --- 6. Medial branch blocks --------------------------------------------------------------------------
MAX_BLOCKS = 3
BLOCK_MEDICINES = (
    ("lidocaine", _("Lidocaine")),
    ("bupivacaine", _("Bupivacaine")),
    ("not_sure", _("I'm not sure")),
)


def _block_questions(n: int) -> tuple[Question, ...]:
    shown = (When("treatments_tried", "contains", "mbb"), When("mbb_amount", "gte", n))
    group = filled(_("Block %(number)s"), number=n)
    return (
        _q(
            f"block_{n}_date",
            _("When was it?"),
            Kind.MONTH_YEAR,
            show_if=shown,
            group=group,
            hint=_("Month and year, for example 4 2025."),
            error_required=filled(_("Enter the month and year of block %(number)s"), number=n),
        ),
        _q(
            f"block_{n}_levels",
            _("Which levels were blocked?"),
            Kind.MULTI,
            choices=SPINAL_LEVELS,
            exclusive=("not_sure",),
            show_if=shown,
            group=group,
            error_required=filled(
                _('Select the levels of block %(number)s, or "I\'m not sure"'), number=n
            ),
        ),
        _q(
            f"block_{n}_medicine",
            _("Which numbing medicine was used?"),
            Kind.CHOICE,
            choices=BLOCK_MEDICINES,
            show_if=shown,
            group=group,
            error_required=filled(
                _('Select the medicine of block %(number)s, or "I\'m not sure"'), number=n
            ),
        ),
        _q(
            f"block_{n}_relief_percent",
            _("How much of your usual pain went away?"),
            Kind.INTEGER,
            min_value=0,
            max_value=100,
            unit="%",
            show_if=shown,
            group=group,
            hint=_("As a percentage, from 0 (none) to 100 (all of it)."),
            error_required=filled(
                _("Enter how much pain went away after block %(number)s, from 0 to 100"), number=n
            ),
        ),
        _q(
            f"block_{n}_relief_hours",
            _("For how many hours did the relief last?"),
            Kind.INTEGER,
            min_value=0,
            max_value=720,
            unit=_("hours"),
            show_if=shown,
            group=group,
            error_required=filled(
                _("Enter how many hours the relief of block %(number)s lasted"), number=n
            ),
        ),
    )


BLOCKS = Section(
    "blocks",
    _("Medial branch blocks"),
    (
        Page(
            "blocks",
            _("Your medial branch blocks"),
            tuple(q for n in range(1, MAX_BLOCKS + 1) for q in _block_questions(n)),
            intro=_("Tell us about your most recent blocks, up to 3, most recent first."),
            show_if=(When("treatments_tried", "contains", "mbb"),),
        ),
    ),
)

# --- 7. Health --------------------------------------------------------------------------------------
HEALTH = Section(
    "health",
    _("Your health"),
    (
        Page(
            "health",
            _("Your health and medicines"),
            (
                _q(
                    "infection_now",
                    _("Do you have an infection now?"),
                    Kind.YES_NO_UNSURE,
                    hint=_("For example a urine, chest, skin or wound infection."),
                    error_required=_("Select yes if you have an infection now"),
                ),
                _q(
                    "infection_spine",
                    _("Has a doctor said the infection is in or near your spine?"),
                    Kind.YES_NO_UNSURE,
                    show_if=(When("infection_now", "in", ("yes", "not_sure")),),
                    error_required=_(
                        "Select yes if a doctor said the infection is in or near your spine"
                    ),
                ),
                _q(
                    "autoimmune",
                    _("Do you have an autoimmune or inflammatory disease?"),
                    Kind.YES_NO_UNSURE,
                    hint=_("For example rheumatoid arthritis, lupus or ankylosing spondylitis."),
                    error_required=_(
                        "Select yes if you have an autoimmune or inflammatory disease"
                    ),
                ),
                _q(
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
                _q(
                    "immunosuppressants",
                    _("Do you take medicine that weakens the immune system?"),
                    Kind.YES_NO_UNSURE,
                    hint=_("For example methotrexate, biologics, or medicine after a transplant."),
                    error_required=_(
                        "Select yes if you take medicine that weakens the immune system"
                    ),
                ),
                _q(
                    "long_term_steroids",
                    _("Have you taken steroid tablets for more than 3 months?"),
                    Kind.YES_NO_UNSURE,
                    hint=_("For example prednisone."),
                    error_required=_(
                        "Select yes if you have taken steroid tablets for more than 3 months"
                    ),
                ),
                _q(
                    "blood_thinners",
                    _("Do you take blood thinners, or have a bleeding disorder?"),
                    Kind.YES_NO_UNSURE,
                    hint=_("For example warfarin, apixaban, clopidogrel, or haemophilia."),
                    error_required=_(
                        "Select yes if you take blood thinners or have a bleeding disorder"
                    ),
                ),
                _q(
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
                _q(
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
                _q(
                    "osteoporosis",
                    _("Do you have osteoporosis (weak bones)?"),
                    Kind.YES_NO_UNSURE,
                    error_required=_("Select yes if you have osteoporosis"),
                ),
                _q(
                    "diabetes",
                    _("Do you have diabetes?"),
                    Kind.YES_NO_UNSURE,
                    error_required=_("Select yes if you have diabetes"),
                ),
                _q(
                    "smoking",
                    _("Do you smoke?"),
                    Kind.CHOICE,
                    choices=(
                        ("never", _("No, never")),
                        ("former", _("I used to")),
                        ("current", _("Yes")),
                    ),
                    hint=_("Including vaping."),
                    error_required=_("Select if you smoke"),
                ),
                _q(
                    "medicines",
                    _("What medicines do you take?"),
                    Kind.LONG_TEXT,
                    required=False,
                    hint=_("Include doses if you know them. Leave blank if none."),
                ),
                _q(
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
WORDING = instruments.load_wording(getattr(settings, "INSTRUMENT_WORDING_FILE", ""))

ODI_QUESTIONS = tuple(
    _q(
        f"odi_{key}",
        WORDING.odi[key]["title"],
        Kind.CHOICE,
        required=False,
        choices=tuple((str(n), text) for n, text in enumerate(WORDING.odi[key]["statements"])),
    )
    for key in instruments.ODI_SECTIONS
)
STARTBACK_QUESTIONS = tuple(
    _q(
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

DAILY_LIFE = Section(
    "daily_life",
    _("Your daily life"),
    (
        Page(
            "function",
            _("How your pain affects daily activities"),
            ODI_QUESTIONS,
            intro=_(
                "Choose the statement that best describes you today. Skip a section that does not apply."
            ),
            notice=_wording_note,
        ),
        Page(
            "outlook",
            _("How you have felt over the last 2 weeks"),
            STARTBACK_QUESTIONS,
            notice=_wording_note,
        ),
    ),
)

# --- 9. Goals -------------------------------------------------------------------------------------
GOALS = Section(
    "goals",
    _("Your goals"),
    (
        Page(
            "goals",
            _("What you hope for"),
            (
                _q(
                    "hopes",
                    _("What do you hope treatment will help you do?"),
                    Kind.LONG_TEXT,
                    hint=_("For example, walk the dog, sleep through the night, go back to work."),
                    error_required=_("Enter what you hope treatment will help you do"),
                ),
                _q(
                    "therapies_interest",
                    _("Which therapies are you curious about?"),
                    Kind.MULTI,
                    choices=(
                        ("prp", _("Platelet-rich plasma (PRP)")),
                        ("adipose_cells", _("Cells from your own fat")),
                        ("bone_marrow_cells", _("Cells from your own bone marrow")),
                        ("umbilical_cells", _("Umbilical cord (Wharton's jelly) cells")),
                        ("hydrodissection", _("Hydrodissection")),
                        ("not_sure", _("I'm not sure")),
                    ),
                    exclusive=("not_sure",),
                    hint=_("Select all that apply."),
                    error_required=_(
                        'Select the therapies you are curious about, or "I\'m not sure"'
                    ),
                ),
                _q(
                    "heard_from",
                    _("How did you hear about us?"),
                    Kind.CHOICE,
                    required=False,
                    choices=(
                        ("doctor", _("My doctor")),
                        ("search", _("Internet search")),
                        ("social", _("Social media")),
                        ("friend", _("A friend or relative")),
                        ("advert", _("An advert")),
                        ("other", _("Somewhere else")),
                    ),
                ),
            ),
        ),
    ),
)

# --- 10. Costs and consent --------------------------------------------------------------------------
# The wording of each consent lives in screening/consent.py with its version; the label here is short.
CONSENT = Section(
    "consent",
    _("Costs and consent"),
    (
        Page(
            "consent",
            _("Costs and consent"),
            (
                _q(
                    "consent_costs",
                    _("Costs and evidence"),
                    Kind.CONSENT,
                    error_required=_(
                        "Confirm that you understand these treatments are usually self-pay and investigational"
                    ),
                ),
                _q(
                    "consent_privacy",
                    _("Privacy"),
                    Kind.CONSENT,
                    error_required=_("Confirm that you have read the privacy notice"),
                ),
                _q(
                    "consent_not_diagnosis",
                    _("Review, not diagnosis"),
                    Kind.CONSENT,
                    error_required=_(
                        "Confirm that you understand your answers are not a diagnosis"
                    ),
                ),
                _q(
                    "consent_safety_call",
                    _("Safety calls"),
                    Kind.CONSENT,
                    error_required=_("Confirm that the clinic may call you about a safety answer"),
                ),
                _q(
                    "consent_contact",
                    _("Contact"),
                    Kind.CONSENT,
                    error_required=_("Confirm that the clinic may contact you about your enquiry"),
                ),
            ),
        ),
    ),
)

SECTIONS: tuple[Section, ...] = (
    ABOUT_YOU,
    PAIN,
    SAFETY,
    IMAGING,
    TREATMENT_SECTION,
    BLOCKS,
    HEALTH,
    DAILY_LIFE,
    GOALS,
    CONSENT,
)


# --- Derived lookups -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Index:
    pages: tuple[Page, ...] = field(default_factory=tuple)
    questions: dict[str, Question] = field(default_factory=dict)
    page_of: dict[str, Page] = field(default_factory=dict)
    section_of: dict[str, Section] = field(default_factory=dict)


def _build_index() -> _Index:
    pages = tuple(page for section in SECTIONS for page in section.pages)
    questions: dict[str, Question] = {}
    page_of: dict[str, Page] = {}
    section_of: dict[str, Section] = {}
    for section in SECTIONS:
        for page in section.pages:
            section_of[page.slug] = section
            for question in page.questions:
                if question.key in questions:
                    raise ValueError(f"Question key {question.key!r} is defined twice")
                questions[question.key] = question
                page_of[question.key] = page
    return _Index(pages=pages, questions=questions, page_of=page_of, section_of=section_of)


INDEX = _build_index()
PAGES = INDEX.pages
QUESTIONS = INDEX.questions
IDENTIFYING_KEYS = tuple(k for k, q in QUESTIONS.items() if q.identifying)


def page_by_slug(slug: str) -> Page | None:
    return next((p for p in PAGES if p.slug == slug), None)


def section_of(page: Page) -> Section:
    return INDEX.section_of[page.slug]


def iter_questions() -> Iterator[Question]:
    return iter(QUESTIONS.values())
