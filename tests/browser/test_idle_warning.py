"""Before an idle sign-out the staff page warns, and "Stay signed in" keeps the session without leaving
the page, so a half-typed note is not lost. In Chromium."""

import django.apps
import pytest
from django.contrib.auth.models import Group, User

from screening.staff.roles import ensure_groups
from tests.browser.helpers import assert_clean_console, authenticator_code, enter_second_factor

pytestmark = pytest.mark.browser
PASSWORD = "a-long-password-for-tests"


def test_the_warning_comes_before_the_idle_sign_out_and_keeps_what_was_typed(
    page, server, console, settings
):
    settings.STAFF_IDLE_MINUTES = 1  # the warning shows 2 minutes before: here at once
    ensure_groups(django.apps.apps)
    user = User.objects.create_user("casey", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Coordinator"))
    authenticator_code(user)
    page.goto(server + "/staff/")
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    enter_second_factor(page, user)

    search = page.get_by_label("Reference or surname")
    search.fill("half-typed")
    warning = page.get_by_role("alertdialog")
    warning.wait_for(state="visible", timeout=5_000)
    assert "You will be signed out in 2 minutes" in warning.inner_text()
    with page.expect_response("**/staff/session/keep-alive/") as answer:
        page.get_by_role("button", name="Stay signed in").click()
    assert answer.value.status == 204
    assert search.input_value() == "half-typed"  # still on the page, nothing lost
    assert page.url.endswith("/staff/")
    assert_clean_console(console)
