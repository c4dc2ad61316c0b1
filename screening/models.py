"""The app's tables. Each audience package defines its own; Django finds an app's models here."""

from screening.casework.models import (
    SEVERITY_RANK,
    Amendment,
    Booking,
    Case,
    CaseNote,
    CompletionLink,
    ContactAttempt,
    OutgoingEmail,
    ScreeningResult,
)
from screening.intake.models import CONTACT_METHODS, Consent, Intake, PatientIdentity
from screening.rules.models import ConditionDraft, RuleDraft, RulesetVersion
from screening.staff.models import ApprovalRequest, AttemptWindow, AuditEvent

__all__ = [
    "CONTACT_METHODS",
    "SEVERITY_RANK",
    "Amendment",
    "ApprovalRequest",
    "AttemptWindow",
    "AuditEvent",
    "Booking",
    "Case",
    "CaseNote",
    "CompletionLink",
    "ConditionDraft",
    "Consent",
    "ContactAttempt",
    "Intake",
    "OutgoingEmail",
    "PatientIdentity",
    "RuleDraft",
    "RulesetVersion",
    "ScreeningResult",
]
