"""Who may open the coordinators' pages and do what on a case, and the one way a case is fetched by its reference (404 otherwise)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from screening.casework.models import Case


def coordinator_required(view):
    """Logged in, and allowed to work cases (403 for other staff, login page for strangers)."""
    return login_required(permission_required("screening.view_case", raise_exception=True)(view))


def case_action(view):
    """A change to a case: POST only, by staff allowed to change cases."""
    return require_POST(
        login_required(permission_required("screening.change_case", raise_exception=True)(view))
    )


def case_for(reference: str) -> Case:
    """The one access helper for a case: 404 for an unknown reference."""
    return get_object_or_404(
        Case.objects.select_related("intake", "intake__identity", "assignee"),
        intake__reference=reference,
    )


def exporter_required(view):
    """Reads cases and may export them (every export is recorded)."""
    return coordinator_required(
        permission_required("screening.export_case", raise_exception=True)(view)
    )


def report_reader_required(view):
    """Reads cases and may open their scan reports (coordinators and specialists; every read recorded)."""
    return coordinator_required(
        permission_required("screening.view_scanreport", raise_exception=True)(view)
    )


def note_writer_required(view):
    """A note on a case: POST only, by staff allowed to add notes (coordinators and specialists)."""
    return require_POST(
        login_required(permission_required("screening.add_casenote", raise_exception=True)(view))
    )


def treatment_recorder_required(view):
    """A treatment recorded on a case: POST only, by coordinators and specialists."""
    return require_POST(
        login_required(permission_required("screening.add_treatment", raise_exception=True)(view))
    )
