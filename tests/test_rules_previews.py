"""Previews of the draft (screening/rules/previews.py): run in the background, kept with the draft's
fingerprint until the draft or the published version changes, every intake by default or the last 90 days,
cases by reference with the rules that made the difference, never identity."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from screening import clock
from screening.intake.models import Intake
from screening.rules import previews
from screening.rules.models import ConditionDraft, RulePreview
from tests.personas import Patient, run_previews

pytestmark = pytest.mark.django_db
URL = reverse("admin:screening_ruledraft_preview")


def _raise_second_block_threshold():
    ConditionDraft.objects.filter(
        rule__key="sr_facet_candidate", fact="second_best_block_relief"
    ).update(value=90)


def test_a_preview_is_kept_until_the_draft_changes(rules_admin, patient):
    patient.fill()
    patient.submit()
    _raise_second_block_threshold()
    rules_admin.get(URL)
    run_previews()
    first = RulePreview.objects.get()
    assert first.state == "done" and first.result["intakes"] == 1
    (move,) = first.result["moves"]
    assert (move["from"], move["to"]) == ("specialist_review", "routine")
    assert move["cases"][0]["reference"] == patient.intake.reference
    assert "Zelda" not in str(first.result)
    rules_admin.get(URL)
    assert RulePreview.objects.get().pk == first.pk  # the same draft: kept, not run again
    ConditionDraft.objects.filter(
        rule__key="sr_facet_candidate", fact="second_best_block_relief"
    ).update(value=95)
    rules_admin.get(URL)
    newer = RulePreview.objects.get()  # the earlier draft's preview goes
    assert newer.pk != first.pk and newer.state == "running"
    progress = rules_admin.get(URL + "?progress=1").json()
    assert progress == {"state": "running", "done": 0, "total": 0}


def test_the_last_90_days_leave_older_intakes_out(rules_admin, patient, other_patient):
    for person in (patient, other_patient):
        person.fill()
        person.submit()
    Intake.objects.filter(pk=patient.intake.pk).update(
        submitted_at=clock.now() - timedelta(days=120)
    )
    _raise_second_block_threshold()
    every = previews.start(days=None, actor=None)
    recent = previews.start(days=90, actor=None)
    run_previews()
    every.refresh_from_db()
    recent.refresh_from_db()
    assert every.result["intakes"] == 2 and recent.result["intakes"] == 1
    page = rules_admin.get(URL + "?period=90").content.decode()
    assert "1 intake screened with the draft beside v1: 1 would move." in page
    assert "every submitted intake" in page  # one click back to all


def test_a_draft_that_does_not_compile_says_what_to_fix(rules_admin):
    ConditionDraft.objects.filter(rule__key="info_bmi_over_40").update(value="forty")
    rules_admin.get(URL)
    run_previews()
    page = rules_admin.get(URL).content.decode()
    assert "The draft cannot be used until these are fixed" in page


def test_a_preview_that_stops_on_an_error_says_so_and_runs_again_when_opened(rules_admin, patient):
    patient.fill()
    patient.submit()
    Intake.objects.filter(pk=patient.intake.pk).update(answers={"height": 5})  # unreadable answers
    rules_admin.get(URL)
    run_previews()
    stopped = RulePreview.objects.get()
    assert stopped.state == "stopped" and stopped.problems == ["TypeError"]
    page = rules_admin.get(URL).content.decode()
    assert RulePreview.objects.get().pk != stopped.pk  # opened again: it runs again
    assert "Screening past intakes with the draft" in page


def test_a_preview_whose_worker_went_away_runs_again_after_half_an_hour(rules_admin):
    first = previews.start(days=None, actor=None)
    assert previews.start(days=None, actor=None).pk == first.pk
    with clock.moved_to(clock.now() + timedelta(minutes=31)):
        assert previews.start(days=None, actor=None).pk != first.pk


def test_a_preview_reads_intakes_a_batch_at_a_time_not_one_query_each(default_rules, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(count: int) -> int:
        for _ in range(count):
            person = Patient(Client())
            person.fill()
            person.submit()
        RulePreview.objects.all().delete()
        preview = previews.start(days=None, actor=None)
        with CaptureQueriesContext(connection) as queries:
            previews.run_preview.call(preview.pk)
        return len(queries)

    assert queries_for(1) == queries_for(4)  # 5 intakes read with as many queries as 1
