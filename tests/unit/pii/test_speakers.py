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


def test_handle_words_are_whole_words_not_letters_inside_a_name() -> None:
    text = "@steamfan: hi\n@scared_cat: hey\n@contoso_support: hello\n@northwindhelp: ok"
    assert roles(text) == [False, False, True, True]


def test_a_handle_with_the_business_kind_in_it_answers() -> None:
    assert roles("@NorthwindTelecom: sorry for the wait\nmy name: x") == [True, False]


def test_a_person_s_name_that_ends_in_a_business_word_is_a_customer() -> None:
    text = "Kevin Power: my bill doubled\nCustomer Bank: hi\nPower: hi\nAgent: Sorry Kevin."
    assert roles(text) == [False, False, False, True]


def test_the_signature_rule_drops_the_agent_s_signed_name() -> None:
    text = "Agent: Your refund is on its way. -Corinna\nCustomer: thanks Corinna"
    assert PERSONS.detect(text) == []


def test_a_name_the_customer_gave_is_no_signature_when_the_agent_ends_with_it() -> None:
    for text in (
        "Customer: hi, I'm Jane Doe and my order is late\nAgent: Sorry about that — Jane!",
        "Customer: hi, I'm Jane Doe\nAgent: We will call you back. - Jane\nCustomer: thanks",
    ):
        found = [text[s.start : s.end] for s in PERSONS.detect(text)]
        assert found == ["Jane Doe", "Jane"], text


def test_a_sign_off_with_a_whole_name_ends_a_customer_s_text() -> None:
    text = "Customer: it never came, can you check? Thanks, Ngozi Adeyemi"
    assert [text[s.start : s.end] for s in PERSONS.detect(text)] == ["Ngozi Adeyemi"]
    assert PERSONS.detect("Customer: thanks, bye now") == []


def test_lower_case_handles_answer_only_when_they_end_in_help_support_or_service() -> None:
    text = "@skincare: hi\n@dontcare: hi\n@askari: hi\n@northwindhelp: hi\n@AskAmex: hi"
    assert roles(text) == [False, False, False, True, True]


def test_a_bank_of_somewhere_is_a_business() -> None:
    assert roles("Bank of Contoso: your card is blocked\nwhy?") == [True, False]
