"""Who may open what: every route of the app for each kind of visitor, generated from the URL conf.

A new route without an entry in ACCESS fails ``test_every_route_has_an_access_entry``, so nobody adds a
page without deciding who may use it. (The Django admin's own routes are covered by its permissions and
the rules-admin tests; the second-factor rules of issue 5 will add a column here.)
"""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "coordinator", "rules_admin", "clinic_admin")
OK, LOGIN, FORBIDDEN = "ok", "login", "forbidden"
PUBLIC = dict.fromkeys(ROLES, OK)
STAFF = {"anonymous": LOGIN, "coordinator": OK, "rules_admin": FORBIDDEN, "clinic_admin": FORBIDDEN}

# route name -> (method, expected access per role)
ACCESS = {
    "screening:start": ("GET", PUBLIC),
    "screening:begin": ("POST", PUBLIC),
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
    "screening:queue": ("GET", STAFF),
    "screening:queue-export": ("GET", STAFF),
    "screening:case": ("GET", STAFF),
    "screening:case-print": ("GET", STAFF),
    "screening:case-fhir": ("GET", STAFF),
    "screening:case-amend": ("GET", STAFF),
    "screening:case-book": ("GET", STAFF),
    "screening:case-claim": ("POST", STAFF),
    "screening:case-status": ("POST", STAFF),
    "screening:case-assign": ("POST", STAFF),
    "screening:case-note": ("POST", STAFF),
    "screening:case-contact": ("POST", STAFF),
    "screening:case-rescreen": ("POST", STAFF),
    "screening:case-completion-link": ("POST", STAFF),
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
    from screening.demo.cases import generate
    from screening.models import Case

    generate(count=1, drafts_share=0)
    return Case.objects.get().intake.reference


def _client(role: str) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    group = {"coordinator": "Coordinator", "rules_admin": "Rules admin"}.get(role, "Clinic admin")
    user = User.objects.create(username=role, is_staff=True)  # no password: no slow hashing
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


def _url(name: str, reference: str) -> str:
    route = _routes()[name]
    path = "/" + route.replace("<str:reference>", reference).replace(
        "<slug:slug>", "about-you"
    ).replace("<str:token>", "an-unknown-token")
    assert "<" not in path, f"add a value for the parameters of {name}"
    return path


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ACCESS))
def test_access(name, role, case_reference):
    method, expected = ACCESS[name]
    client = _client(role)
    url = _url(name, case_reference)
    response = client.post(url) if method == "POST" else client.get(url)
    if response.status_code == 302 and response["Location"].startswith("/staff/login/"):
        got = LOGIN
    elif response.status_code == 403:
        got = FORBIDDEN
    else:
        assert response.status_code < 500
        got = OK
    assert got == expected[role], (name, role, response.status_code)
