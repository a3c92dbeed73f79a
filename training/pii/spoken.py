"""Numbers, digits and dates as a person says them (for call transcripts and ASR-like text)."""

from __future__ import annotations

import random

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEENS = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
ORDINALS = {
    1: "first",
    2: "second",
    3: "third",
    4: "fourth",
    5: "fifth",
    6: "sixth",
    7: "seventh",
    8: "eighth",
    9: "ninth",
    10: "tenth",
    11: "eleventh",
    12: "twelfth",
    13: "thirteenth",
    14: "fourteenth",
    15: "fifteenth",
    16: "sixteenth",
    17: "seventeenth",
    18: "eighteenth",
    19: "nineteenth",
    20: "twentieth",
    30: "thirtieth",
}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def number(n: int) -> str:
    """0..99 in words ("forty two")."""
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return TEENS[n - 10]
    tens, unit = divmod(n, 10)
    return TENS[tens] if unit == 0 else f"{TENS[tens]} {DIGITS[unit]}"


def ordinal(n: int) -> str:
    """1..31 as a spoken ordinal ("twenty third")."""
    if n in ORDINALS:
        return ORDINALS[n]
    tens, unit = divmod(n, 10)
    return f"{TENS[tens]} {ORDINALS[unit]}"


def suffix(n: int) -> str:
    """1 -> "1st", 22 -> "22nd", 13 -> "13th"."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }".replace(" ", "")


def year(y: int, rng: random.Random) -> str:
    """1984 -> "nineteen eighty four"; 2003 -> "two thousand three" or "twenty oh three"."""
    hi, lo = divmod(y, 100)
    if y >= 2000 and lo < 10 and rng.random() < 0.6:
        return "two thousand" + ("" if lo == 0 else f" {DIGITS[lo]}")
    low = f"oh {DIGITS[lo]}" if 0 < lo < 10 else ("hundred" if lo == 0 else number(lo))
    return f"{number(hi)} {low}"


def digits(text: str, rng: random.Random, *, oh: float = 0.4, double: float = 0.3) -> str:
    """Read out text character by character, keeping spaces and dashes as pauses.

    Digits become words ("0" sometimes "oh", a pair of equal digits sometimes "double
    four"); letters are spelled; other characters are dropped.
    """
    groups = text.replace("-", " ").replace(".", " ").replace("/", " ").split()
    use_oh = rng.random() < oh
    use_double = rng.random() < double
    said: list[str] = []
    for group in groups:
        chars = [c for c in group if c.isalnum()]
        words: list[str] = []
        i = 0
        while i < len(chars):
            ch = chars[i]
            word = (
                ch.lower()
                if not ch.isdigit()
                else ("oh" if ch == "0" and use_oh else DIGITS[int(ch)])
            )
            if use_double and ch.isdigit() and i + 1 < len(chars) and chars[i + 1] == ch:
                words.append(f"double {word}")
                i += 2
                continue
            words.append(word)
            i += 1
        if words:
            said.append(" ".join(words))
    sep = rng.choice((" ", ", ", " ... ")) if len(said) > 1 else " "
    return sep.join(said)


def letters(text: str) -> str:
    """Spell a word letter by letter ("john" -> "j o h n")."""
    return " ".join(text)
