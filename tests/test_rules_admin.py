"""Rules admins manage the rules in Django admin: edit drafts with checked conditions, preview, publish,
read versions with what changed, restore; every change is audited; nobody else can."""

import html

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from screening.rules.models import ConditionDraft, RuleDraft, RulesetVersion
from screening.staff.models import ApprovalRequest, AuditEvent
from tests.personas import run_previews, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules_admin(default_rules, client):
    user = User.objects.create_user("rosa", password="a-long-password-for-tests", is_staff=True)
    user.groups.add(Group.objects.get(name="Rules admin"))
    sign_in(client, user)
    return client


def _rule_form(rule: RuleDraft, **changes) -> dict:
    conditions = list(rule.conditions.all())
    data = {
        "key": rule.key,
        "title": rule.title,
        "outcome": rule.outcome,
        "join": rule.join,
        "enabled": "on" if rule.enabled else "",
        "explanation": rule.explanation,
        "source": rule.source,
        "patient_message": rule.patient_message,
        "conditions-TOTAL_FORMS": str(len(conditions)),
        "conditions-INITIAL_FORMS": str(len(conditions)),
        "conditions-MIN_NUM_FORMS": "1",
        "conditions-MAX_NUM_FORMS": "1000",
    }
    for n, c in enumerate(conditions):
        data |= {
            f"conditions-{n}-id": str(c.pk),
            f"conditions-{n}-rule": str(rule.pk),
            f"conditions-{n}-position": str(c.position),
            f"conditions-{n}-fact": c.fact,
            f"conditions-{n}-op": c.op,
        } | _value_fields(f"conditions-{n}", c.value)
    return data | changes


def _value_fields(prefix: str, value) -> dict:
    """A condition's value as the editor posts it: answers ticked, a number, or a period."""
    if isinstance(value, list):
        return {f"{prefix}-choices": value}
    if isinstance(value, str):
        return {f"{prefix}-choices": [value]}
    if isinstance(value, dict):
        return {
            f"{prefix}-period_amount": str(value["amount"]),
            f"{prefix}-period_unit": value["unit"],
        }
    if value is not None:
        return {f"{prefix}-number": str(value)}
    return {}


def _change(client, rule_key, **changes):
    rule = RuleDraft.objects.get(key=rule_key)
    url = reverse("admin:screening_ruledraft_change", args=[rule.pk])
    return client.post(url, _rule_form(rule, **changes))


def test_the_rules_admin_group_has_exactly_its_permissions(default_rules):
    codenames = set(
        Group.objects.get(name="Rules admin").permissions.values_list("codename", flat=True)
    )
    assert codenames == {
        "view_ruledraft",
        "add_ruledraft",
        "change_ruledraft",
        "delete_ruledraft",
        "view_conditiondraft",
        "view_nextstep",
        "change_nextstep",
        "add_conditiondraft",
        "change_conditiondraft",
        "delete_conditiondraft",
        "view_rulesetversion",
        "publish_rulesetversion",
        "view_ruletestcase",
        "add_ruletestcase",
        "change_ruletestcase",
        "delete_ruletestcase",
        "view_approvalrequest",
        "view_auditevent",
    }
    approver = set(
        Group.objects.get(name="Rules approver").permissions.values_list("codename", flat=True)
    )
    assert "approve_rulesetversion" in approver
    assert not approver & {"change_ruledraft", "publish_rulesetversion", "view_case"}


def test_a_rules_admin_lists_searches_and_edits_a_threshold_with_an_audit_entry(rules_admin):
    listing = rules_admin.get(reverse("admin:screening_ruledraft_changelist") + "?q=candidacy")
    assert "Facet pain candidacy signals" in listing.content.decode()
    rule = RuleDraft.objects.get(key="sr_facet_candidate")
    index = [c.fact for c in rule.conditions.all()].index("best_block_relief")
    response = _change(rules_admin, "sr_facet_candidate", **{f"conditions-{index}-number": "50"})
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert ConditionDraft.objects.get(rule=rule, fact="best_block_relief").value == 50
    event = AuditEvent.objects.get(action="rule.change", object_ref="sr_facet_candidate")
    before = dict((c[0], c[2]) for c in event.detail["before"]["conditions"])
    after = dict((c[0], c[2]) for c in event.detail["after"]["conditions"])
    assert (before["best_block_relief"], after["best_block_relief"]) == (80, 50)
    assert event.actor.username == "rosa"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"fact": "bmi", "op": "greater_than", "number": "forty"}, "Enter a number."),
        ({"fact": "bmi", "op": "greater_than"}, "Enter a number, like 80 or 40.5."),
        (
            {"fact": "bmi", "op": "is_yes"},
            "“is Yes” does not fit this question. Choose one of: is exactly, is not, is less than",
        ),
        ({"fact": "cancer", "op": "equals", "choices": ["maybe"]}, "Select a valid choice."),
        ({"fact": "cancer", "op": "one_of"}, "Tick one or more answers."),
        (
            {"fact": "cancer", "op": "equals", "choices": ["current", "past"]},
            "Tick exactly one answer for “is exactly” (for several, choose “is one of”).",
        ),
        ({"fact": "rfa_last", "op": "within_last"}, "Enter a whole number of months or days"),
        (
            {
                "fact": "rfa_last",
                "op": "within_last",
                "period_amount": "5000",
                "period_unit": "months",
            },
            "up to 1200",
        ),
    ],
)
def test_a_condition_that_does_not_fit_its_fact_is_refused_with_what_to_do(
    rules_admin, fields, message
):
    rule = RuleDraft.objects.get(key="info_bmi_over_40")
    kept = ("-id", "-rule", "-position")
    data = {
        k: v
        for k, v in _rule_form(rule).items()
        if not k.startswith("conditions-0-") or k.endswith(kept)
    }
    data |= {f"conditions-0-{name}": value for name, value in fields.items()}
    response = rules_admin.post(reverse("admin:screening_ruledraft_change", args=[rule.pk]), data)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert ConditionDraft.objects.get(rule__key="info_bmi_over_40").value == 40


def test_the_question_picker_groups_facts_by_section_with_their_wording(rules_admin):
    def page_of(key):
        rule = RuleDraft.objects.get(key=key)
        url = reverse("admin:screening_ruledraft_change", args=[rule.pk])
        return html.unescape(rules_admin.get(url).content.decode())

    page = page_of("info_bmi_over_40")
    assert '<optgroup label="Symptoms that need care quickly">' in page
    assert "Physical therapy: How much did it help?" in page
    assert "BMI (worked out)" in page and "(bmi)" not in page
    assert "Number (%)" not in page  # BMI has no unit
    page = page_of("sr_facet_candidate")
    assert "Number (%)" in page  # best block relief, in %
    assert 'value="low_back"' in page and "Low back" in page  # pain regions, ticked by label


def test_a_choice_condition_is_saved_from_ticked_answers(rules_admin):
    response = _change(rules_admin, "ci_pregnancy", **{"conditions-0-choices": ["pregnant"]})
    assert response.status_code == 302
    assert ConditionDraft.objects.get(rule__key="ci_pregnancy").value == ["pregnant"]


def test_disabling_a_rule_is_audited(rules_admin):
    rule = RuleDraft.objects.get(key="info_osteoporosis")
    rules_admin.post(
        reverse("admin:screening_ruledraft_changelist"),
        {"action": "disable_rules", "_selected_action": [rule.pk]},
    )
    assert not RuleDraft.objects.get(key="info_osteoporosis").enabled
    assert AuditEvent.objects.filter(action="rule.disable", object_ref="info_osteoporosis").exists()


def test_preview_shows_which_past_cases_would_move_by_reference_only(rules_admin, patient):
    patient.fill()
    patient.submit()
    reference = patient.intake.reference
    condition = ConditionDraft.objects.get(
        rule__key="sr_facet_candidate", fact="second_best_block_relief"
    )
    condition.value = 90
    condition.save()
    url = reverse("admin:screening_ruledraft_preview")
    assert "Screening past intakes with the draft" in rules_admin.get(url).content.decode()
    run_previews()
    html = rules_admin.get(url).content.decode()
    assert "1 intake screened with the draft beside v1: 1 would move." in html
    assert "Facet pain candidacy signals (no longer)" in html  # the rule that made the difference
    assert "Routine" in html and "Specialist review" in html and reference in html
    assert "Quarrington" not in html and "Zelda" not in html
    assert "Second-best block relief: at least 80 % → at least 90 %" in html  # the change, in words


def test_publish_refuses_an_invalid_draft_and_publishes_a_valid_one_with_a_note(
    rules_admin, settings
):
    settings.RULES_NEED_SECOND_PERSON = False  # a clinic with one rules admin
    ConditionDraft.objects.filter(rule__key="info_bmi_over_40").update(value="forty")
    url = reverse("admin:screening_ruledraft_publish")
    refused = rules_admin.post(url, {"note": "typo"})
    assert (
        "rule info_bmi_over_40: &#x27;greater_than&#x27; on bmi needs a number"
        in refused.content.decode()
    )
    assert RulesetVersion.objects.count() == 1
    ConditionDraft.objects.filter(rule__key="info_bmi_over_40").update(value=45)
    assert "Enter a note saying why" in rules_admin.post(url, {"note": ""}).content.decode()
    published = rules_admin.post(url, {"note": "BMI threshold 45"})
    version = RulesetVersion.objects.get(number=2)
    assert published.url == reverse("admin:screening_rulesetversion_change", args=[version.pk])
    assert version.note == "BMI threshold 45" and version.published_by.username == "rosa"
    assert version.review == RulesetVersion.Review.ALONE
    page = html.unescape(rules_admin.get(published.url).content.decode())
    # What changed from v1, in words; the data and the hash only behind "technical details".
    assert "BMI: more than 40 → more than 45" in page
    assert "'op': 'greater_than'" not in page.split("Technical details")[0]
    assert version.content_hash in page.split("Technical details", 1)[1]


def test_the_rule_list_reads_each_rule_in_words_most_severe_outcome_first(rules_admin):
    page = html.unescape(
        rules_admin.get(reverse("admin:screening_ruledraft_changelist")).content.decode()
    )
    assert "Urgent (tier 1: emergency now)" in page
    assert "Saddle numbness: Yes or Not sure" in page
    assert (
        "all of: Pain regions: includes Low back or Neck; Pain duration: at least 3 months" in page
    )
    assert page.index("Urgent (tier 1") < page.index("Facet pain candidacy signals")
    assert page.index("Facet pain candidacy signals") < page.index("Discordant")
    assert "one_of" not in page and "['yes'" not in page
    rule = RuleDraft.objects.get(key="sr_facet_candidate")
    change = html.unescape(
        rules_admin.get(
            reverse("admin:screening_ruledraft_change", args=[rule.pk])
        ).content.decode()
    )
    assert "Number of diagnostic blocks: at least 2" in change
    assert 'name="key"' not in change  # set once, read-only after


def test_restoring_an_old_version_alone_publishes_it_at_once_to_be_reviewed(rules_admin, settings):
    settings.RULES_NEED_SECOND_PERSON = False
    ConditionDraft.objects.filter(rule__key="info_bmi_over_40").update(value=45)
    rules_admin.post(reverse("admin:screening_ruledraft_publish"), {"note": "45"})
    settings.RULES_NEED_SECOND_PERSON = True
    first = RulesetVersion.objects.get(number=1)
    url = reverse("admin:screening_rulesetversion_restore", args=[first.pk])
    rules_admin.post(url, {"reason": ""})
    assert RulesetVersion.objects.count() == 2  # a reason is needed
    rules_admin.post(url, {"reason": "BMI 45 was a typo"})
    latest = RulesetVersion.objects.order_by("-number").first()
    assert latest.number == 3 and latest.content_hash == first.content_hash
    assert latest.review == RulesetVersion.Review.RESTORED and "BMI 45 was a typo" in latest.note
    page = rules_admin.get(reverse("admin:screening_rulesetversion_change", args=[latest.pk]))
    assert "Restored alone for an urgent correction: to be reviewed" in page.content.decode()
    review = ApprovalRequest.objects.get(kind="rules.review", state="pending")
    assert review.subject == "v3" and review.note == "BMI 45 was a typo"
    assert ConditionDraft.objects.get(rule__key="info_bmi_over_40").value == 40
    assert AuditEvent.objects.filter(action="ruleset.restore", object_ref="v1").exists()


def test_versions_and_the_audit_log_cannot_be_edited_in_the_admin(rules_admin):
    version = RulesetVersion.objects.get()
    url = reverse("admin:screening_rulesetversion_change", args=[version.pk])
    assert "Changes from nothing (the first version)" in rules_admin.get(url).content.decode()
    rules_admin.post(url, {"note": "rewritten"})
    assert RulesetVersion.objects.get().note != "rewritten"
    event = AuditEvent.objects.get(action="ruleset.publish")
    rules_admin.post(reverse("admin:screening_auditevent_change", args=[event.pk]), {"action": "x"})
    assert AuditEvent.objects.get(pk=event.pk).action == "ruleset.publish"


def test_staff_without_the_role_cannot_reach_the_rules(default_rules, client):
    user = User.objects.create_user("colin", password="a-long-password-for-tests", is_staff=True)
    sign_in(client, user)
    assert client.get(reverse("admin:screening_ruledraft_changelist")).status_code == 403
    assert client.get(reverse("admin:screening_ruledraft_publish")).status_code == 403
    assert (
        client.post(reverse("admin:screening_ruledraft_publish"), {"note": "x"}).status_code == 403
    )


def test_the_audit_entry_holds_the_rule_as_it_was_and_as_it_is(rules_admin):
    from django.contrib.admin.models import LogEntry

    _change(
        rules_admin,
        "rf_bowel",
        outcome="urgent",
        title="New bowel incontinence (renamed)",
        key="rf_bowel_incontinence",
    )
    event = AuditEvent.objects.get(action="rule.change")
    assert event.detail["before"]["title"] == "New bowel incontinence"
    assert event.detail["after"]["title"] == "New bowel incontinence (renamed)"
    # The key is set once: a posted key is ignored, so versions, results and the log keep one name.
    assert (event.detail["before"]["key"], event.detail["after"]["key"]) == ("rf_bowel", "rf_bowel")
    assert not RuleDraft.objects.filter(key="rf_bowel_incontinence").exists()
    assert not LogEntry.objects.exists()  # one history only: ours


def test_a_rule_needs_at_least_one_condition(rules_admin):
    rule = RuleDraft.objects.get(key="info_osteoporosis")
    data = _rule_form(rule) | {"conditions-0-DELETE": "on"}
    response = rules_admin.post(reverse("admin:screening_ruledraft_change", args=[rule.pk]), data)
    assert response.status_code == 200
    assert rule.conditions.count() == 1


def test_rules_admins_read_the_rules_entries_of_the_audit_log_only(rules_admin):
    from screening.staff import audit_log as audit

    audit.record(actor=None, action="case.view", object_type="case", object_ref="FC-AAAA-AAAA")
    listing = rules_admin.get(reverse("admin:screening_auditevent_changelist")).content.decode()
    assert "ruleset.publish" in listing
    assert "FC-AAAA-AAAA" not in listing


def test_a_viewer_without_change_permission_gets_no_disable_action(default_rules, client):
    from django.contrib.auth.models import Permission

    user = User.objects.create_user("val", password="a-long-password-for-tests", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_ruledraft"))
    sign_in(client, user)
    html = client.get(reverse("admin:screening_ruledraft_changelist")).content.decode()
    assert "disable_rules" not in html


def test_a_rules_history_is_its_audit_entries(rules_admin):
    rule = RuleDraft.objects.get(key="info_osteoporosis")
    response = rules_admin.get(reverse("admin:screening_ruledraft_history", args=[rule.pk]))
    assert response.url == reverse("admin:screening_auditevent_changelist") + "?q=info_osteoporosis"


def test_a_rules_admin_edits_a_next_step_which_is_published_with_the_next_version(
    rules_admin, patient
):
    from screening.rules.models import NextStep, RulesetVersion
    from screening.rules.rulesets import ruleset_publish
    from screening.staff.models import AuditEvent

    step = NextStep.objects.get(key="needs_info")
    url = reverse("admin:screening_nextstep_change", args=[step.pk])
    response = rules_admin.post(url, {"text": "Call the patient for the missing answers today."})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="next_step.change")
    assert (event.object_ref, event.detail["after"]) == (
        "needs_info",
        "Call the patient for the missing answers today.",
    )
    # Versioned with the rules: v1 keeps its line, the next version carries the new one.
    assert (
        RulesetVersion.objects.get(number=1).next_steps["needs_info"].startswith("Ask the patient")
    )
    ruleset_publish(actor=None, note="A sharper next step")
    patient.fill(overrides={"treatments": {"treatments_tried": ["nsaids", "physical_therapy"]}})
    patient.submit()
    assert patient.intake.screenings.get(trigger="submit").next_step == (
        "Call the patient for the missing answers today."
    )
    # One per outcome and tier: nothing to add or delete.
    assert rules_admin.get(reverse("admin:screening_nextstep_add")).status_code == 403
