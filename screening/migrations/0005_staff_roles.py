"""Create the staff role groups with exactly their permissions (screening.roles)."""

from django.db import migrations


def create_groups(apps, schema_editor):
    from screening.roles import ensure_groups

    ensure_groups(apps, names=("Rules admin",))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("screening", "0004_publish_permission"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
