"""Publishing can re-screen submitted intakes in the background: a new result each, earlier ones kept."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from screening.casework.case_screening import publish_and_rescreen
from screening.casework.models import ScreeningResult
from screening.rules.models import ConditionDraft
from screening.rules.rulesets import ruleset_publish

pytestmark = pytest.mark.django_db(
    transaction=True
)  # tasks are enqueued once the publication commits


def _raise_threshold():
    ConditionDraft.objects.filter(
        rule__key="sr_facet_candidate", fact="second_best_block_relief"
    ).update(value=90)


def test_publishing_with_rescreen_queues_a_task_that_the_worker_runs(patient, other_patient):
    patient.fill()
    patient.submit()
    other_patient.fill()
    other_patient.submit()
    _raise_threshold()
    version = publish_and_rescreen(actor=None, note="stricter", rescreen=True)
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert not ScreeningResult.objects.filter(trigger="rescreen").exists()  # not in the request

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    rescreens = ScreeningResult.objects.filter(trigger="rescreen")
    assert rescreens.count() == 2
    assert {r.ruleset_id for r in rescreens} == {version.pk}
    assert {r.outcome for r in rescreens} == {"routine"}
    assert (
        ScreeningResult.objects.filter(trigger="submit", outcome="specialist_review").count() == 2
    )
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_publishing_without_rescreen_queues_nothing(default_rules):
    ruleset_publish(actor=None, note="quiet")
    assert not DBTaskResult.objects.exists()


def test_two_queued_rescreens_do_the_work_once_with_the_latest_version(patient):
    patient.fill()
    patient.submit()
    publish_and_rescreen(actor=None, note="first", rescreen=True)
    latest = ruleset_publish(actor=None, note="second, without re-screening", rescreen=False)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    rescreens = ScreeningResult.objects.filter(trigger="rescreen")
    assert [r.ruleset_id for r in rescreens] == [latest.pk]


def test_closed_cases_are_not_rescreened(patient, other_patient):
    from screening.casework.models import Case

    patient.fill()
    patient.submit()
    other_patient.fill()
    other_patient.submit()
    Case.objects.filter(intake=patient.intake).update(status="closed", close_reason="treated")
    publish_and_rescreen(actor=None, note="again", rescreen=True)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    rescreened = ScreeningResult.objects.filter(trigger="rescreen").values_list(
        "intake_id", flat=True
    )
    assert list(rescreened) == [other_patient.intake.pk]


def _generated(count: int):
    from screening.demo.cases import generate

    generate(count=count, seed=11)


def test_rescreening_moves_each_case_to_its_new_outcome_and_leaves_the_rest_alone(default_rules):
    from screening.casework.models import Case

    _generated(40)
    before = {c.pk: (c.status, c.assignee_id, c.received_at) for c in Case.objects.all()}
    assert Case.objects.filter(outcome="specialist_review").exists()
    _raise_threshold()
    version = ruleset_publish(actor=None, note="stricter")
    out = StringIO()
    call_command("rescreen", "--include-closed", stdout=out)
    submitted = ScreeningResult.objects.filter(trigger="submit").count()
    assert out.getvalue().startswith(f"Re-screened {submitted} intakes with v{version.number}")
    for case in Case.objects.filter(intake__status="submitted"):
        latest = ScreeningResult.objects.filter(intake=case.intake_id).first()  # newest first
        assert (latest.trigger, latest.ruleset_id) == ("rescreen", version.pk)
        assert case.outcome == latest.outcome
        assert (case.status, case.assignee_id, case.received_at) == before[case.pk]
    assert not Case.objects.filter(
        outcome="specialist_review"
    ).exists()  # the stricter rule moved them
    # A second run finds nothing left to do.
    call_command("rescreen", "--include-closed", stdout=(again := StringIO()))
    assert again.getvalue().startswith("Re-screened 0 intakes")


def test_rescreening_costs_the_same_queries_for_few_or_many_intakes(default_rules):
    from screening.casework.case_screening import rescreen
    from screening.rules.rulesets import latest_version

    _generated(10)
    version = ruleset_publish(actor=None, note="again")
    with CaptureQueriesContext(connection) as few:
        assert rescreen(version, include_closed=True) > 0
    _generated(60)
    version = ruleset_publish(actor=None, note="and again")
    assert version == latest_version()
    with CaptureQueriesContext(connection) as many:
        assert rescreen(version, include_closed=True) > 50
    assert len(many) == len(few)


def test_a_case_that_becomes_urgent_on_rescreening_alerts_on_call_once(default_rules):
    from screening.casework.models import Case, OutgoingEmail

    _generated(40)
    urgent = Case.objects.filter(outcome="urgent", intake__status="submitted").first()
    Case.objects.filter(pk=urgent.pk).update(outcome="routine", tier=None, severity=12)
    call_command("rescreen", "--include-closed", stdout=StringIO())  # same rules, new result
    ruleset_publish(actor=None, note="again")
    call_command("rescreen", "--include-closed", stdout=StringIO())
    urgent.refresh_from_db()
    assert urgent.outcome == "urgent"
    alerts = OutgoingEmail.objects.filter(kind="urgent")
    assert [e.case_id for e in alerts] == [urgent.pk]


def test_processes_sharing_the_work_each_take_their_own_intakes(default_rules):
    # `rescreen --jobs 2` starts two processes with --part 0/2 and 1/2: together they screen every intake
    # once, and neither screens the other's.
    _generated(30)
    version = ruleset_publish(actor=None, note="shared")
    call_command("rescreen", "--include-closed", "--part=0/2", stdout=(first := StringIO()))
    took = set(
        ScreeningResult.objects.filter(trigger="rescreen").values_list("intake_id", flat=True)
    )
    call_command("rescreen", "--include-closed", "--part=1/2", stdout=StringIO())
    rescreens = ScreeningResult.objects.filter(trigger="rescreen", ruleset=version)
    submitted = ScreeningResult.objects.filter(trigger="submit").count()
    assert rescreens.count() == submitted
    assert len(set(rescreens.values_list("intake_id", flat=True))) == submitted
    assert 0 < len(took) < submitted
    assert first.getvalue().startswith(f"Re-screened {len(took)} intakes")
    assert all(pk % 2 == 0 for pk in took)
