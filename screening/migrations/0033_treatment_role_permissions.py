"""Coordinators and specialists record treatments (issue 20)."""

from django.db import migrations

# The roles as they were at this migration (screening/staff/roles.py holds the current ones).
ROLES = {
    "Coordinator": {
        ("screening", "view_case"),
        ("screening", "change_case"),
        ("screening", "export_case"),
        ("screening", "add_casenote"),
        ("screening", "view_scanreport"),
        ("screening", "add_treatment"),
    },
    "Specialist": {
        ("screening", "view_case"),
        ("screening", "add_casenote"),
        ("screening", "view_scanreport"),
        ("screening", "add_treatment"),
    },
}


def update_groups(apps, schema_editor):
    from screening.staff.roles import ensure_groups

    ensure_groups(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [("screening", "0032_treatment")]

    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
