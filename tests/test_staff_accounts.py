"""Staff accounts in the admin, with four eyes: a clinic admin asks (a new account, a new e-mail address, a
password or second-factor reset, a role), a second clinic admin approves or refuses exactly what was asked,
and only then does it happen. No clinic admin alone can make an account, or take one over, and sign in
with it. Every step is audited; the approvers and the person concerned are e-mailed."""

import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening.casework.models import OutgoingEmail
from screening.staff.models import ApprovalRequest, AuditEvent
from tests.personas import sign_in, signed_in, staff_member
from tests.test_notifications import run_worker

pytestmark = pytest.mark.django_db
PASSWORD = "plover-tundra-ochre-7"


def _clinic_admin(username: str, email: str = "") -> Client:
    return signed_in(staff_member(username, "Clinic admin", email=email, is_staff=True))


@pytest.fixture
def morgan(default_rules) -> Client:
    return _clinic_admin("morgan", "morgan@clinic.example")


@pytest.fixture
def avery(default_rules) -> Client:
    return _clinic_admin("avery", "avery@clinic.example")


def _ask_for_account(client: Client, **overrides):
    data = {
        "username": "dana",
        "first_name": "Dana",
        "last_name": "Lee",
        "email": "dana@clinic.example",
        "groups": [Group.objects.get(name="Coordinator").pk],
        "user_permissions": [Permission.objects.get(codename="export_identifiable_case").pk],
        "note": "Starts on Monday",
    } | overrides
    return client.post("/admin/auth/user/add/", data)


def _request_page(client: Client, approval: ApprovalRequest):
    return client.get(f"/admin/screening/approvalrequest/{approval.pk}/change/")


def _decide(client: Client, approval: ApprovalRequest, decision: str, comment: str = "", **extra):
    page = _request_page(client, approval).content.decode()
    seen = re.search(r'name="content_hash" value="([0-9a-f]{64})"', page)
    data = {"decision": decision, "comment": comment, "content_hash": seen.group(1) if seen else ""}
    return client.post(
        f"/admin/screening/approvalrequest/{approval.pk}/decide/", data | extra, follow=False
    )


def _setup_code(response) -> str:
    return re.search(r'<code id="setup-code">([a-z0-9]+)</code>', response.content.decode()).group(
        1
    )


def test_a_clinic_admin_alone_cannot_make_an_account_nor_approve_their_own_request(morgan):
    response = _ask_for_account(morgan)
    assert response.status_code == 302
    approval = ApprovalRequest.objects.get()
    assert response["Location"] == f"/admin/screening/approvalrequest/{approval.pk}/change/"
    assert not User.objects.filter(
        username="dana"
    ).exists()  # nothing until a second admin approves
    assert approval.state == "pending" and approval.requested_by == morgan.user

    page = _request_page(morgan, approval).content.decode()
    assert "Create the staff account dana for Dana Lee, e-mail address dana@clinic.example." in page
    assert "Roles: Coordinator." in page
    assert "Permissions of their own: export identifiable data." in page
    assert "another clinic admin must approve or refuse it" in page
    assert 'name="decision"' not in page  # no way to approve one's own request

    refused = _decide(morgan, approval, "approve", content_hash=approval.content_hash)
    approval.refresh_from_db()
    assert refused.status_code == 302 and approval.state == "pending"
    assert not User.objects.filter(username="dana").exists()
    assert not StaticDevice.objects.exists()  # no setup code was ever made for the requester to see


@pytest.mark.django_db(transaction=True)  # the e-mails go when the writes commit
def test_a_second_clinic_admin_approves_and_the_new_member_sets_their_password_and_signs_in(
    default_rules,
):
    morgan = _clinic_admin("morgan", "morgan@clinic.example")
    avery = _clinic_admin("avery", "avery@clinic.example")
    _ask_for_account(morgan)
    approval = ApprovalRequest.objects.get()
    run_worker()
    (asked,) = mail.outbox
    assert asked.bcc == ["avery@clinic.example"]  # every approver but the one who asked
    assert f"/admin/screening/approvalrequest/{approval.pk}/change/" in asked.body
    assert "Create the staff account dana" in asked.body and "Starts on Monday" in asked.body

    approved = _decide(avery, approval, "approve", "Checked with the practice manager")
    assert approved.status_code == 200
    code = _setup_code(approved)  # shown to the approver, once
    dana = User.objects.get(username="dana")
    assert not dana.has_usable_password()
    assert {g.name for g in dana.groups.all()} == {"Coordinator"}
    assert dana.has_perm("screening.export_identifiable_case") and not dana.is_staff
    assert code not in _request_page(avery, approval).content.decode()
    assert code not in _request_page(morgan, approval).content.decode()

    mail.outbox.clear()
    run_worker()
    (welcome,) = mail.outbox
    assert welcome.to == ["dana@clinic.example"] and code not in welcome.body
    link = re.search(r"https?://[^/\s]+(/account/set-password/\S+/)", welcome.body).group(1)
    newcomer = Client()
    form_page = newcomer.get(link, follow=True)
    assert "Set your password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    assert "set-password/" in set_url and link not in set_url  # the token left the address
    short = newcomer.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert "This password is too short" in short.content.decode()
    done = newcomer.post(set_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done["Location"] == "/account/set-password/done/"
    assert Client().get(link).status_code == 200  # the link now says it no longer works
    assert "This link no longer works" in Client().get(link, follow=True).content.decode()

    newcomer.post("/staff/login/", {"username": "dana", "password": PASSWORD})
    assert newcomer.post("/staff/two-factor/", {"code": code}).status_code == 302
    assert newcomer.get("/staff/").status_code == 200

    trail = list(
        AuditEvent.objects.filter(object_ref="dana").order_by("pk").values_list("action", "actor")
    )
    assert ("approval.ask", morgan.user.pk) in trail
    assert ("approval.approve", avery.user.pk) in trail
    assert ("user.create", avery.user.pk) in trail
    assert ("user.password", dana.pk) in trail  # set by the owner, from the link


def test_an_approval_of_anything_but_what_was_read_is_refused(morgan, avery):
    _ask_for_account(morgan)
    approval = ApprovalRequest.objects.get()
    seen = approval.content_hash
    # What the request asks changes after the approver read it (any edit, by any means).
    ApprovalRequest.objects.filter(pk=approval.pk).update(
        content=approval.content | {"groups": ["Clinic admin", "Coordinator"]}
    )
    response = avery.post(
        f"/admin/screening/approvalrequest/{approval.pk}/decide/",
        {"decision": "approve", "content_hash": seen},
        follow=True,
    )
    assert "This request is not what you read" in response.content.decode()
    assert not User.objects.filter(username="dana").exists()
    approval.refresh_from_db()
    assert approval.state == "pending"


def test_a_request_whose_account_changed_meanwhile_is_void(morgan, avery):
    casey = User.objects.create(username="casey", is_staff=False)
    casey.groups.add(Group.objects.get(name="Rules admin"))
    response = morgan.post(
        f"/admin/auth/user/{casey.pk}/change/",
        _change_data(casey, roles=["Rules admin", "Coordinator"]),
    )
    assert response.status_code == 302
    grant = ApprovalRequest.objects.get(kind="account.grant")
    casey.groups.clear()  # taken away at once, by someone, before the approval
    response = _decide(avery, grant, "approve")
    grant.refresh_from_db()
    assert grant.state == "void"
    assert not casey.groups.exists()
    assert "have changed since this was asked" in avery.get(response["Location"]).content.decode()


def _change_data(user: User, *, roles: list[str], **fields) -> dict:
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "groups": [g.pk for g in Group.objects.filter(name__in=roles)],
        "user_permissions": [],
        "note": "",
    } | fields


def test_giving_a_role_waits_for_approval_and_taking_one_away_does_not(morgan, avery):
    casey = User.objects.create(username="casey", first_name="Casey")
    casey.groups.add(Group.objects.get(name="Rules admin"))
    response = morgan.post(
        f"/admin/auth/user/{casey.pk}/change/",
        _change_data(casey, roles=["Coordinator"], first_name="Cass"),
        follow=True,
    )
    html = response.content.decode()
    assert "Saved at once: name, roles taken away." in html
    assert "Sent for approval: Give casey the roles: Coordinator." in html
    casey.refresh_from_db()
    assert casey.first_name == "Cass" and not casey.groups.exists()
    grant = ApprovalRequest.objects.get(kind="account.grant")
    assert "Changes that needed approval" in html and "Give roles or permissions" in html

    _decide(avery, grant, "approve")
    assert [g.name for g in casey.groups.all()] == ["Coordinator"]
    event = AuditEvent.objects.get(action="user.roles")
    assert event.actor == avery.user and event.detail["added_groups"] == ["Coordinator"]


def test_a_refusal_says_why_and_changes_nothing(morgan, avery):
    _ask_for_account(morgan)
    approval = ApprovalRequest.objects.get()
    without_reason = _decide(avery, approval, "refuse")
    assert without_reason.status_code == 400
    assert "Say why you refuse it" in without_reason.content.decode()
    _decide(avery, approval, "refuse", "Dana does not start until next year")
    approval.refresh_from_db()
    assert approval.state == "refused" and approval.comment.startswith("Dana does not")
    assert not User.objects.filter(username="dana").exists()
    assert AuditEvent.objects.filter(action="approval.refuse", actor=avery.user).exists()


def test_the_person_who_asked_may_withdraw_it(morgan, avery):
    _ask_for_account(morgan)
    approval = ApprovalRequest.objects.get()
    assert (
        avery.post(f"/admin/screening/approvalrequest/{approval.pk}/withdraw/").status_code == 403
    )
    morgan.post(f"/admin/screening/approvalrequest/{approval.pk}/withdraw/")
    approval.refresh_from_db()
    assert approval.state == "withdrawn"
    assert _decide(avery, approval, "approve").status_code == 302
    assert not User.objects.filter(username="dana").exists()


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_needs_a_second_admin_and_the_owner_sets_the_new_one(default_rules):
    morgan = _clinic_admin("morgan", "morgan@clinic.example")
    avery = _clinic_admin("avery", "avery@clinic.example")
    casey = User.objects.create_user("casey", email="casey@clinic.example", password=PASSWORD)
    casey.groups.add(Group.objects.get(name="Coordinator"))
    owner = Client()
    sign_in(owner, casey)

    # The admin's own page for setting someone's password leads to asking for a reset instead.
    direct = morgan.post(
        f"/admin/auth/user/{casey.pk}/password/",
        {"password1": "x-new-password-123", "password2": "x-new-password-123"},
    )
    assert direct["Location"] == f"/admin/auth/user/{casey.pk}/reset/"
    casey.refresh_from_db()
    assert casey.check_password(PASSWORD)

    morgan.post(f"/admin/auth/user/{casey.pk}/reset/", {"what": "password", "note": "Forgot it"})
    reset = ApprovalRequest.objects.get(kind="account.password")
    casey.refresh_from_db()
    assert casey.check_password(PASSWORD)  # nothing yet
    _decide(avery, reset, "approve")
    casey.refresh_from_db()
    assert not casey.has_usable_password()
    assert owner.get("/staff/")["Location"].startswith("/staff/login/")  # their sessions ended

    mail.outbox.clear()
    run_worker()
    (message,) = [m for m in mail.outbox if m.to == ["casey@clinic.example"]]
    assert "/account/set-password/" in message.body


def test_a_second_factor_reset_shows_the_setup_code_to_the_approver_only(morgan, avery):
    casey = User.objects.create(username="casey")
    TOTPDevice.objects.create(user=casey, name="Phone", confirmed=True)
    StaticDevice.objects.create(user=casey, name="Backup codes", confirmed=True)
    asked = morgan.post(
        f"/admin/auth/user/{casey.pk}/reset/", {"what": "second_factor"}, follow=True
    )
    assert "setup-code" not in asked.content.decode()
    assert TOTPDevice.objects.filter(user=casey).exists()
    reset = ApprovalRequest.objects.get(kind="account.second_factor")
    approved = _decide(avery, reset, "approve")
    code = _setup_code(approved)
    assert not TOTPDevice.objects.filter(user=casey).exists()
    assert StaticDevice.objects.get(user=casey).name == "Setup code"
    event = AuditEvent.objects.get(action="user.reset_second_factor")
    assert event.actor == avery.user and event.detail["devices_removed"] == 2
    assert code not in str(event.detail)


@pytest.mark.django_db(transaction=True)
def test_a_new_email_address_needs_approval_and_both_addresses_hear_of_it(default_rules):
    morgan = _clinic_admin("morgan", "morgan@clinic.example")
    avery = _clinic_admin("avery", "avery@clinic.example")
    casey = User.objects.create(username="casey", email="casey@clinic.example")
    morgan.post(
        f"/admin/auth/user/{casey.pk}/change/",
        _change_data(casey, roles=[], email="morgan.private@example.org"),
    )
    casey.refresh_from_db()
    assert casey.email == "casey@clinic.example"  # not until a second admin approves
    change = ApprovalRequest.objects.get(kind="account.email")
    page = _request_page(avery, change).content.decode()
    assert "from casey@clinic.example to morgan.private@example.org" in page
    _decide(avery, change, "approve")
    casey.refresh_from_db()
    assert casey.email == "morgan.private@example.org"
    mail.outbox.clear()
    run_worker()
    (told,) = [m for m in mail.outbox if "morgan.private@example.org" in m.to]
    assert told.to == ["casey@clinic.example", "morgan.private@example.org"]


@pytest.mark.parametrize("role", ["Coordinator", "export_identifiable_case"])
def test_a_clinic_admin_account_never_reads_patient_data(morgan, avery, role):
    other = User.objects.create(username="other", is_staff=True)
    other.groups.add(Group.objects.get(name="Clinic admin"))
    data = _change_data(other, roles=["Clinic admin"])
    if role == "Coordinator":
        data["groups"].append(Group.objects.get(name="Coordinator").pk)
    else:
        data["user_permissions"] = [Permission.objects.get(codename=role).pk]
    response = morgan.post(f"/admin/auth/user/{other.pk}/change/", data)
    assert response.status_code == 200
    assert "a person who does both has two accounts" in response.content.decode()
    assert not ApprovalRequest.objects.exists()
    both = _ask_for_account(
        morgan,
        groups=[
            Group.objects.get(name="Clinic admin").pk,
            Group.objects.get(name="Coordinator").pk,
        ],
    )
    assert both.status_code == 400 and "has two accounts" in both.content.decode()


def test_with_a_single_clinic_admin_changes_apply_at_once_and_say_so(morgan, settings):
    settings.STAFF_CHANGES_NEED_SECOND_ADMIN = False
    response = _ask_for_account(morgan)
    assert "Done, approved without a second admin." in response.content.decode()
    assert _setup_code(response)
    dana = User.objects.get(username="dana")
    approval = ApprovalRequest.objects.get()
    assert approval.without_second_person and approval.decided_by == morgan.user
    event = AuditEvent.objects.get(action="approval.approve")
    assert event.detail["without_second_person"] is True
    assert event.detail["decision"] == "approved without a second admin"
    page = morgan.get(f"/admin/auth/user/{dana.pk}/change/").content.decode()
    assert "approved without a second admin" in page


def test_only_a_holder_of_the_approving_permission_decides(morgan, default_rules):
    _ask_for_account(morgan)
    approval = ApprovalRequest.objects.get()
    rules_admin = User.objects.create(username="rosa", is_staff=True)
    rules_admin.groups.add(Group.objects.get(name="Rules admin"))
    client = Client()
    sign_in(client, rules_admin)
    response = client.post(
        f"/admin/screening/approvalrequest/{approval.pk}/decide/",
        {"decision": "approve", "content_hash": approval.content_hash},
    )
    # A rules admin reads only rules requests: an account request is not there for them.
    assert response.status_code == 404
    assert not User.objects.filter(username="dana").exists()


def test_the_database_refuses_a_decision_by_the_person_who_asked(morgan):
    _ask_for_account(morgan)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalRequest.objects.update(
            state="approved", decided_by=morgan.user, decided_at=timezone.now()
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        again = ApprovalRequest.objects.get()
        again.pk = None
        again.save()  # a second waiting request for the same change


def test_a_clinic_admin_cannot_make_a_superuser_or_reach_one(morgan):
    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    assert morgan.get(f"/admin/auth/user/{root.pk}/change/").status_code == 302  # not found
    own = morgan.get(f"/admin/auth/user/{morgan.user.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in own
    colleague = User.objects.create(username="casey2")
    choices = (
        morgan.get(f"/admin/auth/user/{colleague.pk}/change/")
        .context["adminform"]
        .form.fields["user_permissions"]
        .queryset
    )
    assert [p.codename for p in choices] == ["export_identifiable_case"]


def test_a_clinic_admin_cannot_change_their_own_roles(morgan):
    own = morgan.get(f"/admin/auth/user/{morgan.user.pk}/change/")
    form = own.context["adminform"].form
    assert "groups" not in form.fields and "user_permissions" not in form.fields
    assert "is_active" not in form.fields


def test_a_coordinator_cannot_manage_accounts(default_rules):
    user = User.objects.create(username="casey", is_staff=True)
    user.groups.add(Group.objects.get(name="Coordinator"))
    client = Client()
    sign_in(client, user)
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/screening/approvalrequest/").status_code == 403


def test_emergency_access_prints_a_single_use_code_and_is_audited(default_rules, capsys):
    casey = User.objects.create_user("casey", password="a-long-password-for-tests")
    with pytest.raises(CommandError):
        call_command("emergency_access", "--username", "casey", "--reason", "short")
    call_command(
        "emergency_access", "--username", "casey", "--reason", "Phone lost, no clinic admin on duty"
    )
    code = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    event = AuditEvent.objects.get(action="auth.break_glass")
    assert event.object_ref == "casey" and "Phone lost" in event.detail["reason"]
    assert code not in str(event.detail)

    client = Client()
    client.post("/staff/login/", {"username": "casey", "password": "a-long-password-for-tests"})
    assert client.post("/staff/two-factor/", {"code": code}).status_code == 302
    again = Client()
    again.post("/staff/login/", {"username": "casey", "password": "a-long-password-for-tests"})
    assert again.post("/staff/two-factor/", {"code": code}).status_code == 400
    assert casey.is_active


def test_outgoing_account_emails_name_no_patient(morgan):
    """E-mails about accounts are rows like the others, for clinic admins to follow."""
    _ask_for_account(morgan)
    assert OutgoingEmail.objects.filter(kind="approval").count() == 1


def test_requests_about_a_superuser_are_for_superusers_only(default_rules):
    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    root2 = User.objects.create(username="root2", is_superuser=True, is_staff=True, email="r@x.org")
    operator = Client()
    sign_in(operator, root)
    operator.post(f"/admin/auth/user/{root2.pk}/reset/", {"what": "second_factor"})
    approval = ApprovalRequest.objects.get()
    morgan = _clinic_admin("morgan")
    assert _request_page(morgan, approval).status_code == 404
    assert "root2" not in morgan.get("/admin/screening/approvalrequest/").content.decode()
    decide = morgan.post(
        f"/admin/screening/approvalrequest/{approval.pk}/decide/",
        {"decision": "approve", "content_hash": approval.content_hash},
    )
    assert decide.status_code == 404
    assert ApprovalRequest.objects.get().state == "pending"


def test_nobody_approves_a_change_to_their_own_account(morgan, avery):
    morgan.post(f"/admin/auth/user/{avery.user.pk}/reset/", {"what": "password"})
    reset = ApprovalRequest.objects.get()
    assert 'name="decision"' not in _request_page(avery, reset).content.decode()
    response = avery.post(
        f"/admin/screening/approvalrequest/{reset.pk}/decide/",
        {"decision": "approve", "content_hash": reset.content_hash},
    )
    assert response.status_code == 403
    assert (
        avery.user.has_usable_password() is False
        or ApprovalRequest.objects.get().state == "pending"
    )


def test_one_clinic_admin_cannot_shut_the_only_other_one_out(morgan, avery):
    data = _change_data(avery.user, roles=[], is_active="")
    response = morgan.post(f"/admin/auth/user/{avery.user.pk}/change/", data)
    assert response.status_code == 200
    assert "fewer than two people who can approve" in response.content.decode()
    avery.user.refresh_from_db()
    assert avery.user.is_active and avery.user.groups.exists()
    # With a third clinic admin, one may go: two remain to approve.
    _clinic_admin("jules")
    assert morgan.post(f"/admin/auth/user/{avery.user.pk}/change/", data).status_code == 302
    avery.user.refresh_from_db()
    assert not avery.user.is_active


def test_an_account_given_both_kinds_of_role_before_the_rule_reads_no_patient_data(default_rules):
    both = User.objects.create(username="both", is_staff=True)
    both.groups.add(Group.objects.get(name="Clinic admin"), Group.objects.get(name="Coordinator"))
    fresh = User.objects.get(pk=both.pk)
    assert fresh.has_perm("auth.change_user") and not fresh.has_perm("screening.view_case")
    client = Client()
    sign_in(client, both)
    assert client.get("/staff/").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/admin/auth/user/abc/password/",
        "/admin/auth/user/abc/history/",
        "/admin/screening/approvalrequest/abc/change/",
    ],
)
def test_crafted_account_addresses_are_404_not_a_server_error(morgan, path):
    assert morgan.get(path).status_code == 404


def test_save_as_new_on_an_account_page_is_refused(morgan):
    casey = User.objects.create(username="casey")
    data = _change_data(casey, roles=["Coordinator"]) | {"_saveasnew": "1", "username": "evil"}
    assert morgan.post(f"/admin/auth/user/{casey.pk}/change/", data).status_code == 403
    assert not User.objects.filter(username="evil").exists()
    assert not ApprovalRequest.objects.exists()


def test_second_factor_devices_are_not_browsable_in_the_admin(default_rules):
    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    client = Client()
    sign_in(client, root)
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


@pytest.mark.parametrize("name", ["Cas\u202eey", "Cas\u200bey", "\u3164"])
def test_staff_names_refuse_hidden_characters(morgan, name):
    response = _ask_for_account(morgan, first_name=name)
    assert (
        response.status_code == 400 and "Remove the hidden characters" in response.content.decode()
    )
    casey = User.objects.create(username="casey", first_name="Casey")
    changed = morgan.post(
        f"/admin/auth/user/{casey.pk}/change/", _change_data(casey, roles=[], first_name=name)
    )
    assert changed.status_code == 200
    casey.refresh_from_db()
    assert casey.first_name == "Casey"
