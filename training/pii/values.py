"""Values of every kind a transcript holds: personal data and its look-alikes.

Each maker takes the transcript's random generator so a seed fixes every value.
"""

from __future__ import annotations

import random
import string
import unicodedata
from datetime import date, timedelta

from training.pii import spoken

UPPER = string.ascii_uppercase
BOT_NAMES = (
    "Nova",
    "Aria",
    "Max",
    "Sage",
    "Echo",
    "Iris",
    "Kai",
    "Atlas",
    "Juniper",
    "Pixel",
    "Ziggy",
    "Orbit",
    "Sunny",
    "Blue",
    "Pip",
    "Robo",
    "Aster",
    "Halo",
)
COMPANIES = (
    "Contoso Telecom",
    "Fabrikam Bank",
    "Northwind Traders",
    "Tailspin Airlines",
    "Woodgrove Credit Union",
    "Litware Insurance",
    "Adatum Energy",
    "Proseware Health",
    "Lucerne Mobile",
    "Alpine Outfitters",
    "Coho Water",
    "Wingtip Rail",
)
US_CITIES = (
    "Chicago",
    "Denver",
    "Phoenix",
    "Seattle",
    "Tampa",
    "Austin",
    "Boise",
    "Omaha",
    "Tulsa",
    "Reno",
    "Fresno",
    "Raleigh",
    "Spokane",
    "Madison",
    "Buffalo",
)


def digits(rng: random.Random, n: int, *, lead: str = "123456789") -> str:
    """n random digits, the first one drawn from ``lead``."""
    return rng.choice(lead) + "".join(rng.choice(string.digits) for _ in range(n - 1))


def ascii_fold(text: str) -> str:
    """Strip accents and anything outside [a-z0-9] (for e-mail local parts)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


# ---------------------------------------------------------------- e-mail
FREE_MAIL = (
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "hotmail.com",
    "icloud.com",
    "proton.me",
    "yahoo.co.uk",
    "btinternet.com",
    "web.de",
    "gmx.de",
    "orange.fr",
    "libero.it",
    "hotmail.co.uk",
    "rediffmail.com",
    "aol.com",
    "mail.com",
    "outlook.co.uk",
)
WORK_MAIL = (
    "acme-corp.com",
    "brightpath.io",
    "kline-group.co.uk",
    "example-labs.de",
    "northstar.com.au",
    "globex.ca",
    "uni-example.edu",
)


def email(rng: random.Random, given: str, family: str) -> str:
    """An address built from the person's name in one of many local-part shapes."""
    g, f = ascii_fold(given) or "user", ascii_fold(family) or "mail"
    n = str(rng.randint(1, 99))
    local = rng.choice(
        (
            f"{g}.{f}",
            f"{g}{f}",
            f"{g[0]}{f}",
            f"{g}_{f}",
            f"{f}.{g}",
            f"{g}{f}{n}",
            f"{g}.{f}{n}",
            f"{g[0]}.{f}",
            f"{g}-{f}",
            f"{g}{n}",
            f"{f}{g[0]}{n}",
        )
    )
    domain = rng.choice(WORK_MAIL) if rng.random() < 0.15 else rng.choice(FREE_MAIL)
    return f"{local}@{domain}"


def email_dictated(address: str, rng: random.Random) -> str:
    """An address as said aloud: "j o h n dot smith at gmail dot com"."""
    local, domain = address.split("@")
    spell = rng.random() < 0.5
    out: list[str] = []
    word = ""
    for c in local + "\0":
        if c.isalnum():
            word += c
            continue
        if word:
            out.append(spoken.letters(word) if spell and word.isalpha() else word)
            word = ""
        if c != "\0":
            out.append({".": "dot", "_": "underscore", "-": "dash"}.get(c, c))
    at = rng.choice(("at", "at", "at sign"))
    return " ".join(out) + f" {at} " + domain.replace(".", " dot ")


# ---------------------------------------------------------------- phones
def phone(rng: random.Random, region: str) -> str:
    """A phone number of a region ("US", "UK", "DE", "FR", "IN", "AU") in a common shape."""
    if region == "UK":
        mob = "7" + digits(rng, 3, lead="3456789")
        rest = digits(rng, 6)
        land = rng.choice(("20", "161", "131", "117"))
        tail = digits(rng, 10 - len(land))
        return rng.choice(
            (
                f"0{mob} {rest}",
                f"+44 {mob} {rest}",
                f"+44 (0){mob} {rest}",
                f"0{land} {tail[:4]} {tail[4:]}",
                f"+44 {land} {tail[:4]} {tail[4:]}",
            )
        )
    if region == "DE":
        mob = "1" + rng.choice(("51", "60", "70", "71", "76"))
        return rng.choice(
            (
                f"+49 {mob} {digits(rng, 8)}",
                f"0{mob} {digits(rng, 7)}",
                f"+49 30 {digits(rng, 8)}",
                f"(030) {digits(rng, 7)}",
                f"+49 (0)89 {digits(rng, 3)} {digits(rng, 4)}",
            )
        )
    if region == "FR":
        pairs = " ".join(digits(rng, 2, lead="0123456789") for _ in range(4))
        first = rng.choice("67")
        return rng.choice(
            (f"0{first} {pairs}", f"+33 {first} {pairs}", f"+33{first}{pairs.replace(' ', '')}")
        )
    if region == "IN":
        a, b = digits(rng, 5, lead="6789"), digits(rng, 5)
        return rng.choice((f"+91 {a} {b}", f"+91-{a}{b}", f"0{a} {b}", f"{a}-{b}", f"{a}{b}"))
    if region == "AU":
        mob = digits(rng, 8)
        return rng.choice(
            (
                f"04{mob[:2]} {mob[2:5]} {mob[5:]}",
                f"+61 4{mob[:2]} {mob[2:5]} {mob[5:]}",
                f"(02) {mob[:4]} {mob[4:]}",
                f"+61 3 {mob[:4]} {mob[4:]}",
            )
        )
    area = digits(rng, 3, lead="23456789")
    mid = digits(rng, 3, lead="23456789")
    end = digits(rng, 4, lead="0123456789")
    shape = rng.choice(
        (
            f"({area}) {mid}-{end}",
            f"{area}-{mid}-{end}",
            f"{area}.{mid}.{end}",
            f"{area}{mid}{end}",
            f"+1 {area} {mid} {end}",
            f"+1{area}{mid}{end}",
            f"1-{area}-{mid}-{end}",
            f"{area} {mid} {end}",
            f"+1 ({area}) {mid}-{end}",
        )
    )
    if rng.random() < 0.08:
        shape += rng.choice((" ext. ", " x", " extension ")) + digits(rng, 3)
    return shape


# ---------------------------------------------------------------- dates
def birth_date(rng: random.Random) -> date:
    return date(1938, 1, 1) + timedelta(days=rng.randint(0, 68 * 365))


def recent_date(rng: random.Random) -> date:
    return date(2024, 6, 1) + timedelta(days=rng.randint(0, 540))


def old_date(rng: random.Random) -> date:
    return date(1990, 1, 1) + timedelta(days=rng.randint(0, 33 * 365))


def date_text(d: date, rng: random.Random, *, order: str = "US", spoken_: bool = False) -> str:
    """A date in one of many written (or spoken) forms; order "US" is M/D, "EU" is D/M."""
    mon = spoken.MONTHS[d.month - 1]
    if spoken_:
        return rng.choice(
            (
                f"{mon.lower()} {spoken.ordinal(d.day)} {spoken.year(d.year, rng)}",
                f"the {spoken.ordinal(d.day)} of {mon.lower()} {spoken.year(d.year, rng)}",
                f"{mon.lower()} {d.day} {d.year}",
                f"{spoken.number(d.month)} {spoken.number(d.day)} {spoken.year(d.year, rng)}"
                if order == "US"
                else f"{spoken.number(d.day)} {spoken.number(d.month)} {spoken.year(d.year, rng)}",
            )
        )
    forms: tuple[str, ...]
    if order == "EU":
        forms = (
            f"{d.day:02d}/{d.month:02d}/{d.year}",
            f"{d.day}/{d.month}/{d.year}",
            f"{d.day:02d}.{d.month:02d}.{d.year}",
            f"{d.day}.{d.month}.{d.year}",
            f"{d.day} {mon[:3]} {d.year}",
            f"{d.day} {mon} {d.year}",
            f"{spoken.suffix(d.day)} {mon} {d.year}",
            f"{d.day:02d}-{d.month:02d}-{d.year}",
            f"the {spoken.suffix(d.day)} of {mon} '{d.year % 100:02d}",
        )
    else:
        forms = (
            f"{d.month:02d}/{d.day:02d}/{d.year}",
            f"{d.month}/{d.day}/{d.year}",
            f"{d.month}/{d.day}/{d.year % 100:02d}",
            f"{mon} {d.day}, {d.year}",
            f"{mon[:3]} {d.day} {d.year}",
            f"{mon} {spoken.suffix(d.day)}, {d.year}",
            f"{d.month}-{d.day}-{d.year}",
        )
    if rng.random() < 0.15:
        return d.isoformat()
    return rng.choice(forms)


# ---------------------------------------------------------------- identifiers
def account_id(rng: random.Random, kind: str | None = None) -> tuple[str, str]:
    """(cue, id): an identifier of a customer and the words that usually precede it.

    ``kind`` fixes the cue (and so the shape); by default one is drawn.
    """
    kind = kind or rng.choice(
        (
            "account",
            "acct",
            "a/c",
            "customer no.",
            "member ID",
            "policy number",
            "subscriber ID",
            "client ref",
            "loyalty number",
            "order number",
            "customer number",
            "membership number",
            "contract number",
        )
    )
    shapes = {
        "account": (
            f"ACC-{digits(rng, 8)}",
            f"{digits(rng, 4)} {digits(rng, 4)} {digits(rng, 2)}",
            digits(rng, 10),
            f"AC{digits(rng, 9)}",
            f"{digits(rng, 3)}-{digits(rng, 6)}-{digits(rng, 1)}",
        ),
        "acct": (digits(rng, 8), f"{digits(rng, 4)}-{digits(rng, 4)}", f"ACCT{digits(rng, 7)}"),
        "a/c": (digits(rng, 8), f"{digits(rng, 2)}-{digits(rng, 6)}"),
        "customer no.": (f"C{digits(rng, 7)}", f"CUST-{digits(rng, 6)}", digits(rng, 9)),
        "member ID": (
            f"MBR{digits(rng, 7)}",
            f"{rng.choice(UPPER)}{rng.choice(UPPER)}{digits(rng, 8)}",
            f"{digits(rng, 3)} {digits(rng, 3)} {digits(rng, 3)}",
        ),
        "policy number": (
            f"POL-{digits(rng, 7)}",
            f"{rng.choice(UPPER)}{rng.choice(UPPER)}-{digits(rng, 6)}-{rng.choice(UPPER)}",
            f"{digits(rng, 2)}/{digits(rng, 7)}",
        ),
        "subscriber ID": (
            f"SUB{digits(rng, 8)}",
            f"{digits(rng, 4)}{rng.choice(UPPER)}{digits(rng, 4)}",
        ),
        "client ref": (
            f"CR/{digits(rng, 5)}/{rng.choice(UPPER)}{rng.choice(UPPER)}",
            f"CL-{digits(rng, 6)}",
        ),
        "loyalty number": (
            f"{digits(rng, 4)} {digits(rng, 4)} {digits(rng, 4)}",
            f"LY{digits(rng, 9)}",
        ),
        "order number": (
            f"ORD-{digits(rng, 8)}",
            f"#{digits(rng, 9)}",
            f"{digits(rng, 3)}-{digits(rng, 7)}-{digits(rng, 7)}",
            f"W{digits(rng, 9)}",
            f"{digits(rng, 3)}-{digits(rng, 3)}-{digits(rng, 4)}",
        ),
        "customer number": (digits(rng, 8), f"CN {digits(rng, 6)}"),
        "membership number": (f"{digits(rng, 10)}", f"M-{digits(rng, 6)}"),
        "contract number": (f"K{digits(rng, 8)}", f"{digits(rng, 4)}/{digits(rng, 5)}"),
    }
    return kind, rng.choice(shapes[kind])


def case_ref(rng: random.Random) -> tuple[str, str]:
    """(cue, ref): a case, ticket, incident, claim, confirmation or RMA number (not personal)."""
    kind = rng.choice(
        (
            "case",
            "ticket",
            "incident",
            "claim reference",
            "confirmation",
            "reference",
            "RMA",
            "service request",
            "complaint reference",
        )
    )
    shapes = {
        "case": (
            f"CS{digits(rng, 6)}",
            f"CASE-{digits(rng, 7)}",
            f"{digits(rng, 8)}",
            f"C-{digits(rng, 4)}-{digits(rng, 4)}",
        ),
        "ticket": (
            f"#{digits(rng, 6)}",
            f"TKT-{digits(rng, 6)}",
            f"{digits(rng, 7)}",
            f"T{digits(rng, 8)}",
        ),
        "incident": (
            f"INC{digits(rng, 7, lead='0')}",
            f"INC-{digits(rng, 6)}",
            f"{digits(rng, 9)}",
        ),
        "claim reference": (
            f"CLM-{digits(rng, 6)}",
            f"{digits(rng, 2)}-{digits(rng, 6)}",
            f"CL{digits(rng, 8)}",
        ),
        "confirmation": (
            "".join(rng.choice(UPPER + "23456789") for _ in range(6)),
            f"CNF{digits(rng, 7)}",
        ),
        "reference": (
            f"REF-{digits(rng, 8)}",
            f"{rng.choice(UPPER)}{rng.choice(UPPER)}{digits(rng, 6)}",
        ),
        "RMA": (f"RMA{digits(rng, 6)}", f"RMA-{digits(rng, 4)}-{digits(rng, 3)}", digits(rng, 7)),
        "service request": (f"SR {digits(rng, 1)}-{digits(rng, 8)}", f"SR{digits(rng, 9)}"),
        "complaint reference": (
            f"CMP/{digits(rng, 6)}",
            f"{digits(rng, 3)}-{digits(rng, 3)}-{digits(rng, 4)}",
        ),
    }
    return kind, rng.choice(shapes[kind])


def tracking(rng: random.Random) -> str:
    """A parcel tracking number (UPS, USPS, DHL, Royal Mail, FedEx shapes)."""
    return rng.choice(
        (
            f"1Z{digits(rng, 3)}{rng.choice(UPPER)}{rng.choice(UPPER)}{digits(rng, 10)}",
            "9400 " + " ".join(digits(rng, 4) for _ in range(4)) + " " + digits(rng, 2),
            f"JD{digits(rng, 18, lead='0')}",
            f"{rng.choice(UPPER)}{rng.choice(UPPER)}{digits(rng, 9)}GB",
            digits(rng, 12),
            f"{digits(rng, 4)} {digits(rng, 4)} {digits(rng, 4)}",
        )
    )


def version(rng: random.Random) -> str:
    """A dotted software version, often four parts like an IPv4 address."""
    parts = [rng.randint(1, 19), rng.randint(0, 20), rng.randint(0, 40), rng.randint(0, 250)]
    n = rng.choice((3, 4, 4, 4))
    return ".".join(str(p) for p in parts[:n])


def model(rng: random.Random) -> str:
    return rng.choice(
        (
            f"WH-{digits(rng, 4)}XM{rng.randint(2, 6)}",
            f"SM-G{digits(rng, 3)}B",
            f"Model {digits(rng, 4)}",
            f"KD-{digits(rng, 2)}X{digits(rng, 4)}J",
            f"RT-AX{digits(rng, 2)}U",
            f"EX{digits(rng, 4)}",
            f"HP-{digits(rng, 3)}-G{rng.randint(2, 9)}",
        )
    )


def serial(rng: random.Random) -> str:
    alnum = UPPER + string.digits
    return rng.choice(
        (
            "".join(rng.choice(alnum) for _ in range(12)),
            f"SN{digits(rng, 10)}",
            f"{digits(rng, 4)}-{digits(rng, 4)}-{digits(rng, 4)}",
            f"{rng.choice(UPPER)}{digits(rng, 2)}{rng.choice(UPPER)}{digits(rng, 7)}",
        )
    )


def money(rng: random.Random, *, spoken_: bool = False) -> str:
    amount = rng.choice((rng.randint(5, 99), rng.randint(100, 4999)))
    cents = rng.randint(0, 99)
    if spoken_:
        return (
            f"{amount} dollars and {cents} cents" if rng.random() < 0.5 else f"{amount} {cents:02d}"
        )
    return rng.choice(
        (
            f"${amount}.{cents:02d}",
            f"£{amount}.{cents:02d}",
            f"€{amount},{cents:02d}",
            f"USD {amount:,}.{cents:02d}",
            f"{amount}.{cents:02d} EUR",
            f"${amount:,}",
        )
    )


def clock(rng: random.Random, *, spoken_: bool = False) -> str:
    h, m = rng.randint(7, 19), rng.choice((0, 15, 30, 45, 5, 20))
    if spoken_:
        return rng.choice(
            (
                f"{spoken.number(h % 12 or 12)} {spoken.number(m) if m else 'o clock'}",
                f"{h % 12 or 12} {'a m' if h < 12 else 'p m'}",
                f"half past {spoken.number(h % 12 or 12)}",
            )
        )
    return rng.choice(
        (
            f"{h}:{m:02d}",
            f"{h % 12 or 12}:{m:02d} {'AM' if h < 12 else 'PM'}",
            f"{h % 12 or 12}{'am' if h < 12 else 'pm'}",
            f"{h:02d}{m:02d} hrs",
        )
    )


def duration(rng: random.Random) -> str:
    n = rng.randint(2, 14)
    return rng.choice(
        (
            f"{n} business days",
            f"{n} working days",
            f"{n} days",
            f"{n} to {n + 3} days",
            f"{rng.randint(2, 72)} hours",
            f"{rng.randint(10, 59)} minutes",
            f"{n} weeks",
        )
    )


def percent(rng: random.Random) -> str:
    return rng.choice(
        (
            f"{rng.choice((5, 10, 15, 20, 25, 30, 40, 50))}%",
            f"{rng.randint(2, 99)} percent",
            f"{rng.randint(1, 9)}.{rng.randint(1, 9)}%",
        )
    )


def store(rng: random.Random) -> str:
    return rng.choice((f"#{digits(rng, 4)}", f"store {digits(rng, 3)}", f"branch {digits(rng, 4)}"))


def promo(rng: random.Random) -> str:
    return rng.choice(("SAVE", "WELCOME", "VIP", "SPRING", "FREESHIP", "LOYAL", "BF")) + str(
        rng.choice((10, 15, 20, 25, 30, 2025))
    )


# ---------------------------------------------------------------- payment, SSN, IP
def luhn_complete(body: str) -> str:
    """Append the Luhn check digit to body."""
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def card(rng: random.Random) -> str:
    """A Luhn-valid card number (Visa, Mastercard, Amex, Discover) in a common grouping."""
    brand = rng.choice(("visa", "mc", "amex", "disc"))
    if brand == "amex":
        num = luhn_complete(rng.choice(("34", "37")) + digits(rng, 12, lead="0123456789"))
        return rng.choice(
            (num, f"{num[:4]} {num[4:10]} {num[10:]}", f"{num[:4]}-{num[4:10]}-{num[10:]}")
        )
    prefix = {"visa": "4", "mc": rng.choice(("51", "53", "55", "2221")), "disc": "6011"}[brand]
    num = luhn_complete(prefix + digits(rng, 15 - len(prefix), lead="0123456789"))
    groups = [num[i : i + 4] for i in range(0, 16, 4)]
    return rng.choice((num, " ".join(groups), "-".join(groups), "  ".join(groups)))


def ssn(rng: random.Random) -> str:
    area = rng.choice([n for n in range(1, 900) if n != 666])
    group, serial_ = rng.randint(1, 99), rng.randint(1, 9999)
    sep = rng.choice(("-", "-", " ", ""))
    return f"{area:03d}{sep}{group:02d}{sep}{serial_:04d}"


def ipv4(rng: random.Random) -> str:
    first = rng.choice([n for n in range(1, 224) if n not in (10, 127, 172, 192)])
    return ".".join(
        str(x) for x in (first, rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))
    )


def ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
    groups[0] = rng.choice(("2001", "2a02", "2600", "2607", "2a01", "2c0f"))
    if rng.random() < 0.5:
        return ":".join(groups[:4]) + "::" + groups[7]
    return ":".join(groups)


def masked_card(rng: random.Random) -> str:
    last = digits(rng, 4, lead="0123456789")
    return rng.choice((f"**** **** **** {last}", f"XXXX-XXXX-XXXX-{last}", f"************{last}"))


# ---------------------------------------------------------------- more customer identifiers
def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(UPPER) for _ in range(n))


def own_id(rng: random.Random) -> tuple[str, str]:
    """(cue, id): a number the customer holds at a business, in the words and shapes of
    other trades than `account_id` (membership and loyalty cards, travel and health ids,
    student and staff numbers, references that name the customer rather than a case)."""
    kind = rng.choice(
        (
            "membership card number",
            "member no.",
            "membership card no.",
            "frequent flyer number",
            "frequent traveller no.",
            "rewards ID",
            "patient ID",
            "MRN",
            "student number",
            "employee ID",
            "customer reference",
            "account reference",
            "billing account",
            "supply account",
            "utility account number",
            "policy ref",
            "subscriber no.",
            "customer code",
            "client number",
            "club card",
        )
    )
    shapes = (
        f"{_letters(rng, 2)}{digits(rng, 8)}",
        f"{_letters(rng, 2)} {digits(rng, 4)} {digits(rng, 4)}",
        f"{_letters(rng, 1)}-{digits(rng, 7)}",
        f"{digits(rng, 3)} {digits(rng, 3)} {digits(rng, 3)}",
        f"{digits(rng, 4)}-{digits(rng, 4)}-{digits(rng, 2)}",
        f"{digits(rng, 2)}{_letters(rng, 1)}{digits(rng, 6)}",
        f"{_letters(rng, 3)}/{digits(rng, 6)}",
        f"{digits(rng, 6)}/{_letters(rng, 2)}",
        digits(rng, rng.choice((7, 8, 9, 10, 11, 12)), lead="0123456789"),
        f"{_letters(rng, 1)}{digits(rng, 3)}-{digits(rng, 5)}",
        f"{digits(rng, 5)} {digits(rng, 5)}",
    )
    return kind, rng.choice(shapes)


def other_ref(rng: random.Random) -> tuple[str, str, str]:
    """(cue, value, distractor type): a number beside a customer's own that is not theirs:
    a case, claim, booking, job, invoice, parcel, meter, serial or seat."""
    kind, tag = rng.choice(
        (
            ("ticket no.", "CASE"),
            ("case ID", "CASE"),
            ("claim number", "CASE"),
            ("job number", "CASE"),
            ("work order", "CASE"),
            ("booking ref", "CASE"),
            ("invoice", "CASE"),
            ("receipt number", "CASE"),
            ("transaction ID", "CASE"),
            ("parcel number", "TRACKING"),
            ("consignment number", "TRACKING"),
            ("tracking", "TRACKING"),
            ("meter number", "SERIAL"),
            ("serial", "SERIAL"),
            ("IMEI", "SERIAL"),
            ("model", "MODEL"),
        )
    )
    shapes = (
        f"{_letters(rng, 3)}-{digits(rng, 6)}",
        digits(rng, rng.choice((7, 8, 9))),
        f"{_letters(rng, 2)}{digits(rng, 7)}",
        f"{digits(rng, 4)} {digits(rng, 4)}",
        f"{digits(rng, 3)}-{digits(rng, 5)}",
    )
    if kind == "IMEI":
        return kind, digits(rng, 15), tag
    return kind, rng.choice(shapes), tag
