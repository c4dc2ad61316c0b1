"""Background tasks. Enqueued on commit by the services that need them, never from save() or signals."""

from django.tasks import task

from screening.models import Intake, RulesetVersion, ScreeningResult
from screening.rules import store
from screening.selectors import load_answers


@task
def rescreen_submitted_intakes(version_number: int) -> int:
    """Screen every submitted intake again with this version, adding a result beside the earlier ones.
    Skipped when a newer version has been published since (its own task does the work)."""
    latest = store.latest_version()
    if latest is None or latest.number != version_number:
        return 0
    version = RulesetVersion.objects.get(number=version_number)
    intakes = Intake.objects.filter(status=Intake.Status.SUBMITTED).select_related("identity")
    count = 0
    for intake in intakes.iterator(chunk_size=500):
        store.intake_screen(
            intake=intake,
            answers=load_answers(intake),
            trigger=ScreeningResult.Trigger.RESCREEN,
            version=version,
        )
        count += 1
    return count
