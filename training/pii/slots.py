"""Exchanges that many families share, with phrasings held apart by split.

Each bank maps a split to its own phrasings, so a family of the test split asks and
answers in words that no train family uses.
"""

from __future__ import annotations

from training.pii import addresses, spoken, values
from training.pii.builder import Val
from training.pii.context import Ctx, noise, who

B = dict[str, tuple[str, ...]]

ASK_NAME: B = {
    "train": (
        "What is your full name?",
        "Can I get your name please?",
        "May I have the name on the account?",
        "Who do I have the pleasure of speaking with?",
        "Could you tell me your first and last name?",
    ),
    "test": (
        "Who am I speaking with?",
        "And your name is?",
        "Whose name is the account under?",
        "Can you confirm the account holder's name?",
        "Name please?",
    ),
}
GIVE_NAME: B = {
    "train": (
        "My name is {n}.",
        "It's {n}.",
        "This is {n}.",
        "Sure, {n}.",
        "{n}",
        "Name's {n}.",
        "Yes it's {n}",
        "I'm {n}.",
    ),
    "test": (
        "{n} speaking.",
        "You're speaking with {n}.",
        "It's under {n}.",
        "The account holder is {n}.",
        "{n}, hi",
        "{n} here.",
        "Hi, {n} here again.",
        "uh {n}",
    ),
}
THANK_NAME: B = {
    "train": (
        "Thanks {g}! Let me pull that up.",
        "Thank you, {g}.",
        "Great, thanks {g}.",
        "Got it {g}.",
    ),
    "test": (
        "Appreciate it, {g}. One moment.",
        "Perfect {g}, bear with me.",
        "Lovely, thank you {g}.",
        "Ok {g}, let me check.",
    ),
}
BYE: B = {
    "train": (
        "Have a great day, {g}!",
        "Thanks {g}, have a nice evening.",
        "You're welcome {g}. Bye!",
    ),
    "test": ("Take care {g}.", "Cheers {g}, all sorted.", "Anything else {g}? No? Bye then."),
}
ASK_EMAIL: B = {
    "train": (
        "What email should we use to reach you?",
        "Please provide the email on file.",
        "Can you confirm your email address?",
    ),
    "test": (
        "Which address do we send the receipt to?",
        "What's a good e-mail for you?",
        "And your email?",
    ),
}
GIVE_EMAIL: B = {
    "train": ("My email is {e}.", "It's {e}", "{e}", "Sure, {e}."),
    "test": ("Send it to {e} please.", "use {e}", "You can reach me on {e}.", "{e} is the one."),
}
ASK_PHONE: B = {
    "train": (
        "What's the best phone number to reach you?",
        "Please share a callback number.",
        "Can I have a contact number?",
    ),
    "test": (
        "Which number should the courier call?",
        "Is there a mobile we can text?",
        "What number are you calling from?",
    ),
}
GIVE_PHONE: B = {
    "train": ("You can call me at {p}.", "It's {p}.", "{p}", "My number is {p}."),
    "test": ("Try {p}.", "Mobile is {p}.", "Text me on {p}", "{p}, that's my cell."),
}
ASK_ADDR: B = {
    "train": (
        "What is the new address?",
        "Can you confirm your billing address?",
        "What address should we ship to?",
    ),
    "test": (
        "Where should the engineer go?",
        "And the delivery address?",
        "What's the address on the account?",
    ),
}
GIVE_ADDR: B = {
    "train": ("I live at {a}.", "The new address is {a}.", "Please ship to {a}.", "{a}"),
    "test": (
        "It's {a}.",
        "We moved to {a} last month.",
        "Send it to {a}, thanks.",
        "{a} is the flat.",
    ),
}
ASK_DOB: B = {
    "train": (
        "What is your date of birth?",
        "Please confirm your birth date.",
        "Can you give me your DOB?",
    ),
    "test": (
        "For security, your birthday please?",
        "When were you born?",
        "And date of birth for verification?",
    ),
}
GIVE_DOB: B = {
    "train": ("My date of birth is {d}.", "Born {d}.", "I was born on {d}.", "{d}"),
    "test": ("It's {d}.", "{d}, I think you have it.", "dob {d}", "born on the {d}"),
}
ASK_ACCT: B = {
    "train": ("What is your {k}?", "Can I have your {k}?", "Please provide your {k}."),
    "test": ("Do you have your {k} handy?", "I'll need the {k} too.", "What's the {k} please?"),
}
GIVE_ACCT: B = {
    "train": ("The {k} is {x}.", "It's {x}.", "{x}", "My {k} is {x}."),
    "test": ("{k} {x}.", "Yeah it's {x}", "I have {x} on the letter.", "{x} I believe"),
}
REF_LINE: B = {
    "train": ("I've opened {k} {r} for this.", "Your {k} number is {r}.", "Please quote {k} {r}."),
    "test": ("Noted under {k} {r}.", "For future reference, {k} {r}.", "That's logged as {k} {r}."),
}


def name(c: Ctx, *, cue: bool = True) -> None:
    """Ask for and give the customer's name, then thank them by given name."""
    c.a(c.pick(ASK_NAME))
    full = c.full_name()
    c.u(c.pick(GIVE_NAME) if cue else "{n}", n=who(full))
    c.a(c.pick(THANK_NAME), g=who(c.me.given))


def email(c: Ctx) -> None:
    c.a(c.pick(ASK_EMAIL))
    said = values.email_dictated(c.me.email, c.rng) if c.says() else c.me.email
    c.u(c.pick(GIVE_EMAIL), e=Val(said, "EMAIL"))
    if c.rng.random() < 0.4:
        c.a("Thanks, I've updated your email to {e}.", e=Val(c.me.email, "EMAIL"))


def phone(c: Ctx) -> None:
    c.a(c.pick(ASK_PHONE))
    c.u(c.pick(GIVE_PHONE), p=Val(c.digits_said(c.me.phone), "PHONE"))
    if c.rng.random() < 0.3:
        c.a("Saved {p} as your contact number.", p=Val(c.me.phone, "PHONE"))


def address(c: Ctx) -> None:
    c.a(c.pick(ASK_ADDR))
    addr = addresses.spoken_form(c.me.address) if c.says() else c.me.address
    c.u(c.pick(GIVE_ADDR), a=Val(addr, "STREET_ADDRESS"))


def dob(c: Ctx) -> None:
    c.a(c.pick(ASK_DOB))
    c.u(c.pick(GIVE_DOB), d=Val(c.dob(), "DATE_OF_BIRTH"))


def account(c: Ctx) -> tuple[str, str]:
    """Ask for and give an account-like identifier; returns (cue, id)."""
    kind, ident = values.account_id(c.rng)
    c.a(c.pick(ASK_ACCT), k=kind)
    c.u(c.pick(GIVE_ACCT), k=kind, x=Val(c.digits_said(ident), "ACCOUNT_ID"))
    return kind, ident


def reference(c: Ctx) -> None:
    """A case, ticket or claim reference: looks like an account id, is not personal data."""
    kind, ref = values.case_ref(c.rng)
    c.a(c.pick(REF_LINE), k=kind, r=noise(ref, "CASE"))


def ssn(c: Ctx) -> None:
    c.a(
        c.rng.choice(
            (
                "Can you provide your SSN please?",
                "I need your Social Security number to verify.",
                "Last step, your social?",
            )
        )
    )
    number = values.ssn(c.rng)
    c.u(
        c.rng.choice(("My SSN is {s}.", "It's {s}.", "{s}", "social is {s}")),
        s=Val(c.digits_said(number), "US_SSN"),
    )
    digits = number.replace("-", "").replace(" ", "")
    c.a("Thanks, that matches {m} on file.", m=noise(f"***-**-{digits[-4:]}", "MASKED_SSN"))


def card(c: Ctx) -> None:
    c.a(
        c.rng.choice(
            ("What card would you like to use?", "Please read the long number on the card.")
        )
    )
    number = values.card(c.rng)
    c.u(
        c.rng.choice(("It's {n}.", "{n}", "Card number {n}.", "the visa, {n}")),
        n=Val(c.digits_said(number), "CREDIT_CARD"),
    )
    last4 = number.replace(" ", "").replace("-", "")[-4:]
    if c.rng.random() < 0.5:
        c.a(
            "Charged {t} to the card ending in {l}.",
            t=noise(values.money(c.rng), "TOTAL"),
            l=noise(last4, "LAST4"),
        )
    else:
        c.a("I have the card as {m}.", m=noise(f"**** **** **** {last4}", "MASKED_CARD"))


def bye(c: Ctx) -> None:
    c.a(c.pick(BYE), g=who(c.me.given))


def said_time(c: Ctx) -> Val:
    return noise(values.clock(c.rng, spoken_=c.says()), "TIME")


def said_money(c: Ctx) -> Val:
    return noise(values.money(c.rng, spoken_=c.says()), "TOTAL")


def said_number(n: int) -> str:
    return spoken.number(n)
