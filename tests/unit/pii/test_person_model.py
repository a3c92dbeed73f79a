"""The learned PERSON model: names without cues, look-alikes kept clean, reproducible training.

The sentences here are written by hand, in phrasings neither dev.jsonl nor the generator
uses, so they test what the model learned rather than what it was shown.
"""

from __future__ import annotations

import gzip
import json
from importlib.resources import files

import pytest

from pledge.pii import LABELS, Detector
from pledge.pii.context import make_doc
from pledge.pii.person_features import CONTEXT_TEMPLATES, WORD_TEMPLATES, tokens_of
from pledge.pii.person_lexicon import lexicon_flags
from pledge.pii.person_model import find_learned_names

PERSONS = Detector(labels=["PERSON"])

NAMED = [
    (
        "Agent: who do I have the pleasure of chatting with?\nCustomer: Oluwaseun Adeyemi",
        "Oluwaseun Adeyemi",
    ),
    ("Customer: my wife Mei Lin set up the account", "Mei Lin"),
    ("Customer: hi its about my delivery, thanks - Priyanka", "Priyanka"),
    ("Agent: Lovely, thank you Bartholomew. Anything else?", "Bartholomew"),
    ("Customer: Siobhan Ní Bhriain speaking, I rang yesterday", "Siobhan"),
    ("Customer: it is under Haruto Takahashi", "Haruto Takahashi"),
    ("Customer: could you put me through to Sandra Okafor in billing", "Sandra Okafor"),
    ("Customer: The parcel was signed for by Tomasz Wiśniewski apparently", "Tomasz"),
    ("caller: yeah my dad james wants to know", "james"),
    ("Agent: if you call back, ask for Mrs dos Santos", "dos Santos"),
    ("Customer: it's for my stepdaughter Amara-Grace Obi", "Amara-Grace Obi"),
]

CLEAN = [
    "Agent: You're welcome. Take care!",
    "Agent: Done. Autopay will run on the first of the month.",
    "Customer: My camera won't connect to Wi-Fi since the update.",
    "Customer: Hi, I'm calling about my bill from last month.",
    "Agent: Thank you for calling Northwind Energy, how can I help?",
    "Agent: Your parcel is at our Springfield depot.",
    "Customer: Great, cheers for sorting that out.",
    "Agent: Deliveries will now go to the new address.",
    "Customer: can I talk to Support please",
    "Customer: my wife Visa card was charged twice",
    "Customer: could I speak to a manager",
]


@pytest.mark.parametrize(("text", "name"), NAMED)
def test_names_without_the_usual_cues(text: str, name: str) -> None:
    found = [text[s.start : s.end] for s in PERSONS.detect(text)]
    assert any(name in f or f in name for f in found), found


@pytest.mark.parametrize("text", CLEAN)
def test_capitalised_words_that_are_not_names(text: str) -> None:
    assert [text[s.start : s.end] for s in PERSONS.detect(text)] == []


def test_the_assistants_own_name_is_not_reported() -> None:
    text = (
        "Bot: Hi! I'm Juniper, the virtual helper here.\nUser: hello Juniper, my name is Ana Silva"
    )
    found = [text[s.start : s.end] for s in PERSONS.detect(text)]
    assert found == ["Ana Silva"]


def test_words_are_letters_only() -> None:
    doc = make_doc("Customer: ¼¼ A. Smith-Jones o'neill 42")
    assert [doc.text[t.start : t.end] for t in tokens_of(doc)] == [
        "Customer",
        "A",
        "Smith-Jones",
        "o'neill",
    ]


def test_a_lone_lower_case_letter_is_never_a_name() -> None:
    doc = make_doc("caller: it was at 7 thirty a m and then p m")
    assert find_learned_names(doc) == []


def test_lexicon_buckets() -> None:
    assert lexicon_flags("oluwaseun")[0] != "0"  # a given name somewhere
    assert lexicon_flags("okafor")[1] != "0"  # a surname somewhere
    assert lexicon_flags("the")[2] == "4"  # very common English
    assert lexicon_flags("zzqxv") == "000"


def test_shipped_weights_cover_every_template_and_come_from_the_train_split() -> None:
    raw = files("pledge.pii").joinpath("model/person.json.gz").read_bytes()
    data = json.loads(gzip.decompress(raw))
    assert data["meta"]["split"] == "train"
    assert set(data["word"]) <= set(WORD_TEMPLATES)
    assert set(data["context"]) <= set(CONTEXT_TEMPLATES)
    # every context template was used by training; a template dropped from the features
    # but left in the weights (or the reverse) would silently shift every score
    assert set(data["context"]) == set(CONTEXT_TEMPLATES)


@pytest.mark.slow
def test_shipped_weights_are_what_the_training_script_makes() -> None:
    """Reproducible: the script, on its documented defaults, gives the shipped bytes."""
    from training.pii import train_person
    from training.pii.generate import generate

    shipped = files("pledge.pii").joinpath("model/person.json.gz").read_bytes()
    meta = json.loads(gzip.decompress(shipped))["meta"]
    rows = list(generate("train", meta["count"], meta["seed"]))
    extra = train_person.negatives(meta["count"] // 4, meta["seed"])
    weights = train_person.train(rows + extra, meta["epochs"], meta["seed"], meta["dropout"])
    assert train_person.export(weights, meta) == shipped


def test_the_turn_cache_keeps_no_text_and_ignores_digits() -> None:
    from pledge.pii.person_model import load_model

    model = load_model()
    first = "Customer: hi, Okonkwo Adaeze here, order 55120934 arrived broken"
    second = "Customer: hi, Okonkwo Adaeze here, order 98765432 arrived broken"
    found = [[t[s.start : s.end] for s in PERSONS.detect(t)] for t in (first, second)]
    assert found[0] == found[1] == ["Okonkwo Adaeze"]
    for key, value in model._turns.items():
        # the line's hash, its length and offsets, the speaker's role and the agent's topic
        assert all(isinstance(part, str) is False or part in LABELS for part in key)
        assert all(isinstance(n, int) for pair in value for n in pair)
    assert model._word_scores
    assert all(isinstance(part, int) for key in model._word_scores for part in key)


def test_in_ascii_text_turns_without_a_word_worth_scoring_tag_no_names() -> None:
    """`PersonModel.doc_names` skips `may_hold_names` in ASCII text and tags the turn
    straight away: that must give no names wherever the look would have said none."""
    from pledge.pii.person_features import may_hold_names, turn_tokens
    from pledge.pii.person_model import load_model

    model = load_model()
    text = "\n".join(
        [
            "Agent: Thank you for calling, how can I help you today?",
            "Customer: hi yes I want to check my order please",
            "Agent: Sure. What is the order number?",
            "Customer: it's 55120934 and the email is on the account",
            "caller: ok thanks bye",
            "Agent: J. is here. A.",
            "Agent: Is there anything else I can help you with?",
            "Customer: no that is all, thank you",
            "Agent: ok",
            "caller: yes",
            *CLEAN,
            *(t for t, _ in NAMED if t.isascii()),
        ]
    )
    doc = make_doc(text)
    assert doc.text.isascii()
    looked = 0
    for index in range(len(doc.turns)):
        if not may_hold_names(doc, index):
            looked += 1
            assert not any(model.tag(doc, turn_tokens(doc, index)))
    assert looked >= 4


def test_the_inlined_context_score_adds_up_what_the_features_say() -> None:
    """`tag` scores context with `_context_score`; training sees `context_values`."""
    from training.pii.generate import generate

    from pledge.pii.person_features import context_values, turn_facts, turn_tokens
    from pledge.pii.person_model import _context_score, _TurnWeights, load_model

    model = load_model()
    checked = 0
    rows = list(generate("train", 300, 11))
    texts = [r["text"] for r in rows] + [r["text"].lower() for r in rows[:50]]
    for text in texts:
        doc = make_doc(text)
        for index in range(len(doc.turns)):
            tokens = turn_tokens(doc, index)
            if not tokens:
                continue
            facts = turn_facts(doc, index, len(tokens))
            weights = _TurnWeights(model.context_tables, facts)
            for i in range(len(tokens)):
                for prev in ("N", "O"):
                    values = context_values(doc, tokens, i, prev, facts)
                    want = sum(
                        t.get(v, 0.0) for t, v in zip(model.context_tables, values, strict=True)
                    )
                    got = _context_score(doc, tokens, i, prev, facts, weights)
                    assert got == pytest.approx(want, abs=1e-9)
                    checked += 1
    assert checked > 10_000
