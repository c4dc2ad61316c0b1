"""How many questions a patient is shown (issue 17): a typical candidate at most 80, a patient with under 3
months of pain and no treatment at most 50, and no page with more than 8. The walk runs in English and in
Spanish (issue 18): every page served in the patient's language, the answers posted as a Spanish-speaking
patient's browser posts them.

The test walks the intake as a patient does, page after page as the server sends them, and counts every
question each page shows for the answers given (a follow-up revealed on the page counts only when it is
revealed). A radio or checkbox group counts once: the consents are one group of boxes, each ticked.
"""

import re

import pytest
from django.urls import reverse

from screening.intake.branching import context, question_shown
from screening.intake.catalogue import PAGES, Kind
from screening.intake.page_forms import PageForm
from tests.intake_data import FULL_INTAKE, LAST_YEAR

TYPICAL = {
    # Four treatments tried, two blocks, an X-ray and an MRI; 55 years old, so pregnancy is asked too
    **FULL_INTAKE,
    "treatments": {"treatments_tried": ["nsaids", "physical_therapy", "facet_steroid", "mbb"]},
    "treatment-facet-steroid": {
        "facet_steroid_last_month": "3",
        "facet_steroid_last_year": LAST_YEAR,
        "facet_steroid_relief": "some",
        "facet_steroid_relief_duration": "1_4_weeks",
    },
}
SHORT = {
    # Six weeks of pain, no treatment and no scan yet
    **FULL_INTAKE,
    "pain-where": {**FULL_INTAKE["pain-where"], "pain_months": "1"},
    "imaging": {"scans_done": ["none"], "diagnoses_told": ["none"]},
    "treatments": {"treatments_tried": ["none"]},
}


def units(form: PageForm, answers: dict) -> int:
    """The questions the page shows for these answers; a group of consent boxes counts once; attaching a
    scan report is no question to answer (issue 19)."""
    ctx = context(answers, form.today)
    shown = [q for q in form.questions if question_shown(q, answers, ctx) and q.kind != Kind.FILE]
    consents = [q for q in shown if q.kind == Kind.CONSENT]
    assert not consents or form.page.consent_legend  # shown as one group of boxes
    return len(shown) - len(consents) + bool(consents)


@pytest.fixture
def language(request, settings):
    settings.PATIENT_LANGUAGES = ["en", "es"]
    return request.param


def walk(client, path: dict[str, dict], language: str = "en") -> dict[str, int]:
    """Answer each page the server leads to, and each section of the task list in its order; the count
    of questions of each page shown."""
    counts: dict[str, int] = {}
    client.post(reverse("screening:language"), {"language": language})
    url = client.post(reverse("screening:begin")).url
    while url != reverse("screening:check"):
        assert url != reverse("screening:safety-advice"), (
            "safety advice on a path without red flags"
        )
        if url == reverse("screening:tasks"):
            rows = client.get(url).context["rows"]
            todo = [row for row in rows if row["status"] != "completed"]
            url = todo[0]["url"] if todo else reverse("screening:check")
            continue
        slug = url.strip("/").split("/")[-1]
        page = client.get(url)
        assert page.status_code == 200, slug
        assert f'<html lang="{language}">' in page.content.decode(), slug
        form = page.context["form"]
        data = path[slug]
        response = client.post(url, {**data, "action": "continue"})
        assert response.status_code == 302, (slug, response.context["form"].errors)
        url = response.url
        # Count what the page showed for what was answered (a revealed follow-up counts when revealed)
        posted = PageForm(data, page=form.page, stored=form.stored, today=form.today)
        assert posted.is_valid(), posted.errors
        answers = {**form.stored, **posted.answers}
        counts[slug] = units(form, answers)
        for q in form.questions:
            if question_shown(q, answers, context(answers, form.today)):
                assert f'name="{q.key}' in page.content.decode(), (slug, q.key)
    return counts


@pytest.mark.parametrize("language", ["en", "es"], indirect=True)
def test_a_typical_candidate_is_asked_at_most_80_questions(client, default_rules, language):
    counts = walk(client, TYPICAL, language)
    assert "treatment-facet-steroid" in counts and "block-2" in counts and "function" in counts
    assert sum(counts.values()) <= 80, counts
    assert max(counts.values()) <= 8, counts


@pytest.mark.parametrize("language", ["en", "es"], indirect=True)
def test_under_3_months_of_pain_and_no_treatment_is_at_most_50_questions(
    client, default_rules, language
):
    counts = walk(client, SHORT, language)
    assert "treatment-nsaids" not in counts and "blocks" not in counts
    assert "function" not in counts and "outlook" not in counts  # daily life: from 3 months on
    assert sum(counts.values()) <= 50, counts
    assert max(counts.values()) <= 8, counts


def test_no_page_can_show_more_than_8_questions():
    """Whatever the answers: every question of a page shown at once, consents as one group."""
    for page in PAGES:
        asked = [q for q in page.questions if q.kind != Kind.FILE]
        consents = [q for q in asked if q.kind == Kind.CONSENT]
        assert len(asked) - len(consents) + bool(consents) <= 8, page.slug


def test_the_consents_are_one_group_of_boxes_under_one_legend(patient):
    patient.fill(upto="consent")
    html = patient.client.get(reverse("screening:page", args=["consent"])).content.decode()
    groups = re.findall(r'<fieldset\s+class="fc-group"\s*>(.*?)</fieldset>', html, re.S)
    assert len(groups) == 1
    assert "<legend>Before you send your answers, tick each box to confirm</legend>" in groups[0]
    assert groups[0].count('type="checkbox"') == 5
