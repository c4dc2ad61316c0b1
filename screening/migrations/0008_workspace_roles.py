"""Add the Coordinator and Clinic admin groups (screening.roles) now that cases exist."""

from django.db import migrations


def create_groups(apps, schema_editor):
    from screening.roles import ensure_groups

    ensure_groups(apps, names=("Coordinator", "Clinic admin"))


class Migration(migrations.Migration):
    dependencies = [("screening", "0007_case")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
