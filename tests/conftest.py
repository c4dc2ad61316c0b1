"""Shared fixtures: the default rules and roles, and the personas (tests/personas.py)."""

import pytest

pytest_plugins = ["tests.personas"]


@pytest.fixture
def default_rules(db):
    """The default screening rules, published as version 1 (as `make run` loads them), and the staff
    groups (which a flush after a transactional test removes, unlike the migration that made them)."""
    import django.apps

    from screening.rules.rulesets import rules_load_defaults
    from screening.staff.roles import ensure_groups

    ensure_groups(django.apps.apps)
    rules_load_defaults()


@pytest.fixture(autouse=True)
def _scan_reports_in_a_temporary_folder(settings, tmp_path_factory):
    """Scan reports stored under a folder of this test run, never the project's media folder."""
    storages = {**settings.STORAGES}
    storages["scan_reports"] = {
        **storages["scan_reports"],
        "OPTIONS": {
            **storages["scan_reports"]["OPTIONS"],
            "location": tmp_path_factory.mktemp("scan-reports"),
        },
    }
    settings.STORAGES = storages
