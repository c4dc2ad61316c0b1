"""A short run of the reliability scripts' simulated patients (bench/patient.py, bench/load.py) against the
live test server on PostgreSQL: five patients for five seconds, every database connection ended in the
middle, then the reconciliation. bench/load.py and bench/faults.py are the real runs (gunicorn, fifty
patients, a PostgreSQL restart); this keeps their patient, the intake flow under concurrency and the
recovery from ended connections checked with the suite.
"""

import threading

import pytest
from django.db import connection

from bench.load import patient_problems, reconcile, run_patients
from screening.intake.models import Intake
from tests.intake_data import FULL_INTAKE

pytestmark = pytest.mark.django_db(transaction=True)


def stored_after(first_id: int) -> list[dict]:
    """The intakes created after ``first_id``, as bench.load.stored_intakes() gives them."""
    return [
        {
            "id": intake.pk,
            "reference": intake.reference,
            "status": intake.status,
            "answers": intake.answers,
            "given_name": intake.identity.given_name,
            "family_name": intake.identity.family_name,
            "date_of_birth": intake.identity.date_of_birth,
            "email": intake.identity.email,
        }
        for intake in Intake.objects.select_related("identity").filter(pk__gt=first_id)
    ]


def test_five_patients_for_five_seconds_with_their_connections_ended_midway(
    live_server, default_rules, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: ending the server's connections is the fault under test")
    settings.INTAKE_LIMITS_MULTIPLIER = 1000  # one address sends every form
    first_id = Intake.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ended: list[int] = []

    def end_connections() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                ended.extend(1 for (done,) in cursor.fetchall() if done)
        finally:
            connection.close()

    fault = threading.Timer(2.5, end_connections)
    fault.start()
    run = run_patients(
        live_server.url,
        answers=FULL_INTAKE,
        patients=5,
        seconds=5,
        tag="Quick",
        verify_drafts=True,
        grace=60,
    )
    fault.join()
    connection.close()  # this thread's pooled connection was ended too: take a fresh one

    result = reconcile(run, stored_after(first_id), lost_receipts_allowed=True)
    problems = patient_problems(run, failures_allowed=lambda failure: failure.kind == "friendly")
    assert not problems + result.problems
    assert ended, "no connection was ended"
    assert result.receipts >= 5
    assert result.submitted == result.receipts + len(result.lost_receipts)
