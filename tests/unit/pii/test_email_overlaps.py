"""A name that runs into an e-mail address never leaves part of the address in clear.

Issue #11 (leftover): "a PERSON span that swallows an e-mail's local part leaves `@domain`
in clear".  "my name is Christopher Wallace@ab.co" was detected as one PERSON span
"Christopher Wallace" (longer than the EMAIL candidate "Wallace@ab.co", so it won the merge)
and redacted to "my name is [PERSON]@ab.co".
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pledge.pii import LABELS, Span, detect, merge_spans, redact
from pledge.pii.name_data import COMMON_WORDS, FIRST_NAMES, SURNAMES


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in detect(text)]


def test_a_long_name_before_a_short_address_leaves_no_domain() -> None:
    text = "Customer: my name is Christopher Wallace@ab.co"
    assert redact(text, detect(text)) == "Customer: my name is [PERSON] [EMAIL]"
    assert found(text) == [("Christopher", "PERSON"), ("Wallace@ab.co", "EMAIL")]


def test_a_name_that_swallows_part_of_the_local_part() -> None:
    text = "Customer: I am Christopher Wallace.jr@ab.co thanks"
    assert found(text) == [("Christopher", "PERSON"), ("Wallace.jr@ab.co", "EMAIL")]
    assert "@" not in redact(text, detect(text))


def test_a_name_and_its_address_side_by_side_are_two_spans() -> None:
    text = "Customer: this is Elizabeth Montgomery@x.us, call me"
    assert redact(text, detect(text)) == "Customer: this is [PERSON] [EMAIL], call me"


def test_merge_keeps_an_address_whole_against_a_longer_overlapping_span() -> None:
    email = Span(10, 20, "EMAIL")
    person = Span(0, 15, "PERSON")
    assert merge_spans([person, email]) == [email]
    # Even a higher-scored candidate cannot cut into an address.
    assert merge_spans([Span(12, 40, "ACCOUNT_ID", 1.0), Span(10, 20, "EMAIL", 0.9)]) == [
        Span(10, 20, "EMAIL", 0.9)
    ]


def test_redact_covers_the_union_of_every_span() -> None:
    """Characters a dropped candidate claimed are redacted too, under its own label."""
    text = "Christopher Wallace@ab.co!"
    spans = [Span(0, 19, "PERSON"), Span(12, 25, "EMAIL")]
    assert redact(text, spans) == "[PERSON][EMAIL]!"


_FIRST = sorted(w.capitalize() for w in FIRST_NAMES - COMMON_WORDS if w.isalpha())
_LAST = sorted(w.capitalize() for w in SURNAMES - COMMON_WORDS if w.isalpha())
_filler = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="@"),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(
    before=_filler,
    after=_filler,
    cue=st.sampled_from(["my name is ", "this is ", "I am ", "I'm ", "name: ", ""]),
    first=st.sampled_from(_FIRST),
    last=st.sampled_from(_LAST),
    tail=st.sampled_from(["", ".jr", "_2", "-x", "99"]),
    lower=st.booleans(),
    domain=st.from_regex(r"[a-z]{1,6}\.(co|io|us|com|org)", fullmatch=True),
)
def test_no_part_of_an_address_after_a_name_survives(
    before: str,
    after: str,
    cue: str,
    first: str,
    last: str,
    tail: str,
    lower: bool,
    domain: str,
) -> None:
    """The surname doubles as the local part: "my name is Ann Lee@ab.co"."""
    local = (last.lower() if lower else last) + tail
    email = f"{local}@{domain}"
    text = f"{before}\nCustomer: {cue}{first} {email} {after}"
    at = text.index(email)
    spans = detect(text)
    assert "@" not in redact(text, spans)
    covering = [s for s in spans if s.start < at + len(email) and at < s.end]
    assert [s.label for s in covering] == ["EMAIL"]
    assert covering[0].start <= at
    assert covering[0].end >= at + len(email)


_candidates = st.builds(
    lambda start, length, label, score: Span(start, start + length, label, score),
    st.integers(0, 60),
    st.integers(1, 40),
    st.sampled_from(LABELS),
    st.sampled_from([0.5, 0.9, 1.0]),
)


@settings(max_examples=300, deadline=None)
@given(others=st.lists(_candidates, max_size=12), offset=st.integers(0, 30))
def test_whatever_else_is_claimed_an_address_is_redacted_whole(
    others: list[Span], offset: int
) -> None:
    email = "wallace.jr@ab.co"
    text = "x" * offset + email + " and the rest of the sentence" + "y" * 30
    out = redact(text, [*others, Span(offset, offset + len(email), "EMAIL", 0.5)])
    assert "@" not in out
    assert "ab.co" not in out
    assert "wallace" not in out


_anything = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="@"), max_size=30
)
_addresses = st.from_regex(
    r"[a-z][a-z0-9._%+-]{0,12}[a-z0-9]@[a-z0-9]{1,8}(\.[a-z]{2,5}){1,2}", fullmatch=True
)


@settings(max_examples=500, deadline=None)
@given(
    before=_anything,
    after=_anything,
    email=_addresses,
    end=st.sampled_from(list(" ,.;:!?)]>\n\t\"'/")),
)
def test_no_at_sign_survives_whatever_surrounds_the_address(
    before: str, after: str, email: str, end: str
) -> None:
    """Any text before the address, even glued to it; an address ends where a word does."""
    text = f"{before}{email}{end}{after}"
    assert "@" not in redact(text, detect(text))
