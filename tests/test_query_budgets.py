"""Query budgets of the patient's pages: the start, every intake step (shown, sent with errors, saved),
check your answers, the submission and the receipt. Each budget is a fixed number of queries, whatever
the patient answered and however many pages and answers the intake holds.

Queries are counted as the test database sees them: the SAVEPOINT and RELEASE of each write's
transaction count, since tests run inside a transaction (in production they are one BEGIN and COMMIT,
which Django does not count). The per-process caches (the compiled ruleset, the questions the red-flag
rules read) are warm, as in a server that has run a while.
"""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from screening import clock
from screening.intake import services
from screening.intake.catalogue import PAGES, TREATMENTS, Kind, page_by_slug
from screening.intake.models import Intake
from screening.intake.page_forms import PageForm
from screening.intake.selectors import load_answers
from screening.rules import rulesets
from tests.intake_data import EVERY_PAGE, FULL_INTAKE
from tests.personas import Patient

pytestmark = pytest.mark.django_db

LAST_YEAR = str(date.today().year - 1)

# --- the budgets ----------------------------------------------------------------------------------
# A page shown from the draft: the session, the draft with its identity row, its consents.
PAGE = 3
# A page sent is read and saved in one transaction (2): the session, the draft locked with its identity
# row (services.intake_post_page), its consents. With errors: nothing written, nothing counted against
# the hourly limit.
PAGE_WITH_ERRORS = 2 + 3
# A page saved: the same, the page counted against the draft's hourly limit (one UPDATE), the published
# ruleset's number (1), the draft written (1).
PAGE_SAVE = 2 + 3 + 1 + 1 + 1
IDENTITY_WRITE = 1  # a page that asks for names, date of birth or contact details
# A page that a red-flag rule reads screens the draft: a savepoint around the screening (2), the result
# stored, the case's outcome read and the case (if any) updated.
DRAFT_SCREENING = 2 + 3
CONSENT_WRITE = 2  # the consents held, and one INSERT of those given
# The first save of a draft makes its hourly window (an INSERT, the UPDATE again).
FIRST_SAVE = 2
RESUME_CODE = 1  # "Save and come back later": the code's hash stored
# The start page: nothing for a new visitor; with a draft to continue, the reads of a page.
START_NEW, START_WITH_DRAFT = 0, PAGE
# "Start now": the address's hourly window made (3), the draft and its identity row (4 in a savepoint),
# the new session (a key not yet used, and its row in a savepoint: 4).
BEGIN = 3 + 4 + 4
CHECK = PAGE
# Sending: the session and the draft; the address's hourly window made (3); in one transaction (2) the
# draft read again locked with its consents (2), frozen (1); the published ruleset read in the screening's
# savepoint (2 + 1), the result stored (1), the case's outcome read (1); the case made in savepoints
# (2 + 2): read (1), inserted (1).
SUBMIT = 2 + 3 + 2 + 2 + 1 + 2 + 1 + 1 + 1 + 4 + 1 + 1
RECEIPT = 2  # the session and the draft (with its identity row)
# A page that asks for scan reports (issue 19): shown, it lists the files attached (1); sent, it reads the
# draft for the files that came with it (1), and lists them again only when shown again with errors
FILES_LISTED, FILES_RECEIVED = 1, 1
SAFETY_ADVICE = 3  # the session, the draft, its latest screening (the red-flag rules' own messages)


def page_path(slug: str) -> str:
    return reverse("screening:page", args=[slug])


def save_budget(slug: str, *, first: bool = False) -> int:
    """What saving this page may cost, from what it asks."""
    page = page_by_slug(slug)
    keys = {q.key for q in page.questions}
    budget = PAGE_SAVE
    if any(q.kind == Kind.FILE for q in page.questions):
        budget += FILES_RECEIVED
    if any(q.identifying for q in page.questions):
        budget += IDENTITY_WRITE
    if keys & rulesets.urgent_facts(rulesets.latest_version()):
        budget += DRAFT_SCREENING
    if any(q.kind == Kind.CONSENT for q in page.questions):
        budget += CONSENT_WRITE
    return budget + (FIRST_SAVE if first else 0)


@pytest.fixture
def warm(default_rules):
    """Fill the per-process caches as a running server has them: one page saved that screens a draft."""
    elsewhere = Patient(Client(REMOTE_ADDR="192.0.2.200"))
    elsewhere.begin()
    assert elsewhere.post_page("about-you").status_code == 302


# --- the start and "Start now" ------------------------------------------------------------------------
def test_the_start_page_and_starting(warm, patient, django_assert_max_num_queries):
    with django_assert_max_num_queries(START_NEW, info="the start page, new visitor"):
        assert patient.client.get(reverse("screening:start")).status_code == 200
    with django_assert_max_num_queries(BEGIN, info="Start now"):
        assert patient.begin().url == page_path("about-you")
    with django_assert_max_num_queries(START_WITH_DRAFT, info="the start page, with a draft"):
        assert patient.client.get(reverse("screening:start")).status_code == 200
    with django_assert_max_num_queries(PAGE, info="Start now again: carry on with the draft"):
        assert patient.begin().url == page_path("about-you")


# --- every step of the intake --------------------------------------------------------------------
def test_every_step_shown_refused_and_saved(warm, patient, django_assert_max_num_queries):
    patient.begin()
    for index, (slug, data) in enumerate(FULL_INTAKE.items()):
        shown = PAGE + (FILES_LISTED if slug == "imaging" else 0)
        with django_assert_max_num_queries(shown, info=f"{slug}: shown"):
            assert patient.client.get(page_path(slug)).status_code == 200
        if index == 0:
            with django_assert_max_num_queries(PAGE_WITH_ERRORS, info=f"{slug}: with errors"):
                refused = patient.post_page(slug, {})
            assert refused.status_code == 200 and refused.context["form"].errors
        with django_assert_max_num_queries(
            save_budget(slug, first=index == 0), info=f"{slug}: saved"
        ):
            assert patient.post_page(slug, data).status_code == 302


def test_save_and_come_back_later(warm, patient, django_assert_max_num_queries):
    patient.fill(upto="pain-where")
    budget = save_budget("pain-where") + RESUME_CODE
    with django_assert_max_num_queries(budget, info="pain-where: saved for later"):
        response = patient.post_page("pain-where", action="save")
    assert response.status_code == 200 and "Your resume code" in response.content.decode()


def test_the_height_and_weight_check_and_the_safety_advice(
    warm, patient, django_assert_max_num_queries
):
    patient.fill(upto="height-and-weight")
    unusual = {**FULL_INTAKE["height-and-weight"], "height_cm": "212", "weight_kg": "45"}
    assert patient.post_page("height-and-weight", unusual).url == reverse("screening:check-body")
    with django_assert_max_num_queries(PAGE, info="the height and weight check"):
        assert patient.client.get(reverse("screening:check-body")).status_code == 200
    patient.post_page("height-and-weight")
    for slug in ("pain-where", "pain-how"):
        patient.post_page(slug)
    red_flag = {**FULL_INTAKE["safety"], "saddle_numbness": "yes"}
    assert patient.post_page("safety", red_flag).url == reverse("screening:safety-advice")
    with django_assert_max_num_queries(SAFETY_ADVICE, info="the safety advice"):
        assert patient.client.get(reverse("screening:safety-advice")).status_code == 200


# --- check your answers, sending, the receipt ------------------------------------------------------
def test_check_submit_and_receipt(warm, patient, django_assert_max_num_queries):
    patient.fill()
    with django_assert_max_num_queries(CHECK, info="check your answers"):
        assert patient.client.get(reverse("screening:check")).status_code == 200
    with django_assert_max_num_queries(SUBMIT, info="send"):
        assert patient.submit().url == reverse("screening:receipt")
    with django_assert_max_num_queries(RECEIPT, info="the receipt"):
        assert patient.client.get(reverse("screening:receipt")).status_code == 200


# --- the same cost however long the intake -----------------------------------------------------------
_REPEATED = ("treatment-", "block")  # the pages there are more of with more treatments and blocks


def _every_treatment() -> dict[str, dict]:
    """Every treatment tried, each with its details, and as many blocks as there can be."""
    return {
        slug: data
        for slug, data in EVERY_PAGE.items()
        if slug == "treatments" or slug.startswith(_REPEATED)
    }


def _few_treatments() -> dict[str, dict]:
    return {
        "treatments": {"treatments_tried": ["nsaids"]},
        "treatment-nsaids": FULL_INTAKE["treatment-nsaids"],
    }


def _walk(patient: Patient, overrides: dict[str, dict], assert_max) -> dict[str, int]:
    """Fill the intake with these answers, then send it: the queries of each treatment and block page
    (shown and saved), of check your answers and of sending, and how many answers check your answers
    listed."""
    counts = {}
    patient.begin()
    for page in PAGES:
        slug = page.slug
        repeated = slug.startswith(_REPEATED)
        answers = overrides.get(slug) if repeated else overrides.get(slug, FULL_INTAKE.get(slug))
        if answers is None:
            continue  # not asked of this patient
        if repeated:
            with assert_max(PAGE, info=f"{slug}: shown") as shown:
                assert patient.client.get(page_path(slug)).status_code == 200
            with assert_max(save_budget(slug), info=f"{slug}: saved") as saved:
                response = patient.post_page(slug, answers)
            counts |= {f"{slug}: shown": len(shown), f"{slug}: saved": len(saved)}
        else:
            response = patient.post_page(slug, answers)
        assert response.status_code == 302, slug
    with assert_max(CHECK, info="check your answers") as check:
        page = patient.client.get(reverse("screening:check"))
    with assert_max(SUBMIT, info="send") as sent:
        assert patient.submit().url == reverse("screening:receipt")
    counts |= {"check your answers": len(check), "send": len(sent)}
    counts["answers listed"] = sum(len(s["rows"]) for s in page.context["sections"])
    return counts


def test_the_cost_does_not_grow_with_the_answers(warm, django_assert_max_num_queries):
    few = _walk(
        Patient(Client(REMOTE_ADDR="198.51.100.1")),
        _few_treatments(),
        django_assert_max_num_queries,
    )
    many = _walk(
        Patient(Client(REMOTE_ADDR="198.51.100.2")),
        _every_treatment(),
        django_assert_max_num_queries,
    )
    # One treatment, or every one of them with its details and every block (many pages more, and
    # many more answers to check and to screen): the same queries for each page and for sending.
    assert many.pop("answers listed") > few.pop("answers listed") + 2 * len(TREATMENTS)
    assert {k: many[k] for k in ("check your answers", "send")} == {
        k: few[k] for k in ("check your answers", "send")
    }
    for kind in ("shown", "saved"):
        per_page = {v for k, v in many.items() if k.endswith(f": {kind}")}
        assert per_page == {few[f"treatment-nsaids: {kind}"]}, (kind, many)


def test_the_consent_page_costs_the_same_for_one_consent_as_for_all(
    warm, django_assert_max_num_queries
):
    all_given = FULL_INTAKE["consent"]
    one_given = dict(list(all_given.items())[:1])
    counts = []
    for n, given in enumerate((all_given, one_given)):
        patient = Patient(Client(REMOTE_ADDR=f"198.51.100.{10 + n}"))
        patient.fill(upto="consent")
        budget = save_budget("consent") + RESUME_CODE
        with django_assert_max_num_queries(budget, info="consent, saved for later") as saved:
            assert patient.post_page("consent", given, action="save").status_code == 200
        counts.append(len(saved))
    assert counts[0] == counts[1]


def test_a_save_hands_back_the_answers_a_fresh_read_gives(patient):
    """What lets the page not read the draft again after saving it: the service's answers are exact."""
    patient.begin()
    intake_id = patient.client.session["intake_id"]
    withdrawn = {**FULL_INTAKE["consent"]}
    withdrawn.pop("consent_contact")
    steps = [*FULL_INTAKE.items(), ("consent", withdrawn), ("about-you", FULL_INTAKE["about-you"])]
    for slug, data in steps:
        page = page_by_slug(slug)

        def clean(stored, data=data, page=page):
            form = PageForm(
                data, page=page, stored=stored, today=clock.today(), require_answers=False
            )
            assert form.is_valid(), (page.slug, form.errors)
            return form.answers

        post = services.intake_post_page(
            intake_id=intake_id, page=page, clean=clean, within_limit=lambda intake: True
        )
        fresh = Intake.objects.select_related("identity").get(pk=intake_id)
        assert post.saved.answers == load_answers(fresh), slug
    assert "consent_contact" not in post.saved.answers and "consent_costs" in post.saved.answers


@pytest.mark.django_db(transaction=True)  # as a view is, outside any transaction
def test_a_page_refused_by_its_form_or_the_limit_stores_nothing(patient):
    patient.fill(upto="pain-where")
    intake_id = patient.client.session["intake_id"]
    before = load_answers(Intake.objects.get(pk=intake_id))
    page = page_by_slug("pain-where")
    refused = services.intake_post_page(
        intake_id=intake_id, page=page, clean=lambda stored: None, within_limit=lambda i: True
    )
    limited = services.intake_post_page(
        intake_id=intake_id,
        page=page,
        clean=lambda stored: {"pain_months": 99},
        within_limit=lambda intake: False,
    )
    assert refused.saved is None and limited.saved is None and limited.over_limit
    assert load_answers(Intake.objects.get(pk=intake_id)) == before
