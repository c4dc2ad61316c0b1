"""Claiming a case: one coordinator wins; the other is told who has it. Audited."""

import threading

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection

from screening.casework.models import Case
from screening.staff.models import AuditEvent
from tests.personas import sign_in, signed_in, staff_member


def _coordinator(name):
    client = signed_in(staff_member(name, "Coordinator", first_name=name.title()))
    return client, client.user


@pytest.fixture
def case(patient):
    patient.fill()
    patient.submit()
    return Case.objects.select_related("intake").get()


@pytest.mark.django_db
def test_a_coordinator_takes_a_case_and_a_second_one_is_told_who_has_it(case):
    casey, casey_user = _coordinator("casey")
    jordan, _ = _coordinator("jordan")
    url = f"/staff/cases/{case.intake.reference}/claim/"
    page = casey.post(url, follow=True).content.decode()
    assert "You have this case." in page
    assert Case.objects.get().assignee == casey_user
    page = jordan.post(url, follow=True).content.decode()
    assert "Casey already has this case." in page
    assert Case.objects.get().assignee == casey_user
    assert AuditEvent.objects.filter(action="case.claim").count() == 1


@pytest.mark.django_db
def test_claiming_is_post_only_and_for_coordinators(case, client):
    url = f"/staff/cases/{case.intake.reference}/claim/"
    casey, _ = _coordinator("casey")
    assert casey.get(url).status_code == 405
    rules = User.objects.create_user("rosa", password="a-long-password-for-tests")
    rules.groups.add(Group.objects.get(name="Rules admin"))
    sign_in(client, rules)
    assert client.post(url).status_code == 403
    assert Case.objects.get().assignee is None


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_claiming_at_once_one_wins(case):
    clients = [_coordinator(name) for name in ("casey", "jordan")]
    url = f"/staff/cases/{case.intake.reference}/claim/"
    barrier = threading.Barrier(2)
    pages = []

    def claim(client):
        barrier.wait()
        try:
            pages.append(client.post(url, follow=True).content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(c,)) for c, _u in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [p for p in pages if "You have this case." in p]
    losers = [p for p in pages if "already has this case." in p]
    assert len(winners) == 1 and len(losers) == 1
    assert Case.objects.get().assignee.username in ("casey", "jordan")
    assert AuditEvent.objects.filter(action="case.claim").count() == 1
