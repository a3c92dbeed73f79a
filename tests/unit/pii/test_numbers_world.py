"""Phones, account ids and e-mail addresses as people around the world give them (issue #16).

Hand-written, phrased independently of any corpus generator: national formats of several
countries (with the region guessed from validity), international numbers with or without
their "+", spoken digits ("oh", "double", "triple"), extensions, many phone cues; account
ids in replies to questions worded in other ways, on form lines, with slashes; e-mails
dictated or spelled letter by letter.  Look-alikes next to them must stay clean.
"""

from __future__ import annotations

import pytest

from pledge.pii import detect


def labelled(text: str, label: str) -> list[str]:
    return [text[s.start : s.end] for s in detect(text) if s.label == label]


# ------------------------------------------------------------------------- phones
PHONES: list[tuple[str, str]] = [
    ("Customer: best to call me on 030 12345678 after six", "030 12345678"),  # Berlin
    ("Customer: my cell is 06 12 34 56 78", "06 12 34 56 78"),  # France
    ("Customer: whatsapp me on 98765 43210 please", "98765 43210"),  # India mobile
    ("Customer: the landline is (02) 9876 5432", "(02) 9876 5432"),  # Sydney
    ("Customer: mobile: 0412 345 678", "0412 345 678"),  # Australia mobile
    ("User: reach me at 089 1234567", "089 1234567"),  # Munich
    ("caller: my number's 022 2345 6789", "022 2345 6789"),  # Mumbai
    ("Customer: office line 01 42 68 53 00, ask for me", "01 42 68 53 00"),  # Paris
    ("Customer: +61 412 345 678 is my mobile", "+61 412 345 678"),
    ("Customer: you can text me at +91-9876543210", "+91-9876543210"),
    ("Customer: my phone is 0044 161 496 0123", "0044 161 496 0123"),
    # Unassigned ranges, but a phone cue says what they are.
    ("Customer: text me at 457-440-1304", "457-440-1304"),
    ("Customer: my mobile is 07700 900123", "07700 900123"),
    ("Member: callback number 1-427-224-0508", "1-427-224-0508"),
    ("Customer: phone 4365344658 x316", "4365344658 x316"),
    ("Customer: call me at (212) 736-5000 extension 204", "(212) 736-5000 extension 204"),
    # Spoken, with pauses written as ellipses, and international without "plus".
    (
        "caller: my cell is oh double seven oh oh ... nine oh oh ... one two three",
        "oh double seven oh oh ... nine oh oh ... one two three",
    ),
    (
        "Operator: Which number can we ring you back on?\n"
        "Caller: four four one six one four nine six oh one two three",
        "four four one six one four nine six oh one two three",
    ),
    (
        "Agent: What's a good phone number for you?\nCustomer: it's 61 2 9876 5432",
        "61 2 9876 5432",
    ),
    # Read out right after a word that ends in a digit word ("ph-one", "fr-eight"): the
    # run starts at the next word start, not inside that word.
    (
        "Customer: my cell phone two one two five five five one two three four",
        "two one two five five five one two three four",
    ),
    (
        "Agent: Best number to reach you?\nCustomer: it is freight two one two five five "
        "five one two three four",
        "two one two five five five one two three four",
    ),
    # "Number" on its own, asked for or given, and a cue after the value.
    ("Agent: Is there a good number to try?\nCustomer: 427 202 8472", "427 202 8472"),
    ("Customer: can you unlock my number 427.202.8472", "427.202.8472"),
    ("Agent: I have 427-202-8472 x55 as your mobile, correct?", "427-202-8472 x55"),
]


@pytest.mark.parametrize(("text", "value"), PHONES)
def test_phone_is_found(text: str, value: str) -> None:
    assert labelled(text, "PHONE") == [value]


PHONE_LOOKALIKES: list[str] = [
    "Agent: Please quote complaint reference 313-812-1476 if you call again.",
    "support: I've issued RMA 210-976-4950 for the return.",
    "Agent: your service request 646-201-7783 is open.",
    "Customer: the serial no. is 2125551234",
    "Customer: invoice 0161 496 0123 was paid twice",
    "Agent: the part number is 030 12345678",
    "Customer: I'm on version 4.12.2031 of the app",
    "Customer: it cost $2,125.55 at 10:45 on 12/05/2024",
    "[03.12.2024 09:15] Anna: hi, my phone broke",
    "Customer: the engineer came on 05-06-2024 10:30",
    "Agent: booked for 01.02.2024, 09:45, call us if not",
    "Customer: mobile delivery slot on 02 03 2024",
]


@pytest.mark.parametrize("text", PHONE_LOOKALIKES)
def test_phone_lookalike_stays_clean(text: str) -> None:
    assert labelled(text, "PHONE") == []


# --------------------------------------------------------------------- account ids
ACCOUNTS: list[tuple[str, str]] = [
    ("Agent: Which account is this about?\nCustomer: 3245 4833 78", "3245 4833 78"),
    ("Agent: Can I have your acct?\nUser: 58795469", "58795469"),
    ("Agent: And your a/c please?\nCustomer: it's 88-562094", "88-562094"),
    ("Agent: Please give me your client ref.\nUser: CR/54879/LU", "CR/54879/LU"),
    ("Agent: What's the contract number?\nMember: 9872/57397", "9872/57397"),
    ("Account: AC269249642", "AC269249642"),
    ("Membership number: M-650150\nTopic: billing", "M-650150"),
    ("Acct: 91948014", "91948014"),
    (
        "IVR: Please say or key in your account number.\n"
        "Caller: two three oh nine oh oh five six three nine",
        "two three oh nine oh oh five six three nine",
    ),
    ("Customer: my policy is PX/2231/887", "PX/2231/887"),
]


@pytest.mark.parametrize(("text", "value"), ACCOUNTS)
def test_account_is_found(text: str, value: str) -> None:
    assert labelled(text, "ACCOUNT_ID") == [value]


ACCOUNT_LOOKALIKES: list[str] = [
    "Agent: Which account is this about?\nCustomer: the one with ticket 55120934",
    "Reference: CMP/485015\nTopic: refund",
    "Customer: born 12/05/1990, account opened since then",
    "Agent: Which account is this about?\nCustomer: my cell is 030 12345678",
]


@pytest.mark.parametrize("text", ACCOUNT_LOOKALIKES)
def test_account_lookalike_stays_clean(text: str) -> None:
    assert labelled(text, "ACCOUNT_ID") == []


# -------------------------------------------------------------------------- e-mails
EMAILS: list[tuple[str, str]] = [
    ("caller: it's j o h n at gmail dot com", "j o h n at gmail dot com"),
    (
        "caller: john underscore smith at outlook dot co dot uk",
        "john underscore smith at outlook dot co dot uk",
    ),
    ("caller: mary dot jones at sign yahoo dot com", "mary dot jones at sign yahoo dot com"),
    ("caller: r a j at the rate rediffmail dot com", "r a j at the rate rediffmail dot com"),
    ("caller: kim at fastmail dot fm", "kim at fastmail dot fm"),
    ("caller: p e d r o dash l at proton dot me", "p e d r o dash l at proton dot me"),
    ("caller: dev ops at symbol example dot net", "ops at symbol example dot net"),
    ("caller: sure, lu dot chen at web dot de thanks", "lu dot chen at web dot de"),
    ("caller: it's gio at studio dot photography", "gio at studio dot photography"),
    ("SMS: MY EMAIL IS JOHN.SMITH@GMAIL.COM THX", "JOHN.SMITH@GMAIL.COM"),
    ("SMS: EMAIL ME AT ANA DOT ROSA AT HOTMAIL DOT IT", "ANA DOT ROSA AT HOTMAIL DOT IT"),
]


@pytest.mark.parametrize(("text", "value"), EMAILS)
def test_email_is_found(text: str, value: str) -> None:
    assert labelled(text, "EMAIL") == [value]


EMAIL_LOOKALIKES: list[str] = [
    "caller: i'm at version two dot one dot four",
    "caller: we meet at noon on the dot at the station",
    "caller: the file is at home dot backup",
]


@pytest.mark.parametrize("text", EMAIL_LOOKALIKES)
def test_email_lookalike_stays_clean(text: str) -> None:
    assert labelled(text, "EMAIL") == []


def test_the_north_american_area_table_is_what_phonenumbers_validates() -> None:
    import phonenumbers

    from pledge.pii.nanp_areas import NANP_AREAS

    valid = {
        area
        for area in map(str, range(200, 1000))
        if phonenumbers.is_valid_number(phonenumbers.parse(f"+1{area}2345678"))
    }
    assert valid == NANP_AREAS, "regenerate src/pledge/pii/nanp_areas.py: " + " ".join(
        sorted(valid)
    )
