"""The questions in staff's words: what a rule's reason, the near miss and (later) the missing-information
list call each fact. The patient's wording stays in the catalogue; staff read these, in English.

A question without a staff label here is called by its group and its wording ("Block 2: How much of your
usual pain went away?"), so a new question always has a name.
"""

from typing import Any

STAFF_LABELS: dict[str, str] = {
    # Contact
    "interpreter": "Interpreter needed",
    "interpreter_language": "Interpreter language",
    # Safety (red flags)
    "saddle_numbness": "Saddle numbness",
    "bladder_problem": "New bladder trouble",
    "bowel_incontinence": "New bowel incontinence",
    "leg_weakness_worsening": "Leg weakness getting worse",
    "weakness_both_legs": "Weakness in both legs",
    "fever_chills": "Fever or chills with the pain",
    "major_trauma": "Recent major trauma",
    "minor_fall": "Recent minor fall or injury, with new pain",
    "weight_loss": "Unexplained weight loss",
    "iv_drug_use": "Intravenous drug use",
    "cancer": "Cancer",
    # Pain
    "pain_regions": "Pain regions",
    "pain_months": "Pain duration",
    "pain_spread": "Pain spreads to",
    "pain_now": "Pain now (0-10)",
    "pain_average": "Average pain last week (0-10)",
    "pain_worst": "Worst pain last week (0-10)",
    "leg_numbness": "Leg numbness or tingling",
    "scans_done": "Scans of the spine",
    "diagnoses_told": "Diagnoses the patient was told of",
    "spinal_levels": "Affected spinal levels (as told by a doctor)",
    "painful_levels": "Spinal levels causing the pain (as told by a doctor, after surgery)",
    "treatments_tried": "Treatments tried",
    "mbb_amount": "Number of diagnostic blocks (as answered)",
    "mbb_levels": "Levels blocked",
    "surgery_amount": "Levels of spinal surgery or fusion",
    # Health
    "infection_now": "Infection now",
    "infection_spine": "Infection in or near the spine",
    "past_spinal_infection": "Past spinal infection",
    "autoimmune": "Autoimmune or inflammatory disease",
    "immunosuppressants": "Immune-suppressing medicine",
    "long_term_steroids": "Steroid tablets for more than 3 months",
    "blood_thinners": "Blood thinners or a bleeding disorder",
    "osteoporosis": "Osteoporosis",
    "pregnancy": "Pregnancy",
}

# Choice labels staff read where the patient's own would not do ("I'm not sure", "I am pregnant").
STAFF_CHOICES: dict[str, str] = {
    "not_sure": "Not sure",
}
STAFF_CHOICES_OF: dict[str, dict[str, str]] = {
    "cancer": {"current": "Yes, now", "past": "Yes, in the past"},
    "pregnancy": {
        "pregnant": "Pregnant",
        "breastfeeding": "Breastfeeding",
        "planning": "Planning a pregnancy",
        "none": "None of these",
    },
    "pain_spread": {"none": "Nowhere (stays in the back or neck)"},
    "diagnoses_told": {"none": "None of these"},
    "scans_done": {"none": "None"},
    "treatments_tried": {},  # TREATMENT_NAMES, below
}


# The repeated questions, named by what they belong to: "Block 2: relief (%)", "Physical therapy: relief".
BLOCK_PARTS = {
    "date": "date",
    "levels": "levels",
    "medicine": "medicine",
    "relief_percent": "relief (%)",
    "relief_hours": "relief (hours)",
}
TREATMENT_NAMES = {
    "nsaids": "NSAIDs",
    "muscle_relaxants": "Muscle relaxants",
    "physical_therapy": "Physical therapy",
    "chiropractic": "Chiropractic",
    "facet_steroid": "Facet steroid injections",
    "epidural": "Epidural injections",
    "mbb": "Medial branch blocks",
    "rfa": "Radiofrequency ablation",
    "surgery": "Spinal surgery or fusion",
    "regenerative": "PRP or stem-cell treatment",
}
TREATMENT_PARTS = {
    "last": "last time",
    "amount": "how much",
    "relief": "relief",
    "relief_duration": "how long the relief lasted",
}


def _repeated(key: str) -> str | None:
    if key.startswith("block_") and key[6:7].isdigit():
        number, part = key[6:].split("_", 1)
        return f"Block {number}: {BLOCK_PARTS[part]}" if part in BLOCK_PARTS else None
    for treatment, name in TREATMENT_NAMES.items():
        part = key.removeprefix(f"{treatment}_")
        if part != key and part in TREATMENT_PARTS:
            return f"{name}: {TREATMENT_PARTS[part]}"
    return None


def staff_label(question: Any) -> str:
    """The question's name for staff."""
    if question.key in STAFF_LABELS:
        return STAFF_LABELS[question.key]
    if repeated := _repeated(question.key):
        return repeated
    return f"{question.group}: {question.label}" if question.group else str(question.label)


def staff_choices(question: Any) -> tuple[tuple[str, str], ...]:
    """The question's choices as (code, label) for staff."""
    own = STAFF_CHOICES_OF.get(question.key, {})
    return tuple(
        (code, own.get(code) or STAFF_CHOICES.get(code) or str(label))
        for code, label in question.choices
    )


STAFF_CHOICES_OF["treatments_tried"] = TREATMENT_NAMES
