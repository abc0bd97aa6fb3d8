"""Checking and storing uploads (security.md §2.5): size cap, type by magic bytes, random names."""

from __future__ import annotations

import hashlib
import io
import os
import unicodedata
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, send_file
from PIL import Image, UnidentifiedImageError
from werkzeug.datastructures import FileStorage

from ..extensions import db
from . import scan
from .models import StoredFile

# content type -> (extension, magic prefix). Anything else is refused, whatever its name says.
ALLOWED_TYPES = {
    "application/pdf": ("pdf", b"%PDF-"),
    "image/png": ("png", b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": ("jpg", b"\xff\xd8\xff"),
}
# A decompression bomb is refused before it is decoded. 20 MP covers phone photos and 300 dpi A4 scans; a JPEG
# (decoded to be re-encoded) then costs at most ~60 MB, a PNG is verified without decoding its pixels.
MAX_IMAGE_PIXELS = 20_000_000


@dataclass
class UploadRejected(Exception):
    status: int  # 400 empty, 413 too large, 415 wrong type, 422 unreadable image, virus or active PDF, 503 no scan
    code: str

    def __str__(self) -> str:
        return self.code


def upload_root() -> Path:
    root = Path(current_app.config.get("UPLOAD_ROOT") or Path(current_app.instance_path) / "uploads")
    root.mkdir(parents=True, exist_ok=True)
    return root


def sniff(head: bytes) -> str | None:
    for content_type, (_ext, magic) in ALLOWED_TYPES.items():
        if head.startswith(magic):
            return content_type
    return None


def display_name(name: str | None) -> str:
    """The client's file name for display only: NFC, no path, no control or bidi characters, ≤ 100 chars."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return name[-100:] or "file"


def _check_image(data: bytes, content_type: str) -> bytes:
    """Prove the image is one within the pixel limit; JPEGs are decoded and re-encoded, which drops EXIF (GPS and
    all), PNGs verified without decoding their pixels."""
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # over the limit: refused, not decoded
            opened = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise UploadRejected(422, "image_too_large") from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise UploadRejected(422, "image_unreadable") from error
    try:
        with opened as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise UploadRejected(422, "image_too_large")
            if content_type != "image/jpeg":
                image.verify()  # chunk structure and CRCs, without holding the pixels in memory
                return data
            image.load()
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=90)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as error:
        raise UploadRejected(422, "image_unreadable") from error
    return data


def read_checked(upload: FileStorage, max_bytes: int | None = None) -> tuple[bytes, str]:
    """The upload's bytes and content type, or UploadRejected."""
    limit = max_bytes or current_app.config["UPLOAD_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRejected(413, "too_large")
    if not data:
        raise UploadRejected(400, "empty")
    try:
        virus = scan.virus_found(data)  # first: whatever the file claims to be
    except scan.ScanUnavailable as error:
        current_app.logger.error("Upload refused: virus scan unavailable (%s)", error)
        raise UploadRejected(503, "scan_unavailable") from error
    if virus:
        current_app.logger.warning("Upload refused: ClamAV found %s", virus)
        raise UploadRejected(422, "infected")
    content_type = sniff(data[:16])
    if content_type is None:
        raise UploadRejected(415, "unsupported_type")
    if content_type == "application/pdf" and scan.pdf_active_content(data):
        raise UploadRejected(422, "pdf_active_content")
    if content_type.startswith("image/"):
        data = _check_image(data, content_type)
    return data, content_type


def store(upload: FileStorage, *, enterprise_id: int | None, user_id: int | None) -> StoredFile:
    """Check and store one upload; flushes the StoredFile row.

    :raise UploadRejected: for an empty, oversized, unsupported or unreadable file.
    """
    data, content_type = read_checked(upload)
    return store_bytes(data, content_type, upload.filename, enterprise_id=enterprise_id, user_id=user_id)


def store_bytes(
    data: bytes, content_type: str, filename: str | None, *, enterprise_id: int | None, user_id: int | None
) -> StoredFile:
    extension = ALLOWED_TYPES[content_type][0]
    storage_name = f"{uuid.uuid4().hex}.{extension}"
    target = upload_root() / storage_name
    temp = target.with_suffix(".part")
    try:
        temp.write_bytes(data)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    stored = StoredFile(
        storage_name=storage_name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        display_name=display_name(filename),
        enterprise_id=enterprise_id,
        uploaded_by_id=user_id,
    )
    db.session.add(stored)
    try:
        db.session.flush()
    except Exception:
        target.unlink(missing_ok=True)  # never leave a file no row points at
        raise
    return stored


def discard(stored_files) -> None:
    """Remove the files of rows that were rolled back (never a file without a row)."""
    for stored in stored_files:
        (upload_root() / stored.storage_name).unlink(missing_ok=True)


def send_stored(stored: StoredFile):
    """Serve a stored file as a download that no browser will render or sniff."""
    path = upload_root() / stored.storage_name
    response = send_file(
        path,
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.display_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["Cache-Control"] = "no-store, private"
    return response
