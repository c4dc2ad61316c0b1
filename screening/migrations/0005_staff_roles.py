"""Create the staff role groups with exactly their permissions (screening.staff.roles)."""

from django.db import migrations

# The roles as they were at this migration (screening/staff/roles.py holds the current ones).
ROLES = {
    "Rules admin": {
        ("screening", "view_ruledraft"),
        ("screening", "add_ruledraft"),
        ("screening", "change_ruledraft"),
        ("screening", "delete_ruledraft"),
        ("screening", "view_conditiondraft"),
        ("screening", "add_conditiondraft"),
        ("screening", "change_conditiondraft"),
        ("screening", "delete_conditiondraft"),
        ("screening", "view_rulesetversion"),
        ("screening", "publish_rulesetversion"),
        ("screening", "view_auditevent"),
    }
}


def create_groups(apps, schema_editor):
    from screening.staff.roles import ensure_groups

    ensure_groups(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("screening", "0004_publish_permission"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
