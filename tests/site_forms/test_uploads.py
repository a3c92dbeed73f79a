"""The careers form's résumé: told apart by content, capped, encrypted at rest, in the package."""

from __future__ import annotations

import base64
import tempfile
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.base import Base
from pledge.records.service import records_for_email
from tests.site_forms.helpers import MARKER, NOTHING, careers, counts, docx, pdf, png

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _send(client: TestClient, pledge: Pledge, name: str, data: bytes, declared: str) -> Any:
    return client.post(
        "/api/v1/forms/careers", data=careers(pledge), files={"resume": (name, data, declared)}
    )


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [("cv.pdf", pdf(), PDF_TYPE), ("cv.docx", docx(), DOCX_TYPE), ("cv.docx", pdf(), PDF_TYPE)],
    ids=["pdf", "docx", "pdf-renamed-docx"],
)
def test_a_pdf_or_docx_is_kept_as_what_its_content_is(
    client: TestClient, pledge: Pledge, name: str, content: bytes, kind: str
) -> None:
    response = _send(client, pledge, name, content, "application/octet-stream")
    assert response.status_code == 201, response.text
    [held] = records_for_email(pledge, "ada.applies@example.org")
    assert held.category == "employment_application"
    resume = held.data["resume"]
    assert resume["media_type"] == kind
    assert base64.b64decode(resume["content_base64"]) == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cv.pdf", png()),
        ("cv.pdf", b""),
        ("cv.pdf", pdf(b"x" * 2_030_000)),
        ("cv.docx", b"PK\x03\x04not really a zip"),
    ],
    ids=["png-named-pdf", "empty", "over-the-cap", "broken-zip"],
)
def test_other_files_are_refused_by_the_field_and_nothing_kept(
    client: TestClient, pledge: Pledge, name: str, content: bytes
) -> None:
    response = _send(client, pledge, name, content, PDF_TYPE)
    assert response.status_code == 422, response.text
    assert set(response.json()["error"]["fields"]) == {"resume"}
    assert counts(pledge) == NOTHING


def test_a_60_mb_body_is_refused_before_it_is_read(client: TestClient, pledge: Pledge) -> None:
    headers = {"content-type": "multipart/form-data; boundary=x"}
    response = client.post("/api/v1/forms/careers", content=b"x" * 60_000_000, headers=headers)
    assert response.status_code == 413
    small = client.post("/api/v1/forms/contact", content=b"x" * 300_000, headers=headers)
    assert small.status_code == 413  # forms without files keep the public limit
    assert counts(pledge) == NOTHING


def test_the_resume_is_nowhere_in_the_database_in_clear(client: TestClient, pledge: Pledge) -> None:
    assert _send(client, pledge, "cv.pdf", pdf(), PDF_TYPE).status_code == 201
    encoded = base64.b64encode(pdf())
    needles = (MARKER, encoded[:40])
    with pledge.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for value in row:
                    held = value if isinstance(value, bytes) else repr(value).encode()
                    for needle in needles:
                        assert needle not in held, table.name
    if pledge.settings.is_sqlite:
        path = pledge.settings.database_url.removeprefix("sqlite:///")
        from pathlib import Path

        assert MARKER not in Path(path).read_bytes()


def test_a_large_resume_never_touches_the_disk(
    client: TestClient, pledge: Pledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Starlette spools a part past 1 MB into a temporary file; the careers form takes up to
    2 MB, so its parser keeps every part in memory. Any temporary file opened is counted."""
    opened: list[str] = []
    real = tempfile.TemporaryFile

    def counting(*args: Any, **kwargs: Any) -> Any:
        opened.append("TemporaryFile")
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", counting)
    big = pdf(b"x" * 1_900_000)
    answer = client.post(
        "/api/v1/forms/careers",
        data=careers(pledge, email="big.resume@example.org"),
        files={"resume": ("cv.pdf", big, "application/pdf")},
    )
    assert answer.status_code == 201, answer.text
    assert opened == []
    [held] = records_for_email(pledge, "big.resume@example.org")
    assert held.data["resume"]["size"] == len(big)
