"""The consent and privacy texts patients agree to, each with a version.

A stored consent records the version of the text the patient saw and when. Changing a text means a new
version here (keep the old one: stored consents refer to it).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ConsentText:
    kind: str
    version: str
    text: str


# The privacy notice's version; consenting to "privacy" records it, so the notice read is known.
PRIVACY_NOTICE_VERSION = "2026-11-01"

CONSENT_TEXTS: dict[str, ConsentText] = {
    c.kind: c
    for c in (
        ConsentText(
            "consent_costs",
            "2026-11-01",
            _(
                "I understand that regenerative treatments (such as PRP and cell-based injections) are "
                "investigational for back and neck pain, are usually not covered by insurance, and are "
                "usually paid for by the patient."
            ),
        ),
        ConsentText(
            "consent_privacy",
            PRIVACY_NOTICE_VERSION,
            _(
                "I have read the privacy notice, which explains how the clinic stores and uses my answers."
            ),
        ),
        ConsentText(
            "consent_not_diagnosis",
            "2026-11-01",
            _(
                "I understand that the clinic's team reviews my answers, and that this form and its "
                "review are not a diagnosis or a decision about treatment."
            ),
        ),
        ConsentText(
            "consent_safety_call",
            "2026-11-01",
            _(
                "I understand that if one of my answers suggests a safety concern, the clinic may call me "
                "about it, even before I send this form."
            ),
        ),
        ConsentText(
            "consent_contact",
            "2026-11-01",
            _(
                "I agree that the clinic may contact me by phone, text message or email about my enquiry."
            ),
        ),
    )
}
