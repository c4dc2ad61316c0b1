"""Sections 4 to 6: scans, treatments tried, and medial branch blocks."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from screening.intake.catalogue.schema import (
    SPINAL_LEVELS,
    Kind,
    Page,
    Question,
    Section,
    When,
    ask,
    filled,
)

# --- 4. Imaging -------------------------------------------------------------------------------------
SCANS = (("xray", _("X-ray")), ("mri", _("MRI scan")), ("ct", _("CT scan")))
# The scans whose date is asked: an X-ray's date says little about facet joints (pending clinician sign-off)
DATED_SCANS = ("mri", "ct")


def _scan_when(key: str, short) -> Question:
    return ask(
        f"{key}_when",
        filled(_("When was your most recent %(scan)s?"), scan=short),
        Kind.MONTH_YEAR,
        item=filled(_("your most recent %(scan)s"), scan=short),
        show_if=(When("scans_done", "contains", key),),
        required=False,
        hint=_("Month and year, for example 4 2025. Leave blank if you do not remember."),
    )


def scan_of_report(question_key: str) -> tuple[str, str]:
    """The scan an upload question is the report of: ("mri", "MRI scan") for "report_mri"."""
    code = question_key.removeprefix("report_")
    return code, str(dict(SCANS)[code])


def _scan_report(key: str, short) -> Question:
    """The report of a scan, attached (issue 19): optional, never counted as a question to answer."""
    return ask(
        f"report_{key}",
        filled(_("Your %(scan)s report"), scan=short),
        Kind.FILE,
        item=filled(_("your %(scan)s report"), scan=short),
        show_if=(When("scans_done", "contains", key),),
        required=False,
        hint=_(
            "If you have the written report, attach it: a PDF, or a photo of each printed page. "
            "Up to 5 files, each up to 20 MB."
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
                ask(
                    "scans_done",
                    _("Which scans of your spine have you had?"),
                    Kind.MULTI,
                    choices=(
                        *SCANS,
                        ("none", _("No, none of these")),
                        ("not_sure", _("I'm not sure")),
                    ),
                    exclusive=("none", "not_sure"),
                    hint=_("Select all that apply."),
                    error_required=_('Select the scans you have had, or "No, none of these"'),
                ),
                *(
                    question
                    for key, short in SCANS
                    for question in (
                        *((_scan_when(key, short),) if key in DATED_SCANS else ()),
                        _scan_report(key, short),
                    )
                ),
                ask(
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
    """A treatment a patient may have tried, and what is asked about it: when it was last had where a rule
    reads how recent it was, how long or how much where a rule or the specialist weighs it, and how long
    the relief lasted where clinical.md asks (injections and procedures)."""

    key: str
    name: str
    amount_label: str = ""  # "" when the amount is not asked
    amount_item: str = (
        ""  # the amount in the patient's words, for messages: "how many sessions you had"
    )
    amount_unit: str = ""
    amount_unit_one: str = ""  # after the number 1: "1 week"
    amount_kind: Kind = Kind.INTEGER
    amount_max: int = 520
    asks_last: bool = True
    asks_relief_duration: bool = False


TREATMENTS = (
    Treatment(
        "nsaids",
        _("Anti-inflammatory medicines (NSAIDs, such as ibuprofen or naproxen)"),
    ),
    Treatment("muscle_relaxants", _("Muscle relaxants"), asks_last=False),
    Treatment(
        "physical_therapy",
        _("Physical therapy"),
        _("For how many weeks did you have physical therapy?"),
        _("how many weeks you had physical therapy for"),
        _("weeks"),
        _("week"),
        asks_last=False,
    ),
    Treatment(
        "chiropractic",
        _("Chiropractic"),
        _("How many sessions did you have?"),
        _("how many sessions you had"),
        _("sessions"),
        _("session"),
        amount_max=1000,
        asks_last=False,
    ),
    Treatment(
        "facet_steroid",
        _("Steroid injections into the facet joint"),
        asks_relief_duration=True,
    ),
    Treatment("epidural", _("Epidural injections"), asks_relief_duration=True),
    # Blocks are asked about on pages of their own (section 6): how many, where, and each block.
    Treatment(
        "mbb",
        _("Medial branch blocks (a numbing test injection)"),
        _("How many blocks have you had?"),
        _("how many blocks you have had"),
        _("blocks"),
        _("block"),
        amount_max=20,
        asks_last=False,
    ),
    Treatment(
        "rfa",
        _("Radiofrequency ablation (nerve burning)"),
        _("How many times did you have it?"),
        _("how many times you had it"),
        _("times"),
        _("time"),
        amount_max=50,
        asks_relief_duration=True,
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
        _("how many treatments you had"),
        _("treatments"),
        _("treatment"),
        _("treatment"),
        amount_max=50,
        asks_relief_duration=True,
    ),
)
# The treatments asked about on a page of their own (blocks have a section of their own)
DETAILED = tuple(t for t in TREATMENTS if t.key != "mbb")


def _amount(t: Treatment, group, shown) -> Question:
    if t.amount_kind == Kind.MULTI:
        return ask(
            f"{t.key}_amount",
            t.amount_label,
            Kind.MULTI,
            choices=SPINAL_LEVELS,
            exclusive=("not_sure",),
            show_if=shown,
            group=group,
            error_required=_('Select the level of your surgery, or "I\'m not sure"'),
        )
    return ask(
        f"{t.key}_amount",
        t.amount_label,
        Kind.INTEGER,
        min_value=1 if t.key == "mbb" else 0,
        max_value=t.amount_max,
        unit=t.amount_unit,
        unit_one=t.amount_unit_one,
        show_if=shown,
        group=group,
        item=t.amount_item,
        error_required=filled(_("Enter %(item)s, for example 2"), item=t.amount_item),
    )


def _treatment_questions(t: Treatment) -> tuple[Question, ...]:
    tried = (When("treatments_tried", "contains", t.key),)
    questions = []
    if t.asks_last:
        questions.append(
            ask(
                f"{t.key}_last",
                _("When did you last have it?"),
                Kind.MONTH_YEAR,
                show_if=tried,
                group=t.name,
                item=_("the last time you had it"),
                hint=_("Month and year, for example 4 2025. If you still do, enter this month."),
                error_required=_("Enter the month and year you last had it"),
            )
        )
    if t.amount_label:
        questions.append(_amount(t, t.name, tried))
    if t.key == "surgery":
        questions.append(
            ask(
                "painful_levels",
                _("Has a doctor told you which spinal levels cause your pain now?"),
                Kind.MULTI,
                choices=SPINAL_LEVELS,
                exclusive=("not_sure",),
                required=False,
                show_if=tried,
                group=t.name,
                hint=_("Select all that apply, or leave blank if you have not been told."),
            )
        )
    questions.append(
        ask(
            f"{t.key}_relief",
            _("How much did it help?"),
            Kind.CHOICE,
            choices=RELIEF,
            show_if=tried,
            group=t.name,
            error_required=_("Select how much it helped"),
        )
    )
    if t.asks_relief_duration:
        questions.append(
            ask(
                f"{t.key}_relief_duration",
                _("How long did the relief last?"),
                Kind.CHOICE,
                choices=RELIEF_DURATION,
                group=t.name,
                show_if=(*tried, When(f"{t.key}_relief", "in", ("some", "good"))),
                error_required=_("Select how long the relief lasted"),
            )
        )
    return tuple(questions)


TREATMENT_SECTION = Section(
    "treatments",
    _("Treatments you have tried"),
    (
        Page(
            "treatments",
            _("Treatments for this pain"),
            (
                ask(
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
        *(
            Page(
                f"treatment-{t.key.replace('_', '-')}",
                t.name,
                _treatment_questions(t),
                show_if=(When("treatments_tried", "contains", t.key),),
            )
            for t in DETAILED
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
_BLOCKS_HAD = (When("treatments_tried", "contains", "mbb"),)
_MBB = next(t for t in TREATMENTS if t.key == "mbb")


def _block_questions(n: int) -> tuple[Question, ...]:
    shown = (*_BLOCKS_HAD, When("mbb_amount", "gte", n))
    group = filled(_("Block %(number)s"), number=n)
    return (
        ask(
            f"block_{n}_date",
            _("When was it?"),
            Kind.MONTH_YEAR,
            show_if=shown,
            group=group,
            item=_("this block"),
            hint=_("Month and year, for example 4 2025."),
            error_required=filled(_("Enter the month and year of block %(number)s"), number=n),
        ),
        ask(
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
        ask(
            f"block_{n}_relief_percent",
            _("How much of your usual pain went away?"),
            Kind.INTEGER,
            min_value=0,
            max_value=100,
            unit="%",
            show_if=shown,
            group=group,
            item=_("the relief as a percentage"),
            hint=_("As a percentage, from 0 (none) to 100 (all of it)."),
            error_required=filled(
                _("Enter how much pain went away after block %(number)s, from 0 to 100"), number=n
            ),
        ),
        ask(
            f"block_{n}_relief_hours",
            _("For how many hours did the relief last?"),
            Kind.INTEGER,
            min_value=0,
            max_value=720,
            unit=_("hours"),
            unit_one=_("hour"),
            show_if=shown,
            group=group,
            item=_("how many hours the relief lasted"),
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
            (
                _amount(_MBB, "", _BLOCKS_HAD),
                ask(
                    "mbb_levels",
                    _("Which levels were blocked?"),
                    Kind.MULTI,
                    choices=SPINAL_LEVELS,
                    exclusive=("not_sure",),
                    show_if=_BLOCKS_HAD,
                    hint=_("Select every level of every block."),
                    error_required=_('Select the levels that were blocked, or "I\'m not sure"'),
                ),
            ),
            intro=_(
                "On the next pages, tell us about up to 3 blocks, in the order you had them: the "
                "first one first. If you had more, tell us about the most recent 3."
            ),
            show_if=_BLOCKS_HAD,
        ),
        *(
            Page(
                f"block-{n}",
                filled(_("Block %(number)s"), number=n),
                _block_questions(n),
                show_if=(*_BLOCKS_HAD, When("mbb_amount", "gte", n)),
            )
            for n in range(1, MAX_BLOCKS + 1)
        ),
    ),
    follows_on=True,
)
