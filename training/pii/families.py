"""Template families: conversation shapes and phrasings, each in exactly one split.

A family writes one conversation into a ``Ctx``. Families differ in speakers, channel,
writing style (ASR lower case, capitals, typos), the order and kind of exchanges, and
their own phrasings; shared exchanges (``slots``) draw phrasings held apart by split.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from training.pii import names, slots, spoken, values
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
        n=noise(g if c.rng.random() < 0.7 else f"{g} {f}", "AGENT"),
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
        n=noise(c.person()[0], "AGENT"),
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
        o=Val(values.account_id(c.rng, "order number")[1], "ACCOUNT_ID"),
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
    _, ident = values.account_id(c.rng, "account")
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
    _, ident = values.account_id(c.rng, "policy number")
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
    _, ident = values.account_id(c.rng, "client ref")
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
    _, ident = values.account_id(c.rng, "loyalty number")
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
    _, ident = values.account_id(c.rng, "order number")
    c.u("order {x}, bought {d}", x=Val(ident, "ACCOUNT_ID"), d=c.when())
    c.a(
        "I've issued RMA {r}. Print the label and ship within {u}; refund of {t} follows.",
        r=noise(values.case_ref(c.rng)[1], "CASE"),
        u=noise(values.duration(c.rng), "DURATION"),
        t=slots.said_money(c),
    )
    _shuffled(c, [slots.address, slots.email], keep=0.7)
    slots.bye(c)


def ivr_prompts(c: Ctx) -> None:
    """IVR prompts then a human: spoken account number, birth date and phone digits."""
    c.speakers("IVR: ", "Caller: ")
    c.a("Welcome to " + c.rng.choice(values.COMPANIES) + ". Calls may be recorded.")
    c.a("Please say or enter your account number, followed by the hash key.")
    _, ident = values.account_id(c.rng, "account")
    c.u("{x}", x=Val(spoken.digits(ident, c.rng), "ACCOUNT_ID"))
    c.a("Thank you. Please say your date of birth.")
    birth = values.date_text(c.me.dob, c.rng, spoken_=True)
    c.u("{d}", d=Val(birth, "DATE_OF_BIRTH"))
    c.a(
        "Your current balance is {t}. Your next payment is due on {d}.",
        t=slots.said_money(c),
        d=c.when(),
    )
    c.a("To speak to an advisor, press zero.")
    g, _f = c.person()
    c.speakers("Advisor: ", "Caller: ")
    c.a("Hi, you're through to {n}. Can I take your name?", n=noise(g, "AGENT"))
    c.u("{n}", n=who(c.full_name()))
    c.a("Thanks {g}. And a number in case we get cut off?", g=who(c.me.given))
    c.u("{p}", p=Val(spoken.digits(c.me.phone, c.rng), "PHONE"))


def names_as_labels(c: Ctx) -> None:
    """Chat whose speaker labels are the people's names; no cue before the customer's name."""
    ag, _af = c.person()
    agent_label = f"{ag} ({c.rng.choice(('Support', 'Agent', 'Team'))}): "
    c.speakers((noise(ag, "AGENT"), agent_label[len(ag) :]), (who(c.me.given), ": "))
    c.a("Hello! How can I help?")
    c.u("hi, the app shows an old address for me")
    c.a("No problem, can you confirm the full name and date of birth on the account?")
    c.u("{n}, {d}", n=who(c.full_name()), d=Val(c.dob(), "DATE_OF_BIRTH"))
    c.a("Thanks. What should the address be?")
    c.u("{a}", a=Val(c.me.address, "STREET_ADDRESS"))
    c.a("Updated. Anything else, {g}?", g=who(c.me.given))
    c.u("no that's all, thanks {g}", g=noise(ag, "AGENT"))


def telecom_chat(c: Ctx) -> None:
    """Mobile plan chat: subscriber ID, two phone numbers, data percentages, an IPv6 lease."""
    c.speakers("Agent: ", "Customer: ")
    _bot_intro(c)
    c.u("I want to move my number {p} to a new SIM", p=Val(c.me.phone, "PHONE"))
    slots.name(c)
    c.a("What's your subscriber ID?")
    _, ident = values.account_id(c.rng, "subscriber ID")
    c.u("{x}", x=Val(ident, "ACCOUNT_ID"))
    c.a(
        "You've used {x} of your data; the plan renews in {u}.",
        x=noise(values.percent(c.rng), "PERCENT"),
        u=noise(values.duration(c.rng), "DURATION"),
    )
    other = values.phone(c.rng, c.me.region if c.me.region != "CA" else "US")
    c.u("also add my son's line {p} please", p=Val(other, "PHONE"))
    c.a(
        "Done. Your router was assigned {ip}; firmware {v} is current.",
        ip=Val(values.ipv6(c.rng), "IP_ADDRESS"),
        v=noise(values.version(c.rng), "VERSION"),
    )
    slots.bye(c)


def eu_chat(c: Ctx) -> None:
    """A German customer writing English: DE address and phone, DD.MM.YYYY dates."""
    c.speakers("Service: ", "Kunde: ")
    _bot_intro(c)
    c.u("Hello, I have a question to my contract.")
    slots.name(c)
    c.a("Which customer number is this about?")
    _, ident = values.account_id(c.rng, "customer no.")
    c.u("Customer no. {x}", x=Val(ident, "ACCOUNT_ID"))
    slots.dob(c)
    slots.address(c)
    slots.phone(c)
    c.a("Thank you. The contract started {d} and ends {e}.", d=c.when(old=True), e=c.when())


def loyalty_sms(c: Ctx) -> None:
    """Lower-case SMS with typos: loyalty number, store, promo code, time, signed with a name."""
    c.speakers("", "")
    _, ident = values.account_id(c.rng, "loyalty number")
    c.u("hey my points didnt show up, card no {x}", x=Val(ident, "ACCOUNT_ID"))
    c.a("Thanks! Which store and when?")
    c.u(
        "store {s} around {t} yesterday. cheers {g}",
        s=noise(values.store(c.rng), "STORE"),
        t=slots.said_time(c),
        g=who(c.me.given),
    )
    c.a(
        "Sorted, {g}: points added and here's {p} for {x} off.",
        g=who(c.me.given),
        p=noise(values.promo(c.rng), "PROMO"),
        x=noise(values.percent(c.rng), "PERCENT"),
    )


def email_dictation(c: Ctx) -> None:
    """ASR call: the customer spells their surname and dictates their e-mail address."""
    c.speakers("agent: ", "customer: ")
    c.a("you're through to accounts how can i help")
    c.u("i never got my statement by email")
    c.a("can i take your surname")
    c.u("{f} that's {s}", f=who(c.me.family), s=who(spoken.letters(values.ascii_fold(c.me.family))))
    c.a("and the first name")
    c.u("{g}", g=who(c.me.given))
    c.a("what email address do we have")
    c.u("{e}", e=Val(values.email_dictated(c.me.email, c.rng), "EMAIL"))
    c.a("i'll resend it now it can take {u}", u=noise(values.duration(c.rng), "DURATION"))


def third_party_call(c: Ctx) -> None:
    """Call about someone else's account: a spouse or child named, a colleague to ask for."""
    c.speakers("agent: ", "caller: ")
    _human_intro(c)
    g, f = c.person()
    rel = c.rng.choice(("wife", "husband", "mum", "dad", "son", "daughter"))
    c.u("hi I'm calling for my " + rel + " {n}, it's their account", n=who(f"{g} {f}"))
    c.a("I'll need them on the line, or your name if you're an authorised user.")
    slots.name(c)
    kind, ident = values.account_id(c.rng)
    c.a("Got you listed. What is the " + kind + "?")
    c.u("{x}", x=Val(c.digits_said(ident), "ACCOUNT_ID"))
    _cg, cf = c.person()
    c.a(
        "Thanks. If you call back ask for {t} {n}, case {r}.",
        t=c.me.title,
        n=who(cf),
        r=noise(values.case_ref(c.rng)[1], "CASE"),
    )


def delivery_dates(c: Ctx) -> None:
    """Bot chat full of dates: order and delivery dates beside an ISO birth date."""
    c.speakers("Bot: ", "Customer: ")
    _bot_intro(c)
    _, ident = values.account_id(c.rng, "order number")
    c.u("order {x} placed on {d} still not here", x=Val(ident, "ACCOUNT_ID"), d=c.when())
    c.a(
        "It left the depot {d} at {t} with tracking {k}.",
        d=c.when(),
        t=slots.said_time(c),
        k=noise(values.tracking(c.rng), "TRACKING"),
    )
    c.a("To change the delivery I need to verify you. Name and date of birth?")
    c.u("{n}, born {d}", n=who(c.full_name()), d=Val(c.me.dob.isoformat(), "DATE_OF_BIRTH"))
    c.a(
        "Thanks. Customer since {d}. New slot: {e} between {t} and {u}.",
        d=c.when(old=True),
        e=c.when(),
        t=slots.said_time(c),
        u=slots.said_time(c),
    )


def contact_form(c: Ctx) -> None:
    """A pre-chat form pasted as "Field: value" lines, then a short bot exchange."""
    c.speakers("", "")
    c.u("Name: {n}", n=who(c.full_name()))
    c.u("Email: {e}", e=Val(c.me.email, "EMAIL"))
    c.u("Phone: {p}", p=Val(c.me.phone, "PHONE"))
    kind, ident = values.account_id(c.rng)
    c.u(kind.capitalize() + ": {x}", x=Val(ident, "ACCOUNT_ID"))
    c.u(
        "Topic: {k} {r} still open after {u}",
        k=values.case_ref(c.rng)[0],
        r=noise(values.case_ref(c.rng)[1], "CASE"),
        u=noise(values.duration(c.rng), "DURATION"),
    )
    c.speakers("Bot: ", "Visitor: ")
    c.a(
        "Thanks {g}, an agent will join in about {u}.",
        g=who(c.me.given),
        u=noise(values.duration(c.rng), "DURATION"),
    )
    c.u("ok, my app is on {v} if that matters", v=noise(values.version(c.rng), "VERSION"))


def crm_greeting(c: Ctx) -> None:
    """The agent already knows the caller and uses their name with no cue; card last four."""
    c.speakers("Agent: ", "Customer: ")
    g = c.me.given
    c.a("Hi {g}, welcome back! I can see your last order from {d}.", g=who(g), d=c.when())
    c.u("yes, the {m} arrived broken", m=noise(values.model(c.rng), "MODEL"))
    c.a(
        "So sorry " + c.me.title + " {n}. Is the card ending {l} still the one to refund?",
        n=who(c.me.family),
        l=noise(values.digits(c.rng, 4, lead="0123456789"), "LAST4"),
    )
    c.u("yes please. and can you update my address to {a}", a=Val(c.me.address, "STREET_ADDRESS"))
    c.a(
        "Done, {g}. Refund of {t} in {u}.",
        g=who(g),
        t=slots.said_money(c),
        u=noise(values.duration(c.rng), "DURATION"),
    )


def quick_replies(c: Ctx) -> None:
    """Bot with button replies in brackets; values typed on their own lines with short labels."""
    c.speakers("Bot: ", "User: ")
    _bot_intro(c)
    c.a("[Track an order] [Billing] [Talk to a person]")
    c.u("[Billing]")
    c.a("Please type your DOB (so we can find you).")
    c.u("DOB {d}", d=Val(c.dob(), "DATE_OF_BIRTH"))
    c.a("And your SSN or account number?")
    if c.rng.random() < 0.5:
        c.u("ssn {s}", s=Val(values.ssn(c.rng), "US_SSN"))
    else:
        kind, ident = values.account_id(c.rng)
        c.u(kind + " {x}", x=Val(ident, "ACCOUNT_ID"))
    c.a(
        "Found you, {g}. Your balance is {t}, due {d}.",
        g=who(c.me.given),
        t=slots.said_money(c),
        d=c.when(),
    )
    c.u("[Talk to a person]")
    g, f = c.person()
    c.a(
        "Connecting you to {n}. Reference {r}.",
        n=who(f"{g} {f[0]}."),
        r=noise(values.case_ref(c.rng)[1], "CASE"),
    )


# ------------------------------------------------- train families: more ids and bare names
ASK_OWN = (
    "What's the {k} on your record?",
    "Could you read me your {k}?",
    "Do you know your {k}?",
    "Which {k} is it under?",
    "I just need the {k} and we're good.",
    "Have you got the {k} there?",
)
GIVE_OWN = (
    "{x}",
    "yes - {x}",
    "{x}, that's my {k}",
    "the one on my card is {x}",
    "{k}: {x}",
    "I think it's {x}?",
    "hang on... {x}",
    "got it here, {x}",
)


def membership_desk(c: Ctx) -> None:
    """Staff/Member chat at a club: own ids in many shapes beside job, invoice, meter and serial
    numbers; a trainer and a family member named without a cue word."""
    c.speakers("Staff: ", "Member: ")
    c.a("Hi, front desk here. What can we do for you?")
    tg, tf = c.person()
    c.u(
        c.rng.choice(
            (
                "my last session with {t} never showed up on the app",
                "{t} said you could sort out my renewal",
                "booked in with {t} friday but got charged twice",
            )
        ),
        t=who(tg if c.rng.random() < 0.6 else f"{tg} {tf}"),
    )
    kind, ident = values.own_id(c.rng)
    c.a(c.rng.choice(ASK_OWN), k=kind)
    c.u(c.rng.choice(GIVE_OWN), k=kind, x=Val(ident, "ACCOUNT_ID"))
    rk, ref, tag = values.other_ref(c.rng)
    c.a("Thanks. I can see " + rk + " {r} from last week.", r=noise(ref, tag))
    c.a(c.pick(slots.ASK_NAME))
    c.u(c.rng.choice(("{n}", "{n} yes", "that'd be {n}")), n=who(c.full_name()))
    og, of = c.person()
    c.u(
        c.rng.choice(
            (
                "and {o} is on the family plan too",
                "{o} uses the same card sometimes",
                "can you add {o} as a guest?",
            )
        ),
        o=who(og if c.rng.random() < 0.5 else f"{og} {of}"),
    )
    c.a("Done, {g}. Anything else?", g=who(c.me.given))
    _shuffled(c, [slots.email, slots.phone], keep=0.4)


def travel_desk_asr(c: Ctx) -> None:
    """ASR call to a travel desk: traveller and membership numbers read out with spelled
    letters, booking, claim or parcel numbers beside them, passengers listed by name."""
    c.speakers("agent: ", "caller: ")
    c.a("travel desk you're speaking to {n}", n=noise(c.person()[0], "AGENT"))
    c.u("hi i need to change a trip for me and {o}", o=who(" ".join(c.person())))
    c.a("sure whose name is the booking in")
    c.u("{n}", n=who(c.full_name()))
    kind, ident = values.own_id(c.rng)
    c.a("and do you have your " + kind + " there")
    said = c.digits_said(ident)
    c.u(
        c.rng.choice(("yeah it's {x}", "{x}", "um {x} i think", "the " + kind + " is {x}")),
        x=Val(said, "ACCOUNT_ID"),
    )
    rk, ref, tag = values.other_ref(c.rng)
    c.u("and the " + rk + " they gave me was {r}", r=noise(c.digits_said(ref), tag))
    slots.dob(c)
    c.a(
        "ok all changed {g} the new one leaves {d} at {t}",
        g=who(c.me.given),
        d=c.when(),
        t=slots.said_time(c),
    )


def clinic_portal(c: Ctx) -> None:
    """Clinic chat: patient, MRN or student ids beside work order, invoice and booking numbers; a
    doctor and a dependant named, sometimes without a title."""
    c.speakers("Reception: ", "Patient: ")
    c.a("Welcome to the patient line. How can we help?")
    dg, df = c.person()
    c.u(
        c.rng.choice(
            (
                "I need to move my appointment with Dr {d}",
                "{d} asked me to book a follow up",
                "my results from {d} aren't in the portal",
            )
        ),
        d=who(df if c.rng.random() < 0.6 else f"{dg} {df}"),
    )
    c.a("Of course. Can I take your full name and date of birth?")
    c.u("{n}, {b}", n=who(c.full_name()), b=Val(c.dob(), "DATE_OF_BIRTH"))
    kind, ident = values.own_id(c.rng)
    if c.rng.random() < 0.5:
        c.a("And your " + kind + " if you have it?")
        c.u(c.rng.choice(GIVE_OWN), k=kind, x=Val(ident, "ACCOUNT_ID"))
    else:
        c.u(
            c.rng.choice(("my {k} is {x} btw", "{x} is my {k}", "({k} {x})")),
            k=kind,
            x=Val(ident, "ACCOUNT_ID"),
        )
    rk, ref, tag = values.other_ref(c.rng)
    c.a("Found it. Your " + rk + " is {r}.", r=noise(ref, tag))
    kg, _kf = c.person()
    c.u("thanks. also {k} needs one too, same surname", k=who(kg))
    c.a("Booked for {d} at {t}.", d=c.when(), t=slots.said_time(c))


def forwarded_ticket(c: Ctx) -> None:
    """A forwarded e-mail pasted in capitals: From/Re header lines, the customer's own
    number in the subject or body beside a ticket number, a signature with the name."""
    c.speakers("", "")
    full = c.full_name()
    c.u("FROM: {n} <{e}>", n=who(full), e=Val(c.me.email, "EMAIL"))
    kind, ident = values.own_id(c.rng)
    rk, ref, tag = values.other_ref(c.rng)
    c.u("RE: " + kind + " {x} / " + rk + " {r}", x=Val(ident, "ACCOUNT_ID"), r=noise(ref, tag))
    c.u("hello, still waiting on the refund. you can reach me on {p}", p=Val(c.me.phone, "PHONE"))
    c.u(c.rng.choice(("regards", "thanks", "cheers", "best")) + ",")
    c.u("{g}", g=who(c.me.given if c.rng.random() < 0.5 else full))
    c.speakers("Agent: ", "Customer: ")
    c.a("Thanks for forwarding this. I've linked it to your " + kind + ".")
    sg, sf = c.person()
    c.a("{s} in billing will call you back.", s=who(f"{sg} {sf}"))


# ------------------------------------------------ train families: notes and direct messages
_ACCOUNT_TYPOS = ("acount", "acct#", "accnt", "acc no", "acount no")
TYPO_CUES = {
    "account": _ACCOUNT_TYPOS,
    "acct": _ACCOUNT_TYPOS,
    "a/c": _ACCOUNT_TYPOS,
    "customer no.": ("custmer no", "cust no", "customer#"),
    "customer number": ("custmer no", "cust no", "customer#"),
    "order number": ("ordr", "oder no", "order#", "ord no"),
}
# (issue, whether an amount goes with it)
CRM_ISSUES = (
    ("late refund", True),
    ("missing refund", True),
    ("double charge", True),
    ("failed direct debit", True),
    ("price match", True),
    ("cancelled order", False),
    ("damaged item", False),
    ("change of address", False),
)
TEAMS = ("billing", "accounts", "payments", "returns", "T2", "the refunds team", "retentions")
RELATIVES = ("sister", "brother", "mum", "dad", "wife", "husband", "partner", "son", "daughter")
Note = tuple[str, dict[str, str | Val]]


def _typo_cue(c: Ctx, kind: str) -> str:
    """The cue word of an identifier as typed in a hurry: a letter dropped or swapped."""
    if kind in TYPO_CUES and c.rng.random() < 0.5:
        return c.rng.choice(TYPO_CUES[kind])
    words = kind.split()
    i = max(range(len(words)), key=lambda j: len(words[j]))
    w = words[i]
    if len(w) >= 4 and w.isalpha():
        j = c.rng.randrange(1, len(w) - 1)
        w = w[:j] + w[j + 1 :] if c.rng.random() < 0.5 else w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    words[i] = w
    return " ".join(words)


def _initials(given: str, family: str) -> str:
    return (given[0] + family.split()[-1][0]).upper()


def _own_id(c: Ctx) -> tuple[str, str]:
    """An identifier of the customer, in the cue words and shapes of `account_id` or `own_id`."""
    return values.account_id(c.rng) if c.rng.random() < 0.5 else values.own_id(c.rng)


def _some(c: Ctx, notes: list[Callable[[], Note]], keep: float) -> list[Note]:
    """A random subset of the note makers, in random order, each called once."""
    chosen = [n for n in notes if c.rng.random() < keep]
    c.rng.shuffle(chosen)
    return [n() for n in chosen]


def _write_notes(c: Ctx, notes: list[Note]) -> None:
    """Notes one to a line, or run together into a paragraph ("...; ...")."""
    if c.rng.random() < 0.6:
        for template, slots_ in notes:
            c.a(template, **slots_)
        return
    sep = c.rng.choice(("; ", ". ", " / ", ", "))
    parts: list[str] = []
    joined: dict[str, str | Val] = {}
    for i, (template, slots_) in enumerate(notes):
        for key in slots_:
            template = template.replace("{" + key + "}", "{" + f"{key}{i}" + "}")
        joined.update({f"{key}{i}": v for key, v in slots_.items()})
        parts.append(template)
    c.a(sep.join(parts), **joined)


def crm_case_notes(c: Ctx) -> None:
    """A short chat, then the agent's third-person case notes pasted in with abbreviations."""
    ag, af = c.person()
    issue, paid = c.rng.choice(CRM_ISSUES)
    c.speakers("Agent: ", "Customer: ")
    c.a(
        c.rng.choice(
            (
                "Hi, {n} here, how can I help today?",
                "Thanks for waiting, you're chatting with {n}.",
                "Hello! My name is {n}. What can I do for you?",
            )
        ),
        n=noise(ag if c.rng.random() < 0.7 else f"{ag} {af}", "AGENT"),
    )
    if paid:
        c.u(
            c.rng.choice(
                (
                    "hi, it's about a " + issue + ", {t}",
                    "Hello, I've been chasing a " + issue + " for ages ({t})",
                    "hey, " + issue + " again. amount was {t}",
                )
            ),
            t=slots.said_money(c),
        )
    else:
        c.u(
            c.rng.choice(
                (
                    "hi, it's about a " + issue,
                    "Hello, third time asking about a " + issue,
                    "hey, need help with a " + issue + " please",
                )
            )
        )
    if c.rng.random() < 0.5:
        slots.name(c)
    else:
        c.a(c.rng.choice(("Who am I chatting with?", "Can I take a name for the notes?")))
        c.u(
            c.rng.choice(("{n}", "{n} here", "it's {n}", "{n}, account holder")),
            n=who(c.full_name()),
        )
    kind, ident = _own_id(c)
    c.a(
        c.rng.choice(
            (*ASK_OWN, "And the {k} on the account?", "Can you pop the {k} in here for me?")
        ),
        k=kind,
    )
    c.u(
        c.rng.choice(("{x}", "{k} {x}", _typo_cue(c, kind) + " {x}", "its {x}", "{x} i think")),
        k=kind,
        x=Val(ident, "ACCOUNT_ID"),
    )
    if c.rng.random() < 0.4:
        slots.dob(c)
    c.a(
        c.rng.choice(
            (
                "I've noted everything and passed it on; expect an update within {u}.",
                "Thanks, that's all on the case now. Someone will be in touch within {u}.",
            )
        ),
        u=noise(values.duration(c.rng), "DURATION"),
    )

    # The notes: no speaker label, third person, clipped words.
    c.speakers("", "")
    c.a(
        c.rng.choice(
            ("--- case notes ---", "[Internal note]", "CRM NOTES:", "Wrap-up:", "Notes added {d}:")
        ),
        d=c.when(),
    )
    if c.rng.random() < 0.25:
        opening = c.rng.choice(
            ("Spoke w/ " + c.me.title + " {n} re: ", c.me.title + " {n} called abt ")
        )
        c.a(opening + issue, n=who(c.me.family))
    else:
        c.a(
            c.rng.choice(
                (
                    "Spoke w/ cust {n} re: " + issue,
                    "Chat w/ {n} re " + issue + ", ID&V passed",
                    "Cust {n} in via chat abt " + issue,
                    "{n} contacted us re: " + issue,
                    "Cx {n} - " + issue + " (2nd contact)",
                )
            ),
            n=who(c.full_name()),
        )
    c.a(
        c.rng.choice(
            (
                "{x}",
                "{x}",
                "Acct: {x}",
                "A/C {x}",
                _typo_cue(c, kind) + " {x}",
                "{x} - verified",
                "{k} {x} (verified)",
            )
        ),
        k=kind,
        x=Val(ident, "ACCOUNT_ID"),
    )
    rk, ref = values.case_ref(c.rng)
    ok, oref, otag = values.other_ref(c.rng)
    sg, sf = c.person()
    eg, ef = c.person()
    og, of = c.person()
    rel = c.rng.choice(RELATIVES)

    def case_line() -> Note:
        k = rk[0].upper() + rk[1:] if c.rng.random() < 0.5 else rk
        return (
            c.rng.choice(("{k} {r} raised", "Linked to {k} {r}", "{k}: {r}", "see {k} {r}")),
            {"k": k, "r": noise(ref, "CASE")},
        )

    def other_line() -> Note:
        return (
            c.rng.choice(("cust quoted " + ok + " {r}", ok + " {r} on file", "old " + ok + " {r}")),
            {"r": noise(oref, otag)},
        )

    def callback() -> Note:
        return (
            c.rng.choice(
                (
                    "cb req'd on {p} after {t}",
                    "CB requested {p}, pref {t}",
                    "cust wants a call back on {p} ({t} or later)",
                    "best no. {p}, after {t}",
                )
            ),
            {"p": Val(c.me.phone, "PHONE"), "t": slots.said_time(c)},
        )

    def colleague() -> Note:
        team = c.rng.choice(TEAMS)
        return (
            c.rng.choice(
                (
                    "per {s} in " + team + ", refund of {t} issued {d}",
                    "checked w/ {s} (" + team + ") - {t} went out {d}",
                    "{s} confirmed {t} processed {d}",
                    "{s} says payment of {t} bounced {d}",
                )
            ),
            {
                "s": who(sg if c.rng.random() < 0.5 else f"{sg} {sf}"),
                "t": noise(values.money(c.rng), "TOTAL"),
                "d": c.when(),
            },
        )

    def escalate() -> Note:
        shape = c.rng.random()
        name = f"{eg[0]}. {ef}" if shape < 0.4 else (eg if shape < 0.6 else f"{eg} {ef}")
        return (
            c.rng.choice(
                (
                    "escalated to {e}",
                    "esc to {e} (T2) for approval",
                    "passed to {e} to f/u by {d}",
                    "{e} to review & call cust by {d}",
                )
            ),
            {"e": who(name), "d": c.when()},
        )

    def advised() -> Note:
        return (
            c.rng.choice(
                (
                    "cust advised refund can take {u}",
                    "advised {g} of {u} SLA",
                    "cust adv'd to allow {u}, not happy",
                    "{g} ok w/ waiting {u}",
                )
            ),
            {"g": who(c.me.given), "u": noise(values.duration(c.rng), "DURATION")},
        )

    def dob_line() -> Note:
        return (
            c.rng.choice(("DOB {d} confirmed", "ID&V: DOB {d}, postcode ok", "dob {d} matches")),
            {"d": Val(c.dob(), "DATE_OF_BIRTH")},
        )

    def email_line() -> Note:
        return (
            c.rng.choice(("conf email sent to {e}", "email on file {e} updated", "{e} (pref)")),
            {"e": Val(c.me.email, "EMAIL")},
        )

    def third_party() -> Note:
        return (
            c.rng.choice(
                (
                    "cust's " + rel + " {o} is auth'd on acct",
                    "{o} (" + rel + ") also on acct",
                    "spoke to {o} first, then cust",
                    "{o} not auth'd - did not discuss",
                )
            ),
            {"o": who(og if c.rng.random() < 0.4 else f"{og} {of}")},
        )

    def address_line() -> Note:
        return (
            c.rng.choice(("addr updated to {a}", "new addr: {a}", "ship to {a} from now")),
            {"a": Val(c.me.address, "STREET_ADDRESS")},
        )

    def tracking_line() -> Note:
        return (
            c.rng.choice(("tracking {k} shows dlvd {d}", "replacement sent, tracking {k}")),
            {"k": noise(values.tracking(c.rng), "TRACKING"), "d": c.when()},
        )

    def history() -> Note:
        return ("acct open since {d}, no prior complaints", {"d": c.when(old=True)})

    notes = _some(
        c, [case_line, callback, colleague, escalate, advised, dob_line, email_line], 0.65
    )
    notes += _some(c, [other_line, third_party, address_line, tracking_line, history], 0.35)
    _write_notes(c, notes or [case_line()])
    c.a(
        c.rng.choice(("- {a}", "/{a}", "Notes: {a}", "{a}", "NFA. {a}")),
        a=noise(
            c.rng.choice((ag, _initials(ag, af), f"{ag} {af[0]}.", f"{ag[0]}{af.split()[-1]}")),
            "AGENT",
        ),
    )


def _handle(c: Ctx, company: str) -> str:
    base = company.split()[0]
    return c.rng.choice(
        (f"@{base}Help", f"@Ask{base}", f"@{base}Support", f"@{company.replace(' ', '')}")
    )


def social_dm(c: Ctx) -> None:
    """DMs to a brand's social account: display name as label, replies signed with initials."""
    company = c.rng.choice(values.COMPANIES)
    handle = _handle(c, company)
    g, f = c.me.given, c.me.family
    display = c.rng.choice((f"{g} {f.split()[-1][0]}.", f"{g} {f}", g, f"{g} {f}".lower()))
    brand = c.rng.choice((f"{handle}: ", f"{company}: ", f"{company} Support: "))
    c.speakers(brand, (who(display), ": "))
    # The answering agent signs every reply the same way: "^JM", "- Tom", "/Tom".
    agent: dict[str, str] = {}

    def new_agent() -> str:
        ag, af = c.person()
        agent["sig"] = c.rng.choice((" ^{s}", " - {s}", " -{s}", " /{s}"))
        agent["name"] = _initials(ag, af) if c.rng.random() < 0.5 else ag
        return ag

    def sig() -> str:
        return agent["sig"]

    def signed() -> Val:
        return noise(agent["name"], "AGENT")

    ag = new_agent()
    c.u(
        c.rng.choice(
            (
                "hi, your team said to DM. my order still hasnt arrived",
                "hello " + handle + " been waiting weeks for a refund, no reply to emails",
                "hey is anyone there? parcel never came",
                "DMing as asked on the public thread. charged twice for one order",
            )
        )
    )
    hi = c.rng.choice(("Hi {g}! ", "Hey {g}! ", "Hi there! ", "Thanks for the DM {g}. ", ""))
    kind, ident = _own_id(c)
    c.a(
        hi
        + c.rng.choice(
            (
                "Sorry to hear that. Could you send us the " + kind + " and the email on the "
                "account?",
                "We can look into this. Can you DM the " + kind + " please?",
                "So sorry about this! What's the " + kind + "?",
            )
        )
        + sig(),
        g=who(g),
        s=signed(),
    )
    x = Val(ident, "ACCOUNT_ID")
    e = Val(c.me.email, "EMAIL")
    shape = c.rng.random()
    if shape < 0.3:
        c.u("{x}", x=x)
        c.u("{e}", e=e)
    elif shape < 0.5:
        c.u("{x} / {e}", x=x, e=e)
    elif shape < 0.7:
        c.u(_typo_cue(c, kind) + " {x}, email is {e}", x=x, e=e)
    else:
        c.u(c.rng.choice(("its {x}", "{x} thats the " + kind, kind + " {x}")), x=x)
    c.a(
        c.rng.choice(
            (
                "Thanks! It left us {d}, tracking number {k}.",
                "Thanks {g}. The tracking {k} shows it was delivered {d}.",
                "Got it. It was sent {d} with tracking {k}.",
            )
        )
        + sig(),
        g=who(g),
        d=c.when(),
        k=noise(values.tracking(c.rng), "TRACKING"),
        s=signed(),
    )
    og, of = c.person()
    rel = c.rng.choice(RELATIVES)
    c.u(
        c.rng.choice(
            (
                "my " + rel + " {o} ordered it on their account tho",
                "{o} ordered it for me, its a gift",
                "{o} was home all day and nobody came",
                "it was meant to go to {o} at the same address",
                "the one for {o}? they say nothing came either",
            )
        ),
        o=who(og if c.rng.random() < 0.6 else f"{og} {of}"),
    )

    def verify() -> None:
        c.a("To check it's you, what's the date of birth on the account?" + sig(), s=signed())
        c.u(c.rng.choice(("{d}", "born {d}", "dob {d}")), d=Val(c.dob(), "DATE_OF_BIRTH"))

    def redeliver() -> None:
        c.a("Can you confirm the delivery address and a contact number?" + sig(), s=signed())
        a, p = Val(c.me.address, "STREET_ADDRESS"), Val(c.me.phone, "PHONE")
        if c.rng.random() < 0.5:
            c.u("{a}", a=a)
            c.u("{p}", p=p)
        else:
            c.u(c.rng.choice(("{a}, call me on {p}", "{a} - mob {p}")), a=a, p=p)

    _shuffled(c, [lambda _c: verify(), lambda _c: redeliver()], keep=0.6)
    sg, sf = c.person()
    rk, ref = values.case_ref(c.rng)
    c.a(
        c.rng.choice(
            (
                "I've raised " + rk + " {r} and passed it to {n} in our deliveries team.",
                "Thanks {g}. {n} from our returns team will pick up " + rk + " {r}.",
                "All logged under " + rk + " {r}; {n} will reply within {u}.",
            )
        )
        + sig(),
        r=noise(ref, "CASE"),
        n=who(sg if c.rng.random() < 0.6 else f"{sg} {sf}"),
        g=who(g),
        u=noise(values.duration(c.rng), "DURATION"),
        s=signed(),
    )
    if c.rng.random() < 0.4:
        ag = new_agent()
        c.a(
            c.rng.choice(("Hi {g}, {a} here picking this up.", "{a} here, I've taken over.")),
            g=who(g),
            a=noise(ag, "AGENT"),
        )
        c.a(
            "A refund of {t} is on its way, allow {u}." + sig(),
            t=slots.said_money(c),
            u=noise(values.duration(c.rng), "DURATION"),
            s=signed(),
        )
    c.u(
        c.rng.choice(("thanks {a}", "ok cheers {a}", "thank you!! - {g}", "great thanks, {g}")),
        a=noise(ag, "AGENT"),
        g=who(g),
    )


# ------------------------------------------ train families: pasted letters and group bookings
def _day_month(c: Ctx) -> Val:
    """A recent date, often without its year, as letters and callers give it ("3 March")."""
    if c.rng.random() < 0.4:
        return c.when()
    d = values.recent_date(c.rng)
    mon = spoken.MONTHS[d.month - 1]
    if c.says():
        text = c.rng.choice(
            (f"the {spoken.ordinal(d.day)} of {mon}", f"{mon} {spoken.ordinal(d.day)}")
        )
    elif c.date_order == "EU":
        text = c.rng.choice(
            (f"{d.day} {mon}", f"{spoken.suffix(d.day)} {mon}", f"{d.day} {mon[:3]}")
        )
    else:
        text = c.rng.choice(
            (f"{mon} {d.day}", f"{mon} {spoken.suffix(d.day)}", f"{mon[:3]} {d.day}")
        )
    return noise(text, "DATE")


LETTER_OPEN = (
    "Dear Sir or Madam,",
    "To whom it may concern,",
    "Dear Sir/Madam,",
    "Dear Customer Services,",
    "Dear Complaints Team,",
    "FAO the Complaints Manager",
)
LETTER_CLOSE = (
    "Yours faithfully,",
    "Kind regards,",
    "Yours sincerely,",
    "Regards,",
    "With thanks,",
    "Yours,",
)
# the customer's own number in the letter's body: with its cue, a slipped cue, or none at all
OWN_IN_LETTER = (
    "My {k} is {x}.",
    "({k} {x})",
    "I have been a customer for many years under {k} {x}.",
    "My acount number is {x}.",
    "Acc no {x} for your records.",
    "Custmer number: {x}",
    "I have quoted {x} on every single call.",
    "{x} is the number printed on all my bills.",
    "The account ({x}) is in my sole name.",
)
# staff and other people the letter names, mostly with no word saying they are people
LETTER_PEOPLE = (
    "Your engineer {p} came on {d} and left after {u} without fixing anything.",
    "I spoke to {p} in your {city} branch, who promised me a call back by {d}.",
    "{p} from your billing department then charged me {t} for a visit that never happened.",
    "When I rang again on {d} I was passed to {p}, who said there was no record of it.",
    "{p} on your helpline was polite but could not tell me anything.",
    "I was told by {p} on {d} that this would be escalated. It was not.",
    "The driver, {p}, left the parcel in the rain on {d}.",
)
LETTER_WITNESS = (
    "My neighbour {tt}{w} saw it happen and is happy to confirm this.",
    "{tt}{w} next door took the delivery in, so there is a witness.",
    "My {rel} {w} was at home with me the whole time.",
    "I have copied in my {rel}, {w}, who deals with my post.",
)
COMPLAINT_REF = (
    "I first complained on {d} ({k} {r}) and have heard nothing since.",
    "Your {k} {r} has now been open for {u}.",
    "This is my third letter about {k} {r}.",
    "Please quote {k} {r} when you reply, as your own staff asked me to.",
)


def complaint_letter(c: Ctx) -> None:
    """A formal complaint letter pasted in a chat: staff named bare, own number, signed block."""
    if c.me.region != "US":
        c.date_order = "EU"
    c.speakers("Agent: ", "Customer: ")
    if c.rng.random() < 0.6:
        c.u(
            c.rng.choice(
                (
                    "I want to make a formal complaint, my letter is below",
                    "Please pass this to your complaints team:",
                    "I've already posted this but nobody replied, so here it is again",
                    "Pasting my letter here:",
                )
            )
        )
    c.speakers("", "")
    kind, ident = values.account_id(c.rng) if c.rng.random() < 0.5 else values.own_id(c.rng)
    own = Val(ident, "ACCOUNT_ID")
    rkind, ref = values.case_ref(c.rng)
    if c.rng.random() < 0.5:
        rkind = c.rng.choice(("complaint reference", "complaint ref", "complaint number"))
    where = c.rng.choice(("bare", "bare", "cued", "body"))
    if c.rng.random() < 0.35:
        c.u("{d}", d=c.when())
    if where == "bare":
        c.u(
            c.rng.choice(("Re: {x}", "RE: {x} - formal complaint", "Subject: {x}", "Ref: {x}")),
            x=own,
        )
    elif where == "cued":
        c.u(
            c.rng.choice(("Re: " + kind + " {x}", "Re: complaint about " + kind + " {x}")),
            x=own,
        )
    elif c.rng.random() < 0.5:
        c.u(c.rng.choice(("Re: Formal complaint", "Re: complaint {r}")), r=noise(ref, "CASE"))
    c.u(c.rng.choice(LETTER_OPEN))
    if c.rng.random() < 0.3:
        c.u(
            c.rng.choice(
                (
                    "My name is {n} and I have been your customer since {o}.",
                    "I am writing as the account holder, {n}, about the service since {o}.",
                )
            ),
            n=who(c.full_name()),
            o=c.when(old=True),
        )
    staff: list[str] = []
    for template in c.rng.sample(LETTER_PEOPLE, c.rng.randint(1, 3)):
        g, f = c.person()
        name = g if c.rng.random() < 0.6 else f"{g} {f}"
        staff.append(name)
        c.u(
            template,
            p=who(name),
            d=_day_month(c),
            u=noise(values.duration(c.rng), "DURATION"),
            city=noise(c.me.city, "CITY"),
            t=noise(values.money(c.rng), "TOTAL"),
        )
    if where == "body" or c.rng.random() < 0.3:
        c.u(c.rng.choice(OWN_IN_LETTER), k=kind, x=own)
    if c.rng.random() < 0.6:
        wg, wf = c.person()
        titled = c.rng.random() < 0.6
        c.u(
            c.rng.choice(LETTER_WITNESS),
            tt=c.rng.choice(names.TITLES[:4]) + " " if titled else "",
            w=who(wf if titled else (wg if c.rng.random() < 0.5 else f"{wg} {wf}")),
            rel=c.rng.choice(("husband", "wife", "son", "daughter", "carer", "partner")),
        )
    if c.rng.random() < 0.5:
        jk, job, tag = values.other_ref(c.rng)
        c.u("The " + jk + " on the paperwork was {j}.", j=noise(job, tag))
    c.u(
        c.rng.choice(COMPLAINT_REF),
        k=rkind,
        r=noise(ref, "CASE"),
        d=_day_month(c),
        u=noise(values.duration(c.rng), "DURATION"),
    )
    c.u(
        c.rng.choice(
            (
                "I expect a full refund of {t} and a written apology within {u}.",
                "If this is not resolved within {u} I will go to the ombudsman.",
                "I would like {t} back and an explanation.",
            )
        ),
        t=noise(values.money(c.rng), "TOTAL"),
        u=noise(values.duration(c.rng), "DURATION"),
    )
    c.u(c.rng.choice(LETTER_CLOSE))
    title = c.me.title
    sig = c.rng.random()
    if sig < 0.35:
        c.u("{n}", n=who(c.full_name()))
    elif sig < 0.6:
        c.u(title + " {n}", n=who(c.full_name()))
    elif sig < 0.8:
        c.u(title + " {n}", n=who(f"{c.me.given[0]}. {c.me.family}"))
    else:
        c.u("{n} (" + title + ")", n=who(c.full_name()))
    c.u("{a}", a=Val(c.me.address, "STREET_ADDRESS"))
    c.u(
        c.rng.choice(("Tel: {p}", "Tel. {p}", "Mobile: {p}", "{p}", "Daytime phone {p}", "M: {p}")),
        p=Val(c.me.phone, "PHONE"),
    )
    if c.rng.random() < 0.4:
        c.u(c.rng.choice(("{e}", "Email: {e}", "E-mail {e}")), e=Val(c.me.email, "EMAIL"))
    c.speakers("Agent: ", "Customer: ")
    c.a(
        c.rng.choice(
            (
                "Thank you for your letter, " + title + " {f}.",
                "Dear " + title + " {f}, thank you for taking the time to write to us.",
                "I'm very sorry to read this, " + title + " {f}.",
                "Good afternoon " + title + " {f}, I've read your letter in full.",
            )
        ),
        f=who(c.me.family),
    )
    if c.rng.random() < 0.4:
        ag, _af = c.person()
        c.a("My name is {a} and I'll be handling your complaint.", a=noise(ag, "AGENT"))
    c.a(
        c.rng.choice(
            (
                "I've added it to {k} {r} and I'll speak to {p} myself today.",
                "It's now logged under {k} {r}; {p}'s manager will call you.",
                "I've escalated {k} {r} and asked {p} for a statement.",
            )
        ),
        k=rkind,
        r=noise(ref, "CASE"),
        p=who(c.rng.choice(staff)),
    )
    if c.rng.random() < 0.4:
        c.a(
            "Can I just check the phone number on account {x} is still {p}?",
            x=own,
            p=Val(c.me.phone, "PHONE"),
        )
        c.u(c.rng.choice(("yes that's right", "yes", "it is, thank you")))
    else:
        c.u(c.rng.choice(("Thank you. I'll wait to hear.", "ok thanks", "Fine, I'll wait.")))


FAMILY_RELS = ("husband", "wife", "partner", "mum", "dad", "brother", "sister", "nan",
               "grandad", "mother in law", "father in law", "cousin", "auntie")  # fmt: skip
KIDS_RELS = ("son", "daughter", "little one", "niece", "nephew", "grandson", "granddaughter")
WORK_RELS = ("colleague", "boss", "manager", "team lead", "mate from work", "assistant")
FRIEND_RELS = ("friend", "best mate", "flatmate", "mate", "girlfriend", "boyfriend")


def _party(c: Ctx) -> tuple[str, dict[str, str | Val], list[tuple[str, str, int]]]:
    """The people travelling with the caller: a spoken list with relationships and no cue word."""
    group = c.rng.choice(("family", "family", "work", "friends"))
    adults = {"family": FAMILY_RELS, "work": WORK_RELS, "friends": FRIEND_RELS}[group]
    members: list[tuple[str, str, int]] = []
    for rel in c.rng.sample(adults, c.rng.randint(1, 3)):
        g, f = c.person()
        name = g if c.rng.random() < 0.7 else f"{g} {f}"
        members.append((rel, name, c.rng.randint(19, 78)))
    kids: list[tuple[str, str, int]] = []
    if group == "family" and c.rng.random() < 0.8:
        for _ in range(c.rng.randint(1, 3)):
            kids.append((c.rng.choice(KIDS_RELS), c.person()[0], c.rng.randint(1, 16)))
    slots_: dict[str, str | Val] = {}
    parts: list[str] = []
    for i, (rel, name, _age) in enumerate(members):
        slot = f"n{i}"
        slots_[slot] = who(name)
        parts.append(
            c.rng.choice(
                (
                    "my " + rel + " {" + slot + "}",
                    "{" + slot + "} my " + rel,
                    "{" + slot + "} who's my " + rel,
                )
            )
        )
    text = c.rng.choice(("it's me ", "so there's me ", "me ", "it'll be me and ", "")) + " ".join(
        p if i == 0 else c.rng.choice(("", "and ", "then ")) + p for i, p in enumerate(parts)
    )
    if kids:
        kid_slots = []
        for j, (_rel, name, _age) in enumerate(kids):
            slot = f"k{j}"
            slots_[slot] = who(name)
            kid_slots.append("{" + slot + "}")
        listed = (
            " and ".join(kid_slots)
            if len(kid_slots) < 3
            else " ".join(kid_slots[:-1]) + (" and " + kid_slots[-1])
        )
        count = spoken.number(len(kids))
        text += c.rng.choice(
            (
                " and our " + count + " kids " + listed,
                " plus the kids " + listed,
                " and " + ("the " + kids[0][0] + " " if len(kids) == 1 else "the kids ") + listed,
            )
        )
    return text, slots_, members + kids


ASK_MEMBER = (
    "and are you a member with us at all",
    "have you got your {k} so the points go on",
    "can i take your {k} please",
    "do you have an account with us",
    "is there a {k} i can pop this under",
)
GIVE_MEMBER = (
    "yeah it's {x}",
    "{x}",
    "hang on it's {x}",
    "my {k} is {x}",
    "um yeah {x} i think",
    "my member ship number's {x}",
    "the a count number is {x}",
    "it's on the card {x}",
    "yes my members number {x}",
)


def group_booking_asr(c: Ctx) -> None:
    """ASR call booking for a group: people listed by relation, ages, travel dates, ids read out."""
    c.speakers("agent: ", "caller: ")
    company = c.rng.choice(values.COMPANIES)
    c.a(
        c.rng.choice(
            (
                "good morning " + company + " group bookings you're speaking with {a}",
                "thanks for calling " + company + " this is {a} how can i help",
                "hello group travel {a} speaking",
            )
        ),
        a=noise(c.person()[0], "AGENT"),
    )
    text, people, everyone = _party(c)
    n = spoken.number(len(everyone) + 1)
    if c.rng.random() < 0.5:
        c.u("hi i'd like to book a trip for " + n + " of us")
        c.a(
            c.rng.choice(
                ("lovely who's travelling", "ok and who's going", "great who's in the group")
            )
        )
        c.u(text, **people)
    else:
        c.u("hi yeah i want to book for a few of us " + text, **people)
    rel, name, age = c.rng.choice(everyone)
    ages = [(nm, a) for _r, nm, a in everyone]
    c.a("and how old is everyone roughly")
    shown = c.rng.sample(ages, min(len(ages), c.rng.randint(1, 3)))
    c.u(
        " and ".join("{m" + str(i) + "}'s " + spoken.number(a) for i, (_nm, a) in enumerate(shown))
        + c.rng.choice(("", " and the rest are adults", " everyone else is grown up")),
        **{f"m{i}": who(nm) for i, (nm, _a) in enumerate(shown)},
    )
    c.a("and when are you looking to go")
    c.u(
        c.rng.choice(
            (
                "going out on {d} and back on {e}",
                "we fly {d} coming home {e}",
                "from {d} to {e} if there's space",
                "leaving {d} for {u}",
            )
        ),
        d=_day_month(c),
        e=_day_month(c),
        u=noise(values.duration(c.rng), "DURATION"),
    )
    c.a(
        c.rng.choice(
            ("and the lead passenger's name", "can i take your full name", "who's the lead name")
        )
    )
    full = c.full_name()
    if c.rng.random() < 0.3:
        c.u(
            "{n} that's {s}",
            n=who(full),
            s=who(spoken.letters(values.ascii_fold(c.me.family))),
        )
    else:
        c.u(c.rng.choice(("that's me {n}", "{n}", "my name's {n}", "it's {n}")), n=who(full))

    def reference(c: Ctx) -> None:
        kind = c.rng.choice(("booking reference", "quote reference", "booking ref", "hold number"))
        c.a("have you got the " + kind + " from the quote we sent")
        ref = values.case_ref(c.rng)[1] if c.rng.random() < 0.5 else values.other_ref(c.rng)[1]
        c.u(
            c.rng.choice(("yeah it's {r}", "the " + kind + " is {r}", "{r}")),
            r=noise(c.digits_said(ref), "CASE"),
        )

    def birth(c: Ctx) -> None:
        c.a("for {p} i'll need a date of birth", p=who(name))
        if age < 18:
            year = 2024 - age
            born = values.birth_date(c.rng).replace(year=year, day=c.rng.randint(1, 28))
        else:
            born = values.birth_date(c.rng)
        said = values.date_text(born, c.rng, order=c.date_order, spoken_=c.says())
        c.u(
            c.rng.choice(("{b}", "it's {b}", "their " + rel + " so {b}", "born {b}")),
            b=Val(said, "DATE_OF_BIRTH"),
        )

    def member(c: Ctx) -> None:
        kind, ident = values.own_id(c.rng) if c.rng.random() < 0.5 else values.account_id(c.rng)
        c.a(c.rng.choice(ASK_MEMBER), k=kind)
        c.u(c.rng.choice(GIVE_MEMBER), k=kind, x=Val(c.digits_said(ident), "ACCOUNT_ID"))

    def callback(c: Ctx) -> None:
        c.a(c.rng.choice(("what's the best number to call you back on", "and a contact number")))
        c.u(
            c.rng.choice(("{p}", "it's {p}", "my mobile's {p}", "you can get me on {p}")),
            p=Val(c.digits_said(c.me.phone), "PHONE"),
        )

    steps: list[Callable[[Ctx], object]] = [reference, birth, callback]
    c.rng.shuffle(steps)
    steps.insert(c.rng.randint(0, len(steps)), member)
    for step in steps:
        step(c)
    c.a(
        c.rng.choice(
            (
                "lovely {g} that comes to {t} all in i'll email it over",
                "ok {g} that's held for you the total is {t}",
                "thanks {g} i'll send the confirmation at {h}",
            )
        ),
        g=who(c.me.given),
        t=slots.said_money(c),
        h=slots.said_time(c),
    )


# ---------------------------------------------------------------- test families
def speaker_numbers(c: Ctx) -> None:
    """ASR diarised call ("speaker 1/2"), no punctuation, names without cues, spoken values."""
    c.speakers("speaker 1: ", "speaker 2: ")
    c.a("good afternoon who am i speaking with")
    c.u("{n}", n=who(c.full_name()))
    c.a("thanks {g} whats the reason for the call", g=who(c.me.given))
    c.u("my internet drops every evening around {t}", t=slots.said_time(c))
    c.a("can you read me the number on the bill")
    _, ident = values.account_id(c.rng, "account")
    c.u("{x}", x=Val(spoken.digits(ident, c.rng), "ACCOUNT_ID"))
    c.a("and the best number to call you back")
    c.u("{p}", p=Val(spoken.digits(c.me.phone, c.rng), "PHONE"))
    c.a(
        "ive raised ticket {r} an engineer comes {d}",
        r=noise(values.case_ref(c.rng)[1], "CASE"),
        d=c.when(),
    )
    c.u("cheers and send it to {e}", e=Val(values.email_dictated(c.me.email, c.rng), "EMAIL"))


def whatsapp_export(c: Ctx) -> None:
    """A messaging-app export: "[date, time] Name: text", AU numbers and addresses."""
    day = values.date_text(values.recent_date(c.rng), c.rng, order="EU")

    def stamp(label: str | Val) -> Callable[[], tuple[str | Val, ...]]:
        def prefix() -> tuple[str | Val, ...]:
            return ("[", noise(day, "DATE"), ", ", slots.said_time(c), "] ", label, ": ")

        return prefix

    c.speakers(stamp("Support"), stamp(who(c.me.given)))
    c.u("hi, parcel for {a} hasn't arrived", a=Val(c.me.address, "STREET_ADDRESS"))
    c.a("Sorry! Can you send the order number and a phone number?")
    _, ident = values.account_id(c.rng, "order number")
    c.u("{x} and {p}", x=Val(ident, "ACCOUNT_ID"), p=Val(c.me.phone, "PHONE"))
    c.a(
        "Thanks {g}, it's with the courier, tracking {k}",
        g=who(c.me.given),
        k=noise(values.tracking(c.rng), "TRACKING"),
    )
    c.u(
        "ta - {n}", n=who(f"{c.me.given[0]}. {c.me.family}" if c.rng.random() < 0.3 else c.me.given)
    )


def pharmacy_member(c: Ctx) -> None:
    """Operator/Member call at a pharmacy plan: member ID, British-style DOB, a doctor named."""
    c.speakers("Operator: ", "Member: ")
    c.a("Pharmacy benefits, go ahead.")
    c.u("Hi, {n} here, my prescription was refused", n=who(c.full_name()))
    c.a("Member ID please?")
    _, ident = values.account_id(c.rng, "member ID")
    c.u("It's {x}", x=Val(ident, "ACCOUNT_ID"))
    c.a("And date of birth?")
    c.u("{d}", d=Val(values.date_text(c.me.dob, c.rng, order="EU"), "DATE_OF_BIRTH"))
    _dg, df = c.person()
    c.u("Dr {n} prescribed it on {d}", n=who(df), d=c.when())
    c.a(
        "The co-pay is {t}, {x} covered. Refill ready in {u}.",
        t=slots.said_money(c),
        x=noise(values.percent(c.rng), "PERCENT"),
        u=noise(values.duration(c.rng), "DURATION"),
    )
    slots.address(c)


def travel_booking(c: Ctx) -> None:
    """Travel chat: booking code (not personal), frequent-flyer number, a child passenger."""
    ag, _af = c.person()
    c.speakers(("Agent (", noise(ag, "AGENT"), "): "), "Guest: ")
    code = values.case_ref(c.rng)[1]
    c.u("Hi I need to add a passenger to booking {r}", r=noise(code, "CASE"))
    c.a("Of course. Whose name is the booking under?")
    c.u(
        "{n}, frequent flyer {x}",
        n=who(c.full_name()),
        x=Val(values.account_id(c.rng, "loyalty number")[1], "ACCOUNT_ID"),
    )
    g, _f = c.person()
    c.u(
        "add my son {n}, born {d}",
        n=who(f"{g} {c.me.family}"),
        d=Val(values.date_text(values.birth_date(c.rng), c.rng), "DATE_OF_BIRTH"),
    )
    c.a(
        "Done. Flight departs {d} at {t}. Confirmation goes to which email?",
        d=c.when(),
        t=slots.said_time(c),
    )
    c.u("{e}", e=Val(c.me.email, "EMAIL"))
    c.a("Sent. The fare difference is {t}.", t=slots.said_money(c))


def utility_meter(c: Ctx) -> None:
    """Energy chat: meter serial and reading beside the account number; Indian phone formats."""
    c.speakers("Customer Care: ", "You: ")
    c.a("Welcome to " + c.rng.choice(values.COMPANIES) + " live chat.")
    c.u("My bill jumped {x} this month", x=noise(values.percent(c.rng), "PERCENT"))
    slots.name(c)
    slots.account(c)
    c.a("What's the serial on your meter?")
    c.u(
        "{s}, reading {m}",
        s=noise(values.serial(c.rng), "SERIAL"),
        m=values.digits(c.rng, 5),
    )
    c.a(
        "The last actual read was {d}; I've booked a check for {e}.", d=c.when(old=True), e=c.when()
    )
    c.a("Which number should the technician call?")
    c.u("{p}", p=Val(values.phone(c.rng, "IN"), "PHONE"))


def escalation_transfer(c: Ctx) -> None:
    """Escalated call: transfers between named staff, the account holder named, order numbers."""
    c.speakers("agent: ", "customer: ")
    sg, sf = c.person()
    c.a("I'll transfer you to {n} in our escalations team.", n=who(f"{sg} {sf}"))
    c.a("Hi, {n} speaking. Who's the account holder?", n=who(sg))
    c.u("the account holder is {n}", n=who(c.full_name()))
    c.a("And the order numbers?")
    _, a1 = values.account_id(c.rng, "order number")
    c.u(
        "{x} and the older one was {y}",
        x=Val(a1, "ACCOUNT_ID"),
        y=Val(values.account_id(c.rng, "order number")[1], "ACCOUNT_ID"),
    )
    _mg, mf = c.person()
    c.a(
        "I'll pass this to my manager; if it drops ask for {t} {n}. Reference {r}.",
        t=c.rng.choice(("Mr", "Ms")),
        n=who(mf),
        r=noise(values.case_ref(c.rng)[1], "CASE"),
    )
    slots.phone(c)


def device_repair(c: Ctx) -> None:
    """Repair booking: model and serial of the product, firmware version, the IP it last used."""
    c.speakers("Tech: ", "Client: ")
    c.u(
        "My {m} won't boot after firmware {v}",
        m=noise(values.model(c.rng), "MODEL"),
        v=noise(values.version(c.rng), "VERSION"),
    )
    c.a("Sorry about that. Serial number?")
    c.u("{s}", s=noise(values.serial(c.rng), "SERIAL"))
    c.a(
        "It last checked in from {ip} on {d}. Is that your network?",
        ip=Val(values.ipv4(c.rng), "IP_ADDRESS"),
        d=c.when(),
    )
    c.u("yes. I'm {n}", n=who(c.full_name()))
    slots.card(c)


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
    _mk("ivr_prompts", "train", "call_transcript", ivr_prompts),
    _mk("names_as_labels", "train", "web_chat", names_as_labels),
    _mk("telecom_chat", "train", "web_chat", telecom_chat),
    _mk("eu_chat", "train", "web_chat", eu_chat, region="DE", date_order="EU"),
    _mk("loyalty_sms", "train", "sms", loyalty_sms, Style(case="lower", typos=0.05)),
    _mk(
        "email_dictation",
        "train",
        "call_transcript",
        email_dictation,
        Style(case="lower", punct=False),
    ),
    _mk("third_party_call", "train", "call_transcript", third_party_call, spoken=0.3),
    _mk("delivery_dates", "train", "web_chat", delivery_dates),
    _mk("contact_form", "train", "web_chat", contact_form),
    _mk("crm_greeting", "train", "web_chat", crm_greeting),
    _mk("quick_replies", "train", "web_chat", quick_replies),
    _mk("membership_desk", "train", "web_chat", membership_desk, Style(typos=0.02)),
    _mk(
        "travel_desk_asr",
        "train",
        "call_transcript",
        travel_desk_asr,
        Style(case="lower", punct=False),
        spoken=0.6,
    ),
    _mk("clinic_portal", "train", "web_chat", clinic_portal, date_order="EU"),
    _mk("forwarded_ticket", "train", "web_chat", forwarded_ticket, Style(case="upper")),
    _mk("crm_case_notes", "train", "web_chat", crm_case_notes),
    _mk("social_dm", "train", "sms", social_dm, Style(typos=0.02)),
    _mk("complaint_letter", "train", "web_chat", complaint_letter),
    _mk(
        "group_booking_asr",
        "train",
        "call_transcript",
        group_booking_asr,
        Style(case="lower", punct=False),
        spoken=0.8,
    ),
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
    _mk(
        "speaker_numbers",
        "test",
        "call_transcript",
        speaker_numbers,
        Style(case="lower", punct=False),
        spoken=0.8,
    ),
    _mk(
        "whatsapp_export",
        "test",
        "sms",
        whatsapp_export,
        Style(typos=0.02),
        region="AU",
        date_order="EU",
    ),
    _mk("pharmacy_member", "test", "call_transcript", pharmacy_member, region="CA"),
    _mk("travel_booking", "test", "web_chat", travel_booking),
    _mk("utility_meter", "test", "web_chat", utility_meter, region="IN"),
    _mk("escalation_transfer", "test", "call_transcript", escalation_transfer, Style(case="lower")),
    _mk("device_repair", "test", "web_chat", device_repair),
)
