"""Formats and phrasings the benchmark corpus lacks, and look-alikes that must stay clean.

Written by hand (not taken from any evaluation data) to keep the rules general: spoken
dates, extensions, international numbers, titles, PO boxes, IPv6 short forms, cued IDs
with odd spacing; and, for precision, tracking/case/ticket numbers, totals, times,
versions, masked read-backs, lone ZIP codes, years, prices and quantities.
"""

from __future__ import annotations

import pytest

from pledge.pii import detect


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in detect(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Customer: I was born march third nineteen ninety",
            ("march third nineteen ninety", "DATE_OF_BIRTH"),
        ),
        (
            "caller: my birthday is the fifth of june eighty two",
            ("the fifth of june eighty two", "DATE_OF_BIRTH"),
        ),
        ("Customer: D.O.B. 04/12/1971", ("04/12/1971", "DATE_OF_BIRTH")),
        ("Customer: sure (DOB 1/2/1980), thanks", ("1/2/1980", "DATE_OF_BIRTH")),
        ("Customer: ok,account number 55512345", ("55512345", "ACCOUNT_ID")),
        (
            "Agent: And your date of birth?\nCaller: the fifth of june, nineteen eighty two",
            ("the fifth of june, nineteen eighty two", "DATE_OF_BIRTH"),
        ),
        ("Customer: call me at (212) 555-0147 x204", ("(212) 555-0147 x204", "PHONE")),
        ("Customer: office line 212-555-0147 ext. 12", ("212-555-0147 ext. 12", "PHONE")),
        ("Customer: my number is +44 20 7946 0958", ("+44 20 7946 0958", "PHONE")),
        ("Customer: reach me on +49 30 901820", ("+49 30 901820", "PHONE")),
        ("Customer: my number is +33 1 42 68 53 00", ("+33 1 42 68 53 00", "PHONE")),
        (
            "Customer: email me at jo.roe+billing@mail.corp.example.com",
            ("jo.roe+billing@mail.corp.example.com", "EMAIL"),
        ),
        ("Agent: Thanks Mrs. Okafor, one moment", ("Okafor", "PERSON")),
        ("Agent: Dr. Whitfield, your results are in", ("Whitfield", "PERSON")),
        ("Customer: my last name is Whitfield", ("Whitfield", "PERSON")),
        ("Customer: first name is Anika, last name Patel", ("Patel", "PERSON")),
        (
            "Customer: ship to 77 W Elm St Suite 400, Denver, CO 80202",
            ("77 W Elm St Suite 400, Denver, CO 80202", "STREET_ADDRESS"),
        ),
        (
            "Customer: 1200 NE Alder Ave #12, Portland, OR 97232",
            ("1200 NE Alder Ave #12, Portland, OR 97232", "STREET_ADDRESS"),
        ),
        (
            "Customer: mail it to P.O. Box 123, Austin, TX 78701",
            ("P.O. Box 123, Austin, TX 78701", "STREET_ADDRESS"),
        ),
        ("Customer: my ip is fe80::1", ("fe80::1", "IP_ADDRESS")),
        ("Customer: the ip is 2001:db8::ff00:42:8329.", ("2001:db8::ff00:42:8329", "IP_ADDRESS")),
        ("Customer: member ID: MBR-00421977", ("MBR-00421977", "ACCOUNT_ID")),
        ("Customer: policy # HX 22 91 04", ("HX 22 91 04", "ACCOUNT_ID")),
        ("Customer: card number 4111-1111-1111-1111", ("4111-1111-1111-1111", "CREDIT_CARD")),
        (
            "caller: four one one one, one one one one, one one one one, one one one one",
            ("four one one one, one one one one, one one one one, one one one one", "CREDIT_CARD"),
        ),
        ("Customer: my social is 123456789", ("123456789", "US_SSN")),
        (
            "Agent: Last four of your SSN won't do, I need all of it.\nCustomer: 123 45 6789",
            ("123 45 6789", "US_SSN"),
        ),
    ],
)
def test_variant_found(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Agent: tracking number 1Z999AA10123456784",
        "Agent: your case number is 04512398",
        "Agent: ticket #7729102 has been opened",
        "Agent: your confirmation code is 88451230",
        "Agent: your order total was $1,249.00",
        "Agent: we open at 9:30 and close at 17:45:00",
        "Agent: please update to version 10.4.2.1",
        "Agent: the card ending in 4821 is on file",
        "Customer: last four 1234",
        "Customer: my zip is 94107",
        "Customer: I bought it in 2019",
        "Customer: it cost 129.99 for 3 units",
        "Customer: I ordered 12 boxes, 2500 sheets",
        "Customer: the delivery came on march third twenty twenty four",
        "Customer: my last name please",
        "Agent: Your refund of $84.10 posts by 04/30/2025.",
    ],
)
def test_lookalike_not_flagged(text: str) -> None:
    assert found(text) == []


def test_nine_bare_digits_are_no_ssn_but_an_uncued_account_id() -> None:
    """Without an SSN cue or question nine digits are no SSN; a customer's uncued
    identifier is taken as their account id (`pledge.pii.uncued`)."""
    assert found("Customer: 123456789") == [("123456789", "ACCOUNT_ID")]


def test_spaced_cues_at_text_start_and_after_line_breaks() -> None:
    """Cue words are found at offset 0 and right after a newline, not only after spaces."""
    text = "my name is Ada Byron\nthanks Ada"
    assert found(text) == [("Ada Byron", "PERSON"), ("Ada", "PERSON")]
    text = "Agent: what's the account number?\nCustomer: hold on\naccount 55120934"
    assert ("55120934", "ACCOUNT_ID") in found(text)


def test_hyphenated_birth_cue() -> None:
    text = "Customer: date-of-birth 03/04/1980"
    assert found(text) == [("03/04/1980", "DATE_OF_BIRTH")]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Agent: thanks so much, Daniel!", "Daniel"),
        ("Agent: Good morning Priya, how can I help?", "Priya"),
        ("Agent: Of course, Ahmed. One moment.", "Ahmed"),
        ("Bot: thank you very much, Sofia.", "Sofia"),
    ],
)
def test_an_agent_addressing_someone_by_a_given_name(text: str, name: str) -> None:
    assert found(text) == [(name, "PERSON")]


@pytest.mark.parametrize(
    "text",
    [
        "Agent: Welcome to Acme.",
        "Agent: Certainly, Sunday works.",
        "Agent: Absolutely, May.",
        "Agent: Cheers, Will.",
        "Agent: Good morning, Sir.",
    ],
)
def test_courtesies_before_ordinary_words_are_not_names(text: str) -> None:
    assert found(text) == []
