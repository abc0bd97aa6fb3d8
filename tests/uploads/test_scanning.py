"""Uploads are scanned (issue 18): ClamAV's verdict through a real clamd, no active content in PDFs, image limits."""

from __future__ import annotations

import zlib
from io import BytesIO

import pytest
from PIL import Image

from stations.uploads import scan
from stations.uploads.storage import MAX_IMAGE_PIXELS
from tests.enterprises.test_documents import documents_of, upload
from tests.helpers.cases import text
from tests.uploads.clamav import EICAR

PLAIN = b"%PDF-1.4\n1 0 obj<< /Type /Catalog /Pages 2 0 R >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
OPEN_ACTION_JS = (
    b"%PDF-1.4\n1 0 obj<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>endobj\n%%EOF\n"
)
HIDDEN = zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")


@pytest.mark.parametrize(
    ("data", "active"),
    [
        (PLAIN, False),
        (OPEN_ACTION_JS, True),
        (b"%PDF-1.4\n1 0 obj<< /OpenAction << /S /J#61vaScript /J#53 (x) >> >>endobj\n", True),  # #xx escapes
        (b"%PDF-1.4\n1 0 obj<< /Names << /EmbeddedFiles 2 0 R >> >>endobj\n", True),
        (b"%PDF-1.4\n1 0 obj<< /OpenAction << /S /Launch /F (cmd.exe) >> >>endobj\n", True),
        (b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF", True),  # PDF/HTML polyglot
        (b"%PDF-1.5\n5 0 obj<< /Type /ObjStm /Filter /FlateDecode >>stream\n" + HIDDEN + b"endstream\n", True),
        (
            b"%PDF-1.5\n5 0 obj<< /Filter /FlateDecode >>stream\n" + zlib.compress(b"BT (Hello) Tj ET") + b"endstream",
            False,
        ),
    ],
)
def test_pdf_active_content(data, active):
    assert scan.pdf_active_content(data) is active


def test_a_pdf_with_javascript_is_refused_with_a_clear_message(login_as, uploads, gd):
    client = login_as(gd.username)
    response = upload(client, data=OPEN_ACTION_JS)
    assert response.status_code == 422
    assert "含有脚本" in text(response)
    assert documents_of(gd) == []


def test_an_image_over_the_pixel_limit_is_refused_before_decoding(login_as, uploads, gd):
    side = int(MAX_IMAGE_PIXELS**0.5) + 1
    out = BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG")  # a few KB that would decode to tens of MB
    response = upload(login_as(gd.username), data=out.getvalue(), filename="big.png")
    assert response.status_code == 422 and "像素过大" in text(response)


def test_a_configured_daemon_that_does_not_answer_refuses_the_upload(app, login_as, uploads, monkeypatch, tmp_path, gd):
    monkeypatch.setitem(app.config, "CLAMD_SOCKET", str(tmp_path / "no-such.sock"))
    response = upload(login_as(gd.username))
    assert response.status_code in (422, 503) and "病毒扫描服务暂时不可用" in text(response)
    assert documents_of(gd) == []


# --- against the real daemon (required with CI=true) -------------------------------------------------------------


@pytest.fixture
def scanning(app, clamd_socket, monkeypatch):
    monkeypatch.setitem(app.config, "CLAMD_SOCKET", clamd_socket)


@pytest.mark.parametrize(
    ("data", "filename"),
    [(EICAR, "eicar.pdf"), (b"%PDF-1.4\n" + EICAR + b"\n%%EOF\n", "eicar-inside.pdf")],
)
def test_clamav_refuses_the_eicar_file(scanning, login_as, uploads, data, filename, gd):
    response = upload(login_as(gd.username), data=data, filename=filename)
    assert response.status_code == 422
    assert "未通过病毒扫描" in text(response)
    assert documents_of(gd) == []
    assert not uploads.exists() or not any(uploads.iterdir())  # nothing stored


def test_clean_files_pass_the_real_daemon_and_javascript_pdfs_do_not(scanning, login_as, uploads, gd):
    client = login_as(gd.username)
    assert upload(client, data=PLAIN).status_code == 303
    assert upload(client, data=OPEN_ACTION_JS, name="营业执照").status_code == 422
    assert len(documents_of(gd)) == 1
