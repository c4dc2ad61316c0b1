"""Four eyes on staff accounts, in Chromium: one clinic admin asks for a new coordinator account, a second
approves it and alone is shown the setup code. Each page passes axe and fits a phone's width."""

import re

import django.apps
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, User

from screening.staff.models import ApprovalRequest
from screening.staff.roles import ensure_groups
from tests.browser.helpers import assert_clean_console, authenticator_code, enter_second_factor

pytestmark = pytest.mark.browser
PASSWORD = "a-long-password-for-tests"
AXE = Axe()


def _clinic_admin(username: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Clinic admin"))
    authenticator_code(user)  # the account has an authenticator app
    return user


def _sign_in(page, server: str, user: User) -> None:
    page.goto(server + "/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    enter_second_factor(page, user)


def _check(page, width: int) -> None:
    results = AXE.run(page)
    assert not results.violations_count, results.generate_report()
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width}px"


@pytest.mark.parametrize("width", [375, 1280])
def test_a_clinic_admin_asks_for_an_account_and_a_second_approves_it(
    page, browser, server, console, width
):
    ensure_groups(django.apps.apps)  # the live server's database is flushed between tests
    morgan, avery = _clinic_admin("morgan"), _clinic_admin("avery")
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, server, morgan)

    page.goto(server + "/admin/auth/user/add/")
    _check(page, width)
    with page.expect_navigation():
        page.get_by_role("button", name="Send for approval").click()
    assert "Enter their e-mail address" in page.inner_text("#content")  # next to its field
    # The form came back with 400, as refused forms do; Chromium logs that status as an error.
    console.entries = [e for e in console.entries if "status of 400" not in e.text]
    page.get_by_label("Username").fill("dana")
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Lee")
    page.get_by_label("E-mail address").fill("dana@clinic.example")
    page.get_by_label("Coordinator").check()
    page.get_by_label("Note for the approver").fill("Starts on Monday")
    with page.expect_navigation():
        page.get_by_role("button", name="Send for approval").click()
    assert "Sent for approval: Create the staff account dana" in page.inner_text("body")
    assert "another clinic admin must approve or refuse it" in page.inner_text("#content")
    assert page.get_by_role("button", name="Approve").count() == 0
    _check(page, width)

    approver_context = browser.new_context(viewport={"width": width, "height": 900})
    approver = console.watch(approver_context.new_page())
    _sign_in(approver, server, avery)
    approver.goto(
        server + f"/admin/screening/approvalrequest/{ApprovalRequest.objects.get().pk}/change/"
    )
    assert "Create the staff account dana for Dana Lee" in approver.inner_text("#approval-lines")
    _check(approver, width)
    approver.get_by_label("Comment").fill("Checked with the practice manager")
    with approver.expect_navigation():
        approver.get_by_role("button", name="Approve").click()
    code = approver.inner_text("#setup-code")
    assert re.fullmatch(r"[a-z0-9]{8}", code)
    _check(approver, width)
    approver_context.close()

    dana = User.objects.get(username="dana")
    assert [g.name for g in dana.groups.all()] == ["Coordinator"]
    page.goto(server + f"/admin/auth/user/{dana.pk}/change/")
    table = page.inner_text("#account-approvals")
    assert "Create a staff account" in table and "avery" in table
    assert code not in page.content()
    assert_clean_console(console)
