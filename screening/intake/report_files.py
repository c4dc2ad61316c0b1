"""Scan reports a patient attaches (issue 19): what a file is, decided by its content, and made safe on arrival.

The type comes from the file's first bytes, never from its name or the browser's claim. Photos (JPEG, PNG,
HEIC from a phone camera) are decoded and encoded again, which drops everything but the pixels: EXIF
(with the phone's location), comments, anything appended after the image. HEIC photos are kept as JPEG,
which every staff browser can show. PDFs are parsed and refused when encrypted or when they carry scripts,
automatic actions, launch actions or embedded files, or when they are also another kind of file (a
polyglot); an accepted PDF is stored as received and staff download it, never view it inline.

Every refusal says what to do instead, in the patient's language: the messages are the form's errors.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MAX_BYTES = 20 * 1024 * 1024  # per file
MAX_PIXELS = 50_000_000  # a 48- or 50-megapixel phone photo fits; a decompression bomb does not
STORED_SIDE = (
    4000  # pixels on the longest side, kept: a printed page stays readable, memory stays small
)
PDF_MAX_OBJECTS = 50_000  # a scan report has a few hundred; more is refused as not a plain report

# What a photo or a PDF is stored as: (content type, file extension)
STORED_AS = {
    "pdf": ("application/pdf", "pdf"),
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
    "heic": ("image/jpeg", "jpg"),  # kept as JPEG: staff browsers cannot show HEIC
}
ACCEPTED = tuple(STORED_AS)
# What the file picker offers (a hint for the patient's device; the content decides)
PICKER_TYPES = (
    ".pdf,.jpg,.jpeg,.png,.heic,.heif,application/pdf,image/jpeg,image/png,image/heic,image/heif"
)

_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


class Refused(Exception):
    """A file that cannot be attached; ``message`` tells the patient what to do instead."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class SafeFile:
    content: bytes
    content_type: str
    extension: str
    kind: str  # "pdf", "jpeg", "png" or "heic" (as received)
    scan_status: str  # what the virus scan said of the file as received


MESSAGES = {
    "word": _(
        "This file is a Word document. Save it as PDF, or take a photo of the printed report."
    ),
    "program": _(
        "This file is a program, not a report. Attach the report as PDF, or a photo of the printed "
        "report."
    ),
    "other": _(
        "This file is not a PDF, JPEG, PNG or HEIC photo. Save it as PDF, or take a photo of the "
        "printed report."
    ),
    "empty": _("This file is empty. Choose the report's file again."),
    "too_big": _(
        "This file is larger than 20 MB. Take a photo of the printed report instead, or save a "
        "smaller PDF."
    ),
    "too_many_pixels": _("This photo is too large to open. Take the photo again at a normal size."),
    "damaged": _(
        "This file is damaged and cannot be opened. Save it again, or take a photo of the printed "
        "report."
    ),
    "encrypted": _(
        "This PDF is protected by a password. Save a copy without the password, or take a photo of "
        "the printed report."
    ),
    "active": _(
        "This PDF contains scripts or attached files, which we cannot accept. Take a photo of the "
        "printed report instead."
    ),
    "polyglot": _(
        "This file is not a plain PDF or photo. Save it again as PDF, or take a photo of the printed "
        "report."
    ),
    "infected": _(
        "This file did not pass our virus check, so it was not attached. Take a photo of the printed "
        "report instead."
    ),
    "unchecked": _(
        "We cannot check files for viruses just now, so this file was not attached. Try again later, "
        "or send your form without it: the clinic will ask you for the report."
    ),
    "too_many": _("You can attach up to %(count)s files for each scan. Remove one to add another."),
    "too_much": _(
        "Your form cannot take more files: together they are over %(megabytes)s MB. Remove a file, "
        "or send your form without it: the clinic will ask you for the report."
    ),
    "too_much_at_once": _(
        "These files together are too large to send at once. Send them a few at a time, or send "
        "smaller ones."
    ),
    "too_fast": _(
        "Too many files have been sent from your connection in the last hour. Try again later, or "
        "send your form without them: the clinic will ask you for the report."
    ),
}


def identify(head: bytes) -> str:
    """What a file is, from its first bytes: one of ACCEPTED, or "word", "program", "other"."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return "heic"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # an OLE file: .doc (or .xls, .msg)
        return "word"
    if head.startswith(b"PK\x03\x04") and b"word/" in head:
        return "word"
    if head.startswith((b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")):
        return "program"
    return "other"


def make_safe(data: bytes, scan: Callable[[bytes], str] = lambda data: "not_scanned") -> SafeFile:
    """The file as it is stored, or Refused with what the patient can do instead. ``scan`` (the virus
    scan) reads the file as received, once its type is known and before any parser opens it; it returns
    the scan's status, or raises to refuse the file."""
    if not data:
        raise Refused(MESSAGES["empty"])
    if len(data) > MAX_BYTES:
        raise Refused(MESSAGES["too_big"])
    kind = identify(data[:4096])
    if kind not in ACCEPTED:
        raise Refused(MESSAGES[kind])
    # A PDF reader finds "%PDF-" anywhere in the first 1024 bytes: a photo that is also a PDF is refused.
    if kind != "pdf" and b"%PDF-" in data[:1024]:
        raise Refused(MESSAGES["polyglot"])
    if kind == "pdf" and _pdf_carries_more(data):
        raise Refused(MESSAGES["polyglot"])
    status = scan(data)
    content = _checked_pdf(data) if kind == "pdf" else _reencoded(data, kind)
    content_type, extension = STORED_AS[kind]
    return SafeFile(
        content=content,
        content_type=content_type,
        extension=extension,
        kind=kind,
        scan_status=status,
    )


# --- photos --------------------------------------------------------------------------------------------
def _reencoded(data: bytes, kind: str) -> bytes:
    """The photo's pixels only, upright, in a new file: no EXIF (location), no comments, no colour
    profile, nothing appended. A photo larger than STORED_SIDE is kept at that size (a JPEG is decoded
    at a fraction of its size to begin with, so a phone's 50-megapixel photo never fills the memory)."""
    from PIL import Image, ImageOps

    if kind == "heic":
        import pillow_heif

        pillow_heif.register_heif_opener()
    formats = {"jpeg": ["JPEG"], "png": ["PNG"], "heic": ["HEIF"]}[kind]
    try:
        with Image.open(io.BytesIO(data), formats=formats) as image:
            if image.width * image.height > MAX_PIXELS:
                raise Refused(MESSAGES["too_many_pixels"])
            if kind == "jpeg":
                image.draft("RGB", (STORED_SIDE, STORED_SIDE))  # decoded at 1/2, 1/4 or 1/8 size
            image.load()
            upright = ImageOps.exif_transpose(
                image
            )  # the phone's rotation, applied before EXIF goes
            upright.thumbnail((STORED_SIDE, STORED_SIDE))
            alpha = kind == "png" and ("A" in upright.getbands() or "transparency" in upright.info)
            mode = (
                ("RGBA" if alpha else "RGB") if upright.mode not in ("L", "RGB") else upright.mode
            )
            pixels = upright.convert(mode) if upright.mode != mode else upright
            # A new image of the same pixels: nothing of the old file's metadata comes with it
            clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    except Refused:
        raise
    except Exception:  # any failure to decode a photo means it cannot be opened
        raise Refused(MESSAGES["damaged"]) from None
    out = io.BytesIO()
    if kind == "png":
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.save(out, format="JPEG", quality=90, optimize=True)
    return out.getvalue()


# --- PDFs ----------------------------------------------------------------------------------------------
# Keys that make a PDF do something when opened or clicked, or carry another file inside it
_ACTIVE_KEYS = {
    "/JS",
    "/JavaScript",
    "/OpenAction",
    "/AA",
    "/Launch",
    "/EF",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/RichMedia",
    "/XFA",
}
# Names that are such actions or such content, wherever they stand (an action's /S, an annotation's
# /Subtype, a /Type), even behind a reference. Links (/URI) and moves inside the file stay allowed.
_ACTIVE_NAMES = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/GoToE",
    "/GoToR",
    "/Rendition",
    "/Movie",
    "/Sound",
    "/RichMediaExecute",
    "/FileAttachment",
    "/RichMedia",
    "/Screen",
    "/3D",
    "/EmbeddedFile",
}


def _pdf_carries_more(data: bytes) -> bool:
    """A PDF that is also another file: a web page or script inside it, or more than a little after its
    last end-of-file marker (a ZIP or a program appended)."""
    head, tail = data[:65536].lower(), data[-65536:].lower()
    if any(marker in part for part in (head, tail) for marker in (b"<script", b"<html")):
        return True
    end = data.rfind(b"%%EOF")  # none at all: a damaged file, which the parser says
    return end != -1 and len(data) - (end + 5) > 1024


def _checked_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Refused(MESSAGES["encrypted"])
        if not len(reader.pages):
            raise Refused(MESSAGES["damaged"])
        _refuse_active(reader)
    except Refused:
        raise
    except Exception:  # pypdf raises many kinds on a malformed file; all mean "damaged"
        raise Refused(MESSAGES["damaged"]) from None
    return data


def _refuse_active(reader) -> None:
    """Every object the file lists (in its cross-reference tables and object streams, whether or not
    anything points at it), and everything inside each: refuse a PDF that acts or carries a file."""
    from pypdf.generic import IndirectObject

    numbers = {n for by_number in reader.xref.values() for n in by_number} | set(reader.xref_objStm)
    if len(numbers) > PDF_MAX_OBJECTS:
        raise Refused(MESSAGES["polyglot"])
    for number in sorted(numbers):
        # An object that cannot be read cannot be checked: the file is refused as damaged (by the caller)
        _refuse_active_in(reader.get_object(number), IndirectObject)


def _refuse_active_in(root, indirect_type) -> None:
    """One object and its direct contents (objects it refers to are checked on their own)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    stack, seen = [root], 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > PDF_MAX_OBJECTS:
            raise Refused(MESSAGES["polyglot"])
        if isinstance(item, NameObject) and str(item) in _ACTIVE_NAMES:
            raise Refused(MESSAGES["active"])
        if isinstance(item, DictionaryObject):
            if _ACTIVE_KEYS & {str(key) for key in item}:
                raise Refused(MESSAGES["active"])
            for key in ("/S", "/Subtype", "/Type"):  # a name behind a reference counts too
                value = item.get(key)
                if isinstance(value, indirect_type):
                    stack.append(value.get_object())
            stack.extend(v for v in item.values() if not isinstance(v, indirect_type))
        elif isinstance(item, ArrayObject):
            stack.extend(v for v in item if not isinstance(v, indirect_type))
