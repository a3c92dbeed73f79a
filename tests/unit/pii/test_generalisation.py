"""Hand-written transcripts phrased unlike the benchmark corpus, with hand-labelled spans.

They guard against rules that only fit one generator's templates: other speaker labels,
timestamps, mixed case, spoken digits, international numbers, unit numbers and many date
formats.  Gold spans are given as (substring, label, occurrence) and located at run time.
"""

from __future__ import annotations

import pytest

from pledge.pii import detect

# (transcript, [(value, label), ...]); a value labelled twice means both occurrences.
CASES: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "User: hey, I can't log in\nBot: Sorry about that! Who am I chatting with?\n"
        "User: Priya Raman\nBot: Thanks Priya. What's the email on file?\n"
        "User: priya.raman@fastmail.fm",
        [("Priya Raman", "PERSON"), ("Priya", "PERSON"), ("priya.raman@fastmail.fm", "EMAIL")],
    ),
    (
        "[09:14] Customer: Hi, Tom Becker here, calling about my bill\n"
        "[09:14] Agent: Hi Tom, can I get your account number?\n"
        "[09:15] Customer: yes it's AC-4839201\n"
        "[09:15] Agent: Thanks. Your total due is $84.10 by 04/30/2025.",
        [("Tom Becker", "PERSON"), ("Tom", "PERSON"), ("AC-4839201", "ACCOUNT_ID")],
    ),
    (
        "agent: for security what's your date of birth\n"
        "caller: march fourteenth nineteen eighty five\n"
        "agent: and the last four of your social\n"
        "caller: four eight two one",
        [("march fourteenth nineteen eighty five", "DATE_OF_BIRTH")],
    ),
    (
        "Representative: Could you confirm your DOB, please?\nClient: 14 March 1985\n"
        "Representative: Thanks. Your policy renews on 1 June 2025.",
        [("14 March 1985", "DATE_OF_BIRTH")],
    ),
    (
        "Customer: I was born on March 14th, 1985 and my member ID is MBR-552310.\n"
        "Agent: Got it, member MBR-552310 is verified.",
        [
            ("March 14th, 1985", "DATE_OF_BIRTH"),
            ("MBR-552310", "ACCOUNT_ID"),
            ("MBR-552310", "ACCOUNT_ID"),
        ],
    ),
    (
        "Agent: What's the best number to reach you?\n"
        "Customer: my mobile is +44 7911 123456, or the office on 020 7946 0958",
        [("+44 7911 123456", "PHONE"), ("020 7946 0958", "PHONE")],
    ),
    (
        "agent: what phone number should we use\ncaller: five five five, two one two, "
        "three four five six\nagent: sorry, was that area code five five five?",
        [],  # 555-212-3456 is not a valid NANP number: nothing to flag
    ),
    (
        "agent: what number can we call you back on\n"
        "caller: it's two one two, five five five, zero one nine nine",
        [("two one two, five five five, zero one nine nine", "PHONE")],
    ),
    (
        "Customer: Please send it to 221 Baker Street, Apt 4B, Springfield, IL 62704\n"
        "Agent: Shipping to 221 Baker Street, Apt 4B, Springfield, IL 62704. Tracking "
        "1Z999AA10123456784 will follow.",
        [
            ("221 Baker Street, Apt 4B, Springfield, IL 62704", "STREET_ADDRESS"),
            ("221 Baker Street, Apt 4B, Springfield, IL 62704", "STREET_ADDRESS"),
        ],
    ),
    (
        "CUSTOMER: MY NAME IS DANIEL OKAFOR AND I LIVE AT 18 ELM RD\nAGENT: THANK YOU MR. OKAFOR",
        [("DANIEL OKAFOR", "PERSON"), ("18 ELM RD", "STREET_ADDRESS"), ("OKAFOR", "PERSON")],
    ),
    (
        "Customer: The card is 4111-1111-1111-1111, exp 09/27\n"
        "Agent: Thanks, the card ending in 1111 is saved. Order total: $1,204.99.",
        [("4111-1111-1111-1111", "CREDIT_CARD")],
    ),
    (
        "Agent: To verify, I need your Social Security number.\nCustomer: 123 45 6789\n"
        "Agent: Verified, ***-**-6789 on file. Case #CS-778812 opened.",
        [("123 45 6789", "US_SSN")],
    ),
    (
        "Customer: my router shows IPv6 2001:db8:85a3::8a2e:370:7334 and firmware 10.2.0.15\n"
        "Agent: I see 2001:db8:85a3::8a2e:370:7334 in the logs.",
        [
            ("2001:db8:85a3::8a2e:370:7334", "IP_ADDRESS"),
            ("2001:db8:85a3::8a2e:370:7334", "IP_ADDRESS"),
        ],
    ),
    (
        "Support: Can I have the order number?\nCustomer: Sure — #88231907. It was delivered "
        "at 3:45 PM on 2025-02-11.\nSupport: Order 88231907 found; model XR-2200 v3.1.",
        [("#88231907", "ACCOUNT_ID"), ("88231907", "ACCOUNT_ID")],
    ),
    (
        "Agent: Who do I have the pleasure of speaking with?\nCaller: this is josé garcía\n"
        "Agent: Gracias José, what is your date of birth?\nCaller: 1979-11-02",
        [("josé garcía", "PERSON"), ("José", "PERSON"), ("1979-11-02", "DATE_OF_BIRTH")],
    ),
    (
        "Agent: Please give me the policy number on your card.\nCustomer: POL 7731 0042\n"
        "Agent: Thanks, and your full name as it appears on the policy?\n"
        "Customer: Dr. Hannah Schmidt",
        [("POL 7731 0042", "ACCOUNT_ID"), ("Hannah Schmidt", "PERSON")],
    ),
    (
        "Customer: you can email me at mike underscore lee at gmail dot com\n"
        "Agent: Great. I've refunded 45 dollars; it takes 5 business days.",
        [("mike underscore lee at gmail dot com", "EMAIL")],
    ),
    (
        "Agent: Where should we ship the replacement?\n"
        "Customer: 4500 N Lake Shore Dr Unit 1203, Chicago, Illinois 60640",
        [("4500 N Lake Shore Dr Unit 1203, Chicago, Illinois 60640", "STREET_ADDRESS")],
    ),
]


def _gold(text: str, values: list[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """Each value at its first occurrence not inside an earlier gold span."""
    out: list[tuple[int, int, str]] = []
    for value, label in values:
        start = text.find(value)
        while start >= 0 and any(_overlap((start, start + len(value)), g[:2]) for g in out):
            start = text.find(value, start + 1)
        assert start >= 0, f"fixture error: {value!r} not in text"
        out.append((start, start + len(value), label))
    return out


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def test_generalisation_scores() -> None:
    """Typed micro precision and recall over all cases stay high."""
    tp_gold = n_gold = tp_pred = n_pred = 0
    misses: list[str] = []
    for text, values in CASES:
        gold = _gold(text, values)
        pred = [(s.start, s.end, s.label) for s in detect(text)]
        for g in gold:
            n_gold += 1
            if any(p[2] == g[2] and _overlap(p[:2], g[:2]) for p in pred):
                tp_gold += 1
            else:
                misses.append(f"FN {g[2]} {text[g[0] : g[1]]!r}")
        for p in pred:
            n_pred += 1
            if any(p[2] == g[2] and _overlap(p[:2], g[:2]) for g in gold):
                tp_pred += 1
            else:
                misses.append(f"FP {p[2]} {text[p[0] : p[1]]!r}")
    recall, precision = tp_gold / n_gold, tp_pred / max(1, n_pred)
    assert recall >= 0.9, "\n".join(misses)
    assert precision >= 0.9, "\n".join(misses)


@pytest.mark.parametrize(("text", "values"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_case_has_no_false_alarm(text: str, values: list[tuple[str, str]]) -> None:
    gold = _gold(text, values)
    for s in detect(text):
        assert any(s.label == g[2] and _overlap((s.start, s.end), g[:2]) for g in gold), (
            f"false alarm {s.label} {text[s.start : s.end]!r}"
        )
