"""The audit log is append-only in the database itself, not only in AuditEvent.save()/.delete().

Queryset methods (`.update()`, `.delete()`), raw SQL and the admin all bypass the model, so the
database refuses instead:

- PostgreSQL (production): a row trigger refuses every UPDATE of screening_auditevent, and every
  DELETE of a row not yet 6 years old. Only `manage.py purge_retained` deletes audit rows, and only
  past that age. The 6 is settings.AUDIT_RETENTION_YEARS, a constant for this reason
  (tests/test_audit_append_only.py checks that they agree).
  TRUNCATE is not refused: Django's flush between transactional tests truncates every table, and in
  production the app connects as a role that neither owns the table nor holds the TRUNCATE
  privilege (docs/retention.md), so it cannot truncate anyway. The table's owner can also drop or
  disable the trigger: that role runs migrations and nothing else.
- SQLite (development): UPDATE only. Django's flush empties SQLite tables with DELETE, which a
  DELETE trigger would refuse after every transactional test; the DELETE guard is PostgreSQL's.

A later migration that alters this table on SQLite rebuilds it and loses the trigger: re-create it
there (a test checks the trigger is present). A migration that must rewrite audit rows on PostgreSQL
has to disable the trigger explicitly, as the table's owner.
"""

from django.db import migrations

FUNCTION = "screening_auditevent_append_only"
TRIGGER = "screening_auditevent_append_only"
SQLITE_TRIGGER = "screening_auditevent_no_update"

# No "%" anywhere: these run without parameters.
POSTGRES_FORWARD = [
    f"""
    CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND OLD.at < now() - interval '6 years' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION USING
            MESSAGE = 'The audit log is append-only: ' || TG_OP || ' of an audit row refused.',
            HINT = 'Audit rows are deleted only when 6 years old, by manage.py purge_retained.';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER {TRIGGER}
        BEFORE UPDATE OR DELETE ON screening_auditevent
        FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()
    """,
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TRIGGER} ON screening_auditevent",
    f"DROP FUNCTION IF EXISTS {FUNCTION}()",
]
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER {SQLITE_TRIGGER}
        BEFORE UPDATE ON screening_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'The audit log is append-only: UPDATE of an audit row refused.');
    END
    """,
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {SQLITE_TRIGGER}"]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0014_duplicate_lookups"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
