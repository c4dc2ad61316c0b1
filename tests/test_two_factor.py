"""Staff sign-in: a password and a second factor on every staff page and in the admin, lockout of
repeated failures, sessions that end when idle or old, and passwords that are long and not common."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening.staff.models import AuditEvent
from screening.staff.sessions import LAST_SEEN, SIGNED_IN_AT
from tests.personas import sign_in
from tests.test_notifications import run_worker

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-password-for-tests"


@pytest.fixture
def casey(default_rules) -> User:
    user = User.objects.create_user("casey", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Coordinator"))
    return user


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _sign_in(client: Client, username: str = "casey", password: str = PASSWORD, **extra):
    return client.post("/staff/login/", {"username": username, "password": password}, **extra)


def _with_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def test_a_password_alone_cannot_enrol_a_second_factor(client, casey):
    _sign_in(client)
    response = client.get("/staff/", follow=True)
    assert "Ask for a setup code" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=casey).exists()


def test_first_sign_in_sets_up_an_app_and_shows_backup_codes_once(client, casey):
    from screening.staff.second_factor import SETUP_CODE, issue_code

    setup_code = issue_code(casey, SETUP_CODE)  # given by a clinic admin
    _sign_in(client)
    response = client.get("/staff/")
    assert response["Location"].startswith("/staff/two-factor/?next=")
    response = client.post("/staff/two-factor/", {"code": setup_code, "next": "/staff/"})
    assert response["Location"] == "/staff/"
    response = client.get("/staff/")  # verified with the setup code, but no app yet
    assert client.get("/staff/two-factor/setup/").status_code == 200
    page = client.get("/staff/two-factor/setup/")
    html = page.content.decode()
    assert "Set up your second factor" in html
    assert '<img src="data:image/svg+xml' in html  # an image the CSP allows, no markup trusted
    device = TOTPDevice.objects.get(user=casey, confirmed=False)

    wrong = client.post("/staff/two-factor/setup/", {"code": "000000", "next": "/staff/"})
    assert wrong.status_code == 400 and "The code is not right" in wrong.content.decode()
    device.refresh_from_db()
    done = client.post("/staff/two-factor/setup/", {"code": _code(device), "next": "/staff/"})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.second_factor_setup", actor=casey).exists()


@pytest.mark.parametrize("login_page", ["/staff/login/", "/admin/login/"])
def test_a_password_alone_opens_no_staff_page_whichever_page_it_was_given_on(
    client, casey, login_page
):
    device = _with_app(casey)
    client.post(login_page, {"username": "casey", "password": PASSWORD})
    for page in ("/staff/", "/admin/", "/admin/screening/auditevent/", "/staff/export.csv"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/staff/two-factor/?next="), page
    before = client.session.session_key
    response = client.post("/staff/two-factor/", {"code": _code(device), "next": "/staff/"})
    assert response["Location"] == "/staff/"
    assert client.session.session_key != before  # a new session once both factors are given
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.get(action="auth.second_factor").detail["device"] == "Phone"


def test_a_backup_code_works_once(casey):
    _with_app(casey)
    client = Client()
    _sign_in(client)
    client.get("/staff/two-factor/setup/")  # has an app already: sent to verify
    from django_otp.plugins.otp_static.models import StaticDevice

    backup = StaticDevice.objects.create(user=casey, name="Backup codes", confirmed=True)
    backup.token_set.create(token="k3y9m2a7")
    assert client.post("/staff/two-factor/", {"code": "k3y9m2a7"}).status_code == 302
    assert client.get("/staff/").status_code == 200

    again = Client()
    _sign_in(again)
    response = again.post("/staff/two-factor/", {"code": "k3y9m2a7"})
    assert response.status_code == 400 and "The code is not right" in response.content.decode()


def test_wrong_codes_are_limited_and_recorded(client, casey):
    device = _with_app(casey)
    _sign_in(client)
    for _ in range(5):
        client.post("/staff/two-factor/", {"code": "123456"})
    response = client.post("/staff/two-factor/", {"code": _code(device)})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many wrong codes. Wait 15 minutes and try again" in html
    assert "The code is not right" not in html  # refused untried: the code is not called wrong
    assert client.get("/staff/")["Location"].startswith("/staff/two-factor/")
    assert AuditEvent.objects.filter(action="auth.second_factor_failed").count() == 5
    assert AuditEvent.objects.filter(action="auth.second_factor_refused").count() == 1


def test_a_stranger_with_the_password_cannot_block_the_real_code_from_elsewhere(casey):
    """Wrong codes from one address leave the owner's own sign-in, from another, untouched."""
    device = _with_app(casey)
    stranger = Client(REMOTE_ADDR="203.0.113.66")
    _sign_in(stranger, REMOTE_ADDR="203.0.113.66")
    for _ in range(5):
        stranger.post("/staff/two-factor/", {"code": "123456"})
    owner = Client(REMOTE_ADDR="198.51.100.20")
    _sign_in(owner, REMOTE_ADDR="198.51.100.20")
    response = owner.post("/staff/two-factor/", {"code": _code(device)})
    assert response.status_code == 302
    assert owner.get("/staff/").status_code == 200


def test_a_right_code_straight_after_a_wrong_one_is_accepted(client, casey):
    device = _with_app(casey)
    _sign_in(client)
    assert client.post("/staff/two-factor/", {"code": "123456"}).status_code == 400
    assert client.post("/staff/two-factor/", {"code": _code(device)}).status_code == 302


@pytest.mark.django_db(transaction=True)  # the e-mail is queued when the write commits
def test_wrong_codes_from_many_addresses_stop_at_a_ceiling_and_the_owner_is_told(casey, settings):
    settings.STAFF_OTP_ACCOUNT_MAX_FAILURES = 8
    casey.email = "casey@clinic.example"
    casey.save()
    device = _with_app(casey)
    for n in range(4):  # two wrong codes from each of four addresses: no address reaches its limit
        guesser = Client(REMOTE_ADDR=f"203.0.113.{n}")
        _sign_in(guesser, REMOTE_ADDR=f"203.0.113.{n}")
        for _ in range(2):
            assert guesser.post("/staff/two-factor/", {"code": "123456"}).status_code == 400
    owner = Client(REMOTE_ADDR="198.51.100.20")
    _sign_in(owner, REMOTE_ADDR="198.51.100.20")
    refused = owner.post("/staff/two-factor/", {"code": _code(device)})
    assert refused.status_code == 429
    assert "Too many wrong codes. Wait 60 minutes" in refused.content.decode()
    run_worker()
    (message,) = [m for m in mail.outbox if m.to == ["casey@clinic.example"]]
    assert "8 wrong second-factor codes" in message.body
    assert AuditEvent.objects.filter(action="auth.second_factor_locked").count() == 1
    # The ceiling's refusals are not failures: once its window ends, the owner signs in.
    from screening.staff.models import AttemptWindow

    AttemptWindow.objects.filter(key__startswith="otp-account:").update(window_ends=timezone.now())
    assert owner.post("/staff/two-factor/", {"code": _code(device)}).status_code == 302


def test_under_the_ceiling_the_operators_emergency_code_still_works(casey, settings):
    settings.STAFF_OTP_ACCOUNT_MAX_FAILURES = 4
    _with_app(casey)
    for n in range(2):
        guesser = Client(REMOTE_ADDR=f"203.0.113.{n}")
        _sign_in(guesser, REMOTE_ADDR=f"203.0.113.{n}")
        for _ in range(2):
            guesser.post("/staff/two-factor/", {"code": "123456"})
    from screening.staff.second_factor import EMERGENCY_CODE, issue_code

    code = issue_code(casey, EMERGENCY_CODE)  # manage.py emergency_access, on the server
    owner = Client(REMOTE_ADDR="198.51.100.20")
    _sign_in(owner, REMOTE_ADDR="198.51.100.20")
    assert owner.post("/staff/two-factor/", {"code": "k3y9m2a7"}).status_code == 429
    assert owner.post("/staff/two-factor/", {"code": code}).status_code == 302


def _verified(user) -> Client:
    client = Client()
    sign_in(client, user)
    assert client.get("/staff/").status_code == 200
    return client


def _age(client: Client, **seconds_ago) -> None:
    session = client.session
    now = timezone.now().timestamp()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_fifteen_idle_minutes_end_the_session_with_a_message(casey):
    client = _verified(casey)
    _age(client, **{LAST_SEEN: 16 * 60})
    response = client.get("/staff/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/staff/login/")
    assert "signed out after 15 minutes without activity" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.timeout", actor=casey).exists()


def test_activity_and_the_stay_signed_in_button_keep_the_session(casey):
    client = _verified(casey)
    _age(client, **{LAST_SEEN: 14 * 60})
    assert client.post("/staff/session/keep-alive/").status_code == 204
    assert client.get("/staff/").status_code == 200
    html = client.get("/staff/").content.decode()
    assert 'data-idle-seconds="900"' in html and "Stay signed in" in html


def _session_row(client: Client) -> tuple[str, object]:
    row = Session.objects.get(session_key=client.session.session_key)
    return row.session_data, row.expire_date


def test_reading_pages_writes_the_session_at_most_once_a_minute(casey):
    client = _verified(casey)
    _age(client, **{LAST_SEEN: 30})
    before = _session_row(client)
    for page in ("/staff/", "/staff/?status=new"):
        assert client.get(page).status_code == 200
    assert _session_row(client) == before  # no write: activity was noted 30 seconds ago
    _age(client, **{LAST_SEEN: 61})
    client.get("/staff/")
    assert timezone.now().timestamp() - client.session[LAST_SEEN] < 5  # a minute on: written


def test_a_short_idle_time_notes_activity_more_often(casey, settings):
    settings.STAFF_IDLE_MINUTES = 1
    client = _verified(casey)
    _age(client, **{LAST_SEEN: 10})
    assert client.get("/staff/").status_code == 200  # 10 seconds is a sixth of the idle minute
    assert timezone.now().timestamp() - client.session[LAST_SEEN] < 5


def test_a_post_is_always_noted_as_activity(casey):
    client = _verified(casey)
    _age(client, **{LAST_SEEN: 30})
    assert client.post("/staff/session/keep-alive/").status_code == 204
    assert timezone.now().timestamp() - client.session[LAST_SEEN] < 5


def test_the_idle_warning_counts_from_the_activity_noted(casey):
    client = _verified(casey)
    _age(client, **{LAST_SEEN: 40})
    html = client.get("/staff/").content.decode()
    idle = int(re.search(r'data-idle-seconds="(\d+)"', html).group(1))
    assert 855 <= idle <= 860  # 15 minutes from the activity noted 40 seconds ago, not from now


def test_twelve_hours_end_the_session_however_active(casey):
    client = _verified(casey)
    _age(client, **{SIGNED_IN_AT: 12 * 3600 + 60, LAST_SEEN: 5})
    response = client.get("/staff/")
    assert response["Location"].startswith("/staff/login/")


def test_a_deactivated_account_is_signed_out_at_once(casey):
    client = _verified(casey)
    casey.is_active = False
    casey.save()
    assert client.get("/staff/")["Location"].startswith("/staff/login/")


def test_signing_out_ends_the_session(casey):
    client = _verified(casey)
    key = client.session.session_key
    client.post("/staff/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/staff/")["Location"].startswith("/staff/login/")


def test_repeated_wrong_passwords_lock_that_username_at_that_address_only(casey):
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(5):
        _sign_in(attacker, password="wrong-password", REMOTE_ADDR="203.0.113.66")
    locked = _sign_in(attacker, REMOTE_ADDR="203.0.113.66")
    assert locked.status_code == 429
    assert "Sign-in locked for now" in locked.content.decode()
    # The real user, elsewhere, still signs in.
    real = Client(REMOTE_ADDR="192.0.2.10")
    assert _sign_in(real, REMOTE_ADDR="192.0.2.10").status_code == 302
    assert AuditEvent.objects.filter(action="auth.login_failed", object_ref="casey").count() >= 5


def test_the_lockout_reads_the_address_behind_a_trusted_proxy(casey, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(5):
        _sign_in(Client(), password="wrong", HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    # Another client behind the same proxy is not locked out with the attacker.
    ok = _sign_in(Client(), HTTP_X_FORWARDED_FOR="192.0.2.10", **proxy)
    assert ok.status_code == 302


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("short-1", True),  # fewer than 12 characters
        ("password1234", True),  # a common password
        ("123456789012", True),  # only digits
        ("casey-moss-2026", True),  # too like the username
        ("plover-tundra-ochre-7", False),
    ],
)
def test_passwords_are_long_and_not_common(password, refused):
    user = User(username="casey-moss", first_name="Casey", last_name="Moss")
    if refused:
        with pytest.raises(ValidationError):
            validate_password(password, user)
    else:
        validate_password(password, user)


def test_no_forced_password_rotation(settings):
    assert not hasattr(settings, "PASSWORD_EXPIRY_DAYS")
    assert timedelta(hours=settings.STAFF_SESSION_HOURS) == timedelta(hours=12)


def test_a_script_name_prefix_does_not_skip_the_second_factor(client, casey):
    _with_app(casey)
    _sign_in(client)
    response = client.get("/staff/", SCRIPT_NAME="/x")
    assert response.status_code == 302 and "/two-factor/" in response["Location"]


def test_every_password_change_is_audited(casey, settings):
    casey.set_password("another-long-password-2026")
    casey.save()
    event = AuditEvent.objects.get(action="user.password")
    assert event.object_ref == "casey" and event.actor is None and event.detail["operator"]
    client = Client()
    sign_in(client, casey)
    wrong = client.post(
        "/staff/password/",
        {
            "old_password": "not-it",
            "new_password1": "plover-tundra-ochre-7",
            "new_password2": "plover-tundra-ochre-7",
        },
    )
    assert wrong.status_code == 200
    assert "Your password now is not right" in wrong.content.decode()
    response = client.post(
        "/staff/password/",
        {
            "old_password": "another-long-password-2026",
            "new_password1": "plover-tundra-ochre-7",
            "new_password2": "plover-tundra-ochre-7",
        },
    )
    assert response["Location"] == "/staff/password/done/"
    assert client.get("/staff/password/done/").status_code == 200  # still signed in
    by_owner = AuditEvent.objects.filter(action="user.password").first()
    assert by_owner.actor == casey and by_owner.object_ref == "casey"


@pytest.mark.parametrize("login_page", ["/staff/login/", "/admin/login/"])
def test_one_address_trying_many_usernames_is_refused_and_does_not_flood_the_log(
    casey, settings, login_page
):
    settings.STAFF_LOGIN_FAILURES_PER_ADDRESS = 6
    sprayer = Client(REMOTE_ADDR="203.0.113.99")
    for n in range(10):  # a different username each time: axes' per-username lockout never trips
        sprayer.post(login_page, {"username": f"user{n}", "password": "Winter2026!"})
    refused = sprayer.post(login_page, {"username": "casey", "password": PASSWORD})  # even right
    assert refused.status_code == 200
    assert "Too many failed sign-ins from this connection" in refused.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 6
    elsewhere = Client(REMOTE_ADDR="192.0.2.10")
    assert _sign_in(elsewhere, REMOTE_ADDR="192.0.2.10").status_code == 302
