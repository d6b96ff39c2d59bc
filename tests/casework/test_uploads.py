"""Uploads trust the content, not the browser (issue 16, finding 4), and are refused early when
too large.

The type is detected from the file's bytes; only PDF, images, office documents and plain text
pass, and only under a name that fits; the detected type is stored and served. A request
announcing more than KIM_MAX_REQUEST_BYTES is refused with 413 before its body is read.
"""

import io
import socket
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casework import services
from casework.models import Document
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


@pytest.fixture
def case(case_manager):
    return CaseFactory(case_manager=case_manager)


@pytest.fixture
def cm_client(client, case_manager):
    client.force_login(case_manager)
    return client


def _upload(client, case, name: str, content: bytes, content_type: str):
    return client.post(
        reverse("cases:add_document", args=[case.pk]),
        {
            "document-title": "Probe",
            "document-file": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )


def _stored_files() -> set[Path]:
    return {path for path in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if path.is_file()}


def test_a_pdf_sent_as_text_html_is_stored_and_served_as_pdf(cm_client, case):
    response = _upload(cm_client, case, "probe.pdf", PDF, "text/html")
    assert response.status_code == 302
    document = case.documents.get()
    assert document.content_type == "application/pdf"
    download = cm_client.get(reverse("cases:document", args=[case.pk, document.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content", "claimed"),
    [
        ("probe.png", SVG, "image/png"),  # an SVG (with a script) named .png
        ("probe.pdf", HTML, "application/pdf"),  # HTML named .pdf
        ("probe.txt", HTML, "text/plain"),  # HTML named .txt
        ("probe.docx", _zip({"a.txt": b"x"}), "application/msword"),  # any zip named .docx
        ("probe.pdf", b"MZ\x90\x00" + b"\x00" * 60, "application/pdf"),  # a Windows program
    ],
)
def test_content_that_is_not_an_allowed_type_is_refused_in_german(cm_client, case, name, content, claimed):
    before = _stored_files()
    response = _upload(cm_client, case, name, content, claimed)
    assert response.status_code == 200
    assert "keiner der erlaubten Dateitypen" in response.content.decode()
    assert not case.documents.exists()
    assert _stored_files() == before


def test_an_allowed_type_under_the_wrong_name_is_refused(cm_client, case):
    response = _upload(cm_client, case, "foto.png", PDF, "image/png")
    assert response.status_code == 200
    assert "Der Inhalt der Datei (PDF) passt nicht zu ihrer Endung „.png“" in response.content.decode()
    assert not case.documents.exists()


@pytest.mark.parametrize(
    ("name", "content", "detected"),
    [
        ("scan.pdf", PDF, "application/pdf"),
        ("foto.png", PNG, "image/png"),
        ("foto.jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 32, "image/jpeg"),
        ("liste.xlsx", _xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "brief.docx",
            _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "brief.odt",
            _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
            "application/vnd.oasis.opendocument.text",
        ),
        (
            "notiz.txt",
            "Termin beim Jobcenter, Zimmer 3 – Übersetzung nötig.\n".encode(),
            "text/plain; charset=utf-8",
        ),
    ],
)
def test_allowed_types_are_stored_with_their_detected_type(cm_client, case, name, content, detected):
    response = _upload(cm_client, case, name, content, "application/octet-stream")
    assert response.status_code == 302
    assert case.documents.get().content_type == detected


def test_the_service_refuses_what_the_form_would_so_every_way_in_is_covered(case, case_manager):
    before = _stored_files()
    with pytest.raises(ValidationError):
        services.document_upload(
            case=case,
            by=case_manager,
            title="x",
            file=SimpleUploadedFile("x.png", SVG, content_type="image/png"),
        )
    assert not Document.objects.exists()
    assert _stored_files() == before


def test_an_older_row_with_the_browsers_type_is_served_as_octet_stream(cm_client, case, case_manager):
    document = services.document_upload(
        case=case, by=case_manager, title="alt", file=SimpleUploadedFile("a.pdf", PDF)
    )
    Document.objects.filter(pk=document.pk).update(content_type="text/html")
    download = cm_client.get(reverse("cases:document", args=[case.pk, document.pk]))
    assert download["Content-Type"] == "application/octet-stream"


# --- the request size limit ---------------------------------------------------------------


def test_a_200_mb_request_is_refused_at_once_without_reading_the_body(cm_client, case):
    """The test client's payload holds a few bytes and fails any read beyond them: a 413 here
    means the announced length was judged and the body left unread."""
    response = cm_client.generic(
        "POST",
        reverse("cases:add_document", args=[case.pk]),
        data=b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 2**20),
    )
    assert response.status_code == 413
    body = response.content.decode()
    assert "Die Datei ist zu groß" in body
    assert f"höchstens {settings.KIM_MAX_REQUEST_BYTES // 2**20} MB" in body
    assert not case.documents.exists()


def test_the_limit_holds_on_a_real_socket_before_the_body_is_sent(live_server, case):
    """Over HTTP: headers announcing 200 MB and no body at all get their 413 answer."""
    host, port = live_server.url.removeprefix("http://").split(":")
    path = reverse("cases:add_document", args=[case.pk])
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {200 * 2**20}\r\n\r\n"
            ).encode()
        )
        received = b""
        while b"</html>" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        answer = received.decode("utf-8", "replace")
    assert answer.startswith("HTTP/1.1 413")
    assert "Die Datei ist zu groß" in answer


def test_a_request_under_the_limit_passes(cm_client, case, settings):
    settings.KIM_MAX_REQUEST_BYTES = 2**20
    response = _upload(cm_client, case, "scan.pdf", PDF + b"%" * 1000, "application/pdf")
    assert response.status_code == 302


def test_the_admin_refuses_an_svg_named_png_with_a_german_message(admin_client, superuser):
    case = CaseFactory(by=superuser)
    response = admin_client.post(
        reverse("admin:casework_document_add"),
        {
            "case": str(case.pk),
            "title": "Bild",
            "file": SimpleUploadedFile("bild.png", SVG, content_type="image/png"),
        },
    )
    assert response.status_code == 200
    assert "keiner der erlaubten Dateitypen" in response.content.decode()
    assert not Document.objects.exists()
