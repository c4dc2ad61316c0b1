"""Scan reports made safe on arrival (issue 19): the type from the content, photos encoded again without
EXIF, PDFs refused when they act, carry files, need a password or are something else too."""

import io

import pytest
from django.utils import translation
from PIL import Image

from screening.intake import report_files
from screening.intake.report_files import MESSAGES, Refused, make_safe
from tests import report_samples as samples


@pytest.mark.parametrize(
    ("data", "kind", "stored_type"),
    [
        (samples.photo("jpeg"), "jpeg", "image/jpeg"),
        (samples.photo("png"), "png", "image/png"),
        (samples.photo("heic"), "heic", "image/jpeg"),  # kept as JPEG, which staff browsers show
        (samples.pdf(pages=2), "pdf", "application/pdf"),
    ],
    ids=["jpeg", "png", "heic", "pdf"],
)
def test_each_accepted_type_is_taken_by_its_content(data, kind, stored_type):
    safe = make_safe(data)
    assert (safe.kind, safe.content_type) == (kind, stored_type)
    if kind == "pdf":
        assert safe.content == data  # stored as received
    else:
        with Image.open(io.BytesIO(safe.content)) as image:
            assert image.size == (640, 480)


def test_a_photo_loses_its_exif_location_but_keeps_its_way_up():
    taken = samples.photo("jpeg", gps=True, rotated=True)
    with Image.open(io.BytesIO(taken)) as before:
        assert before.getexif().get_ifd(0x8825)  # the place it was taken
    safe = make_safe(taken)
    with Image.open(io.BytesIO(safe.content)) as after:
        assert not after.getexif()  # no EXIF at all: no location, no phone
        assert after.size == (480, 640)  # turned as the phone said, before the EXIF went
    assert b"Exif" not in safe.content and b"PhoneMaker" not in safe.content


def test_a_heic_photo_loses_its_location_too():
    safe = make_safe(samples.photo("heic", gps=True))
    with Image.open(io.BytesIO(safe.content)) as after:
        assert after.format == "JPEG" and not after.getexif()


def test_anything_appended_to_a_photo_is_dropped():
    safe = make_safe(samples.photo("png") + b"<script>alert(1)</script>")
    assert b"<script>" not in safe.content


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (samples.program(), "program"),
        (samples.word_document(), "word"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "word"),
        (b"<html><script>alert(1)</script></html>", "other"),
        (b"GIF89a" + b"\x00" * 100, "other"),
        (b"", "empty"),
        (samples.jpeg_that_is_also_a_pdf(), "polyglot"),
        (samples.pdf(password="secret"), "encrypted"),
        (samples.pdf(javascript=True), "active"),
        (samples.pdf(open_action=True), "active"),
        (samples.pdf(attachment=True), "active"),
        (b"%PDF-1.7\n" + b"garbage" * 100, "damaged"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "damaged"),
    ],
    ids=[
        "renamed-exe",
        "docx",
        "doc",
        "html",
        "gif",
        "empty",
        "pdf-with-jpeg-header",
        "encrypted-pdf",
        "pdf-javascript",
        "pdf-launch-on-open",
        "pdf-embedded-file",
        "damaged-pdf",
        "damaged-jpeg",
    ],
)
def test_what_is_refused_says_what_to_do_instead(data, why):
    with pytest.raises(Refused) as refused:
        make_safe(data)
    assert refused.value.message == MESSAGES[why]
    assert "photo of the printed report" in str(refused.value.message) or why == "empty"


def test_a_hidden_script_name_is_found_behind_its_escapes():
    plain = samples.pdf()
    # A hand-written /OpenAction spelt with #xx escapes in the catalogue's dictionary
    escaped = plain.replace(
        b"/Type /Catalog", b"/Type /Catalog /Open#41ction << /S /JavaScript >>", 1
    )
    assert escaped != plain
    with pytest.raises(Refused) as refused:
        make_safe(escaped)
    assert refused.value.message == MESSAGES["active"]


def test_an_oversize_file_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(report_files, "MAX_BYTES", 1000)
    with pytest.raises(Refused) as refused:
        make_safe(samples.pdf() + b"\n" * 1000)
    assert "larger than 20 MB" in str(refused.value.message)


def test_a_photo_of_too_many_pixels_is_refused_not_decoded(monkeypatch):
    monkeypatch.setattr(report_files, "MAX_PIXELS", 640 * 480 - 1)
    with pytest.raises(Refused) as refused:
        make_safe(samples.photo("png"))
    assert refused.value.message == MESSAGES["too_many_pixels"]


def test_the_messages_come_in_spanish_too():
    with translation.override("es"):
        word = str(MESSAGES["word"])
    assert word != str(MESSAGES["word"]) and "Word" in word


@pytest.mark.parametrize(
    "data",
    [
        samples.pdf_file_attachment_annotation(),
        samples.pdf_action_behind_a_reference("/SubmitForm"),
        samples.pdf_action_behind_a_reference("/Launch"),
        samples.pdf_action_behind_a_reference("/GoToR"),
    ],
    ids=["file-attachment-annotation", "submit-form-by-reference", "launch-by-reference", "gotor"],
)
def test_a_pdf_that_acts_or_carries_a_file_by_any_road_is_refused(data):
    with pytest.raises(Refused) as refused:
        make_safe(data)
    assert refused.value.message == MESSAGES["active"]


def test_a_pdf_with_a_link_to_a_website_is_kept():
    assert make_safe(samples.pdf_action_behind_a_reference("/URI")).kind == "pdf"


def test_a_pdf_with_something_appended_is_refused_as_not_plain():
    appended = samples.pdf() + b"PK\x03\x04" + b"\x00" * 4096  # a ZIP after the end of the PDF
    with pytest.raises(Refused) as refused:
        make_safe(appended)
    assert refused.value.message == MESSAGES["polyglot"]


def test_a_photo_keeps_no_comment_of_its_own():
    safe = make_safe(samples.jpeg_with_comment(b"Patient: Jane Doe <script>alert(1)</script>"))
    assert b"Jane Doe" not in safe.content and b"<script>" not in safe.content


def test_a_hostile_pdf_built_to_be_slow_is_refused_quickly():
    import time

    slow = b"%PDF-1.7\n" + b"stream\n" * 200_000 + b"%%EOF"
    started = time.monotonic()
    with pytest.raises(Refused):
        make_safe(slow)
    assert time.monotonic() - started < 5


def test_a_tiny_file_of_too_many_pixels_is_refused_before_it_is_decoded():
    image = Image.new("1", (9000, 9000))  # 81 megapixels in a few kilobytes
    out = io.BytesIO()
    image.save(out, format="PNG")
    assert len(out.getvalue()) < 100_000
    with pytest.raises(Refused) as refused:
        make_safe(out.getvalue())
    assert refused.value.message == MESSAGES["too_many_pixels"]


def test_a_large_photo_is_kept_at_a_readable_size():
    with Image.open(
        io.BytesIO(make_safe(samples.photo("jpeg", size=(6000, 4500))).content)
    ) as kept:
        assert max(kept.size) <= report_files.STORED_SIDE
