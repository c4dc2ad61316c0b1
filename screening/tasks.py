"""Background tasks. Enqueued on commit by the services that need them, never from save() or signals."""

from django.tasks import task
from django.utils import timezone

from screening.models import Intake, ScreeningResult
from screening.rules import store
from screening.selectors import load_answers


@task
def rescreen_open_intakes(version_number: int) -> int:
    """Screen every submitted intake whose case is open again with the latest version, adding a result
    beside the earlier ones; facts are taken as at the day each was sent.

    Queued when ``version_number`` was published; if a newer version exists by the time it runs, it uses
    that one (so a later publication without re-screening is not skipped), and an intake already
    re-screened with the latest version is left alone (so two queued tasks do the work once)."""
    version = store.latest_version()
    if version is None or version.number < version_number:
        return 0
    done = ScreeningResult.objects.filter(ruleset=version, trigger=ScreeningResult.Trigger.RESCREEN)
    intakes = (
        Intake.objects.filter(status=Intake.Status.SUBMITTED)
        .exclude(case__status="closed")
        .exclude(pk__in=done.values("intake_id"))
        .select_related("identity")
    )
    count = 0
    for intake in intakes.iterator(chunk_size=500):
        store.intake_screen(
            intake=intake,
            answers=load_answers(intake),
            trigger=ScreeningResult.Trigger.RESCREEN,
            version=version,
            as_of=timezone.localdate(intake.submitted_at),
        )
        count += 1
    return count
