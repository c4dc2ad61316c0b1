"""Add the Coordinator and Clinic admin groups (screening.staff.roles) now that cases exist."""

from django.db import migrations

# The roles as they were at this migration (screening/staff/roles.py holds the current ones).
ROLES = {
    "Coordinator": {
        ("screening", "view_case"),
        ("screening", "change_case"),
        ("screening", "export_case"),
    },
    "Clinic admin": {
        ("auth", "view_user"),
        ("auth", "add_user"),
        ("auth", "change_user"),
        ("auth", "view_group"),
        ("screening", "view_auditevent"),
    },
}


def create_groups(apps, schema_editor):
    from screening.staff.roles import ensure_groups

    ensure_groups(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [("screening", "0007_case")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
