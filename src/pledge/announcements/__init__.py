"""Policy versions announced: numbered publications with their diffs, notices, change mails."""

from pledge.announcements.mails import send_change_notices
from pledge.announcements.publications import (
    Notice,
    Published,
    current_notice,
    publication,
    publications,
    publish,
)

__all__ = [
    "Notice",
    "Published",
    "current_notice",
    "publication",
    "publications",
    "publish",
    "send_change_notices",
]
