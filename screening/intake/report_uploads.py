"""The files a request brings for a page's upload questions (the imaging page, a completion link's page):
each checked, scanned and attached (report_services), within the hourly limit of the client's address;
a request that carried more than one request may is refused whole."""

from django.http import HttpRequest

from screening import upload_limits
from screening.intake import limit_responses as limits
from screening.intake import report_files, report_services
from screening.intake.catalogue import Page
from screening.intake.models import Intake
from screening.staff import attempt_limits as throttle


def receive(request: HttpRequest, intake: Intake, page: Page) -> report_services.Received:
    if upload_limits.stopped(request):  # more than one request may carry: nothing of it is kept
        received = report_services.Received()
        for question in report_services.upload_questions(page):
            received.refuse(question.key, report_files.MESSAGES["too_much_at_once"])
        return received
    return report_services.reports_receive(
        intake=intake,
        page=page,
        files=request.FILES,
        oversize=upload_limits.dropped(request),
        within_limit=lambda: (
            not limits.over(limits.REPORTS, throttle.client_key("reports", request))
        ),
    )
