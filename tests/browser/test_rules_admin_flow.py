"""A rules admin changes the block relief threshold and count in Django admin (to the consensus alternative:
one block at 50 %), previews the effect on past intakes, publishes, and the next intake is screened by the
new version: in Chromium, end to end."""

import django.apps
import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from screening.casework.models import ScreeningResult
from screening.intake.models import Intake
from screening.rules.models import RuleDraft
from screening.rules.rulesets import rules_load_defaults
from screening.staff.roles import ensure_groups
from tests.browser.helpers import assert_clean_console, authenticator_code, enter_second_factor
from tests.personas import Patient

pytestmark = pytest.mark.browser
PASSWORD = "a-long-password-for-tests"


def _submitted_intake(overrides=None) -> Intake:
    patient = Patient(Client())
    patient.fill(overrides=overrides)
    patient.submit()
    return patient.intake


ONE_BLOCK_AT_60 = {
    "treatment-details": {"mbb_amount": "1"},
    "blocks": {"block_1_relief_percent": "60"},
}


def test_a_rules_admin_changes_threshold_and_block_count_previews_publishes_and_next_intake_uses_it(
    page, server, console
):
    ensure_groups(django.apps.apps)  # the live server's database is flushed between tests
    rules_load_defaults()
    user = User.objects.create_user("rosa", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Rules admin"))
    earlier = _submitted_intake()
    one_block = _submitted_intake(ONE_BLOCK_AT_60)
    assert (
        ScreeningResult.objects.get(intake=earlier, trigger="submit").outcome == "specialist_review"
    )
    assert ScreeningResult.objects.get(intake=one_block, trigger="submit").outcome == "routine"

    authenticator_code(user)  # the account has an authenticator app
    page.goto(server + "/admin/")
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    # A password alone does not open the admin: the second factor is asked for first.
    assert "Enter your code" in page.inner_text("main")
    enter_second_factor(page, user)

    rule = RuleDraft.objects.get(key="sr_facet_candidate")
    page.goto(f"{server}/admin/screening/ruledraft/{rule.pk}/change/")
    facts = [c.fact for c in rule.conditions.all()]
    page.locator(f'[name="conditions-{facts.index("best_block_relief")}-value_text"]').fill("50")
    page.locator(f'[name="conditions-{facts.index("block_count")}-value_text"]').fill("1")
    page.locator(f'[name="conditions-{facts.index("second_best_block_relief")}-DELETE"]').check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert "was changed successfully" in page.inner_text("body")

    with page.expect_navigation():
        page.get_by_role("link", name="Preview the draft").click()
    assert "2 intakes screened with the draft beside v1: 1 would move." in page.inner_text(
        "#preview-summary"
    )
    moves = page.inner_text("#preview-moves")
    assert "routine" in moves and "specialist_review" in moves and one_block.reference in moves
    assert earlier.reference not in moves  # two blocks at 85 % and 80 % stay where they were

    with page.expect_navigation():
        page.get_by_role("link", name="Publish the draft").click()
    page.get_by_label("Note").fill("Consensus alternative: one block at 50 % relief")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish as a new version").click()
    assert "Published the rules as v2." in page.inner_text("body")
    assert "sr_facet_candidate" in page.inner_text("body")  # what changed from v1

    later = _submitted_intake(ONE_BLOCK_AT_60)
    result = ScreeningResult.objects.get(intake=later, trigger="submit")
    assert result.ruleset.number == 2
    assert result.outcome == "specialist_review"  # one block at 60 % now reaches the threshold
    # the earlier result stays as it was
    assert ScreeningResult.objects.get(intake=one_block, trigger="submit").outcome == "routine"
    assert_clean_console(console)
