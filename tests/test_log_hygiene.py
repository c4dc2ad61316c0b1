"""No answer, name, contact detail or resume code in any log line or URL, through a whole intake."""

import logging
import re

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
    unusual = {**FULL_INTAKE["body-and-work"], "height_cm": "212", "weight_kg": "45"}
    follow(patient.post_page("body-and-work", unusual))
    follow(patient.client.get(reverse("screening:check-body")))
    follow(patient.client.post(reverse("screening:check-body"), {"right": "no"}))
    follow(patient.post_page("body-and-work"))
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
