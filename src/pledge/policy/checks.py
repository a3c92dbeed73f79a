"""Cross-reference checks on a schema-valid policy document.

The pydantic models check each key on its own; these functions check what
only the whole document can tell: that every id referred to is declared and
declared once, that every purpose has a legal basis wherever data is
collected for it, that marketing to opt-in jurisdictions relies on consent,
and so on. Each is a pure function ``(document, locate) -> list[Problem]``;
``locate`` turns a key path such as ``("purposes", 3, "legal_basis")`` into a
location (``file:line purposes[3].legal_basis`` when the loader passes one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from pledge.policy.schema import Category, PolicyDocument, Problem, SiteForm, SiteFormField

__all__ = [
    "CHECKS",
    "PRIVACY_SHIELD_WARNING",
    "Loc",
    "Locate",
    "check_authorities",
    "check_categories",
    "check_default_jurisdiction",
    "check_duplicate_ids",
    "check_legal_bases",
    "check_log_data",
    "check_marketing",
    "check_objection",
    "check_references",
    "check_sharing_symmetry",
    "check_site_forms",
    "check_transfers",
    "check_translations",
    "check_verification",
    "format_loc",
    "run_checks",
]

Loc = tuple[str | int, ...]
Locate = Callable[[Loc], str]

PRIVACY_SHIELD_WARNING = (
    "the Privacy Shield was invalidated by the CJEU (Schrems II, 2020); its successor "
    "is the EU-U.S. Data Privacy Framework"
)


def format_loc(loc: Loc) -> str:
    """``("categories", 2, "retention")`` → ``categories[2].retention``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _error(locate: Locate, loc: Loc, message: str) -> Problem:
    return Problem(location=locate(loc), message=message)


def _duplicates(
    locate: Locate, base: Loc, keys: Iterable[str], what: str, key: str = "id"
) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for index, value in enumerate(keys):
        if value in first:
            where = format_loc((*base, first[value]))
            yield _error(
                locate, (*base, index, key), f"duplicate {what} {str(value)!r} (see {where})"
            )
        else:
            first[value] = index


def check_duplicate_ids(doc: PolicyDocument, locate: Locate) -> list[Problem]:
    """Ids are how records, requests and consents name things: each must be unique."""
    problems = [
        *_duplicates(locate, ("categories",), (c.id for c in doc.categories), "category id"),
        *_duplicates(locate, ("purposes",), (p.id for p in doc.purposes), "purpose id"),
        *_duplicates(locate, ("recipients",), (r.id for r in doc.recipients), "recipient id"),
        *_duplicates(
            locate, ("jurisdictions",), (j.id for j in doc.jurisdictions), "jurisdiction id"
        ),
        *_duplicates(
            locate,
            ("cookies",),
            (f"{c.provider}/{c.name}" for c in doc.cookies),
            "cookie",
            key="name",
        ),
    ]
    for index, category in enumerate(doc.categories):
        base: Loc = ("categories", index, "fields")
        ids = (field.id for field in category.fields)
        problems.extend(_duplicates(locate, base, ids, f"field id in category {category.id!r}"))
    for index, jurisdiction in enumerate(doc.jurisdictions):
        base = ("jurisdictions", index, "rights")
        types = (right.type for right in jurisdiction.rights)
        what = f"right in jurisdiction {jurisdiction.id!r}"
        problems.extend(_duplicates(locate, base, types, what, key="type"))
    return problems


def check_default_jurisdiction(doc: PolicyDocument, locate: Locate) -> list[Problem]:
    """Exactly one jurisdiction catches everyone not matched elsewhere."""
    defaults = [index for index, j in enumerate(doc.jurisdictions) if j.default]
    if not defaults:
        message = "no default jurisdiction: mark exactly one with 'default: true'"
        return [_error(locate, ("jurisdictions",), message)]
    first = doc.jurisdictions[defaults[0]].id
    problems = [
        _error(
            locate,
            ("jurisdictions", index, "default"),
            f"more than one default jurisdiction ({first!r} is already the default)",
        )
        for index in defaults[1:]
    ]
    owner: dict[str, str] = {}
    for index, jurisdiction in enumerate(doc.jurisdictions):
        if jurisdiction.regions:
            continue
        for position, country in enumerate(jurisdiction.countries):
            if country in owner and owner[country] != jurisdiction.id:
                message = f"country {country!r} is also in jurisdiction {owner[country]!r}"
                problems.append(
                    _error(locate, ("jurisdictions", index, "countries", position), message)
                )
            owner.setdefault(country, jurisdiction.id)
    return problems


def _undeclared(
    locate: Locate, base: Loc, refs: list[str], declared: set[str], what: str
) -> Iterator[Problem]:
    for index, ref in enumerate(refs):
        if ref not in declared:
            yield _error(locate, (*base, index), f"{what} {ref!r} is referenced but not declared")


def check_references(doc: PolicyDocument, locate: Locate) -> list[Problem]:
    """Every id mentioned must be declared, or the policy promises about nothing."""
    categories = {c.id for c in doc.categories}
    purposes = {p.id for p in doc.purposes}
    recipients = {r.id for r in doc.recipients}
    problems: list[Problem] = []
    for index, category in enumerate(doc.categories):
        base: Loc = ("categories", index)
        problems += _undeclared(locate, (*base, "purposes"), category.purposes, purposes, "purpose")
        problems += _undeclared(
            locate, (*base, "recipients"), category.recipients, recipients, "recipient"
        )
    for index, recipient in enumerate(doc.recipients):
        base = ("recipients", index)
        problems += _undeclared(
            locate, (*base, "categories"), recipient.categories, categories, "category"
        )
        problems += _undeclared(
            locate, (*base, "purposes"), recipient.purposes, purposes, "purpose"
        )
    for index, cookie in enumerate(doc.cookies):
        if cookie.recipient is not None and cookie.recipient not in recipients:
            message = f"recipient {cookie.recipient!r} is referenced but not declared"
            problems.append(_error(locate, ("cookies", index, "recipient"), message))
    return problems


def check_log_data(doc: PolicyDocument, locate: Locate) -> list[Problem]:
    """The log data's category and purpose must be declared, and the category kept for it.

    The category must also declare the field the beacon's visitor pseudonym is, so the
    policy page lists it among what is collected.
    """
    log_data = doc.log_data
    if log_data is None:
        return []
    category = next((c for c in doc.categories if c.id == log_data.category), None)
    problems: list[Problem] = []
    if category is None:
        message = f"category {log_data.category!r} is referenced but not declared"
        problems.append(_error(locate, ("log_data", "category"), message))
    if log_data.purpose not in {p.id for p in doc.purposes}:
        message = f"purpose {log_data.purpose!r} is referenced but not declared"
        problems.append(_error(locate, ("log_data", "purpose"), message))
    elif category is not None and log_data.purpose not in category.purposes:
        message = f"category {category.id!r} is not collected for purpose {log_data.purpose!r}"
        problems.append(_error(locate, ("log_data", "purpose"), message))
    if log_data.retention.duration is None:
        message = "log data needs a retention duration: each event is deleted when it ends"
        problems.append(_error(locate, ("log_data", "retention"), message))
    if category is not None and category.field(log_data.visitor_field) is None:
        message = (
            f"category {category.id!r} does not declare field {log_data.visitor_field!r}:"
            " the beacon keeps a daily visitor pseudonym with each page view"
        )
        problems.append(_error(locate, ("log_data", "visitor_field"), message))
    return problems


def check_sharing_symmetry(doc: PolicyDocument, locate: Locate) -> list[Problem]:
    """A category's recipients and a recipient's categories must tell the same story."""
    receives = {r.id: set(r.categories) for r in doc.recipients}
    shares = {c.id: set(c.recipients) for c in doc.categories}
    problems: list[Problem] = []
    for index, category in enumerate(doc.categories):
        for position, rid in enumerate(category.recipients):
            if rid in receives and category.id not in receives[rid]:
                message = f"recipient {rid!r} does not list category {category.id!r}"
                problems.append(
                    _error(locate, ("categories", index, "recipients", position), message)
                )
    for index, recipient in enumerate(doc.recipients):
        for position, cid in enumerate(recipient.categories):
            if cid in shares and recipient.id not in shares[cid]:
                message = f"category {cid!r} does not list recipient {recipient.id!r}"
                problems.append(
                    _error(locate, ("recipients", index, "categories", position), message)
                )
    return problems


def check_categories(doc: PolicyDocument, locate: Locate) -> list[Problem]:
    """Data collected for no purpose breaks purpose limitation."""
    return [
        _error(locate, ("categories", index, "purposes"), f"category {c.id!r} has no purpose")
        for index, c in enumerate(doc.categories)
        if not c.purposes
    ]


def check_legal_bases(doc: PolicyDocument, locate: Locate) -> list[Problem]:
    """Every purpose data is collected for needs a basis in every jurisdiction."""
    jurisdictions = [j.id for j in doc.jurisdictions]
    keys = {*jurisdictions, "default"}
    used = {pid for category in doc.categories for pid in category.purposes}
    problems: list[Problem] = []
    for index, purpose in enumerate(doc.purposes):
        base: Loc = ("purposes", index, "legal_basis")
        for key in purpose.legal_basis:
            if key not in keys:
                message = f"{key!r} is neither a declared jurisdiction nor 'default'"
                problems.append(_error(locate, (*base, key), message))
        if purpose.id not in used or "default" in purpose.legal_basis:
            continue
        for jid in jurisdictions:
            if jid not in purpose.legal_basis:
                message = (
                    f"purpose {purpose.id!r} has no legal basis for jurisdiction {jid!r}; "
                    f"add {jid!r} or 'default'"
                )
                problems.append(_error(locate, base, message))
    return problems


def check_marketing(doc: PolicyDocument, locate: Locate) -> list[Problem]:
    """Marketing needs consent where the law is opt-in, and says by which channels."""
    opt_in = [j.id for j in doc.jurisdictions if j.opt_in_marketing]
    problems: list[Problem] = []
    for index, purpose in enumerate(doc.purposes):
        base: Loc = ("purposes", index)
        if purpose.channels and not purpose.marketing:
            message = f"purpose {purpose.id!r} has channels but is not a marketing purpose"
            problems.append(_error(locate, (*base, "channels"), message))
        if not purpose.marketing:
            continue
        if not purpose.channels:
            message = f"marketing purpose {purpose.id!r} names no channels (email, post, phone)"
            problems.append(_error(locate, base, message))
        for jid in opt_in:
            key = jid if jid in purpose.legal_basis else "default"
            basis = purpose.legal_basis.get(key)
            if basis is not None and basis != "consent":
                message = (
                    f"marketing purpose {purpose.id!r} must rely on consent in opt-in "
                    f"jurisdiction {jid!r}, not {basis!r}"
                )
                problems.append(_error(locate, (*base, "legal_basis", key), message))
    return problems


def check_objection(doc: PolicyDocument, locate: Locate) -> list[Problem]:
    """A person may object to legitimate-interest processing and to direct marketing."""
    problems: list[Problem] = []
    for index, purpose in enumerate(doc.purposes):
        relies_on_interest = "legitimate_interests" in purpose.legal_basis.values()
        if (relies_on_interest or purpose.marketing) and not purpose.objectable:
            reason = "is marketing" if purpose.marketing else "relies on legitimate interests"
            message = f"purpose {purpose.id!r} {reason}, so it must be 'objectable: true'"
            problems.append(_error(locate, ("purposes", index, "objectable"), message))
    return problems


def check_transfers(doc: PolicyDocument, locate: Locate) -> list[Problem]:
    """Transfer origins must be jurisdictions; Privacy Shield reliance is a warning."""
    jurisdictions = {j.id for j in doc.jurisdictions}
    problems: list[Problem] = []
    for index, recipient in enumerate(doc.recipients):
        if recipient.transfer is None:
            continue
        base: Loc = ("recipients", index, "transfer")
        problems += _undeclared(
            locate, (*base, "origins"), recipient.transfer.origins, jurisdictions, "jurisdiction"
        )
        if recipient.transfer.mechanism == "privacy_shield":
            message = (
                f"recipient {recipient.id!r} receives data under the Privacy Shield; "
                f"{PRIVACY_SHIELD_WARNING}"
            )
            problems.append(
                Problem(location=locate((*base, "mechanism")), message=message, severity="warning")
            )
    problems += _undeclared(
        locate, ("transfers", "origins"), doc.transfers.origins, jurisdictions, "jurisdiction"
    )
    if doc.transfers.mechanism == "privacy_shield":
        problems.append(
            Problem(
                location=locate(("transfers", "mechanism")),
                message=f"transfers rely on the Privacy Shield; {PRIVACY_SHIELD_WARNING}",
                severity="warning",
            )
        )
    return problems


FEW_VALUES = frozenset({"boolean", "country", "age", "email"})
"""Field types that cannot prove who someone is: too few values, or the address itself."""


def check_verification(doc: PolicyDocument, locate: Locate) -> list[Problem]:
    """A verifier must be a data point someone who only reads the mailbox does not know.

    The e-mail address (or a field holding one) proves nothing the e-mail code
    has not; a yes/no, a country or an age is guessed in a few tries. A
    verifier no category holds (other than ``phone``, an identity) can never
    match: a warning, since the policy may declare it before collecting it.
    """
    base: Loc = ("verification", "verifiers")
    verifiers = doc.verification.verifiers
    problems = list(_duplicates(locate, base, (v.field for v in verifiers), "verifier", "field"))
    types: dict[str, set[str]] = {}
    for category in doc.categories:
        for field in category.fields:
            types.setdefault(field.id, set()).add(field.type)
    for index, verifier in enumerate(verifiers):
        where: Loc = (*base, index, "field")
        held = types.get(verifier.field, set())
        weak = sorted(held & FEW_VALUES)
        if verifier.field == "email" or weak:
            kind = "an e-mail address" if verifier.field == "email" else f"of type {weak[0]}"
            message = (
                f"field {verifier.field!r} is {kind}: it cannot prove who someone is "
                "beyond the e-mail code"
            )
            problems.append(_error(locate, where, message))
        elif verifier.field != "phone" and not held:
            message = f"no category declares field {verifier.field!r}, so it can never match"
            problems.append(Problem(location=locate(where), message=message, severity="warning"))
    return problems


def check_translations(doc: PolicyDocument, locate: Locate) -> list[Problem]:
    """A translation must name what the policy has: a text for nothing would never be shown.

    A translation into the policy's own language would hide the original, so it is refused too.
    """
    problems: list[Problem] = []
    for code, translation in doc.translations.items():
        base: Loc = ("translations", code)
        if code == doc.language:
            problems.append(_error(locate, base, f"the policy itself is in {code!r}"))
        for jurisdiction_id, texts in translation.jurisdictions.items():
            where: Loc = (*base, "jurisdictions", jurisdiction_id)
            found = next((j for j in doc.jurisdictions if j.id == jurisdiction_id), None)
            if found is None:
                problems.append(_error(locate, where, f"unknown jurisdiction {jurisdiction_id!r}"))
                continue
            for right in texts.rights:
                if all(own.type != right for own in found.rights):
                    message = f"jurisdiction {jurisdiction_id!r} has no right {str(right)!r}"
                    problems.append(_error(locate, (*where, "rights", str(right)), message))
    return problems


def check_authorities(doc: PolicyDocument, locate: Locate) -> list[Problem]:
    """One authority per country; every country whose people have the right to complain has one.

    A country of a jurisdiction with a ``complaint`` right but no authority would
    leave its people pointed at the controller's own regulator: a warning, since
    Pledge then names that one.
    """
    countries = (item.country for item in doc.authorities)
    problems = list(_duplicates(locate, ("authorities",), countries, "authority", "country"))
    listed = {item.country for item in doc.authorities}
    for index, jurisdiction in enumerate(doc.jurisdictions):
        if jurisdiction.right("complaint") is None:
            continue
        missing = [code for code in jurisdiction.countries if code not in listed]
        if missing:
            message = f"no authority for {', '.join(missing)}: people there may complain to one"
            where: Loc = ("jurisdictions", index, "countries")
            problems.append(Problem(location=locate(where), message=message, severity="warning"))
    return problems


FILLS: dict[str, frozenset[str]] = {
    "text": frozenset({"string", "text"}),
    "textarea": frozenset({"text", "string"}),
    "email": frozenset({"email"}),
    "phone": frozenset({"phone"}),
    "country": frozenset({"country"}),
    "checkbox": frozenset({"boolean"}),
    "date": frozenset({"date", "date_of_birth"}),
    "file": frozenset({"file"}),
}
"""Which category field types each form field type may fill."""

SUBJECT_FIELDS = {"email": "email", "country": "country"}
"""Fields every form asks (required, of this type): they name the person and their law."""

RESERVED = frozenset({"form_token", "homepage", "birth_year", "language"})
"""Names the forms' machinery posts beside the declared fields."""


def check_site_forms(doc: PolicyDocument, locate: Locate) -> list[Problem]:
    """A form collects only declared data for a declared purpose, and asks consent lawfully."""
    forms = doc.site.forms
    problems = list(_duplicates(locate, ("site", "forms"), (f.id for f in forms), "form id"))
    for index, form in enumerate(forms):
        problems += _check_site_form(doc, locate, ("site", "forms", index), form)
    return problems


def _check_site_form(
    doc: PolicyDocument, locate: Locate, base: Loc, form: SiteForm
) -> list[Problem]:
    problems: list[Problem] = []
    category = next((c for c in doc.categories if c.id == form.category), None)
    if category is None:
        problems.append(_error(locate, (*base, "category"), "category is not declared"))
    if not any(p.id == form.purpose for p in doc.purposes):
        problems.append(_error(locate, (*base, "purpose"), "purpose is not declared"))
    elif category is not None and form.purpose not in category.purposes:
        message = f"purpose {form.purpose!r} is not a purpose of category {category.id!r}"
        problems.append(_error(locate, (*base, "purpose"), message))
    for name, kind in SUBJECT_FIELDS.items():
        field = form.field(name)
        if field is None or field.type != kind or not field.required:
            message = f"every form asks a required {kind} field {name!r}"
            problems.append(_error(locate, (*base, "fields"), message))
    problems += _duplicates(locate, (*base, "fields"), (f.id for f in form.fields), "field id")
    for position, field in enumerate(form.fields):
        problems += _check_form_field(locate, (*base, "fields", position), field, category)
    problems += _check_consents(doc, locate, base, form)
    return problems


def _check_form_field(
    locate: Locate, loc: Loc, field: SiteFormField, category: Category | None
) -> list[Problem]:
    problems: list[Problem] = []
    if field.id in RESERVED:
        problems.append(_error(locate, (*loc, "id"), f"{field.id!r} is reserved by the forms"))
    declared = category.field(field.id) if category is not None else None
    if declared is None and category is not None and field.id not in SUBJECT_FIELDS:
        message = f"field {field.id!r} is not a field of category {category.id!r}"
        problems.append(_error(locate, (*loc, "id"), message))
    elif declared is not None and declared.type not in FILLS[field.type]:
        message = f"a {field.type} input cannot fill a field of type {declared.type}"
        problems.append(_error(locate, (*loc, "type"), message))
    if field.type == "file" and not field.accept:
        problems.append(_error(locate, (*loc, "accept"), "a file field names what it accepts"))
    if field.type != "file" and (field.accept or field.max_bytes):
        problems.append(_error(locate, (*loc, "accept"), "only file fields take files"))
    return problems


def _check_consents(
    doc: PolicyDocument, locate: Locate, base: Loc, form: SiteForm
) -> list[Problem]:
    problems: list[Problem] = []
    jurisdictions = {j.id for j in doc.jurisdictions}
    opt_in = {j.id for j in doc.jurisdictions if j.opt_in_marketing}
    purposes = {p.id for p in doc.purposes}
    fields = {f.id for f in form.fields}
    for index, question in enumerate(form.consents):
        loc: Loc = (*base, "consents", index)
        if question.purpose not in purposes:
            problems.append(_error(locate, (*loc, "purpose"), "purpose is not declared"))
        if question.id in fields or question.id in RESERVED:
            problems.append(_error(locate, (*loc, "id"), "the id of a field or reserved name"))
        for key in ("ask_in", "checked_in"):
            problems += _undeclared(
                locate, (*loc, key), getattr(question, key), jurisdictions, "jurisdiction"
            )
        for jid in question.checked_in:
            if jid in opt_in:
                message = f"consent must start unticked in opt-in jurisdiction {jid!r}"
                problems.append(_error(locate, (*loc, "checked_in"), message))
    return problems


CHECKS: tuple[Callable[[PolicyDocument, Locate], list[Problem]], ...] = (
    check_duplicate_ids,
    check_default_jurisdiction,
    check_references,
    check_sharing_symmetry,
    check_categories,
    check_legal_bases,
    check_marketing,
    check_objection,
    check_transfers,
    check_verification,
    check_translations,
    check_authorities,
    check_log_data,
    check_site_forms,
)
"""Every cross-reference check, in the order their problems are reported."""


def run_checks(doc: PolicyDocument, locate: Locate | None = None) -> list[Problem]:
    """Run every check; without ``locate``, locations are bare key paths."""
    where = locate or format_loc
    return [problem for check in CHECKS for problem in check(doc, where)]
