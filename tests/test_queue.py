"""The coordinators' queue: login, order, filters, search, counts, keyset pages, constant query count."""

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from screening.casework import case_queue as queue
from screening.casework.models import Case
from screening.demo.cases import generate
from tests.intake_data import FULL_INTAKE
from tests.personas import sign_in

pytestmark = pytest.mark.django_db
QUEUE = "/staff/"


@pytest.fixture(autouse=True)
def _fresh_summaries():
    """Each test counts its own cases: nothing kept from an earlier test's database."""
    queue.forget_summaries()


def _user(name, group=None):
    user = User.objects.create_user(name, password="a-long-password-for-tests")
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def coordinator(client, default_rules):
    user = _user("casey", "Coordinator")
    sign_in(client, user)
    client.user = user
    return client


def test_strangers_are_sent_to_sign_in_and_other_staff_are_refused(client, default_rules):
    response = client.get(QUEUE)
    assert response.url == reverse("screening:staff-login") + "?next=/staff/"
    sign_in(client, _user("rosa", "Rules admin"))
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


def test_the_default_queue_lists_open_cases_and_a_filter_shows_closed_ones(coordinator):
    generate(count=60)
    assert Case.objects.filter(status="closed").exists()
    rows = coordinator.get(QUEUE).context["rows"]
    assert rows and "closed" not in {r["status"] for r in rows}
    closed = coordinator.get(QUEUE + "?status=closed").context["rows"]
    assert closed and {r["status"] for r in closed} == {"closed"}
    every = coordinator.get(QUEUE + "?status=all").context["rows"]
    assert len(every) == min(50, Case.objects.count())


def test_the_queue_triages_tiers_first_unclaimed_before_claimed_then_longest_waiting(
    coordinator, second_coordinator
):
    from screening.casework import services

    generate(count=40)
    Case.objects.update(assignee=None)  # rank as the demo made it, recomputed below
    for case in Case.objects.all():
        services.case_assign(case_id=case.pk, user=coordinator.user, assignee=None)
    # A routine case claimed, an old tier-3 case claimed, a fresh tier-1 case unclaimed.
    tier_3 = Case.objects.filter(outcome="urgent").exclude(tier=1).first()
    if tier_3 is not None:
        services.case_claim(case_id=tier_3.pk, user=second_coordinator.user)
    rows = coordinator.get(QUEUE).context["rows"]
    keys = [(r["severity"], r["received_at"]) for r in rows]
    assert keys == sorted(keys)
    tiers = [r["tier"] for r in rows if r["outcome"] == "urgent"]
    assert tiers == sorted(tiers, key=lambda t: t or 3)  # tier 1, then 2, then 3
    assert rows[0]["outcome"] == "urgent" and rows[0]["tier"] == 1
    # Within a group, unclaimed cases come before claimed ones.
    by_group = {}
    for row in rows:
        by_group.setdefault(row["severity"] // 2, []).append(row["assignee_id"] is not None)
    assert all(flags == sorted(flags) for flags in by_group.values())


def test_cases_come_most_severe_first_then_longest_waiting(coordinator, patient):
    patient.fill(upto="safety")
    patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})
    generate(count=60)
    rows = coordinator.get(QUEUE).context["rows"]
    keys = [(r["severity"], r["received_at"]) for r in rows]
    assert keys == sorted(keys)
    assert rows[0]["outcome"] == "urgent"
    html = coordinator.get(QUEUE).content.decode()
    assert "not submitted" in html  # urgent drafts are in the queue, marked


def test_filters_and_counts(coordinator):
    generate(count=80)
    Case.objects.filter(pk=Case.objects.first().pk).update(
        assignee=coordinator.user, status="in_review", close_reason=""
    )
    mine = coordinator.get(QUEUE + "?assignee=mine&status=all").context["rows"]
    assert mine and {r["assignee_id"] for r in mine} == {coordinator.user.pk}
    assert len(mine) == min(50, Case.objects.filter(assignee=coordinator.user).count())
    urgent = coordinator.get(QUEUE + "?outcome=urgent").context
    assert {r["outcome"] for r in urgent["rows"]} == {"urgent"}
    open_urgent = Case.objects.filter(outcome="urgent").exclude(status="closed")
    assert dict(urgent["outcome_counts"])["Urgent"] == open_urgent.count()
    assert dict(urgent["outcome_counts"])["Routine"] == 0
    unassigned = coordinator.get(QUEUE + "?assignee=unassigned&status=new").context["rows"]
    assert all(r["assignee_id"] is None and r["status"] == "new" for r in unassigned)
    old = timezone.localdate() - timedelta(days=200)
    recent = coordinator.get(QUEUE + f"?from={old.isoformat()}").context["rows"]
    assert all(timezone.localdate(r["received_at"]) >= old for r in recent)


def test_search_by_reference_or_surname_ignores_case_and_accents(coordinator, patient):
    patient.fill(overrides={"about-you": {"family_name": "Żółkiewska-Dąbrowski"}})
    patient.submit()
    reference = patient.intake.reference
    generate(count=30)
    for query in ("zolkiewska", "ŻÓŁKIEW", reference.lower(), reference[3:]):
        response = coordinator.post(QUEUE, {"q": query, "status": "new"}, follow=True)
        rows = response.context["rows"]
        assert [r["reference"] for r in rows] == [reference], query
        # The search text stays out of the address (and so out of access logs); filters do not.
        (address, _status) = response.redirect_chain[-1]
        assert address == f"{QUEUE}?status=new&search=1"
        assert query.lower() not in address.lower()
    # Without the search flag (the "Clear" link, or a bookmark), the queue is not searched.
    assert len(coordinator.get(QUEUE).context["rows"]) > 1


def test_pages_follow_on_without_gaps_or_repeats(coordinator):
    generate(count=120)
    seen, url = [], QUEUE + "?status=all"
    while url:
        response = coordinator.get(url)
        seen += [r["id"] for r in response.context["rows"]]
        cursor = response.context["next_cursor"]
        url = f"{QUEUE}?status=all&after={cursor}" if cursor else None
    assert len(seen) == len(set(seen)) == 120


def test_a_malformed_cursor_shows_the_first_page(coordinator):
    generate(count=5)
    first = coordinator.get(QUEUE).context["rows"]
    assert first and coordinator.get(QUEUE + "?after=not-a-cursor").context["rows"] == first


def test_the_queue_costs_the_same_queries_at_10_and_1000_cases(coordinator):
    generate(count=10)
    coordinator.get(QUEUE)  # the session's first staff page notes when it began
    queue.forget_summaries()
    with CaptureQueriesContext(connection) as small:
        coordinator.get(QUEUE)
    generate(count=990, seed=9)
    deep = QUEUE + "?after=" + coordinator.get(QUEUE).context["next_cursor"]
    queue.forget_summaries()
    with CaptureQueriesContext(connection) as large:
        coordinator.get(deep)
    assert len(large) == len(small)
    assert not any("OFFSET" in q["sql"].upper() for q in large.captured_queries)


def test_a_queue_page_read_again_within_a_minute_counts_nothing_and_writes_nothing(coordinator):
    generate(count=60)
    coordinator.get(QUEUE)
    with CaptureQueriesContext(connection) as warm:
        coordinator.get(QUEUE)
    sql = [q["sql"].upper() for q in warm.captured_queries]
    # Session, user, permissions (2), second-factor device, the page's rows.
    assert len(sql) <= 6, sql
    assert not any("COUNT(" in q or q.startswith(("UPDATE", "INSERT", "DELETE")) for q in sql)


def test_counts_are_kept_a_minute_and_say_when_they_were_counted(coordinator, monkeypatch):
    generate(count=20)
    first = coordinator.get(QUEUE + "?status=all").context
    total = sum(n for _label, n in first["outcome_counts"])
    assert total == 20
    assert "Counted at" in coordinator.get(QUEUE + "?status=all").content.decode()
    generate(count=5, seed=5)
    kept = coordinator.get(QUEUE + "?status=all").context
    assert sum(n for _label, n in kept["outcome_counts"]) == 20  # within the minute: as counted
    assert len(kept["rows"]) == 25  # the list itself is always current
    assert coordinator.get(QUEUE + "?status=new").context["counted_at"] >= first["counted_at"]
    now = time.monotonic()
    monkeypatch.setattr(queue, "_clock", lambda: now + queue.SUMMARY_SECONDS + 1)  # a minute on
    fresh = coordinator.get(QUEUE + "?status=all").context
    assert sum(n for _label, n in fresh["outcome_counts"]) == 25
    assert sum(n for _label, n in fresh["status_counts"]) == 25


def test_a_process_keeps_a_bounded_number_of_summaries(monkeypatch):
    monkeypatch.setattr(queue, "SUMMARIES_KEPT", 3)
    calls = []
    for key in "abcd":
        queue.remembered(key, lambda key=key: calls.append(key) or key.upper())
    assert queue.remembered("d", lambda: "again") == "D"  # still kept
    assert queue.remembered("a", lambda: "again") == "again"  # the oldest was forgotten
    assert calls == ["a", "b", "c", "d"]


def test_counts_are_kept_per_set_of_filters_and_per_user_for_mine(coordinator, default_rules):
    generate(count=30)
    Case.objects.filter(pk=Case.objects.first().pk).update(
        assignee=coordinator.user, status="in_review", close_reason=""
    )
    mine = coordinator.get(QUEUE + "?assignee=mine&status=all").context
    assert sum(n for _label, n in mine["status_counts"]) == (
        Case.objects.filter(assignee=coordinator.user).count()
    )
    everyone = coordinator.get(QUEUE + "?status=all").context
    assert sum(n for _label, n in everyone["status_counts"]) == 30
    other = Client()
    sign_in(other, _user("jordan", "Coordinator"))
    theirs = other.get(QUEUE + "?assignee=mine&status=all").context
    assert sum(n for _label, n in theirs["status_counts"]) == 0


def test_received_dates_are_whole_local_days(coordinator, settings):
    settings.TIME_ZONE = "America/New_York"
    generate(count=3)
    late, early = Case.objects.all()[:2]
    zone = ZoneInfo("America/New_York")
    late.received_at = datetime(2025, 3, 9, 23, 59, 59, tzinfo=zone)
    late.save()
    early.received_at = datetime(2025, 3, 10, 0, 0, tzinfo=zone)
    early.save()
    day = coordinator.get(QUEUE + "?status=all&from=2025-03-09&to=2025-03-09").context["rows"]
    assert [r["id"] for r in day] == [late.pk]
    after = coordinator.get(QUEUE + "?status=all&from=2025-03-10&to=2025-03-10").context["rows"]
    assert [r["id"] for r in after] == [early.pk]
    # Days at the ends of the calendar leave that end open rather than fail.
    assert (
        len(coordinator.get(QUEUE + "?status=all&from=0001-01-01&to=9999-12-31").context["rows"])
        == 3
    )


def test_an_outcome_filter_follows_the_severity_index(coordinator):
    generate(count=40)
    with CaptureQueriesContext(connection) as queries:
        rows = coordinator.get(QUEUE + "?outcome=needs_info&status=new").context["rows"]
    assert all(r["outcome"] == "needs_info" and r["status"] == "new" for r in rows)
    page = next(q["sql"] for q in queries.captured_queries if "LIMIT 51" in q["sql"])
    # needs_info is ranks 8 (unclaimed) and 9 (claimed): one range of the index.
    assert '"screening_case"."severity" >= 8 AND "screening_case"."severity" <= 9' in page


def test_the_rows_show_names_and_findings_as_text(coordinator):
    generate(count=3)
    coordinator.user.first_name = '<img src=x onerror="alert(1)">'
    coordinator.user.save()
    Case.objects.update(
        assignee=coordinator.user, status="in_review", close_reason="", top_finding="<b>bold</b>"
    )
    html = coordinator.get(QUEUE).content.decode()
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<img src=x" not in html and "<b>bold</b>" not in html
