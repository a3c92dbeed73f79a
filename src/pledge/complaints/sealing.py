"""A complaint's personal data, sealed with the system key and bound to the complaint's id.

Bound to the id (AES-GCM associated data), so a ciphertext copied onto another
row does not open there.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pledge.core import Pledge
from pledge.db.models import Complaint
from pledge.i18n import Language, language, source_language, supported
from pledge.mail import queue_mail


def seal(pledge: Pledge, complaint_id: str, part: str, value: str) -> bytes:
    """``part`` is ``email``, ``text`` or ``answer``."""
    return pledge.keys.encrypt_system(value, f"complaint-{part}:{complaint_id}")


def unseal(pledge: Pledge, row: Complaint, part: str) -> str | None:
    blob: bytes | None = getattr(row, f"{part}_ciphertext")
    if blob is None:
        return None
    return str(pledge.keys.decrypt_system(blob, f"complaint-{part}:{row.id}"))


def language_of(row: Complaint) -> Language:
    """The language the complaint came in (English where Pledge has no catalogue for it)."""
    return language(row.language) if row.language in supported() else source_language()


def mail_person(
    session: Session, pledge: Pledge, row: Complaint, mail: tuple[str, str], template: str
) -> None:
    """Queue a mail to the person in the caller's transaction."""
    subject, body = mail
    to = unseal(pledge, row, "email")
    assert to is not None  # the address is kept as long as the complaint
    queue_mail(
        session,
        pledge.keys,
        to=to,
        subject=subject,
        body=body,
        template=template,
        headers={"Content-Language": language_of(row).code},
    )
