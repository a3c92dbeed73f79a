"""Properties of ingestion's pure core: nothing detected survives redaction."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pledge.service_data.ingestion import join_turns, process
from pledge.service_data.schemas import Turn
from tests.service_data.conftest import instructions

filler = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40).map(
    lambda s: s.replace("@", " ")
)
emails = st.from_regex(r"[a-z]{3,10}\.[a-z]{2,8}@[a-z]{3,9}\.(com|org|net)", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(before=filler, after=filler, email=emails, speaker=st.sampled_from(["customer", "user"]))
def test_emails_never_survive(before: str, after: str, email: str, speaker: str) -> None:
    turns = [
        Turn(speaker="agent", text="¿Cómo puedo ayudarle? 👋"),
        Turn(speaker=speaker, text=f"{before} my email is {email} {after}"),
    ]
    result = process(instructions(), turns)
    assert all(email not in turn["text"] for turn in result.turns)
    assert "[EMAIL]" in result.turns[1]["text"]


@settings(max_examples=60, deadline=None)
@given(
    before=filler,
    first=st.sampled_from(["Christopher", "Elizabeth", "Alexander", "Ann", "Jo"]),
    last=st.sampled_from(["Wallace", "Montgomery", "Lee", "Garcia"]),
    tail=st.sampled_from(["", ".jr", "99"]),
    domain=st.from_regex(r"[a-z]{1,4}\.(co|io|us)", fullmatch=True),
)
def test_a_name_running_into_an_address_leaves_none_of_it(
    before: str, first: str, last: str, tail: str, domain: str
) -> None:
    """ "my name is Christopher Wallace@ab.co" once kept "@ab.co" in the stored turn."""
    turns = [
        Turn(speaker="agent", text="May I have your name and e-mail?"),
        Turn(speaker="customer", text=f"{before} my name is {first} {last}{tail}@{domain} ok"),
    ]
    result = process(instructions(), turns)
    assert "@" not in result.turns[1]["text"]
    assert domain not in result.turns[1]["text"]
    assert "[EMAIL]" in result.turns[1]["text"]


@given(texts=st.lists(st.text(max_size=30), min_size=1, max_size=6))
def test_turn_ranges_slice_each_text(texts: list[str]) -> None:
    turns = [Turn(speaker=f"s{i}", text=t) for i, t in enumerate(texts)]
    transcript, ranges = join_turns(turns)
    assert [transcript[a:b] for a, b in ranges] == texts


@settings(max_examples=40, deadline=None)
@given(
    area=st.sampled_from(["212", "312", "415", "617", "646", "713", "206", "305"]),
    local=st.from_regex(r"[2-9][0-9]{6}", fullmatch=True),
    prefix=filler,
)
def test_collected_phone_is_e164_and_redacted(area: str, local: str, prefix: str) -> None:
    digits = area + local
    spoken = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    turns = [
        Turn(speaker="agent", text="What is the best callback number?"),
        Turn(speaker="customer", text=f"{prefix} call me at {spoken} please"),
    ]
    result = process(instructions(), turns)
    assert spoken not in result.turns[1]["text"]
    if "callback_phone" in result.collected:
        assert result.collected["callback_phone"] == f"+1{digits}"
