"""Marketing e-mail with a one-click unsubscribe (RFC 8058), and what the link does.

The link carries an opaque token, never the address: the subject's random
id (packed), the list (a marketing purpose), the day it was issued and an
HMAC by the system key. It needs no login, works at once, and stays valid
for ``PLEDGE_UNSUBSCRIBE_LINK_DAYS`` (at least 30). A ``POST`` to it is the
one-click unsubscribe mail clients send; a ``GET`` opens the preference
center, where "unsubscribe from everything" is as prominent as the rest.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from pledge import audit, i18n
from pledge.consent.ledger.acts import Act
from pledge.consent.ledger.evidence import short_user_agent, text_hash, truncate_ip
from pledge.consent.ledger.person import marketing_state, may_send_marketing
from pledge.consent.ledger.record import subject_ref, write_act
from pledge.consent.rules import marketing_purpose
from pledge.consent.schemas import SendIn
from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.db.base import utcnow
from pledge.db.models import Identity
from pledge.errors import Conflict, NotFound
from pledge.mail import marketing_template, queue_mail, withdraw_marketing_mail
from pledge.policy import Purpose
from pledge.records.service import find_subject_id

DAY_SECONDS = 86_400
INVALID_LINK = "this link is not valid or has expired"


@dataclass(frozen=True)
class LinkTarget:
    """Whom an unsubscribe link is for, and which list."""

    subject_id: str
    purpose: str


@dataclass(frozen=True)
class MarketingMail:
    """A rendered marketing e-mail: footed body and RFC 8058 headers."""

    subject: str
    body: str
    headers: dict[str, str]
    link: str


def make_token(keys: KeyManager, subject_id: str, purpose: str, issued: datetime) -> str:
    """``<subject id, 22 chars>.<purpose>.<day, hex>.<HMAC, 32 hex>``; no personal data."""
    packed = base64.urlsafe_b64encode(uuid.UUID(subject_id).bytes).rstrip(b"=").decode()
    day = int(issued.timestamp()) // DAY_SECONDS
    body = f"{packed}.{purpose}.{day:x}"
    return f"{body}.{keys.sign(f'unsubscribe:{body}')[:32]}"


def read_token(
    keys: KeyManager, token: str, *, valid_days: int, now: datetime | None = None
) -> LinkTarget:
    """Check the signature and age of a link; NotFound (one message for all) otherwise."""
    parts = token.split(".")
    if len(parts) != 4:
        raise NotFound(INVALID_LINK)
    packed, purpose, day_hex, signature = parts
    body = f"{packed}.{purpose}.{day_hex}"
    expected = keys.sign(f"unsubscribe:{body}")[:32]
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise NotFound(INVALID_LINK)
    try:
        subject_id = str(uuid.UUID(bytes=base64.urlsafe_b64decode(packed + "==")))
        day = int(day_hex, 16)
    except (ValueError, binascii.Error):
        raise NotFound(INVALID_LINK) from None
    today = int((now or utcnow()).timestamp()) // DAY_SECONDS
    if today - day > valid_days:
        raise NotFound(INVALID_LINK)
    return LinkTarget(subject_id, purpose)


def link_for(pledge: Pledge, subject_id: str, purpose: str) -> str:
    token = make_token(pledge.keys, subject_id, purpose, utcnow())
    return f"{pledge.settings.base_url.rstrip('/')}/u/{token}"


def render_marketing_mail(
    pledge: Pledge,
    *,
    subject_id: str,
    purpose: Purpose,
    subject: str,
    body: str,
    language: str | None = None,
) -> MarketingMail:
    """Foot the body with the links and the controller's postal address; add the headers.

    The footer is in the body's ``language`` where Pledge has it, else in English.
    """
    link = link_for(pledge, subject_id, purpose.id)
    controller = pledge.policy.controller
    t = i18n.language(i18n.supported_code(language) or i18n.SOURCE)
    footer = [
        "",
        "-- ",
        t.gettext("You receive this e-mail for: %(list)s.", list=purpose.name),
        t.gettext("Unsubscribe with one click, or choose what you receive: %(link)s", link=link),
        "",
        *controller.postal_address.lines(),
    ]
    return MarketingMail(
        subject=subject,
        body=body.rstrip() + "\n" + "\n".join(footer) + "\n",
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        link=link,
    )


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class Queued(_Out):
    """``POST /api/v1/marketing/send``: the mail is in the outbox."""

    id: str
    status: str


def send_marketing(pledge: Pledge, mail: SendIn, *, actor: str) -> Queued:
    """Queue one marketing e-mail if the rules allow it; Conflict names the reason if not."""

    purpose = marketing_purpose(pledge.policy, mail.purpose, "email")
    verdict = may_send_marketing(pledge, mail.to, "email", purpose.id)
    if not verdict:
        raise Conflict(f"this address may not receive marketing ({verdict.reason})")
    with pledge.transaction() as session:
        subject_id = find_subject_id(session, pledge.keys, mail.to)
        assert subject_id is not None  # the rules suppress unknown addresses
        rendered = render_marketing_mail(
            pledge,
            subject_id=subject_id,
            purpose=purpose,
            subject=mail.subject,
            body=mail.body,
            language=mail.language,
        )
        message = queue_mail(
            session,
            pledge.keys,
            to=mail.to,
            subject=rendered.subject,
            body=rendered.body,
            template=marketing_template(purpose.id),
            headers=rendered.headers,
            subject_id=subject_id,
        )
        audit.append(
            session,
            action="marketing.queued",
            actor=actor,
            object_type="outbox",
            object_id=message.id,
            subject_id=subject_id,
            details={"purpose": purpose.id, "channel": "email"},
        )
    return Queued(id=message.id, status="queued")


@dataclass(frozen=True)
class Visit:
    """Where a page act came from: truncated into evidence before storage."""

    ip: str | None = None
    user_agent: str | None = None


def apply_choices(
    pledge: Pledge,
    target: LinkTarget,
    changes: dict[tuple[str, str], bool],
    *,
    method: str,
    visit: Visit,
    form: str,
) -> int:
    """Record each (purpose, channel) → granted change for the link's subject; returns events.

    An unknown or erased subject changes nothing (their address is already
    suppressed), but the page answers the same, revealing nothing.
    """
    policy = pledge.policy
    now = utcnow()
    written = 0
    with pledge.transaction() as session:
        subject = subject_ref(session, pledge, target.subject_id)
        if subject is None:
            return 0
        evidence = {
            "at": now.isoformat(),
            "ip": truncate_ip(visit.ip),
            "user_agent": short_user_agent(visit.user_agent),
            "form": form,
        }
        for (purpose_id, channel), granted in sorted(changes.items()):
            purpose = policy.purpose(purpose_id)
            if purpose is None or channel not in purpose.channels:
                continue
            act = Act(
                purpose=purpose_id,
                channels=(channel,),
                granted=granted,
                method=method,
                actor="subject:link",
                evidence=evidence,
                text_hash=text_hash(f"{purpose.name}\n{purpose.description}"),
            )
            written += len(write_act(session, pledge, subject, act))
        stopped = {
            p for (p, channel), granted in changes.items() if channel == "email" and not granted
        }
        if stopped:
            withdraw_marketing_mail(session, target.subject_id, stopped)
    return written


def one_click(pledge: Pledge, target: LinkTarget, visit: Visit) -> int:
    """RFC 8058: the list's e-mails stop at once."""
    return apply_choices(
        pledge,
        target,
        {(target.purpose, "email"): False},
        method="unsubscribe_link",
        visit=visit,
        form="one_click",
    )


def unsubscribe_from_all(pledge: Pledge, target: LinkTarget, visit: Visit) -> int:
    """Withdraw every marketing purpose on every channel."""
    changes: dict[tuple[str, str], bool] = {
        (p.id, str(c)): False for p in pledge.policy.marketing_purposes for c in p.channels
    }
    return apply_choices(
        pledge, target, changes, method="unsubscribe_link", visit=visit, form="everything"
    )


def _subject_email(pledge: Pledge, subject_id: str) -> str | None:
    """The subject's e-mail, decrypted for this request only (to ask the rules about it)."""
    with pledge.sessions() as session:
        subject = subject_ref(session, pledge, subject_id)
        row = session.execute(
            select(Identity.id, Identity.ciphertext).where(
                Identity.subject_id == subject_id, Identity.kind == "email"
            )
        ).first()
    if subject is None or row is None:
        return None
    value = pledge.keys.decrypt_json(subject.data_key, row[1], f"identity:{row[0]}")
    return str(value)


class ChannelChoice(_Out):
    """One box of the preference center: a channel, and whether the person receives it now."""

    id: str
    receiving: bool
    reason: str | None


class Topic(_Out):
    """A marketing purpose as the preference center shows it, with a box per channel."""

    id: str
    name: str
    description: str
    channels: list[ChannelChoice]


def preferences(pledge: Pledge, target: LinkTarget) -> list[Topic]:
    """Each marketing topic and channel, and whether the person receives it now."""
    email = _subject_email(pledge, target.subject_id)
    state = marketing_state(pledge, email) if email else {}
    topics = []
    for purpose in pledge.policy.marketing_purposes:
        channels = []
        for channel in purpose.channels:
            verdict = state.get(purpose.id, {}).get(channel)
            reason = verdict.reason if verdict else "unknown"
            channels.append(ChannelChoice(id=channel, receiving=reason is None, reason=reason))
        topics.append(
            Topic(
                id=purpose.id,
                name=purpose.name,
                description=purpose.description,
                channels=channels,
            )
        )
    return topics


def save_preferences(
    pledge: Pledge, target: LinkTarget, wanted: set[tuple[str, str]], visit: Visit
) -> int:
    """Record a change for each topic and channel whose box differs from what is received."""
    changes = {
        (topic.id, channel.id): (topic.id, channel.id) in wanted
        for topic in preferences(pledge, target)
        for channel in topic.channels
        if ((topic.id, channel.id) in wanted) != channel.receiving
    }
    if not changes:
        return 0
    return apply_choices(
        pledge, target, changes, method="web_form", visit=visit, form="preference_center"
    )
