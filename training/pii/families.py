"""Template families: conversation shapes and phrasings, each in exactly one split.

A family writes one conversation into a ``Ctx``. Families differ in speakers, channel,
writing style (ASR lower case, capitals, typos), the order and kind of exchanges, and
their own phrasings; shared exchanges (``slots``) draw phrasings held apart by split.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from training.pii import slots, values
from training.pii.builder import Style, Val
from training.pii.context import Ctx, noise, who

Writer = Callable[[Ctx], None]


@dataclass(frozen=True)
class Family:
    """A conversation shape: its split, channel, writing style, speakers and writer."""

    name: str
    split: str
    channel: str
    style: Style
    write: Writer
    spoken: float = 0.0
    region: str | None = None
    date_order: str = "US"
    summary: str = ""


def _shuffled(c: Ctx, steps: list[Callable[[Ctx], object]], keep: float = 0.75) -> None:
    """Run a random subset of steps in a random order (at least one)."""
    chosen = [s for s in steps if c.rng.random() < keep] or [c.rng.choice(steps)]
    c.rng.shuffle(chosen)
    for step in chosen:
        step(c)


def _bot_intro(c: Ctx) -> None:
    bot = c.rng.choice(values.BOT_NAMES)
    company = c.rng.choice(values.COMPANIES)
    c.a(
        "Hi, thanks for contacting " + company + ". I'm {b}, a virtual assistant. How can I help?",
        b=noise(bot, "BOT"),
    )


def _human_intro(c: Ctx) -> None:
    g, f = c.person()
    c.a(
        c.rng.choice(
            (
                "Hello, you're through to {n} at " + c.rng.choice(values.COMPANIES) + ".",
                "Good morning, my name is {n}, how can I help you today?",
                "Hi there! {n} here from customer support.",
            )
        ),
        n=who(g if c.rng.random() < 0.7 else f"{g} {f}"),
    )


# ---------------------------------------------------------------- train families
def chat_classic(c: Ctx) -> None:
    """Agent/Customer web chat with a human agent: order problem, identity checks."""
    c.speakers("Agent: ", "Customer: ")
    _human_intro(c)
    c.u("Hi, my parcel never arrived and I paid {t} for express.", t=slots.said_money(c))
    slots.name(c)
    _shuffled(c, [slots.email, slots.dob, slots.account, slots.phone])
    c.a(
        "The order shipped {d} with tracking {k} and should arrive within {u}.",
        d=c.when(),
        k=noise(values.tracking(c.rng), "TRACKING"),
        u=noise(values.duration(c.rng), "DURATION"),
    )
    slots.reference(c)
    slots.bye(c)


def bot_user(c: Ctx) -> None:
    """Bot/User chat: account number and case numbers side by side."""
    c.speakers("Bot: ", "User: ")
    _bot_intro(c)
    c.u("I was charged twice on my account")
    slots.name(c)
    slots.account(c)
    slots.reference(c)
    if c.rng.random() < 0.5:
        slots.reference(c)
    c.a(
        "The duplicate of {t} will be refunded in {u}.",
        t=slots.said_money(c),
        u=noise(values.duration(c.rng), "DURATION"),
    )
    _shuffled(c, [slots.email, slots.phone], keep=0.5)
    c.u("ok thanks")


def call_asr(c: Ctx) -> None:
    """caller/rep call transcript, ASR lower case without punctuation, spoken values."""
    c.speakers("rep: ", "caller: ")
    c.a(
        "thank you for calling " + c.rng.choice(values.COMPANIES) + " this is {n} how can i help",
        n=who(c.person()[0]),
    )
    c.u("hi yeah i need to update my details")
    slots.name(c)
    _shuffled(c, [slots.dob, slots.phone, slots.address, slots.account, slots.email])
    c.a(
        "all done your request went in at {t} and takes about {u}",
        t=slots.said_time(c),
        u=noise(values.duration(c.rng), "DURATION"),
    )
    slots.bye(c)


def sms_thread(c: Ctx) -> None:
    """SMS thread without speaker labels; signature at the end of the customer's text."""
    c.speakers("", "")
    c.a(
        "{co}: your order {o} has shipped. Track: {k}",
        co=c.rng.choice(values.COMPANIES),
        o=Val(values.account_id(c.rng)[1], "ACCOUNT_ID"),
        k=noise(values.tracking(c.rng), "TRACKING"),
    )
    c.u(
        "it says delivered {d} but nothing here. can you call me on {p}? - {g}",
        d=c.when(),
        p=Val(c.me.phone, "PHONE"),
        g=who(c.me.given),
    )
    c.a(
        "Sorry to hear that. We opened case {r}. Reply with your postcode or address to confirm.",
        r=noise(values.case_ref(c.rng)[1], "CASE"),
    )
    c.u("{a}", a=Val(c.me.address, "STREET_ADDRESS"))
    c.a(
        "Thanks. A replacement leaves our {s} store by {t}.",
        s=noise(c.me.city, "CITY"),
        t=slots.said_time(c),
    )


def it_support(c: Ctx) -> None:
    """Timestamped chat about a blocked login: IP addresses beside software versions."""
    c.speakers(c.stamped("Agent"), c.stamped("Customer"))
    _human_intro(c)
    c.u(
        "I can't log in since I updated the app to version {v}.",
        v=noise(values.version(c.rng), "VERSION"),
    )
    slots.name(c)
    ip = values.ipv4(c.rng) if c.rng.random() < 0.7 else values.ipv6(c.rng)
    c.a("Could you tell me the IP address shown on the error page?")
    c.u(
        "it says {ip}, firmware {fw} on the router",
        ip=Val(ip, "IP_ADDRESS"),
        fw=noise(values.version(c.rng), "VERSION"),
    )
    c.a(
        "Thanks, {ip} was blocked after too many attempts. I've unblocked it.",
        ip=Val(ip, "IP_ADDRESS"),
    )
    _shuffled(c, [slots.email, slots.reference], keep=0.6)
    c.a("Please update to build {v} when it's out.", v=noise(values.version(c.rng), "VERSION"))


def bank_call(c: Ctx) -> None:
    """Agent/Caller bank call with punctuation: card, SSN and DOB checks, masked read-backs."""
    c.speakers("Agent: ", "Caller: ")
    _human_intro(c)
    c.u("I need to report a charge of {t} I don't recognise.", t=slots.said_money(c))
    slots.name(c)
    _shuffled(c, [slots.dob, slots.ssn, slots.card], keep=0.8)
    c.a(
        "The account has been open since {d}; I've frozen the card and opened a dispute.",
        d=c.when(old=True),
    )
    slots.reference(c)
    slots.bye(c)


def uk_chat(c: Ctx) -> None:
    """UK web chat: DD/MM/YYYY dates, UK phones and postcodes, a/c numbers."""
    c.speakers("Assistant: ", "You: ")
    _bot_intro(c)
    c.u("Hiya, I've moved house and need to change my details")
    slots.name(c)
    slots.dob(c)
    slots.address(c)
    _, ident = values.account_id(c.rng)
    c.a("And the a/c or customer number?")
    c.u("a/c {x}", x=Val(ident, "ACCOUNT_ID"))
    slots.phone(c)
    c.a(
        "Sorted. Your next bill of {t} is due {d}.",
        t=noise(values.money(c.rng), "TOTAL"),
        d=c.when(),
    )


def insurance_claim(c: Ctx) -> None:
    """Insurance call: policy number (personal) beside claim reference (not), a third party."""
    c.speakers("Advisor: ", "Policyholder: ")
    _human_intro(c)
    c.u("I'm calling about a claim for my car, it was hit on {d}.", d=c.when())
    slots.name(c)
    _, ident = values.account_id(c.rng)
    c.a("What's your policy number?")
    c.u("it's {x}", x=Val(c.digits_said(ident), "ACCOUNT_ID"))
    g, f = c.person()
    rel = c.rng.choice(("wife", "husband", "son", "daughter", "partner", "brother"))
    c.u(
        "my " + rel + " {n} was driving, they're a named driver too.",
        n=who(f"{g} {f}" if c.rng.random() < 0.5 else g),
    )
    slots.dob(c)
    _, ref = values.case_ref(c.rng)
    c.a(
        "Your claim reference is {r}. An assessor calls within {u}.",
        r=noise(ref, "CASE"),
        u=noise(values.duration(c.rng), "DURATION"),
    )
    slots.bye(c)


def billing_chat(c: Ctx) -> None:
    """Agent/Member chat about a payment: card, SSN for a credit check, store and promo."""
    c.speakers("Agent: ", "Member: ")
    _human_intro(c)
    c.u(
        "I'd like to pay my balance and apply code {p} for {x} off.",
        p=noise(values.promo(c.rng), "PROMO"),
        x=noise(values.percent(c.rng), "PERCENT"),
    )
    slots.name(c)
    _shuffled(c, [slots.card, slots.ssn, slots.account], keep=0.85)
    c.a(
        "Done. You can pick up the order at our store {s} after {t}.",
        s=noise(values.store(c.rng), "STORE"),
        t=slots.said_time(c),
    )
    slots.bye(c)


def helpdesk_ticket(c: Ctx) -> None:
    """User/Support chat: ticket and incident numbers beside a client ref, IP from a log line."""
    c.speakers("Support: ", "User: ")
    kind, ref = values.case_ref(c.rng)
    c.u("hi, following up on {k} {r}", k=kind, r=noise(ref, "CASE"))
    c.a("Sure, who am I speaking with?")
    g = c.me.given
    c.u("{n} from accounts", n=who(f"{g} {c.me.family}" if c.rng.random() < 0.6 else g))
    c.a(
        "Thanks {g}. The portal shows logins from {ip} after you updated to {v}. Was that you?",
        g=who(g),
        ip=Val(values.ipv4(c.rng) if c.rng.random() < 0.6 else values.ipv6(c.rng), "IP_ADDRESS"),
        v=noise(values.version(c.rng), "VERSION"),
    )
    c.u(
        "yes that's my home connection. updated to {v} this morning",
        v=noise(values.version(c.rng), "VERSION"),
    )
    _, ident = values.account_id(c.rng)
    c.a("Can you confirm the client ref on the account?")
    c.u("{x}", x=Val(ident, "ACCOUNT_ID"))
    c.a("And an email for the update?")
    c.u("{e}", e=Val(c.me.email, "EMAIL"))
    c.a(
        "Logged on incident {r}; expect a reply within {u}.",
        r=noise(values.case_ref(c.rng)[1], "CASE"),
        u=noise(values.duration(c.rng), "DURATION"),
    )


def sms_caps(c: Ctx) -> None:
    """SMS in capitals: short bursts, phone and account numbers, store and promo codes."""
    c.speakers("", "")
    c.u(
        "HI ITS {g} AGAIN. MY CARD DIDNT WORK AT STORE {s}",
        g=who(c.me.given),
        s=noise(values.store(c.rng), "STORE"),
    )
    c.a("Sorry {g}! What's the number on your loyalty card?", g=who(c.me.given))
    _, ident = values.account_id(c.rng)
    c.u("{x}", x=Val(ident, "ACCOUNT_ID"))
    c.a(
        "Thanks. Use code {p} for {x} off today. Ref {r}.",
        p=noise(values.promo(c.rng), "PROMO"),
        x=noise(values.percent(c.rng), "PERCENT"),
        r=noise(values.case_ref(c.rng)[1], "CASE"),
    )
    c.u(
        "OK CALL ME ON {p} IF ANY PROBLEM. {n}",
        p=Val(c.me.phone, "PHONE"),
        n=who(f"{c.me.given} {c.me.family}"),
    )


def returns_rma(c: Ctx) -> None:
    """'>>' quoted chat about a faulty device: model, serial and RMA beside the order number."""
    c.speakers(">> support: ", ">> me: ")
    _bot_intro(c)
    c.u(
        "my headphones ({m}) stopped charging, serial {s}",
        m=noise(values.model(c.rng), "MODEL"),
        s=noise(values.serial(c.rng), "SERIAL"),
    )
    slots.name(c)
    c.a("What's the order number?")
    _, ident = values.account_id(c.rng)
    c.u("order {x}, bought {d}", x=Val(ident, "ACCOUNT_ID"), d=c.when())
    c.a(
        "I've issued RMA {r}. Print the label and ship within {u}; refund of {t} follows.",
        r=noise(values.case_ref(c.rng)[1], "CASE"),
        u=noise(values.duration(c.rng), "DURATION"),
        t=slots.said_money(c),
    )
    _shuffled(c, [slots.address, slots.email], keep=0.7)
    slots.bye(c)


def _mk(
    name: str,
    split: str,
    channel: str,
    write: Writer,
    style: Style | None = None,
    *,
    spoken: float = 0.0,
    region: str | None = None,
    date_order: str = "US",
) -> Family:
    return Family(
        name=name,
        split=split,
        channel=channel,
        style=style or Style(),
        write=write,
        spoken=spoken,
        region=region,
        date_order=date_order,
        summary=(write.__doc__ or "").strip(),
    )


FAMILIES: tuple[Family, ...] = (
    _mk("chat_classic", "train", "web_chat", chat_classic),
    _mk("bot_user", "train", "web_chat", bot_user),
    _mk(
        "call_asr",
        "train",
        "call_transcript",
        call_asr,
        Style(case="lower", punct=False),
        spoken=0.7,
    ),
    _mk("sms_thread", "train", "sms", sms_thread, Style(typos=0.03)),
    _mk("it_support", "train", "web_chat", it_support),
    _mk("billing_chat", "train", "web_chat", billing_chat),
    _mk("returns_rma", "train", "web_chat", returns_rma),
    _mk("bank_call", "test", "call_transcript", bank_call, spoken=0.3),
    _mk("uk_chat", "test", "web_chat", uk_chat, region="UK", date_order="EU"),
    _mk(
        "insurance_claim",
        "test",
        "call_transcript",
        insurance_claim,
        Style(case="lower"),
        spoken=0.4,
    ),
    _mk("helpdesk_ticket", "test", "web_chat", helpdesk_ticket),
    _mk("sms_caps", "test", "sms", sms_caps, Style(case="upper")),
)
