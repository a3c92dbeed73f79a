"""Street addresses in the shapes the world writes them, and look-alikes that stay clean.

Hand-written from postal conventions, not from any generator: the USPS street suffixes
(Publication 28, appendix C1) and their abbreviations, unit designators, Canadian postal
codes and provinces, UK flats and postcodes, Australian levels, units and states,
continental shapes (German/Dutch compounds with the number after the street, French
"12 rue de ...", Spanish and Italian "Calle/Via ... 5"), house numbers spoken in ASR
text, lower case, PO boxes and rural routes.
"""

from __future__ import annotations

import pytest

from pledge.pii import detect


def addresses(text: str) -> list[str]:
    return [text[s.start : s.end] for s in detect(text) if s.label == "STREET_ADDRESS"]


MUST_DETECT: list[tuple[str, str]] = [
    # USPS suffixes beyond the everyday ones, written out and abbreviated
    (
        "Customer: it's 4417 Maple Hollow, Springfield, IL 62704",
        "4417 Maple Hollow, Springfield, IL 62704",
    ),
    (
        "Customer: ship it to 90 Cedar Crossing Apt 3, Dayton, OH 45402",
        "90 Cedar Crossing Apt 3, Dayton, OH 45402",
    ),
    (
        "Customer: 18 Brookside Heights Ste 210, Fairfax VA 22030",
        "18 Brookside Heights Ste 210, Fairfax VA 22030",
    ),
    (
        "Customer: my address is 7 Pinecrest Cv, Memphis TN 38117",
        "7 Pinecrest Cv, Memphis TN 38117",
    ),
    ("Customer: the address is 3021 Old Mill Rdg", "3021 Old Mill Rdg"),
    ("Customer: it's 55 Harbor View Blvd Fl 3", "55 Harbor View Blvd Fl 3"),
    ("User: 820 Willow Bnd # 4, Austin, TX 78745", "820 Willow Bnd # 4, Austin, TX 78745"),
    ("Customer: 12 Quarry Knolls, Burlington VT 05401", "12 Quarry Knolls, Burlington VT 05401"),
    ("Customer: 301 Lakeside Landing Unit 9", "301 Lakeside Landing Unit 9"),
    ("Customer: 66 Foxglove Meadows, Boise, ID 83702", "66 Foxglove Meadows, Boise, ID 83702"),
    ("Customer: send it to 14 Sandpiper Cmns Level 2", "14 Sandpiper Cmns Level 2"),
    (
        "Customer: 5120 Copper Mountain Estates, Reno NV 89511",
        "5120 Copper Mountain Estates, Reno NV 89511",
    ),
    # unit first
    (
        "Customer: Apt 12, 40 Birch Glen, Albany, NY 12203",
        "Apt 12, 40 Birch Glen, Albany, NY 12203",
    ),
    (
        "Customer: Suite 300 1200 Commerce Pkwy, Irving TX 75063",
        "Suite 300 1200 Commerce Pkwy, Irving TX 75063",
    ),
    # lower case and spoken house numbers (ASR)
    (
        "caller: yeah it's 4417 maple hollow springfield illinois 62704",
        "4417 maple hollow springfield illinois 62704",
    ),
    ("caller: it's one two three main street", "one two three main street"),
    ("caller: four oh nine birch lane apartment six", "four oh nine birch lane apartment six"),
    ("caller: twelve oak avenue", "twelve oak avenue"),
    (
        "caller: my address is nine twenty cedar falls boise idaho",
        "nine twenty cedar falls boise idaho",
    ),
    # PO boxes and rural routes
    ("Customer: PO Box 4471, Boise, ID 83701", "PO Box 4471, Boise, ID 83701"),
    ("Customer: RR 2 Box 152, Rapid City, SD 57701", "RR 2 Box 152, Rapid City, SD 57701"),
    ("Customer: Rural Route 3, Box 19", "Rural Route 3, Box 19"),
    # Canada
    ("Customer: 240 Sparks St, Ottawa, ON K1P 5E6", "240 Sparks St, Ottawa, ON K1P 5E6"),
    (
        "Customer: 1505 Barrington Street Suite 1200, Halifax, Nova Scotia B3J 3K5",
        "1505 Barrington Street Suite 1200, Halifax, Nova Scotia B3J 3K5",
    ),
    (
        "caller: 240 sparks street ottawa ontario k1p 5e6",
        "240 sparks street ottawa ontario k1p 5e6",
    ),
    ("Customer: 77 Tamarack Bay, Winnipeg MB R3T 2N2", "77 Tamarack Bay, Winnipeg MB R3T 2N2"),
    # United Kingdom
    (
        "Customer: Flat 3, 12 Baker Street, London NW1 6XE",
        "Flat 3, 12 Baker Street, London NW1 6XE",
    ),
    (
        "Customer: 27 Old Gloucester Road, Bristol BS1 2AB",
        "27 Old Gloucester Road, Bristol BS1 2AB",
    ),
    ("Customer: 14 Cromwell Mews, Oxford OX2 6QA", "14 Cromwell Mews, Oxford OX2 6QA"),
    (
        "Customer: Flat 2B, Wellington Court, Leeds LS1 4AP",
        "Flat 2B, Wellington Court, Leeds LS1 4AP",
    ),
    ("Customer: 8 Chapel Wynd, Dundee DD1 1HQ", "8 Chapel Wynd, Dundee DD1 1HQ"),
    (
        "caller: twenty two acacia avenue sheffield s10 2tn",
        "twenty two acacia avenue sheffield s10 2tn",
    ),
    # Australia
    (
        "Customer: Level 5, 100 Collins Street, Melbourne VIC 3000",
        "Level 5, 100 Collins Street, Melbourne VIC 3000",
    ),
    ("Customer: Unit 4/22 Smith Pde, Bondi NSW 2026", "Unit 4/22 Smith Pde, Bondi NSW 2026"),
    (
        "Customer: 17 Banksia Crescent, Toowoomba QLD 4350",
        "17 Banksia Crescent, Toowoomba QLD 4350",
    ),
    (
        "Customer: 3/41 Marine Esplanade, Semaphore SA 5019",
        "3/41 Marine Esplanade, Semaphore SA 5019",
    ),
    ("caller: nine wattle circuit palmerston nt 0830", "nine wattle circuit palmerston nt 0830"),
    # Germany, the Netherlands, France, Spain, Italy
    ("Kunde: Hauptstraße 12, 10115 Berlin", "Hauptstraße 12, 10115 Berlin"),
    ("Customer: Lindenallee 7a, 50968 Köln", "Lindenallee 7a, 50968 Köln"),
    ("Customer: Berliner Str. 45, 60311 Frankfurt", "Berliner Str. 45, 60311 Frankfurt"),
    ("Customer: Schillerweg 4/2, Jena", "Schillerweg 4/2, Jena"),
    ("Customer: Kaiser-Wilhelm-Ring 20, 50672 Köln", "Kaiser-Wilhelm-Ring 20, 50672 Köln"),
    ("Customer: Kerkstraat 112, 1017 GP Amsterdam", "Kerkstraat 112, 1017 GP Amsterdam"),
    ("Customer: 12 rue de la Paix, 75002 Paris", "12 rue de la Paix, 75002 Paris"),
    ("Customer: 5 avenue des Ternes, 75017 Paris", "5 avenue des Ternes, 75017 Paris"),
    ("Customer: Calle Mayor 5, 28013 Madrid", "Calle Mayor 5, 28013 Madrid"),
    (
        "Customer: Paseo de la Castellana 89, 28046 Madrid",
        "Paseo de la Castellana 89, 28046 Madrid",
    ),
    ("Customer: Via Roma 10, 00184 Roma", "Via Roma 10, 00184 Roma"),
    ("Customer: Piazza Navona 45, Roma", "Piazza Navona 45, Roma"),
    # a type word right after another one ("place", "route" are French types): both are
    # seen (a scan that took the space after the first word hid the second)
    ("Customer: our meeting place Via Roma 12, Milano", "Via Roma 12, Milano"),
    ("Customer: take the route Calle Mayor 5, 28013 Madrid", "Calle Mayor 5, 28013 Madrid"),
    # Australian road types and plural types
    ("Customer: 14 Wattle Byway, Ballarat VIC 3350", "14 Wattle Byway, Ballarat VIC 3350"),
    (
        "Customer: Unit 3 22 Ferntree Gully, Bendigo VIC 3550",
        "Unit 3 22 Ferntree Gully, Bendigo VIC 3550",
    ),
    ("Customer: 5 Karri Rotary, Bunbury WA 6230", "5 Karri Rotary, Bunbury WA 6230"),
    ("Customer: 218 Acacia Roads, Toowoomba QLD 4350", "218 Acacia Roads, Toowoomba QLD 4350"),
    ("Customer: 7 Harbour Quays, Hobart TAS 7000", "7 Harbour Quays, Hobart TAS 7000"),
    # German "...ring" compounds
    ("Kunde: Schlosserring 8, 73845 Arnstadt", "Schlosserring 8, 73845 Arnstadt"),
    ("Kunde: I live at Döhnring 9/4, Gera.", "Döhnring 9/4, Gera"),
]


@pytest.mark.parametrize(("text", "expected"), MUST_DETECT)
def test_address_is_found_whole(text: str, expected: str) -> None:
    assert addresses(text) == [expected]


def test_address_answering_a_question_needs_no_title_case() -> None:
    text = "Agent: What's the delivery address?\nCustomer: 16 elijah isle"
    assert addresses(text) == ["16 elijah isle"]


MUST_STAY_CLEAN = [
    "Customer: we bought 2 new garden chairs",
    "Customer: I scored 5 bonus points last month",
    "Customer: it took 3 days to reach the station",
    "Customer: I paid via card 3 times",
    "Customer: please bring 2 bags to the counter",
    "Customer: the 4 little islands were lovely",
    "Customer: my postcode is SW1A 1AA",
    "Customer: the ZIP is 62704",
    "Customer: I have 2 kids in the park",
    "Customer: we stayed 3 nights at the harbor view hotel",
    "Customer: 12 more points and I get a reward",
    "Customer: level 3 of the app is broken",
    "Customer: flat 20 percent off was promised",
    "Customer: during 2021 I moved twice",
    "Customer: I called 4 times this week and the line was busy",
    "Customer: 3 boxes arrived, 2 were crushed",
    "Customer: During 2023, Acme raised prices",
    "Customer: Spring 2024, Boston was the last time",
    "Customer: I waited 5 minutes in the queue, end of story",
]


@pytest.mark.parametrize("text", MUST_STAY_CLEAN)
def test_look_alike_is_not_an_address(text: str) -> None:
    assert addresses(text) == []
