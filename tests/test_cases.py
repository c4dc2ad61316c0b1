"""Cases: a submitted intake, or a draft with an urgent red flag, becomes a case ranked by its outcome."""

import pytest
from django.contrib.auth.models import Group

from screening.casework.models import Case
from screening.rules.models import RulesetVersion
from tests.intake_data import FULL_INTAKE

pytestmark = pytest.mark.django_db


def test_a_submitted_intake_becomes_a_new_case_with_its_outcome(patient):
    patient.fill()
    patient.submit()
    case = Case.objects.get(intake=patient.intake)
    assert (case.status, case.outcome, case.tier, case.severity) == (
        "new",
        "specialist_review",
        None,
        10,  # the queue's rank: specialist review, nobody on it yet
    )
    assert case.received_at == patient.intake.submitted_at
    assert case.assignee is None


def test_a_red_flag_draft_becomes_an_urgent_case_before_it_is_sent(patient):
    patient.fill(upto="safety")
    assert not Case.objects.exists()
    patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})
    case = Case.objects.get(intake=patient.intake)
    assert (case.outcome, case.tier, case.severity) == ("urgent", 1, 0)  # first in the queue
    assert not case.intake.is_submitted
    patient.post_page("safety", FULL_INTAKE["safety"])  # the patient corrects the answer
    case.refresh_from_db()
    # Staff could already see it: a withdrawn red flag never lowers the case (issue 17); its timeline
    # says the answer changed (tests/test_safety_advice.py).
    assert case.outcome == "urgent"


def test_a_screening_error_ranks_above_urgent(patient):
    patient.fill()
    RulesetVersion.objects.update(
        content=[
            {
                "key": "x",
                "title": "x",
                "outcome": "urgent",
                "join": "all",
                "conditions": [{"fact": "gone", "op": "is_yes"}],
            }
        ],
        # A version's rules are cached by number and hash: new content, new hash.
        content_hash="changed-by-this-test",
    )
    patient.submit()
    case = Case.objects.get(intake=patient.intake)
    assert (case.outcome, case.severity) == ("screening_error", 0)


def test_the_coordinator_and_clinic_admin_groups_have_exactly_their_permissions(db):
    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    assert codenames("Coordinator") == {
        "view_case",
        "change_case",
        "export_case",
        "add_casenote",
        "view_scanreport",
        "add_treatment",
    }
    # Reads cases and their scan reports, adds notes, records treatments: no changes, no exports
    assert codenames("Specialist") == {
        "view_case",
        "add_casenote",
        "view_scanreport",
        "add_treatment",
    }
    assert codenames("Clinic admin") == {
        "view_user",
        "add_user",
        "change_user",
        "view_group",
        "view_auditevent",
        "view_all_auditevent",
        "view_outgoingemail",
        "view_approvalrequest",
        "approve_account_change",
    }


def test_an_urgent_draft_without_a_way_to_reach_the_patient_is_not_a_case(patient):
    patient.begin()
    patient.post_page("about-you")
    patient.client.post("/intake/contact/", {"action": "save"})
    response = patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})
    assert response.url == "/intake/safety-advice/"  # the patient still sees the advice
    assert not Case.objects.exists()


def test_a_case_keeps_its_top_finding_and_a_folded_surname_for_search(patient):
    patient.fill(overrides={"about-you": {"family_name": "Dąbrowska-Lefèvre"}})
    patient.submit()
    case = Case.objects.select_related("intake__identity").get()
    assert case.top_finding == "Facet pain candidacy signals"
    assert case.intake.identity.family_name_folded == "dabrowska-lefevre"
