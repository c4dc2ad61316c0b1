"""Four eyes on the rules: a rules admin submits the draft, a different rules approver approves (which
publishes) or sends it back; test cases guard the submission; an edit voids a waiting approval; the
version says how it was published. And the test cases themselves: copies without identity, the defaults,
a changed expectation with a reason, and manage.py test_rules."""

import html
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from screening.rules import rule_tests
from screening.rules.models import ConditionDraft, RulesetVersion, RuleTestCase
from screening.staff.models import ApprovalRequest, AuditEvent

pytestmark = pytest.mark.django_db

PUBLISH = reverse("admin:screening_ruledraft_publish")


def _decide(client, approval, decision, comment=""):
    return client.post(
        reverse("admin:screening_approvalrequest_decide", args=[approval.pk]),
        {"decision": decision, "comment": comment, "content_hash": approval.content_hash},
    )


def _lower_bmi_threshold():
    ConditionDraft.objects.filter(rule__key="info_bmi_over_40").update(value=45)


@pytest.fixture
def test_cases(default_rules):
    return rule_tests.load_default_cases()[0]


def test_the_default_test_cases_one_per_clinical_bullet_pass_on_the_default_rules(test_cases):
    assert test_cases >= 40
    out = io.StringIO()
    call_command("test_rules", stdout=out)
    assert f"All {test_cases} test cases pass on v1." in out.getvalue()
    names = set(RuleTestCase.objects.values_list("source", flat=True))
    assert any(n.startswith("clinical.md 1") for n in names)
    assert any(n.startswith("clinical.md 3a") for n in names)


def test_test_rules_fails_naming_the_case_a_draft_breaks(test_cases):
    _lower_bmi_threshold()
    call_command("test_rules")  # the published version still passes
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"1 of .* test cases fail on the draft"):
        call_command("test_rules", "--draft", stderr=err)
    assert "FAIL BMI over 40: informational: rule info_bmi_over_40 must fire and does not" in (
        err.getvalue()
    )


def test_a_rules_admin_submits_and_a_second_person_approves_which_publishes(
    rules_admin, rules_approver, mailoutbox, settings
):
    _lower_bmi_threshold()
    response = rules_admin.post(PUBLISH, {"note": "BMI threshold 45", "rescreen": ""})
    approval = ApprovalRequest.objects.get(kind="rules.publish")
    assert response.url == reverse("admin:screening_approvalrequest_change", args=[approval.pk])
    assert RulesetVersion.objects.count() == 1  # nothing published yet
    # The person who asked cannot approve it.
    _decide(rules_admin, approval, "approve")
    assert ApprovalRequest.objects.get(pk=approval.pk).state == "pending"
    # The approver reads the change in words, with the preview and the test cases one click away.
    page = html.unescape(rules_approver.get(response.url).content.decode())
    assert "BMI: more than 40 → more than 45" in page
    assert "Preview: which past cases would move" in page
    _decide(rules_approver, approval, "approve", "Agreed with the clinical lead")
    version = RulesetVersion.objects.get(number=2)
    assert version.review == "approved" and version.approved_by.username == "idris"
    assert version.published_by.username == "rosa" and version.note == "BMI threshold 45"
    page = html.unescape(
        rules_admin.get(
            reverse("admin:screening_rulesetversion_change", args=[version.pk])
        ).content.decode()
    )
    assert "Approved by idris" in page and "BMI: more than 40 → more than 45" in page
    assert AuditEvent.objects.filter(action="approval.approve", object_type="ruleset").exists()


def test_the_approvers_are_told_by_email(rules_admin, rules_approver, mailoutbox, settings):
    from screening.casework.models import OutgoingEmail

    _lower_bmi_threshold()
    rules_admin.post(PUBLISH, {"note": "BMI threshold 45"})
    email = OutgoingEmail.objects.get(kind="approval")
    from screening.staff.account_emails import message

    sent = message(email)
    assert sent.bcc == ["idris@clinic.example"]
    assert "BMI: more than 40 → more than 45" in sent.body


def test_an_edit_after_submission_voids_the_approval(rules_admin, rules_approver):
    _lower_bmi_threshold()
    rules_admin.post(PUBLISH, {"note": "BMI threshold 45"})
    approval = ApprovalRequest.objects.get(kind="rules.publish")
    listing = rules_admin.get(reverse("admin:screening_ruledraft_changelist")).content.decode()
    assert "Any edit now voids that submission" in listing  # said before anyone edits
    ConditionDraft.objects.filter(rule__key="info_bmi_over_40").update(value=50)
    url = reverse("admin:screening_approvalrequest_change", args=[approval.pk])
    page = rules_approver.get(url).content.decode()
    assert "The draft has changed since it was submitted" in page  # before the approver decides
    _decide(rules_approver, approval, "approve")
    assert ApprovalRequest.objects.get(pk=approval.pk).state == "void"
    assert RulesetVersion.objects.count() == 1


def test_sending_it_back_needs_a_comment_and_publishes_nothing(rules_admin, rules_approver):
    _lower_bmi_threshold()
    rules_admin.post(PUBLISH, {"note": "BMI threshold 45"})
    approval = ApprovalRequest.objects.get(kind="rules.publish")
    assert _decide(rules_approver, approval, "refuse").status_code == 400
    _decide(rules_approver, approval, "refuse", "Keep 40: it is the seed's value")
    assert ApprovalRequest.objects.get(pk=approval.pk).state == "refused"
    assert RulesetVersion.objects.count() == 1


def test_a_failing_test_case_blocks_the_submission_naming_it_until_its_expectation_changes(
    rules_admin, test_cases
):
    _lower_bmi_threshold()
    refused = rules_admin.post(PUBLISH, {"note": "BMI threshold 45"})
    assert refused.status_code == 200
    body = html.unescape(refused.content.decode())
    assert "test case “BMI over 40: informational” fails: rule info_bmi_over_40 must fire" in body
    assert not ApprovalRequest.objects.exists()
    case = RuleTestCase.objects.get(name="BMI over 40: informational")
    url = reverse("admin:screening_ruletestcase_change", args=[case.pk])
    form = {
        "name": case.name,
        "expected_outcome": "specialist_review",
        "must_fire": "",
        "must_not_fire": "info_bmi_over_40",
        "expectation_reason": "",
    }
    no_reason = rules_admin.post(url, form)
    assert "Say why the expectation changes" in no_reason.content.decode()
    rules_admin.post(url, form | {"expectation_reason": "BMI 44 is below the new threshold of 45"})
    case.refresh_from_db()
    assert case.must_not_fire == "info_bmi_over_40"
    assert case.expectation_reason == "BMI 44 is below the new threshold of 45"
    event = AuditEvent.objects.get(action="rule_test.expectation")
    assert event.detail["reason"] == case.expectation_reason
    rules_admin.post(PUBLISH, {"note": "BMI threshold 45"})
    assert ApprovalRequest.objects.filter(kind="rules.publish", state="pending").exists()


def test_a_test_case_copied_from_a_case_has_no_identity_free_text_or_dates_and_goes_with_it(
    rules_admin, patient
):
    patient.fill()
    patient.submit()
    intake = patient.intake
    response = rules_admin.post(
        reverse("admin:screening_ruletestcase_add"),
        {
            "name": "The typical candidate from the clinic",
            "reference": intake.reference.lower(),
            "expected_outcome": "specialist_review",
            "must_fire": "sr_facet_candidate",
            "must_not_fire": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = RuleTestCase.objects.get()
    stored = json.dumps(case.answers)
    assert "Quarrington" not in stored and "Zelda" not in stored and "@" not in stored
    assert "medicines" not in case.answers and "hopes" not in case.answers
    assert all(
        not (isinstance(v, str) and len(v) == 7 and v[4] == "-") for v in case.answers.values()
    )
    assert case.age is not None and case.source == f"case {intake.reference}"
    assert rule_tests.run_draft()[0].passed
    intake.delete()  # as the retention purge deletes a closed case's intake
    assert not RuleTestCase.objects.exists()


def test_a_test_case_from_an_intake_file_and_clear_errors_for_a_bad_one(rules_admin, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("admin:screening_ruletestcase_add")
    form = {"name": "From the example file", "expected_outcome": "specialist_review"}
    with open(settings.BASE_DIR / "docs" / "examples" / "specialist_review.json", "rb") as f:
        good = SimpleUploadedFile("intake.json", f.read(), "application/json")
    bad = SimpleUploadedFile("notes.json", b"not json", "application/json")
    refused = rules_admin.post(url, form | {"intake_file": bad})
    assert "This file is not JSON" in refused.content.decode()
    neither = rules_admin.post(url, form)
    assert "Enter a case&#x27;s reference, or upload an intake file" in neither.content.decode()
    assert rules_admin.post(url, form | {"intake_file": good}).status_code == 302
    assert rule_tests.run_draft()[0].passed


def test_a_clinic_admin_does_not_read_rules_requests_nor_a_rules_approver_account_ones(
    rules_admin, rules_approver, clinic_admin
):
    _lower_bmi_threshold()
    rules_admin.post(PUBLISH, {"note": "BMI threshold 45"})
    listing = reverse("admin:screening_approvalrequest_changelist")
    assert "Publish the draft rules" not in clinic_admin.get(listing).content.decode()
    assert "Publish the draft rules" in rules_approver.get(listing).content.decode()


def test_with_one_rules_admin_the_version_says_it_had_no_second_review(rules_admin, settings):
    settings.RULES_NEED_SECOND_PERSON = False
    _lower_bmi_threshold()
    response = rules_admin.post(PUBLISH, {"note": "BMI threshold 45"})
    version = RulesetVersion.objects.get(number=2)
    assert version.review == "alone"
    page = rules_admin.get(response.url).content.decode()
    assert "Published without a second review" in page


def test_a_rules_approver_reads_the_rules_pages_but_cannot_edit_submit_or_restore(default_rules):
    from screening.rules.models import RuleDraft
    from tests.personas import signed_in, staff_member

    approver = signed_in(staff_member("ana", "Rules approver", is_staff=True))
    rule = RuleDraft.objects.get(key="sr_facet_candidate")
    version = RulesetVersion.objects.get()
    for url in (
        reverse("admin:screening_ruledraft_changelist"),
        reverse("admin:screening_ruledraft_change", args=[rule.pk]),
        reverse("admin:screening_ruledraft_preview"),
        reverse("admin:screening_ruletestcase_changelist"),
        reverse("admin:screening_rulesetversion_change", args=[version.pk]),
    ):
        assert approver.get(url).status_code == 200, url
    assert approver.get(PUBLISH).status_code == 403
    restore = reverse("admin:screening_rulesetversion_restore", args=[version.pk])
    assert approver.post(restore, {"reason": "x"}).status_code == 403
    page = approver.get(reverse("admin:screening_ruledraft_change", args=[rule.pk]))
    assert 'name="_save"' not in page.content.decode()  # read only
    assert RulesetVersion.objects.count() == 1


def test_an_edit_in_the_admin_voids_a_waiting_submission_at_once_and_it_can_be_submitted_again(
    rules_admin, rules_approver
):
    from screening.rules.models import RuleDraft

    _lower_bmi_threshold()
    rules_admin.post(PUBLISH, {"note": "BMI threshold 45"})
    approval = ApprovalRequest.objects.get(kind="rules.publish")
    rule = RuleDraft.objects.get(key="info_osteoporosis")
    rules_admin.post(
        reverse("admin:screening_ruledraft_changelist"),
        {"action": "disable_rules", "_selected_action": [rule.pk]},
    )
    approval.refresh_from_db()
    assert approval.state == "void" and "changed after it was submitted" in approval.comment
    rules_admin.post(PUBLISH, {"note": "BMI threshold 45, osteoporosis off"})
    assert ApprovalRequest.objects.filter(kind="rules.publish", state="pending").count() == 1


def test_nobody_approves_a_draft_they_edited_since_the_version_it_builds_on(
    rules_admin, rules_approver
):
    from screening.rules.models import RuleDraft

    rule = RuleDraft.objects.get(key="info_osteoporosis")
    rules_approver.post(  # the approver edits the draft...
        reverse("admin:screening_ruledraft_changelist"),
        {"action": "disable_rules", "_selected_action": [rule.pk]},
    )
    rules_admin.post(PUBLISH, {"note": "Osteoporosis off"})  # ...a colleague submits it
    approval = ApprovalRequest.objects.get(kind="rules.publish", state="pending")
    page = rules_approver.get(
        reverse("admin:screening_approvalrequest_change", args=[approval.pk])
    ).content.decode()
    assert 'name="decision"' not in page
    _decide(rules_approver, approval, "approve")
    assert RulesetVersion.objects.count() == 1


def test_the_approver_reads_the_test_cases_changed_since_the_base_version(
    rules_admin, rules_approver, test_cases
):
    _lower_bmi_threshold()
    case = RuleTestCase.objects.get(name="BMI over 40: informational")
    url = reverse("admin:screening_ruletestcase_change", args=[case.pk])
    rules_admin.post(
        url,
        {
            "name": case.name,
            "expected_outcome": "specialist_review",
            "must_fire": "",
            "must_not_fire": "info_bmi_over_40",
            "expectation_reason": "BMI 44 is below the new threshold",
        },
    )
    rules_admin.post(PUBLISH, {"note": "BMI threshold 45"})
    approval = ApprovalRequest.objects.get(kind="rules.publish", state="pending")
    # A second rules admin (not an approver) reads it too.
    page = html.unescape(
        rules_approver.get(
            reverse("admin:screening_approvalrequest_change", args=[approval.pk])
        ).content.decode()
    )
    assert (
        "Test case expectation changed by rosa: “BMI over 40: informational”, because "
        "“BMI 44 is below the new threshold”" in page
    )


def test_a_version_nobody_approved_cannot_be_restored_alone(rules_admin, settings):
    settings.RULES_NEED_SECOND_PERSON = False
    _lower_bmi_threshold()
    rules_admin.post(PUBLISH, {"note": "BMI threshold 45"})  # v2, published alone
    ConditionDraft.objects.filter(rule__key="info_bmi_over_40").update(value=50)
    rules_admin.post(PUBLISH, {"note": "BMI threshold 50"})  # v3
    settings.RULES_NEED_SECOND_PERSON = True
    alone = RulesetVersion.objects.get(number=2)
    url = reverse("admin:screening_rulesetversion_restore", args=[alone.pk])
    response = rules_admin.post(url, {"reason": "back to 45"}, follow=True)
    assert "was not approved by a second person" in html.unescape(response.content.decode())
    assert RulesetVersion.objects.count() == 3


def test_a_rules_admin_who_is_not_an_approver_reads_a_colleagues_submission(
    rules_admin, default_rules
):
    from tests.personas import signed_in, staff_member

    _lower_bmi_threshold()
    rules_admin.post(PUBLISH, {"note": "BMI threshold 45"})
    approval = ApprovalRequest.objects.get(kind="rules.publish")
    colleague = signed_in(staff_member("riley", "Rules admin", is_staff=True))
    url = reverse("admin:screening_approvalrequest_change", args=[approval.pk])
    page = colleague.get(url)
    assert page.status_code == 200 and 'name="decision"' not in page.content.decode()


def test_load_default_rules_on_changed_rules_leaves_out_the_test_cases_they_do_not_pass(
    default_rules, settings
):
    _lower_bmi_threshold()
    from screening.rules.rulesets import ruleset_publish

    ruleset_publish(actor=None, note="BMI 45")
    out = io.StringIO()
    call_command("load_default_rules", stdout=out)
    assert "Left out (your rules give another result): BMI over 40: informational" in out.getvalue()
    assert not RuleTestCase.objects.filter(name="BMI over 40: informational").exists()
    call_command("test_rules")  # what was loaded passes


def test_the_publish_page_warns_when_nobody_else_can_approve(rules_admin):
    assert (
        "Nobody else holds the “Rules approver” role" in rules_admin.get(PUBLISH).content.decode()
    )
