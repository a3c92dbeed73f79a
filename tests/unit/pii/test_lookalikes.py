"""Look-alikes decided by context and validity (issue #16, point 3).

An account number, a case number, a tracking number and a phone number can be written the
same way, and so can a software version and an IPv4 address.  These hand-written cases use
phrasings the benchmark corpus does not (other cue words, cues after the value, ASR-style
lower case, spoken digits, dashed alphanumeric identifiers) so that the rules are checked
for what they mean, not for one generator's wording.  The nearest cue word in the value's
clause decides; the agent's question decides only when the reply has no cue of its own.
"""

from __future__ import annotations

import pytest

from pledge.pii import detect


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in detect(text)]


def labelled(text: str, label: str) -> list[str]:
    return [value for value, got in found(text) if got == label]


# ------------------------------------------------------------------ account ids
ACCOUNTS: list[tuple[str, str]] = [
    ("Customer: acct no. 4471-2209-13 please", "4471-2209-13"),
    ("caller: a/c 00918273", "00918273"),
    ("Customer: acc no 55829103", "55829103"),
    ("Customer: customer no. 7730019", "7730019"),
    ("Customer: my customer # is 88-41-0923", "88-41-0923"),
    ("Customer: membership id is GLD 448120", "GLD 448120"),
    ("Customer: subscriber ID 9V4-1182-203", "9V4-1182-203"),
    ("Customer: the client ref is CR-20931-B", "CR-20931-B"),
    ("Customer: my rewards number is 6004 1129 337", "6004 1129 337"),
    ("caller: loyalty no 71 2290 4415", "71 2290 4415"),
    ("Customer: contract number KT-2291-0047", "KT-2291-0047"),
    ("Customer: billing id 3390-1127", "3390-1127"),
    ("Customer: policy no. HX-4410-22", "HX-4410-22"),
    ("Customer: the number on my account is 60912273", "60912273"),
    ("Customer: it's under account 88120456 I think", "88120456"),
    ("Customer: 77310925 is my account number", "77310925"),
    ("Customer: 4410-229-871, that's the account number", "4410-229-871"),
    ("Customer: X7Q-55128 is my member ID", "X7Q-55128"),
    ("caller: yeah the acct is 4471 2209 13", "4471 2209 13"),
    (
        "caller: my account number is four four one two nine zero seven seven",
        "four four one two nine zero seven seven",
    ),
    ("Customer: account number 6462017783", "6462017783"),  # a valid phone shape
    ("Customer: 6462017783 is my customer number", "6462017783"),
    ("User: order no. 5120-88341 never arrived", "5120-88341"),
    ("Agent: Can I have your account number?\nCustomer: sure thing, 5518 2290 43", "5518 2290 43"),
    ("Agent: What is your member number, please?\nUser: MX-44120-9", "MX-44120-9"),
    ("Agent: Could I get your rewards number?\nCustomer: yep 6004112933", "6004112933"),
    # other cue words customers use for their own numbers
    ("Customer: my frequent flyer number is QF 8812 4409, add it please", "QF 8812 4409"),
    ("Customer: My frequent-flyer no. is BA77120456.", "BA77120456"),
    ("Customer: booking ABC123 is fine, my ff number EK 221 045 881", "EK 221 045 881"),
    ("Customer: MRN 7734102 for my daughter.", "7734102"),
    ("Customer: student id is S2049118 and I can't log in", "S2049118"),
    ("Customer: client reference CR-20931-B regarding invoice INV-558812", "CR-20931-B"),
    ("Customer: I'm a member, number M0041882, and my claim is CLM-992011", "M0041882"),
    ("Customer: I've got my account number here: 77310925. Also serial SN-88120033.", "77310925"),
    ("Customer: membership no. is probably 4410229871", "4410229871"),
    ("Customer: the meter number is 88120934 and my account is 3300 1122 4455", "3300 1122 4455"),
    ("Customer: points missing again, card no LY964674352", "LY964674352"),
    ("Customer: my loyalty card number: 6004 1129 3345 7781", "6004 1129 3345 7781"),
    ("Agent: What's your customer reference?\nCustomer: 8834-1120-77", "8834-1120-77"),
    (
        "Agent: Could you read me the number on your membership card?\n"
        "Customer: yeah 6221 0044 8812",
        "6221 0044 8812",
    ),
    ("Customer: US32702606 is my supply account", "US32702606"),
    ("Customer: 4471 2209 13, that's the old member number", "4471 2209 13"),
    # "no." ends an abbreviation, not the request
    ("Agent: And your subscriber no. if you have it?\nCustomer: hang on... 120167/GB", "120167/GB"),
    # ASR requests have no question mark
    (
        "agent: and do you have your employee id there\ncaller: fd 1972 5417",
        "fd 1972 5417",
    ),
    ("Staff: Which club card is it under?\nMember: the one on my card is 4711127", "4711127"),
    # letters spelled out before spoken digits belong to the identifier
    (
        "rep: what is your account\ncaller: it's a c c four three double six five three nine zero",
        "a c c four three double six five three nine zero",
    ),
    (
        "agent: What is the member ID?\ncaller: m b r six double oh nine three eight six",
        "m b r six double oh nine three eight six",
    ),
    (
        "caller: my policy number is q c, four six five four double six one two",
        "q c, four six five four double six one two",
    ),
]


@pytest.mark.parametrize(("text", "value"), ACCOUNTS)
def test_account_ids_in_other_shapes_and_cues(text: str, value: str) -> None:
    assert labelled(text, "ACCOUNT_ID") == [value]


@pytest.mark.parametrize(
    "text",
    [
        "Customer: the IMEI is 490154203237518",
        "caller: my order number is four one four nine four seven two six six zero four six eight "
        "six zero three seven",
    ],
)
def test_luhn_valid_identifiers_named_otherwise_are_no_cards(text: str) -> None:
    assert labelled(text, "CREDIT_CARD") == []


def test_a_card_number_is_still_a_card() -> None:
    assert labelled("Customer: my card is 4111 1111 1111 1111", "CREDIT_CARD") == [
        "4111 1111 1111 1111"
    ]


NOT_ACCOUNTS: list[str] = [
    "Customer: my incident number is INC-0045512",
    "Customer: claim number 7712 0093 41",
    "Customer: the RMA is 55120934",
    "Customer: return number R-7741200",
    "Customer: serial SN 4X1-99201-88",
    "Customer: model no. 5512093",
    "Customer: store number 004512",
    "Customer: promo code 55120934 didn't work",
    "Agent: your reference for this case is REF-4410293",
    "Customer: my account got locked, the ticket is TK-5512093",
    "Customer: about my account: case 44120987 is still open",
    "Agent: the shipment booking number is BK 7712 0045",
    "Agent: your confirmation no. is 88120456",
    "caller: i have a problem with my account the ticket number is 5512 0934",
    "Agent: What's your account number?\nCustomer: I only have the ticket number, it's 55120934",
    "Agent: Can I get the account number?\nCustomer: the case is 4471 2290",
    "Agent: Account number please?\nCustomer: all I have is the tracking number, 9400111202",
    "Agent: What's the account number on file?\nCustomer: the confirmation I got was 88120456",
    "Agent: And your customer ID?\nCustomer: sorry, I only see an RMA: 7710-2234",
    "Customer: my account is fine, the meter number is 88120934",
    "Agent: Found it. Your work order is 87890239.",
    "Agent: What's your account number?\nCustomer: one sec\nCustomer: the job number is 47111500",
    "Agent: Your member number?\nCustomer: the one on my card is 4111 1111 1111 1111",
    "Customer: the gift card number is 6006 4912 3345 7712",
    "Customer: card number 4111 1111 1111 1111",  # a payment card, not an account
    "Agent: What's your account number?\nCustomer: it's a parcel, the consignment is 55120934",
]


@pytest.mark.parametrize("text", NOT_ACCOUNTS)
def test_case_ticket_and_other_numbers_are_not_accounts(text: str) -> None:
    assert labelled(text, "ACCOUNT_ID") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "agent: can i get the account number\ncaller: yeah its four four one two nine "
            "zero seven seven",
            [("four four one two nine zero seven seven", "ACCOUNT_ID")],
        ),
        (
            "caller: my account number is 4471 2209 13 and my phone is 415 362 8890",
            [("4471 2209 13", "ACCOUNT_ID"), ("415 362 8890", "PHONE")],
        ),
        (
            "agent: whats the account number\ncaller: 7731 0925 is the ticket number sorry\n"
            "caller: the account is 4471 2209 13",
            [("4471 2209 13", "ACCOUNT_ID")],
        ),
        (
            "Agent: Account number, please.\nCustomer: my mobile is four one five three six "
            "two eight eight nine zero",
            [("four one five three six two eight eight nine zero", "PHONE")],
        ),
        (
            "Agent: Thanks, ticket 55120934 is open for account 77310925.",
            [("77310925", "ACCOUNT_ID")],
        ),
        ("caller: i placed an order of 50000 units", []),
        ("Customer: member since 20150101", []),
        # the reply's own cue outranks the agent's SSN question
        (
            "Bot: And your SSN or account number?\nUser: member ID 178 500 523",
            [("178 500 523", "ACCOUNT_ID")],
        ),
        ("Bot: And your SSN or account number?\nUser: 178 500 523", [("178 500 523", "US_SSN")]),
    ],
)
def test_short_dialogues(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_each_number_takes_its_own_nearest_cue() -> None:
    text = "Customer: my account number is 55120934 and the ticket is 77120456"
    assert found(text) == [("55120934", "ACCOUNT_ID")]
    text = "Customer: case 77120456 is about account 55120934"
    assert found(text) == [("55120934", "ACCOUNT_ID")]


# ---------------------------------------------------------------- phones vs ids
@pytest.mark.parametrize(
    ("text", "value", "label"),
    [
        (
            "Agent: Can I get your account number?\nCustomer: I don't have it, my cell is "
            "(415) 362-8890",
            "(415) 362-8890",
            "PHONE",
        ),
        (
            "Agent: What's the account number?\nCustomer: you can call me on 646 201 7783",
            "646 201 7783",
            "PHONE",
        ),
        (
            "Agent: Your customer number?\nCaller: my phone number is 6462017783",
            "6462017783",
            "PHONE",
        ),
        ("Customer: account 646-201-7783", "646-201-7783", "ACCOUNT_ID"),
        ("Customer: the number on the account is 646 201 7783", "646 201 7783", "ACCOUNT_ID"),
    ],
)
def test_phone_or_account_by_cue(text: str, value: str, label: str) -> None:
    assert found(text) == [(value, label)]


@pytest.mark.parametrize(
    "text",
    [
        "Customer: 1234567890",  # area code 123 does not exist
        "Customer: 0000000000",
        "Customer: the code was 4412345678901234",
    ],
)
def test_bare_numbers_that_are_no_plausible_phone(text: str) -> None:
    assert labelled(text, "PHONE") == []


# ------------------------------------------------------------------ IP vs version
IPS: list[tuple[str, str]] = [
    ("Customer: the router page is at 192.168.1.1", "192.168.1.1"),
    ("Customer: our gateway is 10.0.0.1", "10.0.0.1"),
    ("Customer: I'm connecting from 203.0.113.45", "203.0.113.45"),
    ("Customer: the dns server 8.8.4.4 doesn't answer", "8.8.4.4"),
    ("caller: i cant ping 172.16.254.3 at all", "172.16.254.3"),
    ("Customer: the server at 10.2.14.3 is down", "10.2.14.3"),
    ("Customer: I updated the app and now 192.168.0.1 won't load", "192.168.0.1"),
    ("Customer: after the update, the ip shows 10.2.14.3", "10.2.14.3"),
]


@pytest.mark.parametrize(("text", "value"), IPS)
def test_ip_addresses_with_network_context(text: str, value: str) -> None:
    assert found(text) == [(value, "IP_ADDRESS")]


VERSIONS: list[str] = [
    "Customer: I updated to 10.2.14.3 last night",
    "Customer: the app is on 4.12.0.7",
    "Agent: please install build 2.0.11.5",
    "Customer: my os is 11.2.3.4",
    "Customer: driver 31.0.101.4 is installed",
    "Agent: the release notes for 5.1.2.9 mention it",
    "Customer: upgraded to v 3.4.5.6 and it broke",
    "Customer: software 7.7.0.1 crashes on start",
    "Customer: patch 1.2.3.4 broke my login",
    "caller: the firmware update 12.4.0.2 didnt fix it",
    "Customer: it shows 192.168.01.1",  # a leading zero: not a valid address
    "Customer: it shows 256.10.1.1",  # octet out of range
    "Customer: I'm running 10.2.14.3 on my laptop",
    "Customer: it's the 10.2.14.3 release",
]


@pytest.mark.parametrize("text", VERSIONS)
def test_versions_and_invalid_quads_are_not_ips(text: str) -> None:
    assert found(text) == []


def test_version_and_address_in_one_turn() -> None:
    text = "Customer: I'm on version 10.2.14.3 but the router at 192.168.1.1 keeps dropping"
    assert found(text) == [("192.168.1.1", "IP_ADDRESS")]
