"""The Specialist role (issue 19), and coordinators' right to open scan reports and add notes as a right of
its own (specialists add notes too, without changing cases)."""

from django.db import migrations

# The roles as they were at this migration (screening/staff/roles.py holds the current ones).
ROLES = {
    "Coordinator": {
        ("screening", "view_case"),
        ("screening", "change_case"),
        ("screening", "export_case"),
        ("screening", "add_casenote"),
        ("screening", "view_scanreport"),
    },
    "Specialist": {
        ("screening", "view_case"),
        ("screening", "add_casenote"),
        ("screening", "view_scanreport"),
    },
}


def update_groups(apps, schema_editor):
    from screening.staff.roles import ensure_groups

    ensure_groups(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [("screening", "0029_scan_report")]

    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
