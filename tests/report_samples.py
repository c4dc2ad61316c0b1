"""Files a patient might attach, made here (nothing binary in the repository): photos from a phone camera,
PDFs plain and hostile, and things that are not reports at all."""

import io
import zipfile

# The EICAR test file: every virus scanner detects it; it does nothing (https://www.eicar.org).
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def photo(
    kind: str = "jpeg", *, size=(640, 480), gps: bool = False, rotated: bool = False
) -> bytes:
    """A photo of a printed report as a phone saves it; with ``gps``, the place it was taken in EXIF."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text((20, 20), "MRI LUMBAR SPINE: facet arthropathy L4-L5", fill="black")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (40.0, 42.0, 46.0), 3: "W", 4: (74.0, 0.0, 21.0)}
    if rotated:
        exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to show
    out = io.BytesIO()
    if kind == "heic":
        import pillow_heif

        pillow_heif.from_pillow(image).save(out, quality=80, exif=exif.tobytes())
    else:
        image.save(out, format="JPEG" if kind == "jpeg" else "PNG", exif=exif.tobytes())
    return out.getvalue()


def pdf(
    *,
    javascript: bool = False,
    open_action: bool = False,
    attachment: bool = False,
    password: str = "",
    pages: int = 1,
) -> bytes:
    """A PDF report, or one that runs a script, acts on opening, carries a file or needs a password."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Radiology report"})
    if javascript:  # a document-level script in the catalogue's name tree
        script = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('hello');"),
            }
        )
        tree = ArrayObject([TextStringObject("hello"), writer._add_object(script)])
        writer._root_object[NameObject("/Names")] = DictionaryObject(
            {NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): tree})}
        )
    if open_action:
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): NameObject("/calc.exe")}
        )
        writer._root_object[NameObject("/OpenAction")] = action
    if attachment:
        writer.add_attachment("payload.txt", b"not a report")
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def word_document() -> bytes:
    """A .docx: a ZIP holding word/document.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


def program() -> bytes:
    """The start of a Windows program (a renamed .exe)."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def jpeg_that_is_also_a_pdf() -> bytes:
    """A polyglot: a JPEG's first bytes, then a whole PDF (a PDF reader looks for %PDF- in 1024 bytes)."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + pdf()


def pdf_with(extra) -> bytes:
    """A one-page PDF changed by ``extra(writer, page)`` before it is written (hand-made hostile PDFs)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    extra(writer, page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_file_attachment_annotation() -> bytes:
    """A file carried by an annotation: /FS with /EF, the stream without the optional /Type."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    def extra(writer, page):
        payload = DecodedStreamObject()
        payload.set_data(b"MZ not a report")
        spec = DictionaryObject(
            {
                NameObject("/F"): NameObject("/payload.exe"),
                NameObject("/EF"): DictionaryObject(
                    {NameObject("/F"): writer._add_object(payload)}
                ),
            }
        )
        note = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): writer._add_object(NameObject("/FileAttachment")),
                NameObject("/FS"): spec,
            }
        )
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(note)])

    return pdf_with(extra)


def pdf_action_behind_a_reference(action: str = "/SubmitForm") -> bytes:
    """A link whose action's kind (/S) is a reference to the name, not the name itself."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    def extra(writer, page):
        link = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/A"): DictionaryObject(
                    {NameObject("/S"): writer._add_object(NameObject(action))}
                ),
            }
        )
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(link)])

    return pdf_with(extra)


def jpeg_with_comment(comment: bytes) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(out, format="JPEG", comment=comment)
    return out.getvalue()
