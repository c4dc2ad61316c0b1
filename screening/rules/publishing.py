"""Publishing the draft rules, with four eyes: the approval mechanism of staff/approvals.py.

A rules admin submits the draft with a note; the request's content is the draft itself (its rules and next
steps), the version it is based on and whether to re-screen, so its fingerprint covers the draft; any edit
afterwards voids the submission at once (rulesets.draft_edited). A different person holding "approve rules"
(a clinician: the "Rules approver" role) who has not edited the draft since its base version reads the
change in words, the test cases changed, the preview and the test results, and approves (which publishes
exactly what was submitted) or sends it back with a comment. Nothing is submitted or published while a
test case fails.

For an urgent correction a rules admin may restore an approved earlier version (or the defaults) alone,
with a reason: it is published at once, open cases are re-screened, it is marked "to be reviewed", and the
approvers are asked to review it afterwards.

With RULES_NEED_SECOND_PERSON off (a clinic with one rules admin) a submission publishes at once and
the version says it was published without a second review.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from screening.casework.case_screening import publish_and_rescreen, rescreen_open_intakes
from screening.intake.facts import fact_specs
from screening.rules import changes, rule_tests, rulesets
from screening.rules.models import RulesetVersion
from screening.rules.terms import RulesetError
from screening.staff import approval_kinds, approvals
from screening.staff.models import ApprovalRequest, AuditEvent

PUBLISH = ApprovalRequest.Kind.RULES_PUBLISH
REVIEW = ApprovalRequest.Kind.RULES_REVIEW
APPROVING_PERMISSION = "screening.approve_rulesetversion"
Review = RulesetVersion.Review


def needs_second_person() -> bool:
    return settings.RULES_NEED_SECOND_PERSON


def blockers() -> list[str]:
    """Why the draft cannot be submitted now: it does not compile, lacks what a ruleset needs, or a test
    case fails (each named)."""
    rules = rulesets.draft_data()
    try:
        compiled = rulesets.compile_data("draft", rules)
    except RulesetError as error:
        return error.problems
    problems = rulesets.publishable_problems(rules)
    problems += [
        f"test case “{r.case.name}” fails: {'; '.join(r.problems)}"
        for r in rule_tests.failing(rule_tests.run(compiled))
    ]
    return problems


def other_approvers(person) -> int:
    """How many active accounts other than ``person`` may approve rules (none: a submission would wait
    with nobody to approve it)."""
    approvers = get_user_model().objects.with_perm(
        APPROVING_PERMISSION,
        is_active=True,
        backend="screening.staff.sign_in.OneQueryPermissionsBackend",
    )
    return approvers.exclude(pk=person.pk).count()


def waiting() -> ApprovalRequest | None:
    """The draft's submission waiting for approval, if any."""
    return ApprovalRequest.objects.filter(kind=PUBLISH, state=ApprovalRequest.State.PENDING).first()


def submit(*, actor, note: str, rescreen: bool) -> approvals.Outcome:
    """Ask for the draft to be published. Raises RulesetError naming what to fix first, and
    ApprovalError while a submission waits already."""
    problems = blockers()
    if problems:
        raise RulesetError(problems)
    latest = rulesets.latest_version()
    content = {
        "rules": rulesets.draft_data(),
        "next_steps": rulesets.draft_next_steps(),
        "based_on": latest.number if latest else None,
        "rescreen": rescreen,
    }
    subject = f"after v{latest.number}" if latest else "the first version"
    return approvals.approval_ask(
        kind=PUBLISH, subject=subject, content=content, requested_by=actor, note=note
    )


@transaction.atomic
def restore_alone(*, version: RulesetVersion, actor, reason: str) -> RulesetVersion:
    """An urgent correction: an earlier version's rules published again at once by one rules admin,
    marked to be reviewed; the approvers are asked to review it (a request of its own)."""
    if not reason.strip():
        raise RulesetError(["say why this version is restored without waiting for approval"])
    second = needs_second_person()
    if second and not may_restore_alone(version):
        raise RulesetError(
            [
                f"{version} was not approved by a second person: only an approved version (or the "
                "default rules) can be restored alone. Submit the draft for approval instead."
            ]
        )
    restored = rulesets.ruleset_restore(
        version=version,
        actor=actor,
        reason=reason.strip(),
        review=Review.RESTORED if second else Review.ALONE,
    )
    # Cases screened in the meantime are screened again with the correction.
    transaction.on_commit(lambda: rescreen_open_intakes.enqueue(restored.number))
    if second:
        approvals.approval_ask(
            kind=REVIEW,
            subject=f"v{restored.number}",
            content={"version": restored.number, "hash": restored.content_hash},
            requested_by=actor,
            note=reason.strip(),
        )
    return restored


def may_restore_alone(version: RulesetVersion) -> bool:
    """A version a second person approved, or the default rules (loaded by nobody), may be restored by one
    rules admin; any other needs the approval path."""
    return version.review == Review.APPROVED or version.published_by_id is None


# --- The kinds of request: how each reads, whether it still applies, what approving it does ----------
def _based_on(request: ApprovalRequest) -> RulesetVersion | None:
    number = request.content.get("based_on")
    return RulesetVersion.objects.filter(number=number).first() if number else None


def request_changes(request: ApprovalRequest) -> changes.Changes:
    """What a submission changes from the version it was based on, in words."""
    base = _based_on(request)
    return changes.ruleset_changes(
        base.content if base else [],
        request.content["rules"],
        fact_specs(),
        base.next_steps if base and base.next_steps else request.content["next_steps"],
        request.content["next_steps"],
    )


def _publish_lines(request: ApprovalRequest) -> list[str]:
    found = request_changes(request)
    base = request.content.get("based_on")
    after = f"the version after v{base}" if base else "the first version"
    lines = [f"Publish the draft rules as {after}: {found.summary}."]
    for change in found.rules:
        lines += [f"{change.title}: {line}" for line in change.lines]
    lines += list(found.next_steps)
    lines += test_case_changes(_based_on(request))
    lines.append(
        "Intakes of open cases are re-screened with it."
        if request.content.get("rescreen")
        else "Intakes are not re-screened: new intakes use it."
    )
    return lines


TEST_CASE_ACTIONS = {
    "rule_test.add": "added",
    "rule_test.expectation": "expectation changed",
    "rule_test.delete": "deleted",
}


def test_case_changes(base: RulesetVersion | None) -> list[str]:
    """The test cases added, changed or deleted since ``base`` was published, from the audit log, so
    the approver sees a guard weakened as well as the rules."""
    events = AuditEvent.objects.filter(object_type="rule_test", action__in=TEST_CASE_ACTIONS)
    if base is not None:
        events = events.filter(at__gt=base.published_at)
    lines = []
    for event in events.order_by("at", "pk").select_related("actor"):
        detail, who = event.detail, event.actor.username if event.actor else "the system"
        name = detail.get("name") or f"test case {event.object_ref}"
        line = f"Test case {TEST_CASE_ACTIONS[event.action]} by {who}: “{name}”"
        if event.action == "rule_test.expectation":
            line += f", because “{detail.get('reason', '')}”"
        lines.append(line)
    return lines


def _may_decide(request: ApprovalRequest, person) -> bool:
    """Four eyes on the content, not only on the request: nobody approves a submission of a draft they
    edited since the version it is based on."""
    if request.kind != PUBLISH:
        return True
    edits = AuditEvent.objects.filter(
        actor=person, object_type__in=("rule", "next_step", "rule_test")
    )
    base = _based_on(request)
    if base is not None:
        edits = edits.filter(at__gt=base.published_at)
    return not edits.exists()


def _publish_still_applies(request: ApprovalRequest) -> str:
    content = request.content
    if rulesets.draft_hash() != rulesets.content_hash(content["rules"], content["next_steps"]):
        return "The draft has changed since it was submitted: submit it again."
    latest = rulesets.latest_version()
    if (latest.number if latest else None) != content.get("based_on"):
        return "Another version was published since this was submitted: submit the draft again."
    failing = rule_tests.failing(rule_tests.run_draft())
    if failing:
        return f"Test case “{failing[0].case.name}” fails now: {'; '.join(failing[0].problems)}."
    return ""


def _publish(request: ApprovalRequest, approver) -> dict:
    alone = approver.pk == request.requested_by_id
    version = publish_and_rescreen(
        actor=request.requested_by,
        note=request.note or "Published after approval",
        rescreen=bool(request.content.get("rescreen")),
        review=Review.ALONE if alone else Review.APPROVED,
        approved_by=None if alone else approver,
        approval=request,
        content=request.content,  # exactly what was approved
    )
    return {"version": version.number}


def _review_lines(request: ApprovalRequest) -> list[str]:
    version = RulesetVersion.objects.filter(number=request.content["version"]).first()
    lines = [
        f"Review {request.subject}: an earlier version restored by one rules admin as an urgent "
        "correction, already in use."
    ]
    if version is not None:
        found = rulesets.version_changes(version)
        lines.append(f"What it changed: {found.summary}.")
        lines += [f"{c.title}: {line}" for c in found.rules for line in c.lines]
    return lines


def _review_still_applies(request: ApprovalRequest) -> str:
    exists = RulesetVersion.objects.filter(
        number=request.content["version"], content_hash=request.content["hash"]
    ).exists()
    return "" if exists else f"{request.subject} is not there any more."


def _reviewed(request: ApprovalRequest, approver) -> dict:
    RulesetVersion.objects.filter(number=request.content["version"]).update(
        review=Review.APPROVED, approved_by=approver, approval=request
    )
    return {}


def _links(request: ApprovalRequest) -> list[tuple[str, str]]:
    if request.kind == PUBLISH:
        return [
            ("Preview: which past cases would move", reverse("admin:screening_ruledraft_preview")),
            (
                "The test cases and their results",
                reverse("admin:screening_ruletestcase_changelist"),
            ),
        ]
    number = request.content["version"]
    version = RulesetVersion.objects.filter(number=number).first()
    if version is None:
        return []
    return [
        (f"Version v{number}", reverse("admin:screening_rulesetversion_change", args=[version.pk]))
    ]


for _kind, _describe, _applies, _apply in [
    (PUBLISH, _publish_lines, _publish_still_applies, _publish),
    (REVIEW, _review_lines, _review_still_applies, _reviewed),
]:
    approval_kinds.register(
        _kind,
        approval_kinds.Kind(
            permission=APPROVING_PERMISSION,
            object_type="ruleset",
            describe=_describe,
            still_applies=_applies,
            apply=_apply,
            tells_the_subject=False,
            needs_second_person=needs_second_person,
            links=_links,
            approver_name="rules approver (a clinician)",
            may_decide=_may_decide,
            readers="screening.publish_rulesetversion",
        ),
    )
