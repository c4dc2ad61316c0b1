"""The audit log is append-only in the database, whatever path the SQL takes (raw SQL, queryset methods
that skip AuditEvent.save() and .delete()): no row is ever updated; on PostgreSQL no row under 6 years old
is deleted either. SQLite refuses updates only (its test flush deletes rows): see migration 0015."""

import importlib
import os
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from screening.staff.models import AuditEvent
from screening.staff.retention import years_before

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("screening.migrations.0015_audit_append_only")


@pytest.fixture
def postgres():
    """The DELETE guard is PostgreSQL's: skip on SQLite, unless CI said the suite must run on PostgreSQL."""
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1, but the tests run on {connection.vendor}")
        pytest.skip("PostgreSQL only: SQLite's trigger refuses updates, not deletes")


def _event(at: datetime | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        at=at or timezone.now(),
        action="case.view",
        object_type="case",
        object_ref="AB12CD34EF",
        detail={"tab": "answers"},
    )


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _unchanged(event: AuditEvent) -> None:
    row = AuditEvent.objects.get(pk=event.pk)
    assert (row.at, row.action, row.object_ref, row.detail) == (
        event.at,
        event.action,
        event.object_ref,
        event.detail,
    )


@pytest.mark.parametrize("years_old", [0, 7])
def test_it_refuses_a_raw_update_of_any_row(years_old):
    event = _event(years_before(timezone.now(), years_old))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("UPDATE screening_auditevent SET action = %s WHERE id = %s", ["x", event.pk])
    _unchanged(event)


def test_it_refuses_a_queryset_update():
    event = _event()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(detail={})
    _unchanged(event)


def test_the_model_refuses_too():
    event = _event()
    event.action = "x"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_the_trigger_is_installed():
    # A later migration that rebuilds the table on SQLite would drop the trigger silently.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'screening_auditevent'::regclass"
                " AND NOT tgisinternal AND tgenabled <> 'D'"
            )
            assert [row[0] for row in cursor.fetchall()] == [MIGRATION.TRIGGER]
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                " AND tbl_name = 'screening_auditevent'"
            )
            assert [row[0] for row in cursor.fetchall()] == [MIGRATION.SQLITE_TRIGGER]


def test_the_trigger_keeps_audit_rows_as_long_as_the_settings_say():
    years = settings.AUDIT_RETENTION_YEARS
    assert years == 6
    assert f"interval '{years} years'" in MIGRATION.POSTGRES_FORWARD[0]


# --- PostgreSQL: deletes ----------------------------------------------------------------------------
def test_it_refuses_a_raw_delete_of_a_recent_row(postgres):
    event = _event()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM screening_auditevent WHERE id = %s", [event.pk])
    _unchanged(event)


def test_it_refuses_a_queryset_delete_of_a_recent_row(postgres):
    event = _event()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    _unchanged(event)


def test_it_refuses_to_delete_a_row_an_hour_short_of_six_years(postgres):
    event = _event(years_before(timezone.now(), 6) + timedelta(hours=1))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    _unchanged(event)


def test_a_delete_of_many_rows_with_one_recent_deletes_none(postgres):
    old, recent = _event(years_before(timezone.now(), 7)), _event()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM screening_auditevent WHERE id IN (%s, %s)", [old.pk, recent.pk])
    assert AuditEvent.objects.filter(pk__in=[old.pk, recent.pk]).count() == 2


def test_a_row_over_six_years_old_can_be_deleted(postgres):
    event = _event(years_before(timezone.now(), 6) - timedelta(days=1))
    with transaction.atomic():
        _raw("DELETE FROM screening_auditevent WHERE id = %s", [event.pk])
    assert not AuditEvent.objects.filter(pk=event.pk).exists()
