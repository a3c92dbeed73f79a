"""Account ids read out with letters and short digit groups, more fillers between a cue and
its value, asides after it, and read-backs of a found id (issue #16).  Hand-written."""

from __future__ import annotations

import pytest

from pledge.pii import detect


def accounts(text: str) -> list[str]:
    return [text[s.start : s.end] for s in detect(text) if s.label == "ACCOUNT_ID"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # letters inside or around digits, fewer than seven digits
        (
            "caller: my client ref is c r two double eight double three s b",
            "c r two double eight double three s b",
        ),
        (
            "caller: membership number m, seven double six three two seven",
            "m, seven double six three two seven",
        ),
        (
            "caller: club card four eight y nine three one double seven three",
            "four eight y nine three one double seven three",
        ),
        (
            "agent: and the subscriber id\ncaller: seven seven six one k four one four nine",
            "seven seven six one k four one four nine",
        ),
        (
            "customer: policy number is pl dash four four seven one two two oh nine",
            "pl dash four four seven one two two oh nine",
        ),
        # "i think" after the digits is not a spelled letter
        (
            "agent: do you have your mrn there\n"
            "caller: um seven nine nine four three two oh two nine i think",
            "seven nine nine four three two oh two nine",
        ),
        # fillers and asides
        ("Customer: my account number, 44712209", "44712209"),
        ("Customer: policy number — 44712209", "44712209"),
        ("Customer: policy number (44712209)", "44712209"),
        ("Customer: account number being 44712209", "44712209"),
        ("Customer: my member ID which is 44712209", "44712209"),
        ("Customer: 44712209 (member ID)", "44712209"),
        ("Customer: 44712209 - my account number", "44712209"),
        ("Customer: The account number on my statement is 44712209", "44712209"),
        ("Customer: my policy number for this is PL-4471220", "PL-4471220"),
        ("Customer: Policy number is on my letter: 44712209.", "44712209"),
        ("customer: member id nr63441473", "nr63441473"),
    ],
)
def test_account_ids(text: str, value: str) -> None:
    assert accounts(text) == [value]


def test_a_found_id_read_back_later_is_one_too() -> None:
    text = "Agent: I have your member ID as MB-4471220.\nCustomer: yes\nAgent: So MB-4471220 it is?"
    assert accounts(text) == ["MB-4471220", "MB-4471220"]


@pytest.mark.parametrize(
    "text",
    [
        "agent: the account number?\ncaller: sec\ncaller: the ticket is five five one two oh nine",
        "caller: i waited twenty five minutes on hold",
        "agent: your claim number is c l m four four one two two oh",
    ],
)
def test_read_out_look_alikes_stay_clean(text: str) -> None:
    assert accounts(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "Agent: Can I have your name and account number please?\nCustomer: Jane Doe, 44712209",
            "44712209",
        ),
        (
            "Agent: To verify: full name, date of birth and member ID?\n"
            "Customer: Ana Silva, 4/7/1962, MB-4471220",
            "MB-4471220",
        ),
    ],
)
def test_an_id_asked_for_among_other_things(text: str, value: str) -> None:
    assert accounts(text) == [value]


def test_a_number_asked_for_beside_a_phone_is_left_to_the_phone_rules() -> None:
    text = "Agent: Your phone number and account number?\nCustomer: 4155550199"
    assert accounts(text) == []
