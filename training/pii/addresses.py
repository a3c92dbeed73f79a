"""Street addresses of several countries, written and as spoken in call transcripts."""

from __future__ import annotations

import random
from functools import cache

from faker import Faker

US_STATES = {
    "CA": "california",
    "TX": "texas",
    "NY": "new york",
    "IL": "illinois",
    "WA": "washington",
    "FL": "florida",
    "OH": "ohio",
    "GA": "georgia",
    "CO": "colorado",
    "MN": "minnesota",
    "AZ": "arizona",
    "NC": "north carolina",
}
COUNTRIES = ("US", "UK", "CA", "AU", "DE")
_LOCALE = {"US": "en_US", "UK": "en_GB", "CA": "en_CA", "AU": "en_AU", "DE": "de_DE"}


@cache
def _faker(country: str) -> Faker:
    return Faker(_LOCALE[country])


def address(rng: random.Random, country: str) -> tuple[str, str]:
    """(full address, city): an address in the country's usual order.

    Faker is reseeded from rng so the output depends only on the transcript's seed.
    """
    fake = _faker(country)
    fake.seed_instance(rng.getrandbits(32))
    full, city = _compose(fake, rng, country)
    return full.replace("\n", ", "), city


def _compose(fake: Faker, rng: random.Random, country: str) -> tuple[str, str]:
    if country == "US":
        state = rng.choice(list(US_STATES))
        street = fake.street_address()
        city = fake.city()
        return rng.choice(
            (
                f"{street}, {city}, {state} {fake.postcode()}",
                f"{street}, {city} {state} {fake.postcode()}",
                f"{street}",
                f"{street} {city} {US_STATES[state]} {fake.postcode()}",
            )
        ), city
    if country == "UK":
        street, city, post = fake.street_address(), fake.city(), fake.postcode()
        return rng.choice(
            (f"{street}, {city} {post}", f"{street}, {city}, {post}", f"{street}, {post}")
        ), city
    if country == "CA":
        street, city = fake.street_address(), fake.city()
        prov = rng.choice(("ON", "BC", "QC", "AB", "MB", "NS"))
        return rng.choice(
            (f"{street}, {city}, {prov} {fake.postcode()}", f"{street}, {city} {prov}")
        ), city
    if country == "AU":
        street, city = fake.street_address(), fake.city()
        state = rng.choice(("NSW", "VIC", "QLD", "WA", "SA", "TAS"))
        return f"{street}, {city} {state} {fake.postcode()}", city
    street, city = fake.street_address(), fake.city()
    return rng.choice((f"{street}, {fake.postcode()} {city}", f"{street}, {city}")), city


def spoken_form(text: str) -> str:
    """The address as an ASR transcript writes it: lower case, no commas or full stops."""
    return " ".join(text.replace(",", " ").replace(".", " ").lower().split())
