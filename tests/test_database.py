"""CI runs the suite on PostgreSQL with psycopg's pool; this fails there if the suite silently used SQLite."""

import os

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_suite_runs_on_the_database_ci_asks_for():
    if os.environ.get("REQUIRE_POSTGRES") != "1":
        pytest.skip("REQUIRE_POSTGRES=1 is set by .ci/run only")
    assert connection.vendor == "postgresql"
    db = settings.DATABASES["default"]
    assert db["OPTIONS"]["pool"]["max_size"] >= 1
    assert db["CONN_HEALTH_CHECKS"] is True
    assert db["CONN_MAX_AGE"] == 0


def test_the_database_refuses_an_unknown_status():
    from django.db import IntegrityError, transaction

    from screening.intake import services
    from screening.intake.models import Intake

    intake = services.intake_start()
    with pytest.raises(IntegrityError), transaction.atomic():
        Intake.objects.filter(pk=intake.pk).update(status="approved")
