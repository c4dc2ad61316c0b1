"""Publishing can re-screen submitted intakes in the background: a new result each, earlier ones kept."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from screening.models import ConditionDraft, ScreeningResult
from screening.rules.store import ruleset_publish

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
    version = ruleset_publish(actor=None, note="stricter", rescreen=True)
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
    ruleset_publish(actor=None, note="first", rescreen=True)
    latest = ruleset_publish(actor=None, note="second, without re-screening", rescreen=False)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    rescreens = ScreeningResult.objects.filter(trigger="rescreen")
    assert [r.ruleset_id for r in rescreens] == [latest.pk]


def test_closed_cases_are_not_rescreened(patient, other_patient):
    from screening.models import Case

    patient.fill()
    patient.submit()
    other_patient.fill()
    other_patient.submit()
    Case.objects.filter(intake=patient.intake).update(status="closed", close_reason="treated")
    ruleset_publish(actor=None, note="again", rescreen=True)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    rescreened = ScreeningResult.objects.filter(trigger="rescreen").values_list(
        "intake_id", flat=True
    )
    assert list(rescreened) == [other_patient.intake.pk]
