"""Name rules that do not depend on the learned model (issue #16): spelled names,
signatures, vocatives with given names of any country, replies to short or ASR questions,
and the answering agent's own name in a speaker label.  Hand-written phrasings."""

from __future__ import annotations

import pytest

from pledge.pii import Detector

PERSONS = Detector(labels=["PERSON"])


def names(text: str) -> list[str]:
    return [text[s.start : s.end] for s in PERSONS.detect(text)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # spelled letter by letter, after "that's" or in reply to a name question
        ("agent: surname please\ncaller: it's kowal that's k o w a l", "k o w a l"),
        ("Agent: Could you spell your surname?\nCustomer: O-K-A-F-O-R", "O-K-A-F-O-R"),
        # a short phrase asks, even without a question mark (speech recognised)
        ("agent: and the first name\ncaller: dhriti", "dhriti"),
        ("agent: sure whose name is the booking in\ncaller: teresa davidson", "teresa davidson"),
        # signed texts, also with a name no English list knows
        ("can you call me back on 0412 555 901? - Harnail", "Harnail"),
        ("thanks for nothing ~ Tomás Ruiz", "Tomás Ruiz"),
        # vocatives with given names from the lexicon's countries
        ("Agent: Done, Nobantu. Anything else?", "Nobantu"),
        ("Bot: Found you, Yasmin. Your balance is $20.", "Yasmin"),
        ("Agent: Anything else, Rodney?", "Rodney"),
        ("Bot: Connecting you to Brona H. now.", "Brona"),
        ("Staff: And the name?\nMember: that'd be Jillian Patchett", "Jillian Patchett"),
        # a mail pasted into a chat: its header and the line after its closing
        ("FROM: RAINER KALLIO <RKALLIO@PROTON.ME>\nRE: refund", "RAINER KALLIO"),
        ("hello, still waiting on the refund\nKind regards,\nJudith Suarez", "Judith Suarez"),
    ],
)
def test_names_found_by_rules(text: str, name: str) -> None:
    assert any(name in f or f in name for f in names(text)), names(text)


def test_spelled_identifier_prefix_is_no_name() -> None:
    text = "agent: what is the member ID?\ncaller: m b r six double oh nine three eight six"
    assert names(text) == []


def test_the_agents_own_name_in_its_speaker_label_is_not_reported() -> None:
    text = (
        "Gloria (Support): Hello! How can I help?\n"
        "Kent: hi, the app shows an old address for me\n"
        "Gloria (Support): Updated. Anything else, Kent?\n"
        "Kent: no that's all, thanks Gloria"
    )
    found = names(text)
    assert "Gloria" not in found
    assert "Kent" in found


def test_role_labels_in_other_languages_and_quoted_chats() -> None:
    text = "Service: How can I help?\nKunde: I moved house last month.\nKunde: Thanks"
    assert names(text) == []
    quoted = ">> support: Hi, I'm Nova, a virtual assistant.\n>> me: hi"
    assert names(quoted) == []


def test_everyday_words_after_a_name_are_not_part_of_it() -> None:
    text = "Agent: Done, Leon. Refund of $770 in 6 weeks.\nBot: Please type your DOB (so we can)."
    assert names(text) == ["Leon"]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # a business sending texts, a shop's town, a form's field label, a code
        ("Tembisa Telecom: your order has shipped.\nThanks, Ngozi Adeyemi", ["Ngozi Adeyemi"]),
        ("Customer: I'm Priyanka Rao\nAgent: It leaves our Rao store by 6pm.", ["Priyanka Rao"]),
        ("Name: Oluwaseun Bello\nTopic: billing problem\nPhone: 0412 555 901", ["Oluwaseun Bello"]),
        ("Customer: my name is Ana Lima, ticket reference QXTRLP still open", ["Ana Lima"]),
        ("Customer: it's ORD-81960444, nothing came", []),
    ],
)
def test_businesses_places_fields_and_codes_are_no_names(text: str, kept: list[str]) -> None:
    assert names(text) == kept


@pytest.mark.parametrize(
    ("text", "word", "kept"),
    [
        ("Contoso Telecom: your order has shipped", "Contoso", False),
        ("leaves our Martinshire store by 6pm", "Martinshire", False),
        ("Topic: complaint reference", "Topic", False),
        ("Topic: reference CMP/106976 still open", "CMP", False),
        ("ticket reference RCHHWG still open", "RCHHWG", False),
        ("Kowalski Bank said no", "Kowalski", True),  # a person at a bank
        ("August: no that's all", "August", True),  # a person's name as a label
        ("Mr Contoso will call", "Contoso", True),
    ],
)
def test_the_model_s_businesses_places_fields_and_codes_are_dropped(
    text: str, word: str, kept: bool
) -> None:
    from pledge.pii.names import _not_organisations
    from pledge.pii.spans import Span

    start = text.index(word)
    span = Span(start, start + len(word), "PERSON", 0.8)
    assert (_not_organisations(text.lower(), [span]) == [span]) is kept


@pytest.mark.parametrize(
    ("text", "word", "kept"),
    [
        ("Thank you for your letter, Mrs Wei.", "Mrs Wei", "Wei"),
        ("Custmer number: 9247-8812", "Custmer", None),
        ("membr ID 4471220", "membr", None),
    ],
)
def test_titles_and_field_words_leave_the_model_s_spans(
    text: str, word: str, kept: str | None
) -> None:
    from pledge.pii.names import _not_organisations
    from pledge.pii.spans import Span

    start = text.index(word)
    got = _not_organisations(text.lower(), [Span(start, start + len(word), "PERSON", 0.8)])
    assert [text[s.start : s.end] for s in got] == ([kept] if kept else [])


@pytest.mark.parametrize(("word", "everyday"), [("deliveries", True), ("Wi-Fi", True),
                                                ("Nobantu", False),
                                                ("Baker", False)])  # fmt: skip
def test_everyday_words_are_english_and_no_common_name(word: str, everyday: bool) -> None:
    from pledge.pii.names import _everyday

    assert _everyday(word) is everyday
