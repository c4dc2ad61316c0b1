"""The kinds of approval request: each registers what it does (who may approve it, how it reads, whether it
still applies, what approving it changes). Staff accounts register theirs (account_kinds.py), the
rules theirs (rules/publishing.py). approvals.py decides requests through these."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from screening.staff.models import ApprovalRequest


@dataclass(frozen=True)
class Kind:
    """What a kind of request does: who may approve it, how it reads, whether it still applies, and
    what approving it changes."""

    permission: str  # the approving permission, "app_label.codename"
    object_type: str  # what the subject is, in the audit log ("user": the subject is a username)
    describe: Callable[[ApprovalRequest], list[str]]  # the change in plain words, a line each
    # "" while the request still applies; else why not (the subject changed after it was asked)
    still_applies: Callable[[ApprovalRequest], str]
    # Makes the change; returns what the approver is shown once and never stored (a setup code)
    apply: Callable[[ApprovalRequest, object], dict]
    tells_the_subject: bool = True  # e-mail the person the change is about once approved
    # Whether this person may read and decide this request, beyond the permission (who it is about)
    may_decide: Callable[[ApprovalRequest, object], bool] = lambda request, person: True
    # Whether a second person must approve now (a setting); when not, the person who asks applies it
    needs_second_person: Callable[[], bool] = lambda: settings.STAFF_CHANGES_NEED_SECOND_ADMIN
    # Pages the approver reads before deciding, as (label, url): the preview of a ruleset, say
    links: Callable[[ApprovalRequest], list[tuple[str, str]]] = lambda request: []
    # Who is waited for, in the request's page: "clinic admin", "rules approver (a clinician)"
    approver_name: str = "clinic admin"
    # Who may read requests of this kind without deciding them (rules admins read rules requests)
    readers: str = ""


KINDS: dict[str, Kind] = {}


def register(kind: str, rules: Kind) -> None:
    KINDS[kind] = rules


def describe(request: ApprovalRequest) -> list[str]:
    return KINDS[request.kind].describe(request)


def may_read(user, request: ApprovalRequest) -> bool:
    return KINDS[request.kind].may_decide(request, user)


def links(request: ApprovalRequest) -> list[tuple[str, str]]:
    return KINDS[request.kind].links(request)


def approver_name(request: ApprovalRequest) -> str:
    return KINDS[request.kind].approver_name


def visible_kinds(user) -> list[str]:
    """The kinds of request a person may read: those they may approve (least privilege: a rules
    approver does not read account changes, nor a clinic admin rule changes)."""
    return [
        kind
        for kind, rules in KINDS.items()
        if user.has_perm(rules.permission) or (rules.readers and user.has_perm(rules.readers))
    ]
