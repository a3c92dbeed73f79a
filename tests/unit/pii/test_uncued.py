"""Identifiers a customer gives with no cue are taken as their account id (issue #16),
unless something says they are anything else (`pledge.pii.uncued`)."""

from __future__ import annotations

import pytest

from pledge.pii import detect
from pledge.pii.context import make_doc
from pledge.pii.spans import Span
from pledge.pii.uncued import SCORE, find_uncued_accounts


def labelled(text: str, label: str) -> list[str]:
    return [text[s.start : s.end] for s in detect(text) if s.label == label]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Customer: hi, 55120934 - the app won't load", "55120934"),
        ("User: hello\nUser: AC-4839201 still locked out", "AC-4839201"),
        ("Customer: my login stopped working. 4471 2290 1385", "4471 2290 1385"),
        ("Agent: How can I help?\nCustomer: it's ORD-81960444, nothing came", "ORD-81960444"),
        ("Customer: H823-34923 is what I have\nAgent: ok", "H823-34923"),
        ("hey my points are missing ly409443429 thanks", "ly409443429"),
    ],
)
def test_an_uncued_identifier_from_the_customer_is_an_account_id(text: str, value: str) -> None:
    assert labelled(text, "ACCOUNT_ID") == [value]


def test_the_agent_reading_it_back_is_the_same_account_id() -> None:
    text = "Customer: 55120934, can't sign in\nAgent: Thanks, 55120934 is unlocked now."
    assert labelled(text, "ACCOUNT_ID") == ["55120934", "55120934"]


@pytest.mark.parametrize(
    "text",
    [
        # other numbers a customer writes without a cue
        "Customer: it was supposed to come by july 15 2025",
        "Customer: I ordered it on 5 5 2025 and nothing",
        "Customer: the new address is 1 main st, des moines iowa 11782",
        "Customer: yes, the WH-5257XM5 arrived broken",
        "Customer: you can reach me, 1-238-543-4574",
        "Customer: they gave me REF-68587323 last week",
        "Customer: the total was 125000 dollars",
        # a cue decides, also one misspelt by a letter
        "Customer: we opened csae TKT-841288 yesterday",
        "Customer: I can see wrok order LQU-908025 from last week",
        "Customer: my tikcet is 55120934",
        "Customer: ticket 55120934 is still open",
        "Customer: 55120934 is the tracking number",
        # an agent's own numbers and answers to other questions
        "Agent: I opened 55120934 for you.",
        "Agent: What's the best phone number?\nCustomer: 2385434574",
        "Agent: What's your date of birth?\nCustomer: 14 03 1985",
    ],
)
def test_a_number_something_else_explains_is_not_an_account_id(text: str) -> None:
    assert labelled(text, "ACCOUNT_ID") == []


def test_another_detector_wins_over_an_uncued_id() -> None:
    text = "Customer: 4111 1111 1111 1111 is declined"
    assert labelled(text, "CREDIT_CARD") == ["4111 1111 1111 1111"]
    assert labelled(text, "ACCOUNT_ID") == []


def test_claimed_spans_are_left_alone_and_scores_stay_below_the_rules() -> None:
    text = "Customer: 55120934 and 77310925 please"
    doc = make_doc(text)
    claimed = [Span(10, 18, "PHONE", 1.0)]
    got = find_uncued_accounts(doc, claimed)
    assert [(text[s.start : s.end], s.score) for s in got] == [("77310925", SCORE)]
    assert SCORE < 0.8  # below the PERSON model's 0.8 and every rule's 1.0


@pytest.mark.parametrize(
    "text",
    [
        "Customer: that one is mine 55120934",  # "mine" is one letter from "line"
        "Customer: fine, 55120934 it is",  # ... and "fine" from "line"
        "Customer: they gave 55120934 to me",  # "gave" from "gate"
        "Customer: word order 55120934 never came",  # "word" from "work"
    ],
)
def test_an_english_word_one_letter_from_a_cue_is_no_misspelt_cue(text: str) -> None:
    assert labelled(text, "ACCOUNT_ID") == ["55120934"]


@pytest.mark.parametrize(
    "text",
    [
        "Customer: I paid £125000 for it",
        "Customer: I paid 125000€ for it",
        "Customer: it went up 125000% overnight",
    ],
)
def test_amounts_and_shares_are_no_account_ids(text: str) -> None:
    assert labelled(text, "ACCOUNT_ID") == []


def test_a_north_american_shape_the_phone_rules_turn_down_is_still_a_phone() -> None:
    assert labelled("Customer: 2125434574 call me", "PHONE") == ["2125434574"]
    for text, value in (
        ("Customer: it still says 5935434574 on the screen", "5935434574"),  # 593: not in use
        ("Customer: 14829163507 was charged", "14829163507"),  # 482: not in use
        ("Customer: hi, 238-543-4574 and nothing works", "238-543-4574"),
    ):
        assert labelled(text, "PHONE") == [value], text
        assert labelled(text, "ACCOUNT_ID") == []
