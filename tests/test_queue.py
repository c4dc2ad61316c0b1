"""The coordinators' queue: login, order, filters, search, counts, keyset pages, constant query count."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from screening.demo.cases import generate
from screening.models import Case
from tests.intake_data import FULL_INTAKE

pytestmark = pytest.mark.django_db
QUEUE = "/staff/"


def _user(name, group=None):
    user = User.objects.create_user(name, password="a-long-password-for-tests")
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def coordinator(client, default_rules):
    user = _user("casey", "Coordinator")
    client.force_login(user)
    client.user = user
    return client


def test_strangers_are_sent_to_sign_in_and_other_staff_are_refused(client, default_rules):
    response = client.get(QUEUE)
    assert response.url == reverse("screening:staff-login") + "?next=/staff/"
    client.force_login(_user("rosa", "Rules admin"))
    assert client.get(QUEUE).status_code == 403


def test_a_coordinator_signs_in_and_lands_on_the_queue(client, default_rules):
    _user("casey", "Coordinator")
    page = client.get(reverse("screening:staff-login"))
    assert "Staff sign in" in page.content.decode()
    wrong = client.post(reverse("screening:staff-login"), {"username": "casey", "password": "nope"})
    assert "Enter a correct username and password" in wrong.content.decode()
    response = client.post(
        reverse("screening:staff-login"),
        {"username": "casey", "password": "a-long-password-for-tests"},
    )
    assert response.url == reverse("screening:queue")


def test_cases_come_most_severe_first_then_longest_waiting(coordinator, patient):
    patient.fill(upto="safety")
    patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})
    generate(count=60)
    rows = coordinator.get(QUEUE).context["rows"]
    keys = [(r["case"].severity, r["case"].received_at) for r in rows]
    assert keys == sorted(keys)
    assert rows[0]["case"].outcome == "urgent"
    html = coordinator.get(QUEUE).content.decode()
    assert "not submitted" in html  # urgent drafts are in the queue, marked


def test_filters_and_counts(coordinator):
    generate(count=80)
    Case.objects.filter(pk=Case.objects.first().pk).update(
        assignee=coordinator.user, status="in_review", close_reason=""
    )
    mine = coordinator.get(QUEUE + "?assignee=mine").context["rows"]
    assert mine and {r["case"].assignee for r in mine} == {coordinator.user}
    assert len(mine) == min(50, Case.objects.filter(assignee=coordinator.user).count())
    urgent = coordinator.get(QUEUE + "?outcome=urgent").context
    assert {r["case"].outcome for r in urgent["rows"]} == {"urgent"}
    assert dict(urgent["outcome_counts"])["Urgent"] == Case.objects.filter(outcome="urgent").count()
    assert dict(urgent["outcome_counts"])["Routine"] == 0
    unassigned = coordinator.get(QUEUE + "?assignee=unassigned&status=new").context["rows"]
    assert all(r["case"].assignee is None and r["case"].status == "new" for r in unassigned)
    old = timezone.localdate() - timedelta(days=200)
    recent = coordinator.get(QUEUE + f"?from={old.isoformat()}").context["rows"]
    assert all(timezone.localdate(r["case"].received_at) >= old for r in recent)


def test_search_by_reference_or_surname_ignores_case_and_accents(coordinator, patient):
    patient.fill(overrides={"about-you": {"family_name": "Żółkiewska-Dąbrowski"}})
    patient.submit()
    reference = patient.intake.reference
    generate(count=30)
    for query in ("zolkiewska", "ŻÓŁKIEW", reference.lower(), reference[3:]):
        response = coordinator.post(QUEUE, {"q": query, "status": "new"}, follow=True)
        rows = response.context["rows"]
        assert [r["case"].intake.reference for r in rows] == [reference], query
        # The search text stays out of the address (and so out of access logs); filters do not.
        (address, _status) = response.redirect_chain[-1]
        assert address == f"{QUEUE}?status=new&search=1"
        assert query.lower() not in address.lower()
    # Without the search flag (the "Clear" link, or a bookmark), the queue is not searched.
    assert len(coordinator.get(QUEUE).context["rows"]) > 1


def test_pages_follow_on_without_gaps_or_repeats(coordinator):
    generate(count=120)
    seen, url = [], QUEUE
    while url:
        response = coordinator.get(url)
        seen += [r["case"].pk for r in response.context["rows"]]
        cursor = response.context["next_cursor"]
        url = f"{QUEUE}?after={cursor}" if cursor else None
    assert len(seen) == len(set(seen)) == 120


def test_a_malformed_cursor_shows_the_first_page(coordinator):
    generate(count=5)
    assert len(coordinator.get(QUEUE + "?after=not-a-cursor").context["rows"]) == 5


def test_the_queue_costs_the_same_queries_at_10_and_1000_cases(coordinator):
    generate(count=10)
    with CaptureQueriesContext(connection) as small:
        coordinator.get(QUEUE)
    generate(count=990, seed=9)
    with CaptureQueriesContext(connection) as large:
        coordinator.get(QUEUE)
    assert len(large) == len(small)
    assert not any("OFFSET" in q["sql"].upper() for q in large.captured_queries)
