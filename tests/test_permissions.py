"""Who may open what: every route of the app for each kind of visitor, generated from the URL conf,
and every model page of the Django admin, generated from its registry.

A new route without an entry in ACCESS fails ``test_every_route_has_an_access_entry``, so nobody adds a
page without deciding who may use it. Visitors: a stranger, a patient with a draft, each staff role, and
a coordinator who gave a password but no second factor (refused on every staff page and in the admin).
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.personas import sign_in

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "patient",
    "coordinator",
    "specialist",
    "rules_admin",
    "clinic_admin",
    "no_second_factor",
)
OK, LOGIN, FORBIDDEN, SECOND_FACTOR = "ok", "login", "forbidden", "second factor"
PUBLIC = dict.fromkeys(ROLES, OK)
STAFF = {
    "anonymous": LOGIN,
    "patient": LOGIN,
    "coordinator": OK,
    "specialist": FORBIDDEN,  # reads cases and their reports, adds notes: READ below
    "rules_admin": FORBIDDEN,
    "clinic_admin": FORBIDDEN,
    "no_second_factor": SECOND_FACTOR,
}
READ = STAFF | {"specialist": OK}
SIGNED_IN = {"anonymous": LOGIN, "patient": LOGIN} | dict.fromkeys(
    ("coordinator", "specialist", "rules_admin", "clinic_admin", "no_second_factor"), OK
)

# route name -> (method, expected access per role)
ACCESS = {
    "screening:start": ("GET", PUBLIC),
    "screening:begin": ("POST", PUBLIC),
    "screening:language": ("POST", PUBLIC),
    "screening:tasks": ("GET", PUBLIC),
    "screening:check": ("GET", PUBLIC),
    "screening:submit": ("POST", PUBLIC),
    "screening:receipt": ("GET", PUBLIC),
    "screening:start-again": ("POST", PUBLIC),
    "screening:check-body": ("GET", PUBLIC),
    "screening:safety-advice": ("GET", PUBLIC),
    "screening:resume": ("GET", PUBLIC),
    "screening:page": ("GET", PUBLIC),
    "screening:privacy": ("GET", PUBLIC),
    "screening:complete-done": ("GET", PUBLIC),
    "screening:complete": ("GET", PUBLIC),
    "screening:complete-form": ("GET", PUBLIC),
    "screening:staff-login": ("GET", PUBLIC),
    # Signing out redirects to the sign-in page, whoever asks.
    "screening:staff-logout": ("POST", dict.fromkeys(ROLES, LOGIN)),
    "screening:queue": ("GET", READ),
    "screening:queue-export": ("GET", STAFF),
    "screening:case": ("GET", READ),
    "screening:case-print": ("GET", STAFF),
    "screening:case-fhir": ("GET", STAFF),
    # An unknown file: 404 for those who may read reports
    "screening:case-report": ("GET", READ),
    "screening:case-report-add": ("POST", STAFF),
    "screening:case-treatment": ("POST", READ),  # coordinators and specialists record treatments
    "screening:case-amend": ("GET", STAFF),
    "screening:case-book": ("GET", STAFF),
    "screening:case-claim": ("POST", STAFF),
    "screening:case-status": ("POST", STAFF),
    "screening:case-assign": ("POST", STAFF),
    "screening:case-note": ("POST", READ),
    "screening:case-contact": ("POST", STAFF),
    "screening:case-rescreen": ("POST", STAFF),
    "screening:case-completion-link": ("POST", STAFF),
    "healthz": ("GET", PUBLIC),
    # Without a device yet, verifying sends the user to set one up.
    "screening:two-factor-verify": ("GET", SIGNED_IN | {"no_second_factor": SECOND_FACTOR}),
    "screening:two-factor-setup": ("GET", SIGNED_IN),
    "screening:keep-alive": (
        "POST",
        STAFF | {"specialist": OK, "rules_admin": OK, "clinic_admin": OK},
    ),
    # Setting a password from an e-mailed link: anyone holding the link (an unknown one reads as closed).
    "screening:set-password": ("GET", PUBLIC),
    "screening:set-password-done": ("GET", PUBLIC),
    # Changing one's own password: every staff member, with both factors.
    "screening:staff-password": (
        "GET",
        STAFF | {"specialist": OK, "rules_admin": OK, "clinic_admin": OK},
    ),
    "screening:staff-password-done": (
        "GET",
        STAFF | {"specialist": OK, "rules_admin": OK, "clinic_admin": OK},
    ),
}


def _routes(patterns=None, namespace: str = "") -> dict[str, str]:
    """Every named route of the app (outside the admin) as name -> route text."""
    found = {}
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            prefix = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found |= _routes(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            found[f"{namespace}{entry.name}"] = str(entry.pattern)
    return found


def test_every_route_has_an_access_entry():
    assert set(_routes()) == set(ACCESS)


@pytest.fixture
def case_reference(default_rules):
    from screening.casework.models import Case
    from screening.demo.cases import generate

    generate(count=1, drafts_share=0)
    return Case.objects.get().intake.reference


GROUPS = {
    "coordinator": "Coordinator",
    "specialist": "Specialist",
    "no_second_factor": "Coordinator",
    "rules_admin": "Rules admin",
    "clinic_admin": "Clinic admin",
}


def _client(role: str) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    if role == "patient":
        client.post("/intake/begin/")  # a draft in this browser's session
        return client
    user = User.objects.create(username=role, is_staff=True)  # no password: no slow hashing
    user.groups.add(Group.objects.get(name=GROUPS[role]))
    if role == "no_second_factor":
        client.force_login(user)  # a password alone
    else:
        sign_in(client, user)
    return client


def _access(response, login_url: str = "/staff/login/") -> str:
    location = response.get("Location", "") if response.status_code == 302 else ""
    if location.startswith(login_url):
        return LOGIN
    if location.startswith("/staff/two-factor/"):
        return SECOND_FACTOR
    if response.status_code == 403:
        return FORBIDDEN
    assert response.status_code < 500
    return OK


def _url(name: str, reference: str) -> str:
    route = _routes()[name]
    path = "/" + route.replace("<str:reference>", reference).replace(
        "<slug:slug>", "about-you"
    ).replace("<str:token>", "an-unknown-token").replace("<str:uidb64>", "MQ").replace(
        "<str:name>", "unknown.pdf"
    )
    assert "<" not in path, f"add a value for the parameters of {name}"
    return path


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ACCESS))
def test_access(name, role, case_reference):
    method, expected = ACCESS[name]
    client = _client(role)
    url = _url(name, case_reference)
    response = client.post(url) if method == "POST" else client.get(url)
    assert _access(response) == expected[role], (name, role, response.status_code)


def _admin_pages() -> list[tuple[str, str]]:
    """The admin's index and each registered model's list, as (page, the model's label)."""
    pages = [("/admin/", "")]
    for model in admin.site._registry:
        meta = model._meta
        pages.append((f"/admin/{meta.app_label}/{meta.model_name}/", meta.label_lower))
    return pages


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "model"), _admin_pages())
def test_admin_access(path, model, role, default_rules):
    client = _client(role)
    response = client.get(path)
    got = _access(response, login_url="/admin/login/")
    if role in ("anonymous", "patient"):
        assert got == LOGIN
    elif role == "no_second_factor":
        assert got == SECOND_FACTOR
    else:
        user = User.objects.get(username=role)
        app_label, model_name = model.split(".") if model else ("", "")
        allowed = not model or any(
            user.has_perm(f"{app_label}.{action}_{model_name}") for action in ("view", "change")
        )
        assert got == (OK if allowed else FORBIDDEN), (path, role, response.status_code)


def test_a_staff_members_permissions_are_their_own_and_their_roles_read_in_one_query(
    django_assert_num_queries,
):
    """What OneQueryPermissionsBackend (settings) must give: the same permissions as Django's ModelBackend,
    in one query; none for an inactive account."""
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Permission

    user = User.objects.create_user("both", password="a-long-enough-password-1")
    user.groups.add(Group.objects.get(name="Coordinator"), Group.objects.get(name="Rules admin"))
    user.user_permissions.add(Permission.objects.get(codename="view_user"))
    expected = ModelBackend().get_all_permissions(User.objects.get(pk=user.pk))
    assert {"screening.view_case", "screening.publish_rulesetversion", "auth.view_user"} <= expected

    fresh = User.objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert fresh.get_all_permissions() == expected
        assert fresh.has_perm("screening.change_case") and fresh.has_perm("auth.view_user")
        assert not fresh.has_perm("auth.add_user")

    user.is_active = False
    user.save()
    assert not User.objects.get(pk=user.pk).has_perm("screening.view_case")
    nobody = User.objects.create_user("nobody", password="a-long-enough-password-1")
    assert User.objects.get(pk=nobody.pk).get_all_permissions() == set()
