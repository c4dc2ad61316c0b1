"""Demo data: synthetic cases of every outcome and status, and one demo account per role."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from screening.casework.models import Case, ScreeningResult
from screening.intake.models import Intake, PatientIdentity

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_generated_cases_cover_every_outcome_and_status_with_varied_ages(default_rules):
    assert run("generate_cases", "--count", "300").startswith("Generated 300 cases in")
    assert Case.objects.count() == 300
    assert set(Case.objects.values_list("outcome", flat=True)) == {
        "urgent",
        "not_suitable_now",
        "needs_info",
        "specialist_review",
        "routine",
    }
    assert set(Case.objects.values_list("status", flat=True)) == set(Case.Status.values)
    assert not Case.objects.filter(status="closed", close_reason="").exists()
    births = set(PatientIdentity.objects.values_list("date_of_birth__year", flat=True))
    assert len(births) > 30
    assert Intake.objects.filter(status="draft").exists()  # urgent drafts, not yet sent
    # every case's outcome is what its stored screening says
    for case in Case.objects.select_related("intake")[:50]:
        assert ScreeningResult.objects.get(intake=case.intake).outcome == case.outcome


def test_generation_is_reproducible_from_the_seed(default_rules):
    run("generate_cases", "--count", "20", "--seed", "7")
    first = list(PatientIdentity.objects.order_by("pk").values_list("family_name", "date_of_birth"))
    Intake.objects.all().delete()
    run("generate_cases", "--count", "20", "--seed", "7")
    assert (
        list(PatientIdentity.objects.order_by("pk").values_list("family_name", "date_of_birth"))
        == first
    )


def test_generation_uses_bulk_inserts(default_rules):
    with CaptureQueriesContext(connection) as small:
        run("generate_cases", "--count", "10")
    with CaptureQueriesContext(connection) as large:
        run("generate_cases", "--count", "500")
    assert len(large) == len(small)


def test_if_empty_does_nothing_when_cases_exist(default_rules):
    run("generate_cases", "--count", "5")
    assert (
        run("generate_cases", "--count", "5", "--if-empty").strip()
        == "Cases already present: nothing generated."
    )
    assert Case.objects.count() == 5


def test_generation_needs_published_rules(db):
    with pytest.raises(CommandError, match="load_default_rules"):
        run("generate_cases", "--count", "5")


def test_demo_accounts_are_made_once_with_passwords_shown_once(settings, default_rules):
    from django.contrib.auth import get_user_model

    settings.DEBUG = True
    out = run("create_demo_staff")
    lines = [line.split() for line in out.splitlines()[1:]]
    assert [line[0] for line in lines] == [
        "coordinator",
        "coordinator2",
        "specialist",
        "rulesadmin",
        "rulesapprover",
        "clinicadmin",
        "clinicadmin2",
    ]
    user = get_user_model().objects.get(username="rulesadmin")
    assert user.check_password(lines[3][1]) and user.groups.get().name == "Rules admin"
    assert "already exist" in run("create_demo_staff")


def test_demo_accounts_are_refused_in_production(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development only"):
        run("create_demo_staff")
