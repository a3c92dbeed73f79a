"""Birth dates in more phrasings and formats, and other dates that stay clean.

Hand-written: cues ("born", "DOB", "d.o.b", "date of birth", "birthday", "birthdate",
"bday"), day-first dates as UK and European customers write them, abbreviated and spoken
month names, numeric dates read out as words ("nine three nineteen ninety six"), ISO
dates, and replies to questions that ask for a birth date among other things or come
from an automated line (IVR).  Order, delivery, opening, expiry and appointment dates are
not birth dates, even in a turn that also holds one.
"""

from __future__ import annotations

import pytest

from pledge.pii import detect


def birth_dates(text: str) -> list[str]:
    return [text[s.start : s.end] for s in detect(text) if s.label == "DATE_OF_BIRTH"]


MUST_DETECT: list[tuple[str, str]] = [
    ("Customer: DOB is 14/03/1985", "14/03/1985"),
    ("Customer: d.o.b 3 Mar 1984", "3 Mar 1984"),
    ("caller: my birthday is march third nineteen eighty four", "march third nineteen eighty four"),
    ("Customer: born on the 3rd of March '84", "the 3rd of March '84"),
    ("Customer: birthdate: 1984-03-03", "1984-03-03"),
    ("Customer: my date of birth is 3.3.1984", "3.3.1984"),
    ("Customer: bday 4/5/92", "4/5/92"),
    ("Customer: I was born 5 June 1990 in Leeds", "5 June 1990"),
    ("Customer: DOB: 2nd Feb 1975", "2nd Feb 1975"),
    (
        "caller: my birthday's the twenty-first of may, nineteen seventy",
        "the twenty-first of may, nineteen seventy",
    ),
    ("caller: date of birth is twelve one nineteen ninety two", "twelve one nineteen ninety two"),
    ("Customer: I'm 40, born in March 1984", "March 1984"),
    (
        "Agent: Can you confirm your name and date of birth?\nCustomer: Ana Ruiz, 12/18/1990",
        "12/18/1990",
    ),
    ("Agent: When were you born?\nCustomer: 3 March 1984", "3 March 1984"),
    ("Agent: And your birthday?\nCustomer: June 5th 1979", "June 5th 1979"),
    (
        "Agent: Could I have your DOB please?\nCaller: nine three nineteen ninety six",
        "nine three nineteen ninety six",
    ),
    (
        "Agent: what's your birth date\ncaller: six twenty five nineteen eighty nine",
        "six twenty five nineteen eighty nine",
    ),
    (
        "IVR: Please say your date of birth.\nCaller: july seventeenth nineteen thirty eight",
        "july seventeenth nineteen thirty eight",
    ),
    ("IVR: Please say your date of birth.\nCaller: march 1 1996", "march 1 1996"),
    ("Agent: Date of birth?\nCustomer: 1988/11/02", "1988/11/02"),
    (
        "Agent: To verify, the full name and DOB on the account?\nMember: Li Wei, Oct 10 1965",
        "Oct 10 1965",
    ),
]


@pytest.mark.parametrize(("text", "expected"), MUST_DETECT)
def test_birth_date_is_found(text: str, expected: str) -> None:
    assert birth_dates(text) == [expected]


MUST_STAY_CLEAN = [
    "Customer: my order was placed on 03/14/2024",
    "Customer: delivery date is March 3rd 2024",
    "Customer: I opened the account on 4/7/2015",
    "Customer: my appointment is on 12 June 2024",
    "Customer: the card expires 08/2027, issued 01/02/2023",
    "Agent: Can you confirm your name and the order date?\nCustomer: Ana Ruiz, 12/18/2023",
    "Agent: When was the parcel delivered?\nCustomer: 3 March 2024",
]


@pytest.mark.parametrize("text", MUST_STAY_CLEAN)
def test_other_date_is_not_a_birth_date(text: str) -> None:
    assert birth_dates(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Customer: DOB 1/2/1980. The parcel was delivered 5/6/2024", ["1/2/1980"]),
        ("Customer: born 02/03/1971, the order arrived on 05/06/2024", ["02/03/1971"]),
        (
            "Agent: What is your date of birth?\nCustomer: 03/02/1980, and I ordered on 03/10/2024",
            ["03/02/1980"],
        ),
    ],
)
def test_only_the_birth_date_of_a_turn_is_reported(text: str, expected: list[str]) -> None:
    assert birth_dates(text) == expected
