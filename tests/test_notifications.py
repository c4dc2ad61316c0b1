"""Notifications: queued on commit, sent by the real django-tasks-db worker, retried, never carrying
patient details (coordinators) or clinical details (patients)."""

import logging
import re
import signal
import smtplib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_tasks_db.models import DBTaskResult

from screening.casework import notifications as notify
from screening.casework.case_screening import intake_screen
from screening.casework.models import Booking, Case, CompletionLink, OutgoingEmail, ScreeningResult
from screening.intake import reference_codes as codes
from screening.intake import services
from screening.intake.models import PatientIdentity
from tests.intake_data import FULL_INTAKE, TYPED_MARKERS
from tests.personas import Patient, sign_in

# The e-mails are queued once the write commits: the tests need real commits.
pytestmark = pytest.mark.django_db(transaction=True)

URGENT = {"safety": {"saddle_numbness": "yes"}}
# What the patient typed, their date of birth, and words of the clinical answers and outcomes.
PATIENT_VALUES = (*TYPED_MARKERS, "1971", "zelda")
CLINICAL_WORDS = ("facet", "saddle", "numbness", "specialist", "urgent", "routine", "needs info")


class FailingBackend(BaseEmailBackend):
    """An SMTP server that refuses everything, with an address in its error message."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"zelda.q@example.org": (550, b"no such user")})


class FlakyBackend(BaseEmailBackend):
    """Refuses the first message it is given, then delivers to the test outbox."""

    failed = False

    def send_messages(self, messages):
        if not FlakyBackend.failed:
            FlakyBackend.failed = True
            raise smtplib.SMTPServerDisconnected("gone")
        mail.outbox.extend(messages)
        return len(messages)


def run_worker() -> None:
    """Run django-tasks-db's worker in this process until its queue is empty."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def run_worker_through_retries() -> list[float]:
    """Run the worker, bringing each deferred retry forward (as if its time had come) until none is
    left. Returns the delays, in seconds, that the retries were deferred by."""
    delays = []
    for _round in range(20):
        run_worker()
        waiting = DBTaskResult.objects.filter(status="READY")
        if not waiting.exists():
            return delays
        delays += [(t.run_after - t.enqueued_at).total_seconds() for t in waiting]
        waiting.update(run_after=timezone.now())
    raise AssertionError("the retries never ended")


def all_stored_text() -> str:
    """Every row of every table, as text: what a copy of the database would reveal."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the schema
            rows += [repr(row) for row in cursor.fetchall()]
    return "\n".join(rows)


@pytest.fixture
def staff(default_rules):
    def make(username: str, group: str) -> User:
        user = User.objects.create_user(username, password="a-long-password-1", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.fixture
def submitted_case(patient) -> Case:
    """A submitted, non-urgent case (specialist review) with the patient's e-mail address."""
    patient.fill()
    patient.submit()
    return Case.objects.select_related("intake").get(intake=patient.intake)


@pytest.fixture
def clinic(settings) -> dict:
    # A name without "facet" in it, so that the word can be looked for in patient e-mails.
    settings.CLINIC = {**settings.CLINIC, "name": "Maple Spine Clinic", "address": "7 Elm Row"}
    return settings.CLINIC


def _assert_no_patient_values(text: str) -> None:
    lowered = text.lower()
    for value in PATIENT_VALUES:
        assert value.lower() not in lowered, value


# --- the urgent alert ---------------------------------------------------------------------------
def test_it_alerts_the_oncall_address_once_an_urgent_intake_commits(patient, settings, caplog):
    caplog.set_level(logging.DEBUG)
    settings.ONCALL_EMAIL = "oncall@clinic.example"
    patient.fill(overrides=URGENT)
    patient.submit()
    reference = patient.intake.reference
    assert Case.objects.get(intake=patient.intake).outcome == "urgent"
    assert not mail.outbox  # queued for the worker, not sent in the request
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    run_worker()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["oncall@clinic.example"]
    assert message.subject == f"Urgent case {reference}"
    assert f"{settings.SITE_URL}/staff/cases/{reference}/" in message.body
    _assert_no_patient_values(message.subject + message.body)
    _assert_no_patient_values(caplog.text)
    email = OutgoingEmail.objects.get()
    assert (email.kind, email.state, email.attempts) == ("urgent", "sent", 1)
    assert email.sent_at is not None


def test_a_task_queued_under_its_old_path_still_runs_after_the_move(patient):
    """Tasks waiting in the database from before the app was split by audience name the old module."""
    patient.fill(overrides=URGENT)
    patient.submit()
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.task_path == "screening.casework.email_sending.send_email"
    DBTaskResult.objects.filter(pk=waiting.pk).update(task_path="screening.tasks.send_email")
    run_worker()
    assert len(mail.outbox) == 1
    assert OutgoingEmail.objects.get().state == "sent"


def test_a_rolled_back_write_sends_nothing(default_rules):
    answers = {key: "no" for key in FULL_INTAKE["safety"]} | {"saddle_numbness": "yes"}
    with pytest.raises(RuntimeError), transaction.atomic():
        intake = services.intake_start()
        PatientIdentity.objects.filter(intake=intake).update(email="someone@example.org")
        intake_screen(intake=intake, answers=answers, trigger=ScreeningResult.Trigger.DRAFT)
        assert Case.objects.get(intake=intake).outcome == "urgent"
        assert OutgoingEmail.objects.exists()
        assert not DBTaskResult.objects.exists()  # queued only once the write commits
        raise RuntimeError("the request failed after screening")

    run_worker()
    assert not OutgoingEmail.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert not mail.outbox


def test_an_urgent_draft_alerts_once_and_submitting_it_does_not_alert_again(patient):
    patient.fill(upto="imaging", overrides=URGENT)
    case = Case.objects.get(intake=patient.intake)
    assert (case.outcome, case.intake.is_submitted) == ("urgent", False)
    run_worker()
    assert len(mail.outbox) == 1

    # The patient corrects the answer, gives it again, then completes and sends the intake.
    patient.post_page("safety", FULL_INTAKE["safety"])
    patient.post_page("safety", {**FULL_INTAKE["safety"], "saddle_numbness": "yes"})
    patient.fill(overrides=URGENT)
    patient.submit()
    run_worker()

    assert Case.objects.get(intake=patient.intake).intake.is_submitted
    assert len(mail.outbox) == 1
    assert OutgoingEmail.objects.filter(kind="urgent").count() == 1


def test_a_non_urgent_case_sends_no_alert(submitted_case):
    run_worker()
    assert not OutgoingEmail.objects.exists()
    assert not mail.outbox


# --- retries ------------------------------------------------------------------------------------
def test_a_failing_send_is_retried_with_backoff_then_shown_as_failed(patient, settings, caplog):
    caplog.set_level(logging.DEBUG)
    settings.MAILERS = {"default": {"BACKEND": "tests.test_notifications.FailingBackend"}}
    settings.EMAIL_MAX_ATTEMPTS = 3
    patient.fill(upto="imaging", overrides=URGENT)

    delays = run_worker_through_retries()

    email = OutgoingEmail.objects.get()
    assert (email.state, email.attempts, email.last_error) == ("failed", 3, "SMTPRecipientsRefused")
    assert email.sent_at is None
    assert [round(d) for d in delays] == [60, 120]  # 30 s x 2^attempts
    assert DBTaskResult.objects.count() == 3
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert "SMTPRecipientsRefused" in caplog.text
    assert "example.org" not in caplog.text  # the error's message names an address
    assert not mail.outbox


def test_a_send_that_fails_once_is_sent_on_the_retry(patient, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.test_notifications.FlakyBackend"}}
    FlakyBackend.failed = False
    patient.fill(upto="imaging", overrides=URGENT)

    run_worker()
    email = OutgoingEmail.objects.get()
    assert (email.state, email.attempts, email.last_error) == (
        "retrying",
        1,
        "SMTPServerDisconnected",
    )
    run_worker_through_retries()

    email.refresh_from_db()
    assert (email.state, email.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1


IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def test_in_process_tasks_send_the_alert_when_the_request_commits(patient, settings):
    settings.TASKS = IMMEDIATE  # as `make run` has it
    patient.fill(upto="imaging", overrides=URGENT)
    assert len(mail.outbox) == 1
    assert OutgoingEmail.objects.get().state == "sent"


def test_in_process_tasks_retry_at_once_then_give_up(patient, settings):
    settings.TASKS = IMMEDIATE
    settings.MAILERS = {"default": {"BACKEND": "tests.test_notifications.FailingBackend"}}
    patient.fill(upto="imaging", overrides=URGENT)
    email = OutgoingEmail.objects.get()
    assert (email.state, email.attempts) == ("failed", settings.EMAIL_MAX_ATTEMPTS)


# --- patient e-mails ----------------------------------------------------------------------------
def _book(case: Case, user: User, mode: str) -> Booking:
    with transaction.atomic():
        booking = Booking.objects.create(
            case=case,
            starts_at=timezone.now() + timedelta(days=9),
            clinician="Dr Ada Okonkwo",
            mode=mode,
            booked_by=user,
            at=timezone.now(),
        )
        notify.booking_confirmation(booking)
    return booking


def test_a_booking_confirmation_says_when_where_and_with_whom_and_nothing_clinical(
    submitted_case, staff, clinic
):
    coordinator = staff("carla", "Coordinator")
    _book(submitted_case, coordinator, Booking.Mode.IN_PERSON)
    _book(submitted_case, coordinator, Booking.Mode.VIDEO)
    run_worker()

    in_person, video = mail.outbox
    for message in (in_person, video):
        assert message.to == [FULL_INTAKE["contact"]["email"]]
        assert "Maple Spine Clinic" in message.subject
        assert "Hello, this is Maple Spine Clinic." in message.body
        assert "Dr Ada Okonkwo" in message.body
        assert submitted_case.intake.reference in message.body
        for word in CLINICAL_WORDS:
            assert word not in (message.subject + message.body).lower(), word
        _assert_no_patient_values(message.subject + message.body)
    assert "in person at the clinic, 7 Elm Row" in in_person.body
    assert "by video" in video.body and "7 Elm Row" not in video.body
    assert set(OutgoingEmail.objects.values_list("kind", "state")) == {("booking", "sent")}


def _link(case: Case, user: User, **fields) -> CompletionLink:
    now = timezone.now()
    with transaction.atomic():
        link = CompletionLink.objects.create(
            case=case,
            questions=["pain_now"],
            created_by=user,
            created_at=now,
            expires_at=now + timedelta(days=7),
            **fields,
        )
        notify.completion_link(link)
    return link


def test_a_completion_link_works_once_and_its_token_is_stored_only_as_a_digest(
    submitted_case, staff, clinic, caplog
):
    caplog.set_level(logging.DEBUG)
    link = _link(submitted_case, staff("carla", "Coordinator"))
    assert link.token_digest is None  # no token exists until the e-mail is sent
    run_worker()

    (message,) = mail.outbox
    assert message.to == [FULL_INTAKE["contact"]["email"]]
    token = re.search(r"/complete/([^/\s]+)/", message.body).group(1)
    link.refresh_from_db()
    assert link.token_digest == codes.link_digest(token)
    assert token not in all_stored_text()
    assert token not in caplog.text
    assert "works once" in message.body
    assert date_format(timezone.localtime(link.expires_at)) in message.body
    for word in CLINICAL_WORDS:
        assert word not in (message.subject + message.body).lower(), word
    _assert_no_patient_values(message.subject + message.body)


def test_a_link_used_or_withdrawn_before_sending_is_not_sent(submitted_case, staff):
    user = staff("carla", "Coordinator")
    used = _link(submitted_case, user, used_at=timezone.now())
    withdrawn = _link(submitted_case, user, withdrawn_at=timezone.now())
    run_worker()

    assert not mail.outbox
    for link in (used, withdrawn):
        email = OutgoingEmail.objects.get(link=link)
        assert (email.state, email.last_error) == ("failed", "link no longer open")
        link.refresh_from_db()
        assert link.token_digest is None


def test_a_patient_email_without_an_address_fails_visibly(submitted_case, staff, settings):
    settings.EMAIL_MAX_ATTEMPTS = 1
    PatientIdentity.objects.filter(intake=submitted_case.intake).update(email="")
    _book(submitted_case, staff("carla", "Coordinator"), Booking.Mode.VIDEO)
    run_worker_through_retries()
    email = OutgoingEmail.objects.get()
    assert (email.state, email.attempts, email.last_error) == ("failed", 1, "NoPatientAddress")
    assert not mail.outbox


# --- the daily digest ---------------------------------------------------------------------------
def test_the_digest_lists_new_non_urgent_cases_once(patient, other_patient, settings):
    settings.DIGEST_EMAIL = "team@clinic.example"
    patient.fill()
    patient.submit()
    other_patient.fill()
    other_patient.submit()
    urgent = Patient(Client())
    urgent.fill(upto="imaging", overrides=URGENT)
    old = Patient(Client())
    old.fill()
    old.submit()
    Case.objects.filter(intake=old.intake).update(received_at=timezone.now() - timedelta(days=2))
    run_worker()
    mail.outbox.clear()  # the urgent alert

    out = _send_digest()
    assert "2 new case(s)" in out
    run_worker()

    (message,) = mail.outbox
    assert message.to == ["team@clinic.example"]
    for case in (patient.intake, other_patient.intake):
        assert (
            f"{case.reference}  {settings.SITE_URL}/staff/cases/{case.reference}/" in message.body
        )
    assert urgent.intake.reference not in message.body  # it had its own alert
    assert old.intake.reference not in message.body  # before the first digest's 24 hours
    assert "- specialist review: 2" in message.body
    _assert_no_patient_values(message.subject + message.body)

    assert "No new cases" in _send_digest()
    third = Patient(Client())
    third.fill()
    third.submit()
    assert "1 new case(s)" in _send_digest()
    assert OutgoingEmail.objects.filter(kind="digest").order_by("created_at").last().references == [
        third.intake.reference
    ]


def test_a_case_received_just_before_a_digest_but_seen_after_it_is_in_the_next(submitted_case):
    moment = timezone.now()
    first = notify.digest(now=moment)
    assert first.references == [submitted_case.intake.reference]
    late = Patient(Client())
    late.fill()
    late.submit()
    # Received a moment before the first digest, but committed after it ran.
    Case.objects.filter(intake=late.intake).update(received_at=moment - timedelta(seconds=1))

    second = notify.digest(now=moment + timedelta(days=1))
    assert second.references == [late.intake.reference]
    assert notify.digest(now=moment + timedelta(days=2)) is None


def _send_digest() -> str:
    from io import StringIO

    out = StringIO()
    call_command("send_digest", stdout=out)
    return out.getvalue()


# --- the admin ----------------------------------------------------------------------------------
def test_clinic_admins_see_outgoing_emails_and_coordinators_do_not(patient, staff):
    client = Client()
    changelist = reverse("admin:screening_outgoingemail_changelist")
    patient.fill(upto="imaging", overrides=URGENT)
    email = OutgoingEmail.objects.get()
    OutgoingEmail.objects.filter(pk=email.pk).update(
        state="failed", attempts=5, last_error="SMTPException"
    )

    sign_in(client, staff("carla", "Coordinator"))
    assert client.get(changelist).status_code == 403

    sign_in(client, staff("ines", "Clinic admin"))
    response = client.get(changelist + "?state__exact=failed")
    assert response.status_code == 200
    page = response.content.decode()
    assert patient.intake.reference in page and "SMTPException" in page
    assert (
        client.get(reverse("admin:screening_outgoingemail_change", args=[email.pk])).status_code
        == 200
    )
    assert client.get(reverse("admin:screening_outgoingemail_add")).status_code == 403
    delete = reverse("admin:screening_outgoingemail_delete", args=[email.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert OutgoingEmail.objects.filter(pk=email.pk, state="failed").exists()


def test_the_admin_list_takes_as_many_queries_for_many_emails_as_for_one(
    patient, other_patient, staff
):
    client = Client()
    sign_in(client, staff("ines", "Clinic admin"))
    changelist = reverse("admin:screening_outgoingemail_changelist")
    patient.fill(upto="imaging", overrides=URGENT)
    with CaptureQueriesContext(connection) as one:
        client.get(changelist)
    other_patient.fill(upto="imaging", overrides=URGENT)
    Patient(Client()).fill(upto="imaging", overrides=URGENT)
    with CaptureQueriesContext(connection) as three:
        response = client.get(changelist)
    assert response.content.decode().count("FC-") >= 3
    assert len(three) == len(one)
