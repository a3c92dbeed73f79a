"""Redaction and offsets with non-ASCII text (Python str indices, not bytes)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pledge.pii import LABELS, Span, detect, redact

# Text that cannot itself form part of an e-mail address.
filler = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="@.\n_-+%'").filter(
        lambda c: not c.isalnum() or not c.isascii()
    ),
    max_size=40,
)
# Without letters: a word of any script may be read as a name by the learned PERSON model,
# which is not what these properties are about.
symbols = filler.map(lambda s: "".join(c for c in s if not c.isalpha()))


@settings(max_examples=60, deadline=None)
@given(filler, filler)
def test_email_offsets_exact_with_unicode_around(before: str, after: str) -> None:
    email = "zoë.user@example.org"
    text = f"{before} {email} {after}"
    found = [s for s in detect(text) if s.label == "EMAIL"]
    assert [text[s.start : s.end] for s in found] == [email]


@settings(max_examples=60, deadline=None)
@given(symbols, symbols)
def test_redacted_text_hides_value(before: str, after: str) -> None:
    text = f"{before} Customer: my card is 4111 1111 1111 1111 {after}"
    out = redact(text, detect(text))
    assert "4111 1111 1111 1111" not in out
    assert "[CREDIT_CARD]" in out
    assert out.startswith(before)


def test_placeholders_in_order_and_unicode_inside() -> None:
    text = "Ünïcødé — mail jö@exämple.de, phone (212) 555-0147, ok"
    spans = [Span(15, 28, "EMAIL"), Span(36, 50, "PHONE")]
    assert text[15:28] == "jö@exämple.de"
    assert redact(text, spans) == "Ünïcødé — mail [EMAIL], phone [PHONE], ok"


def test_redact_clips_and_merges() -> None:
    # The address is kept whole, and the name's characters it did not claim are redacted too
    # (this once gave "a[PERSON]": the first character of the address in clear).
    assert redact("abc", [Span(1, 10, "PERSON"), Span(0, 2, "EMAIL")]) == "[EMAIL][PERSON]"
    assert redact("", []) == ""


_unique = "".join(chr(0x4E00 + i) for i in range(120))  # no character repeats
_claims = st.builds(
    lambda start, length, label, score: Span(start, start + length, label, score),
    st.integers(0, 130),
    st.integers(1, 40),
    st.sampled_from(LABELS),
    st.sampled_from([0.5, 0.9, 1.0]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_claims, max_size=15))
def test_no_claimed_character_survives(spans: list[Span]) -> None:
    out = redact(_unique, spans)
    claimed = {i for s in spans for i in range(s.start, min(s.end, len(_unique)))}
    assert {c for c in out if c in _unique} == {
        c for i, c in enumerate(_unique) if i not in claimed
    }


def test_a_digit_of_another_script_does_not_extend_a_card() -> None:
    """Found by Hypothesis: "… 1111 ౦" read the Telugu zero as a 17th digit."""
    for digit in ("\u0c66", "\u0661", "\u0966"):
        text = f"Customer: my card is 4111 1111 1111 1111 {digit}"
        assert "[CREDIT_CARD]" in redact(text, detect(text))


def test_a_bare_double_colon_is_not_an_address() -> None:
    text = ":: Customer: my server is at 2001:db8::1 and :: is just punctuation"
    found = [(text[s.start : s.end], s.label) for s in detect(text)]
    assert found == [("2001:db8::1", "IP_ADDRESS")]
