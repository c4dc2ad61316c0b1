"""Sections 9 and 10: goals, and costs and consent (consent wording lives in consent.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from screening.intake.catalogue.schema import Kind, Page, Section, ask

# --- 9. Goals -------------------------------------------------------------------------------------
GOALS = Section(
    "goals",
    _("Your goals"),
    (
        Page(
            "goals",
            _("What you hope for"),
            (
                ask(
                    "hopes",
                    _("What do you hope treatment will help you do?"),
                    Kind.LONG_TEXT,
                    hint=_("For example, walk the dog, sleep through the night, go back to work."),
                    error_required=_("Enter what you hope treatment will help you do"),
                ),
            ),
        ),
    ),
)

# The consents are one group of checkboxes, each to be ticked: one question, five statements
_AGREE = _("Before you send your answers, tick each box to confirm")

# --- 10. Costs and consent --------------------------------------------------------------------------
# The wording of each consent lives in screening/intake/consent.py with its version; the label here is short.
CONSENT = Section(
    "consent",
    _("Costs and consent"),
    (
        Page(
            "consent",
            _("Costs and consent"),
            (
                ask(
                    "consent_costs",
                    _("Costs and evidence"),
                    Kind.CONSENT,
                    error_required=_(
                        "Confirm that you understand these treatments are usually self-pay and investigational"
                    ),
                ),
                ask(
                    "consent_privacy",
                    _("Privacy"),
                    Kind.CONSENT,
                    error_required=_("Confirm that you have read the privacy notice"),
                ),
                ask(
                    "consent_not_diagnosis",
                    _("Review, not diagnosis"),
                    Kind.CONSENT,
                    error_required=_(
                        "Confirm that you understand your answers are not a diagnosis"
                    ),
                ),
                ask(
                    "consent_safety_call",
                    _("Safety calls"),
                    Kind.CONSENT,
                    error_required=_("Confirm that the clinic may call you about a safety answer"),
                ),
                ask(
                    "consent_contact",
                    _("Contact"),
                    Kind.CONSENT,
                    error_required=_("Confirm that the clinic may contact you about your enquiry"),
                ),
            ),
            links_privacy_notice=True,
            consent_legend=_AGREE,
        ),
    ),
)
