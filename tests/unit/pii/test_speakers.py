"""Who is speaking (`pledge.pii.context.split_turns`): social-media handles and businesses
writing under their own name (issue #16)."""

from __future__ import annotations

from pledge.pii import Detector
from pledge.pii.context import split_turns

PERSONS = Detector(labels=["PERSON"])


def roles(text: str) -> list[bool]:
    return [t.is_agent for t in split_turns(text)]


def test_a_brand_handle_answers_and_a_person_s_handle_does_not() -> None:
    text = "Kemi O.: hi\n@NorthwindHelp: Hi Kemi!\n@jane_doe: same here\n@AskTailspin: ok"
    assert roles(text) == [False, True, False, True]


def test_a_business_label_is_the_answering_side_for_its_own_line_only() -> None:
    text = "Contoso Telecom: your order has shipped.\nit never came - Ananya\nSorry about that."
    assert roles(text) == [True, False, False]


def test_names_an_agent_signs_with_are_not_reported_nor_thanks_by_them() -> None:
    text = (
        "Ama Owusu: my parcel never came\n"
        "@LitwareHelp: Sorry Ama! Could you DM the order number? ^Salimah\n"
        "Ama Owusu: thanks Salimah"
    )
    found = [text[s.start : s.end] for s in PERSONS.detect(text)]
    assert "Salimah" not in found
    assert "Ama Owusu" in found or "Ama" in found


def test_a_customer_s_signature_in_a_text_thread_is_reported() -> None:
    text = "Contoso Telecom: your order has shipped.\nit never came, call me - Ananya"
    assert [text[s.start : s.end] for s in PERSONS.detect(text)] == ["Ananya"]
