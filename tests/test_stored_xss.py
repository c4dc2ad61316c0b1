"""Stored XSS: markup a patient types shows as text on every page that shows it, never runs.

Script payloads are typed into every free-text question of the intake (and into the e-mail address,
whose check lets markup without spaces through); a phone number can only hold digits, so it holds none.
The case is then read everywhere it shows: the patient's own pages, the coordinator's queue (with a
search), case, print, phone-answers and booking pages, the FHIR and CSV exports, and the admin pages a
clinic admin or rules admin could open. In HTML the payloads appear escaped and no script, event handler
or javascript: link comes from them; in JSON and CSV they are plain data.
"""

import csv
import io
import json
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from screening.casework.models import OutgoingEmail
from screening.intake.catalogue import PAGES, Kind
from screening.staff.models import AuditEvent
from tests.intake_data import FULL_INTAKE
from tests.personas import signed_in, staff_member

pytestmark = pytest.mark.django_db

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}",
    "</textarea><svg onload=alert(1)>",
)
TYPED = " ".join(PAYLOADS)  # fits every free-text answer (200 characters)
# A valid address to the intake's check (no spaces, one @, a dot after it) that is also markup.
EMAIL = '"><svg/onload=alert(1)><script>alert(1)</script>@example.com'
MARKUP = [p for p in (*PAYLOADS, EMAIL) if set(p) & set("<>\"'")]
# Every free-text question, page by page, from the catalogue: a new one is covered when it is added.
FREE_TEXT = {
    page.slug: [q.key for q in page.questions if q.kind in (Kind.TEXT, Kind.LONG_TEXT)]
    for page in PAGES
}
TYPED_ANSWERS = {slug: dict.fromkeys(keys, TYPED) for slug, keys in FREE_TEXT.items() if keys} | {
    "contact": {"email": EMAIL},
    # Without blocks, the case misses information, so its phone-answers page opens.
    "treatments": {"treatments_tried": ["nsaids", "physical_therapy"]},
}


# --- what "shows as text" means -------------------------------------------------------------------
class _ActiveParts(HTMLParser):
    """What a browser would run: script bodies, event-handler attributes, javascript: addresses."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") and "alert" in value:
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and (
                value.startswith("javascript:")
            ):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(1)" in data:
            self.found.append(f"<script>{data.strip()[:80]}</script>")


def assert_shows_as_text(response, *, shown: tuple[str, ...] = (), status: int = 200) -> str:
    """No payload is markup in the page; each of ``shown`` appears in it, escaped."""
    assert response.status_code == status, response.status_code
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    where = response.request["PATH_INFO"]
    for payload in MARKUP:
        assert payload not in html, (where, payload)
    parser = _ActiveParts()
    parser.feed(html)
    assert not parser.found, (where, parser.found)
    for text in shown:
        assert escape(text) in html, (where, text)
    return html


# --- the people -----------------------------------------------------------------------------------
def _staff(username: str, group: str, *permissions: str, **fields) -> Client:
    return signed_in(staff_member(username, group, permissions=permissions, **fields))


@pytest.fixture
def planted(patient, other_patient):
    """A sent intake with a payload in every free-text answer, and a second one from the same
    patient (so the case lists it as a possible duplicate, names and all)."""
    other_patient.fill(overrides=TYPED_ANSWERS)
    assert other_patient.submit().status_code == 302
    patient.fill(overrides=TYPED_ANSWERS)
    return patient


@pytest.fixture
def coordinator(default_rules) -> Client:
    """A coordinator who may also export identifying data, so every column can be checked."""
    return _staff("casey", "Coordinator", "export_identifiable_case")


# --- the tests ------------------------------------------------------------------------------------
def test_the_patient_sees_what_they_typed_as_text(planted):
    client = planted.client
    assert_shows_as_text(client.get(reverse("screening:check")), shown=(TYPED, EMAIL))
    for slug, answers in TYPED_ANSWERS.items():
        html = assert_shows_as_text(client.get(reverse("screening:page", args=[slug])))
        for value in answers.values():
            if isinstance(value, str):
                assert escape(value) in html, slug  # in its box, to change it
    # A value the page refuses comes back in its box, escaped too.
    refused = planted.post_page("contact", FULL_INTAKE["contact"] | {"phone": TYPED})
    assert_shows_as_text(refused, shown=(TYPED,))
    assert planted.submit().status_code == 302
    assert_shows_as_text(client.get(reverse("screening:receipt")))


def test_every_staff_page_shows_what_the_patient_typed_as_text(planted, coordinator):
    assert planted.submit().status_code == 302
    reference = planted.intake.reference
    case_url = reverse("screening:case", args=[reference])

    searched = coordinator.post(reverse("screening:queue"), {"q": TYPED[:100]}, follow=True)
    html = assert_shows_as_text(searched, shown=(TYPED[:100],))  # the search box keeps it
    assert reference in html  # found by the family name that is all markup
    for name in ("case", "case-print", "case-amend", "case-book"):
        assert_shows_as_text(
            coordinator.get(reverse(f"screening:{name}", args=[reference])),
            shown=(TYPED, EMAIL) if name in ("case", "case-print") else (),
        )

    # What staff type on the case (a note, a contact attempt, a booking's clinician) shows as text too.
    day = (timezone.localdate() + timedelta(days=7)).isoformat()
    for name, data in (
        ("case-note", {"text": TYPED}),
        ("case-contact", {"channel": "phone", "result": "left_message", "note": TYPED}),
        ("case-book", {"date": day, "time": "10:30", "clinician": TYPED, "mode": "video"}),
    ):
        response = coordinator.post(reverse(f"screening:{name}", args=[reference]), data)
        assert response.status_code == 302, name
    assert_shows_as_text(coordinator.get(case_url), shown=(TYPED,))
    # A refused note comes back in its box, escaped.
    note_url = reverse("screening:case-note", args=[reference])
    assert_shows_as_text(coordinator.post(note_url, {"text": TYPED * 50}), status=400)


def test_the_exports_carry_what_the_patient_typed_as_data(planted, coordinator):
    assert planted.submit().status_code == 302
    reference = planted.intake.reference

    response = coordinator.get(reverse("screening:case-fhir", args=[reference]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert response["X-Content-Type-Options"] == "nosniff"
    strings = _strings(json.loads(response.content))
    assert TYPED in strings and EMAIL in strings  # whole answers, as data

    response = coordinator.get(reverse("screening:queue-export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    row = next(r for r in rows if r["Reference"] == reference)
    assert (row["Given name"], row["Family name"], row["E-mail"]) == (TYPED, TYPED, EMAIL)


def _strings(value) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value))
    return {value} if isinstance(value, str) else set()


def test_the_admin_pages_show_what_the_patient_typed_as_text(planted, coordinator):
    assert planted.submit().status_code == 302
    reference = planted.intake.reference
    coordinator.get(reverse("screening:case", args=[reference]))  # a read, in the audit log
    day = (timezone.localdate() + timedelta(days=7)).isoformat()
    booking = {"date": day, "time": "10:30", "clinician": TYPED, "mode": "video"}
    response = coordinator.post(reverse("screening:case-book", args=[reference]), booking)
    assert response.status_code == 302  # queues the patient's confirmation e-mail

    clinic_admin = _staff("ines", "Clinic admin", is_staff=True)
    audit = reverse("admin:screening_auditevent_changelist")
    assert_shows_as_text(clinic_admin.get(audit))
    assert_shows_as_text(clinic_admin.get(audit, {"q": TYPED[:100]}))  # the search, shown back
    for event in AuditEvent.objects.filter(object_ref=reference)[:10]:
        assert_shows_as_text(
            clinic_admin.get(reverse("admin:screening_auditevent_change", args=[event.pk]))
        )
    emails = reverse("admin:screening_outgoingemail_changelist")
    assert reference in assert_shows_as_text(clinic_admin.get(emails))
    for email in OutgoingEmail.objects.all():
        assert_shows_as_text(
            clinic_admin.get(reverse("admin:screening_outgoingemail_change", args=[email.pk]))
        )

    rules_admin = _staff("rosa", "Rules admin", is_staff=True)
    assert_shows_as_text(rules_admin.get(audit))
    assert_shows_as_text(rules_admin.get(reverse("admin:screening_ruledraft_preview")))
