"""A rules admin changes the block relief threshold and count in Django admin, previews the effect on past
intakes, publishes, and the next intake is screened by the new version: in Chromium, end to end."""

import django.apps
import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from screening.models import Intake, RuleDraft, ScreeningResult
from screening.roles import ensure_groups
from screening.rules.store import rules_load_defaults
from tests.browser.helpers import assert_clean_console
from tests.conftest import Patient

pytestmark = pytest.mark.browser
PASSWORD = "a-long-password-for-tests"


def _submitted_intake() -> Intake:
    patient = Patient(Client())
    patient.fill()
    patient.submit()
    return patient.intake


def test_a_rules_admin_changes_the_threshold_previews_publishes_and_the_next_intake_uses_it(
    page, server, console
):
    ensure_groups(django.apps.apps)  # the live server's database is flushed between tests
    rules_load_defaults()
    user = User.objects.create_user("rosa", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Rules admin"))
    earlier = _submitted_intake()
    assert (
        ScreeningResult.objects.get(intake=earlier, trigger="submit").outcome == "specialist_review"
    )

    page.goto(server + "/admin/")
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()

    rule = RuleDraft.objects.get(key="sr_facet_candidate")
    page.goto(f"{server}/admin/screening/ruledraft/{rule.pk}/change/")
    facts = [c.fact for c in rule.conditions.all()]
    page.locator(f'[name="conditions-{facts.index("best_block_relief")}-value_text"]').fill("90")
    page.locator(f'[name="conditions-{facts.index("second_best_block_relief")}-value_text"]').fill(
        "90"
    )
    page.locator(f'[name="conditions-{facts.index("block_count")}-value_text"]').fill("1")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert "was changed successfully" in page.inner_text("body")

    with page.expect_navigation():
        page.get_by_role("link", name="Preview the draft").click()
    assert "1 intake screened with the draft beside v1: 1 would move." in page.inner_text(
        "#preview-summary"
    )
    moves = page.inner_text("#preview-moves")
    assert "specialist_review" in moves and "routine" in moves and earlier.reference in moves

    with page.expect_navigation():
        page.get_by_role("link", name="Publish the draft").click()
    page.get_by_label("Note").fill("Block relief threshold 90%, one block enough")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish as a new version").click()
    assert "Published the rules as v2." in page.inner_text("body")
    assert "sr_facet_candidate" in page.inner_text("body")  # what changed from v1

    later = _submitted_intake()
    result = ScreeningResult.objects.get(intake=later, trigger="submit")
    assert result.ruleset.number == 2
    assert result.outcome == "routine"  # 85% and 80% no longer reach 90%
    assert (
        ScreeningResult.objects.get(intake=earlier, trigger="submit").ruleset.number == 1
    )  # history kept
    assert_clean_console(console)
