"""Detector families on small transcripts, including look-alikes that must stay unflagged."""

from __future__ import annotations

import pytest

from pledge.pii import Detector, detect


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in detect(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Customer: reach me at jo.roe+x@mail.example.co.uk",
            ("jo.roe+x@mail.example.co.uk", "EMAIL"),
        ),
        ("Customer: call (212) 555-0147 please", ("(212) 555-0147", "PHONE")),
        ("Customer: my cell is 212.555.0147", ("212.555.0147", "PHONE")),
        ("Customer: +49 30 901820 is my office", ("+49 30 901820", "PHONE")),
        ("caller: plus 44 7911 123456", ("plus 44 7911 123456", "PHONE")),
        (
            "caller: my number is two one two five five five zero one four seven",
            ("two one two five five five zero one four seven", "PHONE"),
        ),
        ("Customer: card 4111 1111 1111 1111", ("4111 1111 1111 1111", "CREDIT_CARD")),
        (
            "caller: 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
            ("4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1", "CREDIT_CARD"),
        ),
        ("Customer: SSN 123-45-6789", ("123-45-6789", "US_SSN")),
        ("Customer: my IP is 203.0.113.7.", ("203.0.113.7", "IP_ADDRESS")),
        ("Customer: My account number is AC-4839201.", ("AC-4839201", "ACCOUNT_ID")),
        ("Customer: order # ORD 77812 never came", ("ORD 77812", "ACCOUNT_ID")),
        ("Customer: I was born 03/14/1985", ("03/14/1985", "DATE_OF_BIRTH")),
        ("Customer: my birthday is 1985-03-14", ("1985-03-14", "DATE_OF_BIRTH")),
        (
            "Customer: I live at 12 Oak Street Apt 3, Austin, TX 78701",
            ("12 Oak Street Apt 3, Austin, TX 78701", "STREET_ADDRESS"),
        ),
        ("Customer: Hi, my name is Maria Lopez", ("Maria Lopez", "PERSON")),
    ],
)
def test_positive(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Agent: Your tracking number is 9400 1000 0000 0000 0000 00.",
        "Agent: Ship it back with tracking 1Z999AA10123456784.",
        "Agent: The order total was $1,385.86, refund in 13 business days.",
        "Agent: A technician can visit at 10:30 AM on 07/11/2025.",
        "Agent: Thanks, the card ending in 4821 has been added.",
        "Agent: Verified. I have ***-**-6905 on file.",
        "Agent: I've opened case CS817302 for you.",
        "Agent: Your modem RT-3934XM4 is on firmware 2.2.7.234.",
        "Agent: Hello! This is Nova, your virtual assistant.",
        "Customer: I've been a member since 03/04/2010.",
        "Customer: I'm locked out of my account.",
        "Agent: Use promo code SAVE20 for 50% off.",
    ],
)
def test_distractors_not_flagged(text: str) -> None:
    assert found(text) == []


def test_context_from_previous_turn() -> None:
    text = "Agent: What is your date of birth?\nCustomer: 4/7/1962"
    assert found(text) == [("4/7/1962", "DATE_OF_BIRTH")]
    text = "Agent: What is your account number?\nCustomer: 2125550147"
    assert found(text) == [("2125550147", "ACCOUNT_ID")]
    text = "Agent: What is your phone number?\nCustomer: 2125550147"
    assert found(text) == [("2125550147", "PHONE")]


def test_name_propagates_to_later_mentions() -> None:
    text = "Agent: Who am I speaking with?\ncaller: gregor samsa\nagent: thanks gregor"
    assert found(text) == [("gregor samsa", "PERSON"), ("gregor", "PERSON")]


def test_label_filter_and_validation() -> None:
    det = Detector(labels=["EMAIL"])
    assert [s.label for s in det.detect("Customer: a@b.co, 212-555-0147")] == ["EMAIL"]
    with pytest.raises(ValueError, match="unknown PII labels"):
        Detector(labels=["NOPE"])
    assert det.detect("") == []
