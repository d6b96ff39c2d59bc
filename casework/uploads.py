"""What a case document is, decided from its content, never from the browser.

The browser's Content-Type and the file name are the uploader's claims; a page that serves
them back would serve `probe.pdf` sent as text/html as HTML. So the type is detected from the
file's first bytes (filetype), must be one of the allowed kinds (PDF, images, office
documents, plain text) and must match the name's suffix; the detected type is what is stored
and what the download sends.
"""

import codecs
import zipfile
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Bytes read to detect a type: filetype looks at no more than this.
SNIFF_BYTES = 8192

FILE_TYPE_NOT_ALLOWED = _("Dieser Dateityp ist nicht erlaubt. Erlaubt sind: %(types)s.")
CONTENT_NOT_ALLOWED = _(
    "Der Inhalt der Datei ist keiner der erlaubten Dateitypen (PDF, Bilder, Office-Dokumente, Text), "
    "gleich wie sie heißt. Bitte speichern Sie sie als PDF und laden Sie sie erneut hoch."
)
CONTENT_DOES_NOT_MATCH_NAME = _(
    "Der Inhalt der Datei (%(detected)s) passt nicht zu ihrer Endung „.%(suffix)s“. "
    "Bitte laden Sie die Datei mit der richtigen Endung hoch."
)


@dataclass(frozen=True)
class DocumentKind:
    label: str  # what the user is told the content is
    mime: str  # what is stored and sent on download
    suffixes: frozenset[str]  # names this content may have


_KINDS = {
    "pdf": DocumentKind("PDF", "application/pdf", frozenset({"pdf"})),
    "jpg": DocumentKind("JPEG-Bild", "image/jpeg", frozenset({"jpg", "jpeg"})),
    "png": DocumentKind("PNG-Bild", "image/png", frozenset({"png"})),
    "gif": DocumentKind("GIF-Bild", "image/gif", frozenset({"gif"})),
    "webp": DocumentKind("WebP-Bild", "image/webp", frozenset({"webp"})),
    "heic": DocumentKind("HEIC-Bild", "image/heic", frozenset({"heic"})),
    "tif": DocumentKind("TIFF-Bild", "image/tiff", frozenset({"tif", "tiff"})),
    "docx": DocumentKind(
        "Word-Dokument",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        frozenset({"docx"}),
    ),
    "xlsx": DocumentKind(
        "Excel-Tabelle",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        frozenset({"xlsx"}),
    ),
    "pptx": DocumentKind(
        "PowerPoint-Präsentation",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        frozenset({"pptx"}),
    ),
    "odt": DocumentKind("OpenDocument-Text", "application/vnd.oasis.opendocument.text", frozenset({"odt"})),
    "ods": DocumentKind(
        "OpenDocument-Tabelle", "application/vnd.oasis.opendocument.spreadsheet", frozenset({"ods"})
    ),
    "doc": DocumentKind("Word-Dokument (alt)", "application/msword", frozenset({"doc"})),
    "xls": DocumentKind("Excel-Tabelle (alt)", "application/vnd.ms-excel", frozenset({"xls"})),
    "txt": DocumentKind("Text", "text/plain; charset=utf-8", frozenset({"txt"})),
}
ALLOWED_DOCUMENT_SUFFIXES = tuple(sorted({suffix for kind in _KINDS.values() for suffix in kind.suffixes}))
# What a download may send: a stored type outside this set (rows from before the detection,
# which kept the browser's claim) is sent as application/octet-stream.
SERVABLE_TYPES = frozenset(kind.mime for kind in _KINDS.values())

_ZIP_MEMBERS = (
    ("word/document.xml", "docx"),
    ("xl/workbook.xml", "xlsx"),
    ("ppt/presentation.xml", "pptx"),
)
_OPENDOCUMENT = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# Markup a browser would run if it ever rendered the file; refused also in a .txt.
_MARKUP = (b"<html", b"<!doctype", b"<svg", b"<script", b"<?xml", b"<body", b"<iframe")


def file_suffix(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head


def _zip_kind(upload) -> str | None:
    """Office formats are zip files; which one is written inside, not always in the first 8 KB."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            for member, kind in _ZIP_MEMBERS:
                if member in names:
                    return kind
            if "mimetype" in names:
                return _OPENDOCUMENT.get(archive.read("mimetype").strip())
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


def _text_kind(head: bytes) -> str | None:
    """Plain UTF-8 text without markup and without control characters is a text file."""
    if b"\x00" in head:
        return None
    try:
        # A head cut at SNIFF_BYTES may end inside a multi-byte character: not final then.
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SNIFF_BYTES)
    except UnicodeDecodeError:
        return None
    if any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text):
        return None
    lowered = head.lower()
    if any(marker in lowered for marker in _MARKUP):
        return None
    return "txt"


def detect_document_kind(upload) -> DocumentKind:
    """The kind of an uploaded document, from its content; ValidationError (German) otherwise."""
    head = _read_head(upload)
    guess = filetype.guess(head) if head else None
    detected = guess.extension if guess else None
    if detected in {"zip", "docx", "xlsx", "pptx", "odt", "ods"}:
        detected = _zip_kind(upload)
    elif detected is None and head:
        detected = _text_kind(head)
    kind = _KINDS.get(detected or "")
    if kind is None:
        raise ValidationError(CONTENT_NOT_ALLOWED, code="content_not_allowed")
    suffix = file_suffix(getattr(upload, "name", "") or "")
    if suffix not in kind.suffixes:
        raise ValidationError(
            CONTENT_DOES_NOT_MATCH_NAME,
            code="content_does_not_match_name",
            params={"detected": kind.label, "suffix": suffix},
        )
    return kind


def check_document_name(name: str) -> None:
    if file_suffix(name) not in ALLOWED_DOCUMENT_SUFFIXES:
        raise ValidationError(
            FILE_TYPE_NOT_ALLOWED,
            code="type_not_allowed",
            params={"types": ", ".join(ALLOWED_DOCUMENT_SUFFIXES)},
        )


def servable_content_type(stored: str) -> str:
    return stored if stored in SERVABLE_TYPES else "application/octet-stream"
