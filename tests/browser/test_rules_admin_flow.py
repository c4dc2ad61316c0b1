"""Two rules admins in Chromium, end to end: one changes the block relief threshold and count (to the
consensus alternative: one block at 50 %) without typing a code, previews the effect on past intakes (the
moved case listed with the outcomes' labels), finds a test case failing and blocking the submission,
updates its expectation with a reason and submits; the second (a clinician with "Rules approver")
approves, which publishes; the version page says what changed in words, the next intake is screened by
the new version, and a coordinator reads the new requirement in the case's reason."""

import os
from pathlib import Path

import django.apps
import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from screening.casework.models import ScreeningResult
from screening.intake.models import Intake
from screening.rules.models import RuleDraft, RulesetVersion
from screening.rules.rule_tests import load_default_cases
from screening.rules.rulesets import rules_load_defaults
from screening.staff.models import ApprovalRequest
from screening.staff.roles import ensure_groups
from tests.browser.helpers import assert_clean_console, authenticator_code, enter_second_factor
from tests.personas import Patient, run_previews

pytestmark = pytest.mark.browser
PASSWORD = "a-long-password-for-tests"


def _submitted_intake(overrides=None) -> Intake:
    patient = Patient(Client())
    patient.fill(overrides=overrides)
    patient.submit()
    return patient.intake


ONE_BLOCK_AT_60 = {
    "blocks": {"mbb_amount": "1"},
    "block-1": {"block_1_relief_percent": "60"},
}


DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _shoot(page, name: str, selector: str = "", width: int = 1280) -> None:
    """With UPDATE_SCREENSHOTS=1 (`make screenshots`): a screenshot for docs/rules.md, from
    ``selector``'s top."""
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        return
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 812})
    if selector:
        page.locator(selector).first.evaluate("(el) => el.scrollIntoView()")
    else:
        page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(DOCS / f"{name}-{width}.png"), animations="disabled", caret="hide")
    page.set_viewport_size({"width": 1280, "height": 720})


def _sign_in_to_admin(page, server, user) -> None:
    page.goto(server + "/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    # A password alone does not open the admin: the second factor is asked for first.
    assert "Enter your code" in page.inner_text("main")
    enter_second_factor(page, user)


def test_two_rules_admins_change_preview_test_approve_and_the_next_intake_uses_it(
    page, server, console
):
    ensure_groups(django.apps.apps)  # the live server's database is flushed between tests
    rules_load_defaults()
    load_default_cases()
    user = User.objects.create_user("rosa", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Rules admin"))
    approver = User.objects.create_user(
        "idris", password=PASSWORD, is_staff=True, first_name="Idris", email="idris@clinic.example"
    )
    approver.groups.add(*Group.objects.filter(name__in=["Rules admin", "Rules approver"]))
    earlier = _submitted_intake()
    one_block = _submitted_intake(ONE_BLOCK_AT_60)
    assert (
        ScreeningResult.objects.get(intake=earlier, trigger="submit").outcome == "specialist_review"
    )
    assert ScreeningResult.objects.get(intake=one_block, trigger="submit").outcome == "routine"

    authenticator_code(user)  # the account has an authenticator app
    authenticator_code(approver)
    _sign_in_to_admin(page, server, user)

    rule = RuleDraft.objects.get(key="sr_facet_candidate")
    page.goto(f"{server}/admin/screening/ruledraft/{rule.pk}/change/")
    facts = [c.fact for c in rule.conditions.all()]
    page.locator(f'[name="conditions-{facts.index("best_block_relief")}-number"]').fill("50")
    page.locator(f'[name="conditions-{facts.index("block_count")}-number"]').fill("1")
    page.locator(f'[name="conditions-{facts.index("second_best_block_relief")}-DELETE"]').check()
    _shoot(page, "rule-editor", "#conditions-group")
    _shoot(page, "rule-editor", "#conditions-group", width=375)
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert "was changed successfully" in page.inner_text("body")
    # One block is now enough: the rule asking for a confirming block after one good block goes.
    confirming = RuleDraft.objects.get(key="ni_confirming_block")
    page.goto(f"{server}/admin/screening/ruledraft/{confirming.pk}/change/")
    page.get_by_label("Enabled").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert "was changed successfully" in page.inner_text("body")

    with page.expect_navigation():
        page.get_by_role("link", name="Preview the draft").click()
    assert "Screening past intakes with the draft" in page.inner_text("main")
    run_previews()  # the task worker's part
    page.reload()
    assert "2 intakes screened with the draft beside v1: 1 would move." in page.inner_text(
        "#preview-summary"
    )
    main = page.inner_text("main")
    assert "Routine → Specialist review: 1 case" in main and one_block.reference in main
    assert "Facet pain candidacy signals (now)" in main  # the rule that made the difference
    assert earlier.reference not in main  # two blocks at 85 % and 80 % stay where they were
    assert "Number of diagnostic blocks: at least 2 → at least 1" in main
    assert "routine" not in main.replace("Routine", "")  # no outcome codes
    _shoot(page, "rules-preview")

    # A test case now fails, and the submission is refused, naming it.
    assert "1 of " in page.inner_text("#tests-summary")
    with page.expect_navigation():
        page.get_by_role("link", name="Submit the draft to be published").click()
    page.get_by_label("Note").fill("Consensus alternative: one block at 50 % relief")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for approval").click()
    problems = page.inner_text("#publish-problems")
    assert "One block at 80 %: a confirming block is the usual next step" in problems
    assert "expected Needs info, the rules give Specialist review" in problems

    # Its expectation is updated, with a reason.
    page.goto(server + "/admin/screening/ruletestcase/")
    with page.expect_navigation():
        page.get_by_role(
            "link", name="One block at 80 %: a confirming block is the usual next step"
        ).click()
    page.get_by_label("Expected outcome").select_option(label="Specialist review")
    page.get_by_label("A rule that must fire").select_option(
        label="Facet pain candidacy signals (Specialist review)"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert "Say why the expectation changes" in page.inner_text("main")  # next to the field
    page.get_by_label("Why the expectation changes").fill(
        "One block at 50 % is now enough for specialist review (consensus alternative)"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert "was changed successfully" in page.inner_text("body")

    page.goto(server + "/admin/screening/ruledraft/publish/")
    page.get_by_label("Note").fill("Consensus alternative: one block at 50 % relief")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for approval").click()
    assert "Submitted for approval" in page.inner_text("body")
    assert "another rules approver (a clinician) must approve" in page.inner_text("main")

    # The second rules admin, a clinician, approves: that publishes it.
    second = page.context.browser.new_context().new_page()
    console.watch(second)
    _sign_in_to_admin(second, server, approver)
    # The e-mail they are sent links to the request.
    request = ApprovalRequest.objects.get(kind="rules.publish")
    assert request.subject == "after v1"
    second.goto(f"{server}/admin/screening/approvalrequest/{request.pk}/change/")
    lines = second.inner_text("#approval-lines")
    assert (
        "Facet pain candidacy signals: Number of diagnostic blocks: at least 2 → at least 1"
        in lines
    )
    _shoot(second, "rules-approval")
    second.get_by_label("Comment").fill("Agreed at the clinical meeting")
    with second.expect_navigation():
        second.get_by_role("button", name="Approve").click()
    assert "Approved" in second.inner_text("body")
    version = RulesetVersion.objects.get(number=2)
    assert version.approved_by == approver and version.published_by == user
    second.goto(f"{server}/admin/screening/rulesetversion/{version.pk}/change/")
    main = second.inner_text("main")
    assert "Approved by Idris (idris)" in main
    assert "Number of diagnostic blocks: at least 2 → at least 1" in main
    assert "Removed: Second-best block relief: at least 80 %" in main
    assert "'op'" not in main.split("Technical details")[0]
    _shoot(second, "rules-version", "#version-review")

    later = _submitted_intake(ONE_BLOCK_AT_60)
    result = ScreeningResult.objects.get(intake=later, trigger="submit")
    assert result.ruleset.number == 2
    assert result.outcome == "specialist_review"  # one block at 60 % now reaches the threshold
    # the earlier result stays as it was
    assert ScreeningResult.objects.get(intake=one_block, trigger="submit").outcome == "routine"

    # A coordinator reads the later case: its reason gives the requirement now in force.
    casey = User.objects.create_user("casey", password=PASSWORD, first_name="Casey")
    casey.groups.add(Group.objects.get(name="Coordinator"))
    authenticator_code(casey)
    coordinator = page.context.browser.new_context().new_page()
    console.watch(coordinator)
    coordinator.goto(server + "/staff/")
    coordinator.get_by_label("Username").fill("casey")
    coordinator.get_by_label("Password").fill(PASSWORD)
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Sign in").click()
    enter_second_factor(coordinator, casey)
    coordinator.goto(f"{server}/staff/cases/{later.reference}/")
    findings = coordinator.inner_text(".fc-findings")
    assert "Number of diagnostic blocks: at least 1 (has 1)" in findings
    assert "Best block relief: at least 50 % (has 60 %)" in findings
    assert "at least 2" not in findings and "80 %" not in findings
    assert "set the block count" not in coordinator.inner_text(
        "main"
    )  # no rules-admin instructions
    # The earlier one-block case, screened by v1, still says what kept it from review then.
    coordinator.goto(f"{server}/staff/cases/{one_block.reference}/")
    assert "Not met: Best block relief: at least 80 % (has 60 %)" in coordinator.inner_text("main")
    assert_clean_console(console)


def test_a_condition_added_in_the_editor_is_picked_by_its_wording_and_ticked(page, server, console):
    ensure_groups(django.apps.apps)
    rules_load_defaults()
    user = User.objects.create_user("rosa", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Rules admin"))
    authenticator_code(user)
    _sign_in_to_admin(page, server, user)
    rule = RuleDraft.objects.get(key="info_osteoporosis")
    page.goto(f"{server}/admin/screening/ruledraft/{rule.pk}/change/")
    page.get_by_text("Add another Condition").click()
    added = page.locator(".inline-related.dynamic-conditions").last
    added.get_by_label("Question or fact").select_option(
        label="Recent minor fall or injury, with new pain (A minor fall or injury recently, "
        "followed by new pain?)"
    )
    added.get_by_label("Condition").select_option(label="is one of (tick them)")
    assert not added.get_by_label("Number").is_visible()  # only the value that fits shows
    added.get_by_label("Yes").check()
    added.get_by_label("Not sure").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert "was changed successfully" in page.inner_text("body")
    values = {c.fact: c.value for c in rule.conditions.all()}
    assert values["minor_fall"] == ["yes", "not_sure"]
    assert_clean_console(console)
