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
