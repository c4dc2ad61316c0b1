"""Section 3: symptoms and events that need care before anything else (clinical.md section 1)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from screening.intake.catalogue.schema import Kind, Page, Question, Section, ask


# --- 3. Safety: symptoms and events that need care before anything else ----------------------------
def _safety(key: str, label, tier: int, error, tell, hint="") -> Question:
    return ask(
        key,
        label,
        Kind.YES_NO_UNSURE,
        safety_tier=tier,
        error_required=error,
        tell=tell,
        hint=hint,
    )


_INTRO = _('Answer for how you are now. If you are not sure, choose "I\'m not sure".')

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
                    _("I have numbness around my bottom, genitals or inner thighs"),
                ),
                _safety(
                    "bladder_problem",
                    _("New problems passing urine or controlling your bladder?"),
                    1,
                    _(
                        "Select yes if you have new problems passing urine or controlling your bladder"
                    ),
                    _("I have new problems passing urine or controlling my bladder"),
                ),
                _safety(
                    "bowel_incontinence",
                    _("New loss of control of your bowels?"),
                    1,
                    _("Select yes if you have new loss of control of your bowels"),
                    _("I have new loss of control of my bowels"),
                ),
                _safety(
                    "leg_weakness_worsening",
                    _("Weakness in a leg that is getting worse?"),
                    1,
                    _("Select yes if you have weakness in a leg that is getting worse"),
                    _("I have weakness in a leg that is getting worse"),
                ),
                _safety(
                    "weakness_both_legs",
                    _("Weakness in both legs?"),
                    1,
                    _("Select yes if you have weakness in both legs"),
                    _("I have weakness in both legs"),
                ),
            ),
            intro=_INTRO,
        ),
        Page(
            "safety-more",
            _("Illness, injury and other risks"),
            (
                _safety(
                    "fever_chills",
                    _("Fever or chills along with the back or neck pain?"),
                    2,
                    _("Select yes if you have fever or chills with the pain"),
                    _("I have fever or chills"),
                ),
                _safety(
                    "major_trauma",
                    _("A major injury recently, such as a car crash or a fall from a height?"),
                    2,
                    _("Select yes if you had a major injury recently"),
                    _("I had a major injury recently"),
                ),
                _safety(
                    "minor_fall",
                    _("A minor fall or injury recently, followed by new pain?"),
                    2,
                    _("Select yes if you had a minor fall or injury followed by new pain"),
                    _("I had a minor fall or injury recently, and new pain since"),
                ),
                _safety(
                    "weight_loss",
                    _("Weight loss you cannot explain?"),
                    3,
                    _("Select yes if you have lost weight you cannot explain"),
                    _("I have lost weight and cannot explain why"),
                ),
                _safety(
                    "iv_drug_use",
                    _("Have you ever injected drugs into a vein?"),
                    3,
                    _("Select yes if you have ever injected drugs into a vein"),
                    _("I have injected drugs into a vein"),
                    hint=_("We ask everyone. Your answer is confidential."),
                ),
            ),
            intro=_('If you are not sure, choose "I\'m not sure".'),
        ),
    ),
)
