"""A complete, valid intake as a patient would type it, page by page (form field names)."""

from datetime import date

from screening.intake.catalogue import TREATMENTS, Kind, page_by_slug
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
    "height-and-weight": {"height_cm": "168", "weight_kg": "72.5"},
    "pain-where": {
        "pain_regions": ["low_back"],
        "pain_spread": ["buttock"],
        "pain_months": "18",
    },
    "pain-how": {
        "pain_now": "6",
        "pain_average": "5",
        "pain_worst": "8",
        "leg_numbness": "no",
    },
    "safety": {q.key: "no" for q in page_by_slug("safety").questions},
    "safety-more": {q.key: "no" for q in page_by_slug("safety-more").questions},
    "imaging": {
        "scans_done": ["xray", "mri"],
        "mri_when_month": "May",
        "mri_when_year": LAST_YEAR,
        "diagnoses_told": ["facet_arthritis", "spondylosis"],
    },
    "treatments": {"treatments_tried": ["nsaids", "physical_therapy", "mbb"]},
    "treatment-nsaids": {
        "nsaids_last_month": "1",
        "nsaids_last_year": LAST_YEAR,
        "nsaids_relief": "some",
    },
    "treatment-physical-therapy": {
        "physical_therapy_amount": "8",
        "physical_therapy_relief": "none",
    },
    "blocks": {"mbb_amount": "2", "mbb_levels": ["l4_l5"]},
    "block-1": {
        "block_1_date_month": "6",
        "block_1_date_year": LAST_YEAR,
        "block_1_medicine": "bupivacaine",
        "block_1_relief_percent": "85",
        "block_1_relief_hours": "6",
    },
    "block-2": {
        "block_2_date_month": "5",
        "block_2_date_year": LAST_YEAR,
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
    },
    "health-more": {
        "blood_thinners": "no",
        "pregnancy": ["none"],
        "cancer": "no",
        "osteoporosis": "no",
        "medicines": "Ibuprofen 400 mg when needed",
        "allergies": "Penicillin (rash)",
    },
    "function": {f"odi_{key}": value for key, value in zip(ODI_SECTIONS[:5], "31322", strict=True)},
    "function-more": {
        f"odi_{key}": value for key, value in zip(ODI_SECTIONS[5:], "32122", strict=True)
    },
    "outlook": {f"startback_item_{n}": v for n, v in zip(range(1, 5), "1011", strict=True)},
    "outlook-more": {f"startback_item_{n}": v for n, v in zip(range(5, 10), "10102", strict=True)},
    "goals": {"hopes": "Pick up my grandchildren and work a full shift"},
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
    "Ibuprofen 400 mg",
    "Penicillin",
    "grandchildren",
)


def _every_page() -> dict[str, dict]:
    """A walk that shows every page of the catalogue: every treatment tried, three blocks (each page's
    answers valid; the extra pages' answers made up in the same way as the full intake's)."""
    from screening.intake.catalogue import PAGES

    extra: dict[str, dict] = {
        "treatments": {"treatments_tried": [t.key for t in TREATMENTS]},
        "blocks": {**FULL_INTAKE["blocks"], "mbb_amount": "3"},
        "block-3": {
            "block_3_date_month": "7",
            "block_3_date_year": LAST_YEAR,
            "block_3_medicine": "not_sure",
            "block_3_relief_percent": "50",
            "block_3_relief_hours": "3",
        },
    }
    for page in PAGES:
        if page.slug.startswith("treatment-") and page.slug not in FULL_INTAKE:
            data: dict = {}
            for q in page.questions:
                if q.kind == Kind.MONTH_YEAR:
                    data |= {f"{q.key}_month": "2", f"{q.key}_year": LAST_YEAR}
                elif q.kind == Kind.MULTI:
                    data[q.key] = ["l5_s1"]
                elif q.kind == Kind.INTEGER:
                    data[q.key] = "4"
                elif q.key.endswith("_relief"):
                    data[q.key] = "good"
                else:
                    data[q.key] = "1_3_months"
            extra[page.slug] = data
    return {p.slug: extra.get(p.slug, FULL_INTAKE.get(p.slug)) for p in PAGES}


EVERY_PAGE = _every_page()
