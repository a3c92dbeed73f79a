"""A file a form takes, checked by what its bytes are, never by its name or declared type.

``puremagic`` reads the signature; a DOCX must also open as a ZIP holding
``[Content_Types].xml`` and ``word/document.xml`` (a renamed ZIP or ODT is
not one). The file's bytes go into the record, encrypted under the person's
key like every other value; nothing is written to disk in clear.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import puremagic

from pledge.i18n import N_
from pledge.policy import SiteFormField

DEFAULT_MAX_BYTES = 2_000_000
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
EMPTY = N_("The file is empty.")
TOO_BIG = N_("The file is too large.")
WRONG_KIND = N_("This kind of file is not accepted; send a PDF or a Word (.docx) document.")


@dataclass(frozen=True)
class Upload:
    """A file as posted: the name the browser gave it and its bytes (held in memory)."""

    filename: str
    data: bytes


def max_bytes(field: SiteFormField) -> int:
    return field.max_bytes or DEFAULT_MAX_BYTES


def kind_of(data: bytes) -> str | None:
    """``pdf`` or ``docx`` when the content is one, else None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    try:
        media = puremagic.from_string(data, mime=True)
    except (ValueError, puremagic.PureError):
        return None
    if media == MEDIA_TYPES["docx"] and _is_docx(data):
        return "docx"
    return None


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return {"[Content_Types].xml", "word/document.xml"} <= names


def check_upload(field: SiteFormField, upload: Upload) -> tuple[dict[str, Any] | None, str | None]:
    """``(value to store, None)`` for an accepted file, ``(None, message)`` otherwise."""
    if not upload.data:
        return None, EMPTY
    if len(upload.data) > max_bytes(field):
        return None, TOO_BIG
    kind = kind_of(upload.data)
    if kind is None or kind not in field.accept:
        return None, WRONG_KIND
    name = PurePath(upload.filename.replace("\\", "/")).name[:200] or f"upload.{kind}"
    return {
        "filename": name,
        "media_type": MEDIA_TYPES[kind],
        "size": len(upload.data),
        "sha256": hashlib.sha256(upload.data).hexdigest(),
        "content_base64": base64.b64encode(upload.data).decode("ascii"),
    }, None
