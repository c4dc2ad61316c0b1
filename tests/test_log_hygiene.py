"""No answer, name, contact detail or resume code in any log line or URL, through a whole intake."""

import logging
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tests.intake_data import FULL_INTAKE, TYPED_MARKERS

pytestmark = pytest.mark.django_db


def test_a_full_intake_leaves_no_patient_value_in_logs_or_urls(patient, caplog):
    caplog.set_level(logging.DEBUG)
    urls = []

    def follow(response):
        if response.has_header("Location"):
            urls.append(response["Location"])
        urls.extend(re.findall(r'(?:href|action)="([^"]*)"', response.content.decode()))
        return response

    follow(patient.begin())
    # a validation error, a save-for-later with its code, a resume, every page, a 404, the submit
    follow(
        patient.post_page("about-you", {**FULL_INTAKE["about-you"], "date_of_birth_year": "3000"})
    )
    for slug, data in FULL_INTAKE.items():
        follow(patient.client.get(reverse("screening:page", args=[slug])))
        follow(patient.post_page(slug, data))
    saved = follow(patient.post_page("consent", action="save"))
    code = re.search(r"[3-9A-Z]{5}-[3-9A-Z]{5}-[3-9A-Z]{5}", saved.content.decode()).group(0)
    follow(
        Client().post(
            reverse("screening:resume"),
            {
                "code": code,
                "date_of_birth_day": "14",
                "date_of_birth_month": "7",
                "date_of_birth_year": "1971",
            },
        )
    )
    follow(patient.client.get("/intake/no-such-page/"))
    unusual = {**FULL_INTAKE["height-and-weight"], "height_cm": "212", "weight_kg": "45"}
    follow(patient.post_page("height-and-weight", unusual))
    follow(patient.client.get(reverse("screening:check-body")))
    follow(patient.client.post(reverse("screening:check-body"), {"right": "no"}))
    follow(patient.post_page("height-and-weight"))
    guesser = Client()
    for _ in range(6):  # past the limit: a 429 is logged as a warning
        follow(
            guesser.post(
                reverse("screening:resume"),
                {
                    "code": code,
                    "date_of_birth_day": "1",
                    "date_of_birth_month": "1",
                    "date_of_birth_year": "1971",
                },
            )
        )
    follow(patient.client.get(reverse("screening:check")))
    follow(patient.submit())
    follow(patient.client.get(reverse("screening:receipt")))

    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records
    )
    assert caplog.records, "nothing was logged: the test would prove nothing"
    for marker in (*TYPED_MARKERS, code, code.replace("-", "")):
        assert marker not in logged, marker
        assert not any(marker in url for url in urls), marker
    dob_forms = ("1971-07-14", "14/07/1971", "14 July 1971")
    assert not any(d in logged for d in dob_forms)


def test_a_coordinators_review_and_exports_leave_no_patient_value_in_logs_or_urls(patient, caplog):
    """The staff side: sign in (a wrong password first), search by surname, read, note, contact,
    complete by phone, book, export in every format. Nothing the patient or coordinator typed about
    the patient is in a log line or an address."""
    from django.contrib.auth.models import Group, Permission, User
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    patient.fill(overrides={"treatments": {"treatments_tried": ["nsaids", "physical_therapy"]}})
    patient.submit()
    reference = patient.intake.reference
    caplog.set_level(logging.DEBUG)
    user = User.objects.create_user("carla", password="a-long-password-for-tests")
    user.groups.add(Group.objects.get(name="Coordinator"))
    user.user_permissions.add(Permission.objects.get(codename="export_identifiable_case"))
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    staff = Client()
    urls = []

    def follow(response):
        if response.has_header("Location"):
            urls.append(response["Location"])
        if not response.streaming:
            urls.extend(re.findall(r'(?:href|action|src)="([^"]*)"', response.content.decode()))
        return response

    follow(staff.post("/staff/login/", {"username": "carla", "password": "wrong"}))
    follow(
        staff.post("/staff/login/", {"username": "carla", "password": "a-long-password-for-tests"})
    )
    assert (
        follow(
            staff.post("/staff/two-factor/", {"code": f"{totp(device.bin_key):06d}"})
        ).status_code
        == 302
    )
    follow(staff.post("/staff/", {"q": "Quarrington"}))
    assert reference in follow(staff.get("/staff/?search=1")).content.decode()
    case = f"/staff/cases/{reference}/"
    follow(staff.get(case))
    note = "Patient Zelda Quarrington asks for a call after 5pm on 555 010 7788"
    assert follow(staff.post(case + "notes/", {"text": note})).status_code == 302
    follow(staff.post(case + "contacts/", {"channel": "phone", "result": "reached", "note": note}))
    amend = follow(staff.get(case + "complete-by-phone/"))
    answers = {}
    for page in FULL_INTAKE.values():
        answers.update(page)
    follow(
        staff.post(
            case + "complete-by-phone/",
            answers
            | {"version": amend.context["version"], "questions": amend.context["questions"]},
        )
    )
    follow(staff.get(case + "book/"))
    follow(
        staff.post(
            case + "book/",
            {"date": str(date.today() + timedelta(days=10)), "time": "10:00"}
            | {"clinician": "Dr Osei", "mode": "video"},
        )
    )
    b"".join(follow(staff.get("/staff/export.csv?search=1")).streaming_content)
    follow(staff.get(case + "fhir/"))
    follow(staff.get(case + "print/"))
    follow(staff.post(case + "rescreen/"))
    from screening.casework.models import Amendment, Booking

    assert Amendment.objects.exists() and Booking.objects.exists()  # the writes happened

    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records
    )
    assert caplog.records, "nothing was logged: the test would prove nothing"
    for marker in (*TYPED_MARKERS, "Quarrington", "after 5pm"):
        assert marker not in logged, marker
        assert not any(marker in url for url in urls), marker
