"""The HTTP benchmark's floors: bare views served by the same gunicorn processes, through the same
middleware, as the pages they are compared with (bench/http_throughput.py).

- insert: one ``Intake`` row of a full intake's width (answers of a complete example intake), then 204.
- read: 50 cases in queue order with the columns the queue shows, rendered minimally, 200.
- read, signed in: the same behind what every coordinator page checks first (a signed-in session, the
  second factor, the permission to work cases): a reference, to show how much of a staff page's budget
  those take, not a floor any goal is measured against.

None is reachable under the app's own settings: only bench/urls.py routes them.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from screening.casework.access import coordinator_required
from screening.casework.models import Case
from screening.intake.catalogue import IDENTIFYING_KEYS, QUESTIONNAIRE_VERSION
from screening.intake.consent import CONSENT_TEXTS
from screening.intake.models import Intake
from screening.intake.reference_codes import new_reference

_EXAMPLE = json.loads((settings.BASE_DIR / "docs" / "examples" / "routine.json").read_text())
# The clinical answers of a complete intake, as an intake row holds them (identity and consents apart).
ANSWERS = {
    key: value
    for key, value in _EXAMPLE["answers"].items()
    if key not in IDENTIFYING_KEYS and key not in CONSENT_TEXTS
}
ROWS = 50


@csrf_exempt
@require_POST
def insert(request: HttpRequest) -> HttpResponse:
    Intake.objects.create(
        reference=new_reference(),
        questionnaire_version=QUESTIONNAIRE_VERSION,
        answers=ANSWERS,
        expires_at=timezone.now() + timedelta(days=settings.INTAKE_DRAFT_DAYS),
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_GET
def read(request: HttpRequest) -> HttpResponse:
    rows = Case.objects.order_by("severity", "received_at", "id").values_list(
        "intake__reference", "outcome", "status", "received_at", "top_finding"
    )[:ROWS]
    body = "".join(
        f"<tr><td>{escape(ref)}</td><td>{escape(outcome)}</td><td>{escape(status)}</td>"
        f"<td>{received:%Y-%m-%d}</td><td>{escape(finding)}</td></tr>"
        for ref, outcome, status, received, finding in rows
    )
    return HttpResponse(f"<!doctype html><table>{body}</table>")


read_signed_in = coordinator_required(read)
