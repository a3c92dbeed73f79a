"""Dates of birth: any date expression that the conversation marks as a birth date.

Transcripts are full of dates that are not personal data (delivery, billing, "member
since ...").  So a date is only reported when a birth cue precedes it in the same turn
("born", "date of birth", "DOB", "birthday"), or when it answers a birth-date question from
the other speaker and its year is plausible for an adult customer.  Formats: numeric
(03/14/1985, 14.03.1985, 1985-03-14, voice "3 14 1985"), month names ("March 14th, 1985",
"14 March 1985", "mar 14 85") and spoken ordinals/years ("march fourteenth nineteen
eighty five").
"""

from __future__ import annotations

import re

from pledge.pii.context import Doc, Turn, word_cue_pattern, word_cues
from pledge.pii.spans import Span

__all__ = ["find_birth_dates"]

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_UNITS = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_ORD_UNITS = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
_DAY_WORD = (
    rf"(?:(?:twenty|thirty)[ -]?{_ORD_UNITS}|{_ORD_UNITS}|tenth|eleventh|twelfth|thirteenth|"
    r"fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)"
)
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_TEENS = r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
_YEAR_WORD = (
    rf"(?:nineteen[ -](?:{_TENS}(?:[ -]{_UNITS})?|{_TEENS}|(?:oh|o)[ -]{_UNITS}|hundred)"
    rf"|two thousand(?:(?: and)? (?:{_UNITS}|{_TEENS}|{_TENS}(?:[ -]{_UNITS})?))?"
    rf"|twenty[ -](?:oh[ -]{_UNITS}|{_TEENS}|{_TENS}(?:[ -]{_UNITS})?)"
    # a spoken two-digit year ("june fifth eighty two"); dates are only read in birth
    # contexts, where "eighty two" after a month and day can only be a year
    rf"|(?:{_TENS}(?:[ -]{_UNITS})?|(?:oh|o)[ -]{_UNITS}))"
)
_DAY = rf"(?:[0-3]?\d(?:st|nd|rd|th)?|{_DAY_WORD})"
# A numeric date read out as words, month first ("nine three nineteen ninety six", "six
# twenty five nineteen eighty nine"): only with a four-digit spoken year, so that a run of
# number words is not taken for a date on a two-digit guess.
_MONTH_NUMBER_WORD = rf"(?:{_UNITS}|ten|eleven|twelve)"
_DAY_NUMBER_WORD = rf"(?:(?:twenty|thirty)(?:[ -]{_UNITS})?|{_TEENS}|{_UNITS})"
_FULL_YEAR_WORD = (
    rf"(?:nineteen[ -](?:{_TENS}(?:[ -]{_UNITS})?|{_TEENS}|(?:oh|o)[ -]{_UNITS})"
    rf"|two thousand(?:(?: and)? (?:{_UNITS}|{_TEENS}))?|twenty[ -](?:oh[ -]{_UNITS}|{_TEENS}))"
)
_YEAR = rf"(?:(?:19|20)\d\d|'?\d\d|{_YEAR_WORD})"
_DATE_RX = re.compile(
    r"(?<![\w/.-])(?:"
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"  # 03/14/1985, 14.03.85
    r"|\d{4}[/.-]\d{1,2}[/.-]\d{1,2}"  # 1985-03-14
    r"|\d{1,2} \d{1,2} (?:19|20)\d\d"  # voice: 3 14 1985
    rf"|{_MONTH}\s+{_DAY},?\s+(?:of\s+)?{_YEAR}"  # March 14th, 1985
    rf"|(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}"  # 14 March 1985
    rf"|{_MONTH_NUMBER_WORD}[ -]{_DAY_NUMBER_WORD}[ ,]+{_FULL_YEAR_WORD}"  # nine three nineteen ...
    rf"|{_MONTH}\s+(?:of\s+)?(?:19|20)\d\d"  # March 1984 (a birth cue is required)
    r")(?![\w/]|[.-]\d)"
)
_BIRTH_CUE = re.compile(r"b(?:orn|irth|-?day|d\b)|dob\b|d\.o\.b")
# Word starts that may open a birth cue, to pick the turns worth reading (one cheap scan).
_BIRTH_SCAN = word_cue_pattern(
    ["born", "birth", "bday", "b-day", "bd", "dob", "d.o.b", "date-of-birth"]
)
_OTHER_CUE = re.compile(
    r"(?:since|opened|effective|due|after|before|until|till|by|from|placed|expires?|"
    r"renews?|scheduled|starting|ending|on file|ordered|order(?: date)?|shipped|"
    r"delivered|delivery(?: date)?|arrived|arriving|paid|purchased|bought|booked|"
    r"appointment|issued|expiry|expiration|installed|joined|moved)\W*(?:(?:on|at|is|was)\W*)?$"
)
# An agent line that asks (a question, or a request to say, enter, confirm ... something).
_ASKS = re.compile(r"\?|\b(?:please|confirm|say|enter|verify|provide|give|tell|need|type)\b")
_FOUR_DIGIT_YEAR = re.compile(r"(?:19|20)\d\d")


def _year(value: str) -> int | None:
    found = _FOUR_DIGIT_YEAR.findall(value)
    if found:
        return int(found[-1])
    if "nineteen" in value:
        return 1950  # any 20th-century spoken year is an adult's
    return None


def _is_birth(text: str, turn: Turn, start: int, value: str, first: bool, asked: bool) -> bool:
    before = text[turn.body : start]
    cue = _BIRTH_CUE.search(before[-60:])
    if cue:
        tail = before[cue.end() :]
        # "born in 1985, member since 03/04/2010": a nearer non-birth cue wins.
        return not _OTHER_CUE.search(tail)
    if turn.is_agent or not asked or not first:
        return False
    if _OTHER_CUE.search(before[-25:]):
        return False
    year = _year(value)
    return year is None or 1900 <= year <= 2015


def find_birth_dates(doc: Doc) -> list[Span]:
    """Only turns with a birth cue or answering a birth-date question are scanned at all.

    A customer turn answers a birth-date question when the agent's topic is the birth date,
    or when the agent's latest block asks for it among other things ("confirm the full name
    and date of birth on the account?": the topic is the name, named first, yet the date in
    the reply is the birth date).
    """
    low = doc.low
    cued = {doc.turn_at(pos).start for pos, _ in word_cues(doc.spaced, _BIRTH_SCAN)}
    spans: list[Span] = []
    asked = False
    after_agent = False
    for turn in doc.turns:
        if turn.is_agent:
            if not after_agent:
                asked = False
            after_agent = True
            if turn.start in cued and _ASKS.search(low, turn.body, turn.end):
                asked = True
            continue
        after_agent = False
        answers = asked or turn.topic == "DATE_OF_BIRTH"
        if not answers and turn.start not in cued:
            continue
        first = True
        for m in _DATE_RX.finditer(low, turn.body, turn.end):
            if _is_birth(low, turn, m.start(), m.group(), first, answers):
                spans.append(Span(m.start(), m.end(), "DATE_OF_BIRTH"))
            first = False
    return spans
