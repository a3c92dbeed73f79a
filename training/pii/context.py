"""The people and values of one conversation, and the helpers families write lines with."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from training.pii import addresses, names, spoken, values
from training.pii.builder import Transcript, Val
from training.pii.names import Split

Prefix = str | Val | tuple[str | Val, ...]
Speaker = Prefix | Callable[[], Prefix]
REGION_WEIGHTS = {"US": 10, "UK": 3, "CA": 2, "AU": 2, "DE": 2, "FR": 1, "IN": 2}


def who(text: str) -> Val:
    """A person's name."""
    return Val(text, "PERSON")


def noise(text: str, kind: str) -> Val:
    """A look-alike that is not personal data."""
    return Val(text, kind)


@dataclass
class Persona:
    """The customer: every personal value the conversation may mention."""

    given: str
    family: str
    region: str
    email: str
    phone: str
    address: str
    city: str
    dob: date
    title: str


def make_persona(rng: random.Random, split: Split, region: str | None = None) -> Persona:
    given, family = names.person_name(rng, split)
    region = region or rng.choices(list(REGION_WEIGHTS), list(REGION_WEIGHTS.values()))[0]
    country = region if region in addresses.COUNTRIES else "US"
    address, city = addresses.address(rng, country)
    return Persona(
        given=given,
        family=family,
        region=region,
        email=values.email(rng, given, family),
        phone=values.phone(rng, region if region != "CA" else "US"),
        address=address,
        city=city,
        dob=values.birth_date(rng),
        title=rng.choice(names.TITLES[:4]),
    )


@dataclass
class Ctx:
    """One conversation being written: who speaks, in what style, and about whom."""

    rng: random.Random
    split: Split
    t: Transcript
    me: Persona
    agent: Speaker = "Agent: "
    cust: Speaker = "Customer: "
    spoken: float = 0.0  # chance that a value is said rather than written
    date_order: str = "US"
    extra: dict[str, str] = field(default_factory=dict)

    def a(self, template: str, **slots: str | Val) -> None:
        """A line by the agent (or bot, or system)."""
        self.t.line(self.agent() if callable(self.agent) else self.agent, template, **slots)

    def u(self, template: str, **slots: str | Val) -> None:
        """A line by the customer."""
        self.t.line(self.cust() if callable(self.cust) else self.cust, template, **slots)

    def speakers(self, agent: Speaker, cust: Speaker) -> None:
        self.agent, self.cust = agent, cust

    def stamped(self, label: str) -> Callable[[], Prefix]:
        """A speaker prefix with a chat timestamp that moves forward line by line."""

        def prefix() -> Prefix:
            minute = int(self.extra.get("minute", str(self.rng.randint(420, 1200))))
            minute += self.rng.randint(0, 2)
            self.extra["minute"] = str(minute)
            return (f"[{minute // 60:02d}:{minute % 60:02d}] {label}: ",)

        return prefix

    def pick(self, bank: dict[str, tuple[str, ...]]) -> str:
        """A phrasing from the bank's list for this split (phrasings are held apart too)."""
        return self.rng.choice(bank[self.split])

    def says(self) -> bool:
        return self.rng.random() < self.spoken

    def person(self, other: tuple[str, str] | None = None) -> tuple[str, str]:
        """(given, family) of a third party from the split's pool."""
        return other or names.person_name(self.rng, self.split)

    def full_name(self) -> str:
        me = self.me
        if self.rng.random() < 0.12:
            return f"{me.given} {self.rng.choice(values.UPPER)}. {me.family}"
        return f"{me.given} {me.family}"

    def digits_said(self, text: str) -> str:
        """Digits as written, or read out one by one when this conversation is spoken."""
        return spoken.digits(text, self.rng) if self.says() else text

    def dob(self) -> str:
        return values.date_text(self.me.dob, self.rng, order=self.date_order, spoken_=self.says())

    def when(self, old: bool = False) -> Val:
        d = values.old_date(self.rng) if old else values.recent_date(self.rng)
        text = values.date_text(d, self.rng, order=self.date_order, spoken_=self.says())
        return noise(text, "OLDDATE" if old else "DATE")
