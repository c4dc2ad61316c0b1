"""A complete, valid intake as a patient would type it, page by page (form field names)."""

from datetime import date

from screening.intake.catalogue import page_by_slug
from screening.intake.instruments import ODI_SECTIONS

TODAY = date.today()
LAST_YEAR = str(TODAY.year - 1)

FULL_INTAKE: dict[str, dict[str, str | list[str]]] = {
    "about-you": {
        "given_name": "Zelda",
        "family_name": "Quarrington",
        "date_of_birth_day": "14",
        "date_of_birth_month": "7",
        "date_of_birth_year": "1971",
        "sex": "female",
    },
    "contact": {
        "email": "zelda.q@example.org",
        "phone": "555 010 7788",
        "contact_method": "phone",
        "interpreter": "no",
    },
    "body-and-work": {
        "height_cm": "168",
        "weight_kg": "72.5",
        "occupation": "Warehouse supervisor",
        "heavy_lifting": "yes",
    },
    "pain-where": {
        "pain_regions": ["low_back"],
        "pain_side": "both",
        "pain_spread": ["buttock"],
        "pain_months": "18",
        "pain_onset": "gradual",
        "spinal_levels": ["l4_l5", "l5_s1"],
    },
    "pain-how": {
        "pain_now": "6",
        "pain_average": "5",
        "pain_worst": "8",
        "morning_stiffness": "yes",
        "stiffness_duration": "under_30",
        "pain_turning_night": "yes",
        "pain_twist_extend": "yes",
        "leg_numbness": "no",
    },
    "safety": {q.key: "no" for q in page_by_slug("safety").questions},
    "imaging": {
        "xray_done": "yes",
        "xray_when_month": "3",
        "xray_when_year": LAST_YEAR,
        "mri_done": "yes",
        "mri_when_month": "May",
        "mri_when_year": LAST_YEAR,
        "ct_done": "no",
        "diagnoses_told": ["facet_arthritis", "spondylosis"],
    },
    "treatments": {"treatments_tried": ["nsaids", "physical_therapy", "mbb"]},
    "treatment-details": {
        "nsaids_last_month": "1",
        "nsaids_last_year": LAST_YEAR,
        "nsaids_amount": "12",
        "nsaids_relief": "some",
        "nsaids_relief_duration": "1_4_weeks",
        "physical_therapy_last_month": "2",
        "physical_therapy_last_year": LAST_YEAR,
        "physical_therapy_amount": "8",
        "physical_therapy_relief": "none",
        "mbb_last_month": "6",
        "mbb_last_year": LAST_YEAR,
        "mbb_amount": "2",
        "mbb_relief": "good",
        "mbb_relief_duration": "under_week",
    },
    "blocks": {
        "block_1_date_month": "6",
        "block_1_date_year": LAST_YEAR,
        "block_1_levels": ["l4_l5"],
        "block_1_medicine": "bupivacaine",
        "block_1_relief_percent": "85",
        "block_1_relief_hours": "6",
        "block_2_date_month": "5",
        "block_2_date_year": LAST_YEAR,
        "block_2_levels": ["l4_l5"],
        "block_2_medicine": "lidocaine",
        "block_2_relief_percent": "80",
        "block_2_relief_hours": "2",
    },
    "health": {
        "infection_now": "no",
        "past_spinal_infection": "no",
        "autoimmune": "no",
        "immunosuppressants": "no",
        "long_term_steroids": "no",
        "blood_thinners": "no",
        "pregnancy": ["none"],
        "cancer": "no",
        "osteoporosis": "no",
        "diabetes": "no",
        "smoking": "never",
        "medicines": "Ibuprofen 400 mg when needed",
        "allergies": "Penicillin (rash)",
    },
    "function": {
        f"odi_{key}": value
        for key, value in zip(
            ODI_SECTIONS, ("3", "1", "3", "2", "2", "3", "2", "1", "2", "2"), strict=True
        )
    },
    "outlook": {f"startback_item_{n}": v for n, v in zip(range(1, 10), "101110102", strict=True)},
    "goals": {
        "hopes": "Pick up my grandchildren and work a full shift",
        "therapies_interest": ["prp", "adipose_cells"],
        "heard_from": "doctor",
    },
    "consent": {
        "consent_costs": "on",
        "consent_privacy": "on",
        "consent_not_diagnosis": "on",
        "consent_safety_call": "on",
        "consent_contact": "on",
    },
}

# Values typed into free-text and identifying fields: none may ever appear in a log line or URL.
TYPED_MARKERS = (
    "Zelda",
    "Quarrington",
    "zelda.q@example.org",
    "555 010 7788",
    "Warehouse supervisor",
    "Ibuprofen 400 mg",
    "Penicillin",
    "grandchildren",
)
