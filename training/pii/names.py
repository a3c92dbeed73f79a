"""Name pools from many cultures, with a stable hold-out of name tokens for the test split.

A name token (one whitespace-separated word, case-folded) belongs to the test pool when
``crc32(token) % 4 == 0``; the train split never uses such a token, so the test split
measures names a model trained on the train split has never seen.
"""

from __future__ import annotations

import importlib
import random
import unicodedata
import zlib
from functools import cache
from typing import Literal

Split = Literal["train", "test"]

# Faker locales whose person providers give Latin-script (or romanised) names.
LOCALES = (
    "en_US",
    "en_GB",
    "en_IN",
    "en_NG",
    "en_KE",
    "en_IE",
    "en_NZ",
    "en_PK",
    "es_MX",
    "es_ES",
    "es_CO",
    "fr_FR",
    "de_DE",
    "it_IT",
    "pt_BR",
    "pl_PL",
    "nl_NL",
    "tr_TR",
    "sv_SE",
    "fi_FI",
    "vi_VN",
    "id_ID",
    "tw_GH",
    "cs_CZ",
    "ro_RO",
    "yo_NG",
    "ig_NG",
    "ha_NG",
    "zu_ZA",
    "da_DK",
    "hu_HU",
    "hr_HR",
    "sk_SK",
    "lt_LT",
    "ga_IE",
    "sw",
)
ROMANISED = ("ja_JP", "zh_CN", "zh_TW")

# Names Faker has only in their own script (Arabic) or too few of, written in Latin script.
EXTRA: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ar_latin": (
        (
            "Ahmed",
            "Fatima",
            "Omar",
            "Layla",
            "Yusuf",
            "Aisha",
            "Khalid",
            "Mariam",
            "Tariq",
            "Noor",
            "Hamza",
            "Zainab",
            "Imran",
            "Samira",
            "Bilal",
            "Huda",
            "Rashid",
            "Amina",
            "Karim",
            "Salma",
            "Mustafa",
            "Yasmin",
            "Faisal",
            "Rania",
            "Ibrahim",
            "Leila",
            "Hassan",
            "Dina",
            "Walid",
        ),
        (
            "Al-Hassan",
            "Al-Farsi",
            "El-Sayed",
            "Haddad",
            "Khoury",
            "Mansour",
            "Nasser",
            "Qureshi",
            "Siddiqui",
            "Rahman",
            "Al-Amin",
            "Saleh",
            "Aziz",
            "Hamdan",
            "Darwish",
            "Abboud",
            "Jaber",
        ),
    ),
    "misc": (
        (
            "Oluwaseun",
            "Chiamaka",
            "Thandiwe",
            "Sipho",
            "Wanjiru",
            "Kofi",
            "Ama",
            "Nkechi",
            "Tendai",
            "Priya",
            "Arjun",
            "Ananya",
            "Rohan",
            "Mei",
            "Jin",
            "Hiroshi",
            "Yuki",
            "Tomasz",
            "Siobhan",
        ),
        (
            "Okafor",
            "Dlamini",
            "Mensah",
            "Otieno",
            "Nwosu",
            "Abiodun",
            "Kamau",
            "O'Neill",
            "O'Brien",
            "McAllister",
            "MacLeod",
            "D'Angelo",
            "Fitzgerald",
            "Nakamura",
            "Van Buren",
            "Ferreira",
        ),
    ),
}
# How often each culture is drawn: English-speaking locales more often, every other one too.
HEAVY = {"en_US": 8, "en_GB": 4, "en_IN": 3, "es_MX": 2, "en_NG": 2, "ar_latin": 2, "zh_CN": 2}
# Multi-part surnames: a particle (not a name token of its own) before a pool surname.
PARTICLES = ("van", "van der", "van den", "de", "de la", "del", "da", "dos", "bin", "binti", "von")
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr", "Mx", "Prof")
NEUTRAL_TOKENS = frozenset(w.casefold() for p in (*PARTICLES, *TITLES) for w in p.split())


def is_held_out(token: str) -> bool:
    """Whether a name token is reserved for the test split (stable across runs and machines)."""
    key = token.strip(".,'\"").casefold()
    return zlib.crc32(key.encode("utf-8")) % 4 == 0


def name_tokens(text: str) -> list[str]:
    """Name tokens as written: whitespace-separated, without initials, titles or particles."""
    words = (w.strip(".,'\"") for w in text.split())
    return [w for w in words if len(w) > 1 and w.casefold() not in NEUTRAL_TOKENS]


def _train_safe(name: str) -> bool:
    return not any(is_held_out(w) for w in name_tokens(name))


def _latin(word: str) -> bool:
    """Only Latin-script words whose case-folding survives upper/lower casing (a stable key)."""
    if not word or not all(c.isalpha() or c in "-'" for c in word):
        return False
    for c in word:
        if c.isalpha() and "LATIN" not in unicodedata.name(c, ""):
            return False
    fold = word.casefold()
    return word.upper().casefold() == fold and word.lower().casefold() == fold


def _provider_names(locale: str, attrs: tuple[str, ...]) -> list[str]:
    module = importlib.import_module(f"faker.providers.person.{locale}")
    provider = module.Provider
    out: list[str] = []
    for attr in attrs:
        values = getattr(provider, attr, ())
        out.extend(str(v) for v in values)
    return out


@cache
def _pools() -> dict[tuple[str, str, Split], tuple[str, ...]]:
    raw: dict[str, tuple[set[str], set[str]]] = {}
    for loc in LOCALES:
        given = _provider_names(loc, ("first_names", "first_names_male", "first_names_female"))
        raw[loc] = (set(given), set(_provider_names(loc, ("last_names",))))
    for loc in ROMANISED:
        given = _provider_names(loc, ("first_romanized_names",))
        raw[loc] = (set(given), set(_provider_names(loc, ("last_romanized_names",))))
    for culture, (given_extra, family_extra) in EXTRA.items():
        raw[culture] = (set(given_extra), set(family_extra))
    pools: dict[tuple[str, str, Split], tuple[str, ...]] = {}
    for culture, (given_set, family_set) in raw.items():
        for kind, names in (("given", given_set), ("family", family_set)):
            ok = sorted(n for n in names if _latin(n) and len(n) > 1)
            pools[(culture, kind, "test")] = tuple(
                n for n in ok if name_tokens(n) and all(is_held_out(w) for w in name_tokens(n))
            )
            pools[(culture, kind, "train")] = tuple(n for n in ok if _train_safe(n))
    return pools


@cache
def _cultures(split: Split) -> tuple[tuple[str, ...], tuple[int, ...]]:
    pools = _pools()
    names = tuple(
        c
        for c in (*LOCALES, *ROMANISED, *EXTRA)
        if pools[(c, "given", split)] and pools[(c, "family", split)]
    )
    return names, tuple(HEAVY.get(c, 1) for c in names)


def person_name(rng: random.Random, split: Split) -> tuple[str, str]:
    """A (given, family) pair from one culture's pool for the split.

    Given names are sometimes hyphenated (Jean-Luc); family names sometimes carry a
    particle (van der Berg, bin Ahmad) or are double-barrelled.
    """
    names, weights = _cultures(split)
    culture = rng.choices(names, weights)[0]
    pools = _pools()
    given_pool = pools[(culture, "given", split)]
    family_pool = pools[(culture, "family", split)]
    given = rng.choice(given_pool)
    if "-" not in given and rng.random() < 0.04:
        given = f"{given}-{rng.choice(given_pool)}"
    family = rng.choice(family_pool)
    roll = rng.random()
    if roll < 0.06:
        family = f"{rng.choice(PARTICLES)} {family}"
    elif roll < 0.09 and "-" not in family:
        family = f"{family}-{rng.choice(family_pool)}"
    if split == "train" and not (_train_safe(given) and _train_safe(family)):
        return rng.choice(given_pool), rng.choice(family_pool)
    return given, family


def pool_sizes() -> dict[str, int]:
    """Total given and family names per split, for the README and the tests."""
    sizes: dict[str, int] = {}
    for (_, kind, split), names in _pools().items():
        sizes[f"{kind}/{split}"] = sizes.get(f"{kind}/{split}", 0) + len(names)
    return sizes
