"""axe on every rules page of the admin, as a rules admin and a rules approver reach them, at 1280 px, and no
page-level sideways scrolling at 375 px (wide tables scroll inside their own box): the sign-in page, the
rule list, the editor, the preview, the publish page, the test cases, the approval and a version."""

import django.apps
import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from screening.rules import publishing
from screening.rules.models import ConditionDraft, RuleDraft, RulesetVersion, RuleTestCase
from screening.rules.rule_tests import load_default_cases
from screening.rules.rulesets import rules_load_defaults
from screening.staff.roles import ensure_groups
from tests.browser.helpers import assert_clean_console, authenticator_code, enter_second_factor
from tests.browser.test_accessibility import Audit
from tests.personas import Patient, run_previews

pytestmark = pytest.mark.browser
PASSWORD = "a-long-password-for-tests"
WIDE, PHONE = 1280, 375


def _sign_in(page, server, user) -> None:
    page.goto(server + "/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    enter_second_factor(page, user)


def _phone_audit(page, label: str) -> list[str]:
    page.set_viewport_size({"width": PHONE, "height": 800})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    page.set_viewport_size({"width": WIDE, "height": 900})
    return (
        []
        if width <= PHONE
        else [f"--- {label} ({page.url}) scrolls sideways at {PHONE}px: {width}"]
    )


def test_every_rules_admin_page_passes_axe_and_does_not_scroll_sideways_on_a_phone(
    page, server, console
):
    ensure_groups(django.apps.apps)
    rules_load_defaults()
    load_default_cases()
    patient = Patient(Client())
    patient.fill()
    patient.submit()
    rosa = User.objects.create_user("rosa", password=PASSWORD, is_staff=True)
    rosa.groups.add(Group.objects.get(name="Rules admin"))
    idris = User.objects.create_user("idris", password=PASSWORD, is_staff=True)
    idris.groups.add(*Group.objects.filter(name__in=["Rules admin", "Rules approver"]))
    for user in (rosa, idris):
        authenticator_code(user)
    ConditionDraft.objects.filter(rule__key="info_bmi_over_40").update(value=42)
    publishing.submit(actor=rosa, note="BMI 42", rescreen=False)
    request = publishing.waiting()

    page.set_viewport_size({"width": WIDE, "height": 900})
    audit = Audit(page, WIDE)
    phone: list[str] = []
    page.goto(server + "/admin/login/")
    assert page.get_by_role("heading", level=1).count() == 1
    audit("admin sign-in")
    phone += _phone_audit(page, "admin sign-in")
    _sign_in(page, server, idris)
    rule = RuleDraft.objects.get(key="sr_facet_candidate")
    case = RuleTestCase.objects.order_by("name").first()
    pages = {
        "rule list": "/admin/screening/ruledraft/",
        "rule editor": f"/admin/screening/ruledraft/{rule.pk}/change/",
        "new rule": "/admin/screening/ruledraft/add/",
        "preview (running)": "/admin/screening/ruledraft/preview/",
        "preview": "/admin/screening/ruledraft/preview/",
        "publish": "/admin/screening/ruledraft/publish/",
        "test cases": "/admin/screening/ruletestcase/",
        "test case": f"/admin/screening/ruletestcase/{case.pk}/change/",
        "new test case": "/admin/screening/ruletestcase/add/",
        "approval": f"/admin/screening/approvalrequest/{request.pk}/change/",
        "versions": "/admin/screening/rulesetversion/",
        "version": f"/admin/screening/rulesetversion/{RulesetVersion.objects.get().pk}/change/",
    }
    for label, path in pages.items():
        if label == "preview":
            run_previews()
        page.goto(server + path)
        audit(label)
        phone += _phone_audit(page, label)
    failures = audit.failures + phone
    assert not failures, "\n".join(failures)
    assert_clean_console(console)
