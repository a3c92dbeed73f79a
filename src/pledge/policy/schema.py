"""The policy as data: pydantic models of every key of the policy YAML.

Every model is frozen (a loaded policy never changes; a new text is a new
version with a new digest) and forbids unknown keys, so a typo in the YAML is
an error rather than a silently ignored promise. ``docs/policy-reference.md``
describes each key; keep the two in step.

:class:`PolicyDocument` is exactly what the YAML holds. :class:`Policy` adds
what the loader computes: the ``digest`` of the content and the ``warnings``
found while checking it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator
from pydantic import Field as PydanticField

from pledge.policy.durations import Duration, add_duration, parse_iso_duration

__all__ = [
    "REQUESTABLE",
    "REQUEST_ALIASES",
    "REVEALS_OR_CHANGES_DATA",
    "Address",
    "Authority",
    "Category",
    "Complaints",
    "ConsentQuestion",
    "Controller",
    "Cookie",
    "DisputeResolution",
    "Field",
    "FieldType",
    "Jurisdiction",
    "JurisdictionText",
    "LegalBasis",
    "Office",
    "Policy",
    "PolicyDocument",
    "PrivacyShieldPrinciple",
    "Problem",
    "Purpose",
    "Recipient",
    "Retention",
    "Right",
    "RightType",
    "Security",
    "Site",
    "SiteForm",
    "SiteFormField",
    "SiteFormText",
    "Statement",
    "Statements",
    "Transfer",
    "Transfers",
    "Translation",
    "Verification",
    "Verifier",
    "request_type",
]


def _check_duration(value: str) -> str:
    parse_iso_duration(value)
    return value


def _check_lifetime(value: str) -> str:
    return value if value == "session" else _check_duration(value)


IsoDuration = Annotated[str, AfterValidator(_check_duration)]
"""An ISO 8601 duration such as ``P1M``; see :mod:`pledge.policy.durations`."""

Identifier = Annotated[str, PydanticField(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
"""A stable machine name: lower case letters, digits and underscores."""

CountryCode = Annotated[str, PydanticField(pattern=r"^[A-Z]{2}$")]
"""ISO 3166-1 alpha-2, upper case (``FR``, ``US``)."""

Text = Annotated[str, PydanticField(min_length=1)]

WebsiteUrl = Annotated[
    str, PydanticField(pattern=r"^https://[a-z0-9-]+(\.[a-z0-9-]+)+(/[^\s]*)?$", max_length=200)
]
"""An official site: ``https://`` and a host name (lower case), optionally a path."""

LegalBasis = Literal[
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
    "notice",
]
"""GDPR Art. 6 bases, plus ``notice``: no basis is needed, only notice at collection."""


class RightType(StrEnum):
    """Every right the policy may describe; :data:`REQUESTABLE` are those a person can ask for."""

    ACCESS = "access"
    PORTABILITY = "portability"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    WITHDRAW_CONSENT = "withdraw_consent"
    OPT_OUT_MARKETING = "opt_out_marketing"
    DISCLOSURES = "disclosures"
    KNOW = "know"
    """The CCPA's right to know the categories held."""
    DELETE = "delete"
    """The CCPA's word for erasure; a request for it is an erasure request."""
    NON_DISCRIMINATION = "non_discrimination"
    COMPLAINT = "complaint"


REQUESTABLE: frozenset[RightType] = frozenset(RightType) - {
    RightType.DELETE,
    RightType.NON_DISCRIMINATION,
    RightType.COMPLAINT,
}
"""The request types a person may file (``delete`` is filed as ``erasure``)."""

REQUEST_ALIASES: dict[str, RightType] = {"delete": RightType.ERASURE}
"""The CCPA's words for the same request."""

REVEALS_OR_CHANGES_DATA: frozenset[RightType] = frozenset(
    {RightType.ACCESS, RightType.PORTABILITY, RightType.ERASURE, RightType.RECTIFICATION}
)
"""Types that reveal or change data, so they need a second matching data point."""


def request_type(value: str) -> RightType:
    """The canonical request type (``delete`` → ``erasure``); ValueError if not requestable."""
    name = REQUEST_ALIASES.get(value) or RightType(value)
    if name not in REQUESTABLE:
        raise ValueError(value)
    return name


FieldType = Literal[
    "string",
    "text",
    "email",
    "phone",
    "url",
    "country",
    "date",
    "datetime",
    "date_of_birth",
    "age",
    "integer",
    "number",
    "boolean",
    "ip_address",
    "file",
]

RIGHT_SYNONYMS: dict[str, str] = {"erasure": "delete", "delete": "erasure"}
"""Request types that name the same right under different laws (GDPR vs CCPA)."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Problem(_Model):
    """One thing wrong (or worth a warning) in a policy file, with where it is."""

    location: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.location}: {prefix}{self.message}"


class Address(_Model):
    """A postal address, printed line by line in the order of the fields."""

    organisation: str | None = None
    attention: str | None = None
    street: Text
    locality: Text
    region: str | None = None
    postal_code: Text
    country: CountryCode

    def lines(self) -> list[str]:
        """The address as printed on an envelope."""
        out = [self.organisation] if self.organisation else []
        if self.attention:
            out.append(f"Attention: {self.attention}")
        out.append(self.street)
        if self.region:
            out.append(f"{self.locality}, {self.region} {self.postal_code}")
        else:
            out.append(f"{self.locality} {self.postal_code}")
        out.append(_COUNTRY_NAMES.get(self.country, self.country))
        return out


_COUNTRY_NAMES = {"US": "United States", "GB": "United Kingdom"}


class Office(_Model):
    """An office of the controller, as named in the policy."""

    name: Text
    address: Address


class DisputeResolution(_Model):
    """The independent recourse mechanism a person can turn to."""

    provider: Text
    url: Text
    rules: str | None = None
    rules_url: str | None = None
    free_of_charge: bool = True
    arbitration: str | None = None
    arbitration_url: str | None = None


class Controller(_Model):
    """Who is responsible for the personal data, and how to reach them."""

    section: Text
    name: Text
    short_name: Text
    legal_form: Text
    website: Text
    description: Text
    role_statement: Text
    registered_office: Address
    postal_address: Address
    privacy_officer_email: Text
    phone: Text
    offices: list[Office] = []
    dispute_resolution: DisputeResolution
    supervisory_authority: Text


class Field(_Model):
    """One data point of a category: what a record may hold."""

    id: Identifier
    name: Text
    type: FieldType
    description: str = ""
    required: bool = False


class Retention(_Model):
    """How long a category is kept: a duration, a rule a person judges, or both.

    ``duration`` counts from collection. When a ``rule`` is given too, the rule
    can keep data longer (e.g. a legal hold); ``basis`` quotes the policy.
    """

    duration: IsoDuration | None = None
    rule: str | None = None
    basis: Text

    @model_validator(mode="after")
    def _duration_or_rule(self) -> Retention:
        if self.duration is None and not self.rule:
            raise ValueError("retention needs a duration (ISO 8601, e.g. P2Y) or a rule")
        return self

    def parsed(self) -> Duration | None:
        """The duration as a :class:`Duration`, or None when only a rule applies."""
        return parse_iso_duration(self.duration) if self.duration else None

    def deadline(self, start: datetime) -> datetime | None:
        """When data collected at ``start`` falls due for erasure (calendar-correct)."""
        parsed = self.parsed()
        return add_duration(start, parsed) if parsed else None

    def delta(self) -> timedelta | None:
        """Approximate length (year = 365 days, month = 30); prefer :meth:`deadline`."""
        parsed = self.parsed()
        return parsed.approximate() if parsed else None


class Authority(_Model):
    """A data protection authority a person may complain to (Art. 77 GDPR), by country.

    People in the EEA, Switzerland and the United Kingdom are told of their own
    country's authority, never of the authority the company answers to at home.
    """

    country: CountryCode
    name: Text
    website: WebsiteUrl


def _default_complaints_retention() -> Retention:
    return Retention(
        duration="P3Y",
        basis="Pledge's default: a complaint is kept three years after it was answered or "
        "escalated, to show how it was handled.",
    )


class Complaints(_Model):
    """How complaints about the handling of personal data are answered and kept.

    ``deadline`` counts from receipt; ``retention`` counts from the answer (or the
    escalation): an open complaint is kept until it is closed.
    """

    section: str | None = None
    deadline: IsoDuration = "P45D"
    retention: Retention = PydanticField(default_factory=_default_complaints_retention)


class Category(_Model):
    """A category of personal data the policy says is collected."""

    id: Identifier
    name: Text
    description: Text
    section: Text
    subjects: list[Text]
    fields: list[Field]
    sources: list[Text]
    purposes: list[str]
    recipients: list[str] = []
    retention: Retention
    role: Literal["controller", "processor"] = "controller"
    provided_by_subject: bool
    sensitive: bool = False

    def field(self, id: str) -> Field | None:
        """The field with this id, or None (a dict lookup: collection calls it per value)."""
        return self._fields_by_id.get(id)

    @cached_property
    def _fields_by_id(self) -> dict[str, Field]:
        return {field.id: field for field in self.fields}


class Purpose(_Model):
    """Why data is processed, and on which legal basis in each jurisdiction."""

    id: Identifier
    name: Text
    description: Text
    section: Text
    legal_basis: dict[str, LegalBasis]
    basis_note: str | None = None
    marketing: bool = False
    objectable: bool = False
    channels: list[Literal["email", "post", "phone"]] = []


class Transfer(_Model):
    """A transfer of personal data out of the jurisdictions it was collected in."""

    destination: CountryCode
    origins: list[str] = []
    mechanism: Literal[
        "privacy_shield",
        "data_privacy_framework",
        "standard_contractual_clauses",
        "adequacy",
        "none",
        "legal_requirement",
    ]
    note: str | None = None


class Recipient(_Model):
    """A recipient (or category of recipients) of personal data."""

    id: Identifier
    name: Text
    kind: Literal["processor", "controller", "public_authority", "business_transfer", "affiliate"]
    description: Text
    section: Text
    categories: list[str]
    purposes: list[str] = []
    transfer: Transfer | None = None
    named: bool = False
    privacy_policy_url: str | None = None
    webhook_url: str | None = None

    @property
    def role(self) -> str:
        """Alias of ``kind``, the word the GDPR uses."""
        return self.kind


class Right(_Model):
    """A right a person has in a jurisdiction, and the clock for answering it."""

    type: RightType
    description: Text
    deadline: IsoDuration
    extension: IsoDuration | None = None
    extension_notice_within: IsoDuration | None = None
    acknowledge_within: IsoDuration | None = None
    business_days: bool = False
    """``acknowledge_within`` counts business days (Monday to Friday)."""
    staff_review: bool = False
    fee_for_additional_copies: bool = False


class Jurisdiction(_Model):
    """A set of places whose residents share the same rights."""

    id: Identifier
    name: Text
    law: Text
    section: Text
    countries: list[CountryCode] = []
    regions: list[Annotated[str, PydanticField(pattern=r"^[A-Z0-9]{1,3}$")]] = []
    default: bool = False
    opt_in_marketing: bool = False
    rights: list[Right]

    def right(self, type: str) -> Right | None:
        """The right of this type (``erasure`` and ``delete`` stand for each other)."""
        for wanted in (type, RIGHT_SYNONYMS.get(type)):
            found = next((right for right in self.rights if right.type == wanted), None)
            if found is not None:
                return found
        return None


class Cookie(_Model):
    """A cookie the Site sets, for the cookie table and the consent banner."""

    name: Text
    provider: Text
    service: Identifier
    purpose: Text
    lifetime: Annotated[str, AfterValidator(_check_lifetime)]
    category: Literal["strictly_necessary", "analytics"]
    recipient: str | None = None


class Statement(_Model):
    """A passage of the policy's prose, under the heading it belongs to."""

    section: Text
    text: Text

    def paragraphs(self) -> list[str]:
        """The text split on blank lines, each paragraph on one line."""
        return [" ".join(part.split()) for part in self.text.split("\n\n") if part.strip()]


class Statements(_Model):
    """The prose of the policy that is not a list of categories, purposes or rights."""

    introduction: Statement
    services_data: Statement
    acceptance: Statement
    information_we_collect: Statement
    how_we_use: Statement
    sharing: Statement
    california: Statement
    california_verification: Statement
    do_not_track: Statement
    eu_scope: Statement
    legitimate_interests: Statement
    data_retention: Statement
    notice_of_changes: Statement
    cookies: Statement
    cookie_consent: Statement
    cookie_controls: Statement
    publicly_posted_information: Statement
    children: Statement
    links_to_other_websites: Statement
    changes: Statement
    contact: Statement


class PrivacyShieldPrinciple(_Model):
    """One Privacy Shield principle and what the policy says about it."""

    name: Text
    text: Text


class Transfers(_Model):
    """How data leaves the EU and Switzerland for the United States."""

    section: Text
    statement: Text
    mechanism: Literal[
        "privacy_shield",
        "data_privacy_framework",
        "standard_contractual_clauses",
        "adequacy",
    ]
    origins: list[str]
    destination: CountryCode
    frameworks: list[Text]
    certification_url: str | None = None
    principles: list[PrivacyShieldPrinciple] = []
    hr_data_note: str | None = None
    legal_status: str | None = None
    """A dated note on the mechanism's validity, shown beside the original text."""
    successor: str | None = None


class Verifier(_Model):
    """A data point a person may give (``match``) beside the e-mail code to prove who they are.

    ``phone`` is compared with the phone numbers held as the subject's
    identities; any other field with the values of that field in their records.
    """

    field: Identifier
    name: Text
    min_distinct: Annotated[int, PydanticField(ge=2, le=32)] = 4
    """Fewest distinct letters and digits a given value must hold (``11111`` proves nothing)."""


def _default_verifiers() -> list[Verifier]:
    return [Verifier(field="phone", name="Phone number", min_distinct=3)]


class Verification(_Model):
    """What proves a person's identity for the requests that reveal or change their data.

    The e-mail code proves only that the person reads the mailbox; access,
    portability, erasure and rectification also need one of these data points,
    equal to one held. The e-mail address itself (or anything repeating it)
    never counts.
    """

    section: str | None = None
    verifiers: list[Verifier] = PydanticField(default_factory=_default_verifiers, min_length=1)

    def verifier(self, field: str) -> Verifier | None:
        """The declared verifier for this ``match`` field, or None."""
        return next((item for item in self.verifiers if item.field == field), None)


class Security(_Model):
    """The Data Security section, and the measures listed in the Art. 30 record."""

    section: Text
    statement: Text
    measures: list[Text]


def _kept(duration: str, basis: str) -> Retention:
    return Retention(duration=duration, basis=basis)


REGISTER_DEFAULT_BASIS = "Pledge's default where the policy names no period for this register."


class Registers(_Model):
    """How long the privacy officer's registers are kept, each counted from its own date.

    A legal request from when it was answered (received, if never answered), a
    business transfer from its date, a breach from when it became known. The
    ``pledge retention run`` removes each entry once its period has passed.
    """

    section: str | None = None
    legal_requests: Retention = PydanticField(
        default_factory=lambda: _kept("P6Y", REGISTER_DEFAULT_BASIS)
    )
    business_transfers: Retention = PydanticField(
        default_factory=lambda: _kept("P6Y", REGISTER_DEFAULT_BASIS)
    )
    breaches: Retention = PydanticField(
        default_factory=lambda: _kept("P5Y", REGISTER_DEFAULT_BASIS)
    )


class LogData(_Model):
    """The site's visitor log data: what the first-party beacon keeps, how long, what is shown.

    ``category`` and ``purpose`` name the policy's own (checked); ``retention`` counts
    from each page view, after which the event row goes and only aggregates stay;
    ``min_group_size`` is k: a group's figures are published only when it counts at
    least k distinct visitors (by their pseudonym of the day, which the category declares
    as its ``visitor_field``), so no published figure describes one or two people.
    """

    section: str | None = None
    category: Identifier
    purpose: Identifier
    retention: Retention
    min_group_size: Annotated[int, PydanticField(ge=2, le=1000)]
    visitor_field: Identifier = "daily_visitor_pseudonym"
    """The category's field that declares the visitor pseudonym of the day each page view
    carries (``pledge policy check`` reports a category without it)."""


LanguageTag = Annotated[str, PydanticField(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]
"""``en``, ``de``, ``pt-BR``: the form of the policy's ``language``."""


FormSlug = Annotated[
    str, PydanticField(pattern=r"^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$", max_length=64)
]
"""A form's id, as it appears in ``/forms/{id}``: lower case letters and digits, ``_`` or ``-``."""

SiteFieldType = Literal["text", "email", "phone", "country", "textarea", "checkbox", "date", "file"]
"""What a form field is shown as, and which category field types it may fill
(:data:`pledge.policy.checks.FILLS`)."""

UploadKind = Literal["pdf", "docx"]


class SiteFormField(_Model):
    """One input of a site form; its ``id`` is the category field it fills.

    ``email`` and ``country`` are asked of every form: they name the person
    (the subject) and decide their jurisdiction; they fill the category's
    fields of the same id only where the category declares them.
    """

    id: Identifier
    label: Text
    type: SiteFieldType
    required: bool = False
    max_length: Annotated[int, PydanticField(ge=1, le=20_000)] | None = None
    """Most characters accepted (text: 200 unless set; textarea: 5,000 unless set)."""
    accept: list[UploadKind] = []
    """File fields: the kinds accepted, told apart by content, never by name."""
    max_bytes: Annotated[int, PydanticField(ge=1, le=10_000_000)] | None = None
    """File fields: the largest file accepted (2 MB unless set)."""


class ConsentQuestion(_Model):
    """A consent asked on a form, recorded in the consent ledger with its wording.

    ``ask_in`` lists the jurisdictions where it is asked (empty: everywhere);
    ``checked_in`` those where the box starts ticked, never one whose
    marketing is opt-in (the GDPR's consent is a clear affirmative act).
    """

    id: Identifier
    purpose: Identifier
    text: Text
    version: Annotated[str, PydanticField(pattern=r"^[A-Za-z0-9._-]{1,20}$")] = "1"
    ask_in: list[str] = []
    checked_in: list[str] = []

    def asked_in(self, jurisdiction: str) -> bool:
        return not self.ask_in or jurisdiction in self.ask_in


class SiteFormText(_Model):
    """A form's texts in another language; what is left out stays in the policy's language."""

    title: Text | None = None
    notice: Text | None = None
    fields: dict[Identifier, Text] = {}
    consents: dict[Identifier, Text] = {}


class SiteForm(_Model):
    """A collection point of the site: the data a form takes, why, and what it tells people."""

    id: FormSlug
    title: Text
    category: Identifier
    purpose: Identifier
    notice: Text
    """Told above the form: what is collected and why (a notice at collection)."""
    fields: Annotated[list[SiteFormField], PydanticField(min_length=1)]
    consents: list[ConsentQuestion] = []
    ask_age: bool = False
    """The form may reach children: it asks a birth year; under ``minimum_age`` is refused."""
    translations: dict[LanguageTag, SiteFormText] = {}

    def field(self, id: str) -> SiteFormField | None:
        return next((item for item in self.fields if item.id == id), None)

    def text(self, language: str) -> SiteFormText:
        """The form's texts in ``language``, the policy's own where none is given."""
        found = self.translations.get(language) or SiteFormText()
        return SiteFormText(
            title=found.title or self.title,
            notice=found.notice or self.notice,
            fields={f.id: found.fields.get(f.id, f.label) for f in self.fields},
            consents={c.id: found.consents.get(c.id, c.text) for c in self.consents},
        )


class Site(_Model):
    """The company's website as a collection point: its forms and their spam checks."""

    section: str | None = None
    forms: list[SiteForm] = []
    min_fill_seconds: Annotated[int, PydanticField(ge=0, le=600)] = 3
    """A form sent sooner after it was issued is taken for a robot's."""

    def form(self, id: str) -> SiteForm | None:
        return next((item for item in self.forms if item.id == id), None)


class JurisdictionText(_Model):
    """A jurisdiction's texts in another language: its name and its rights' descriptions."""

    name: Text | None = None
    rights: dict[RightType, Text] = {}


class Translation(_Model):
    """The texts a person reads in the privacy center, in one more language.

    Only what people see while using their rights: the legal policy page
    stays in the policy's own language.
    """

    jurisdictions: dict[Identifier, JurisdictionText] = {}


class PolicyDocument(_Model):
    """Everything the policy YAML holds; see ``docs/policy-reference.md``."""

    version: Text
    effective: date
    title: Text
    language: LanguageTag = "en"
    controller: Controller
    statements: Statements
    jurisdictions: list[Jurisdiction]
    categories: list[Category]
    purposes: list[Purpose]
    recipients: list[Recipient]
    transfers: Transfers
    security: Security
    cookies: list[Cookie]
    minimum_age: Annotated[int, PydanticField(ge=0, le=21)]
    sells_personal_data: bool
    honours_do_not_track: bool
    verification: Verification = PydanticField(default_factory=Verification)
    registers: Registers = PydanticField(default_factory=Registers)
    """How long the legal-request, business-transfer and breach registers are kept."""
    translations: dict[LanguageTag, Translation] = {}
    """Per language, the privacy center's texts from this policy; see ``docs/i18n.md``."""
    authorities: list[Authority] = []
    """The data protection authorities of the countries whose people may complain to one."""
    complaints: Complaints = PydanticField(default_factory=Complaints)
    log_data: LogData | None = None
    """The beacon's visitor log data; without it ``POST /api/v1/beacon`` answers 404."""
    site: Site = PydanticField(default_factory=Site)
    """The site's forms (collection points); see ``docs/forms.md``."""


class Policy(PolicyDocument):
    """A loaded, checked policy: the document plus its digest and warnings."""

    digest: Annotated[str, PydanticField(pattern=r"^[0-9a-f]{64}$")]
    warnings: tuple[Problem, ...] = ()

    def category(self, id: str) -> Category | None:
        """The category with this id, or None."""
        return self._categories_by_id.get(id)

    def purpose(self, id: str) -> Purpose | None:
        """The purpose with this id, or None."""
        return self._purposes_by_id.get(id)

    @cached_property
    def marketing_purposes(self) -> list[Purpose]:
        """The purposes that send marketing (filter, unsubscribe, reach projection)."""
        return [p for p in self.purposes if p.marketing]

    @cached_property
    def _categories_by_id(self) -> dict[str, Category]:
        return {item.id: item for item in self.categories}

    @cached_property
    def _purposes_by_id(self) -> dict[str, Purpose]:
        return {item.id: item for item in self.purposes}

    def recipient(self, id: str) -> Recipient | None:
        """The recipient with this id, or None."""
        return next((item for item in self.recipients if item.id == id), None)

    def jurisdiction(self, id: str) -> Jurisdiction | None:
        """The jurisdiction with this id, or None."""
        return next((item for item in self.jurisdictions if item.id == id), None)

    @property
    def default_jurisdiction(self) -> Jurisdiction:
        """The fallback jurisdiction (``default: true``); the checks ensure there is one."""
        return next(item for item in self.jurisdictions if item.default)

    def jurisdiction_for(self, country: str, region: str | None = None) -> Jurisdiction:
        """Where a person lives decides their rights.

        Case-insensitive. A jurisdiction that lists regions matches only a
        country and region it lists; a country-and-region match beats a
        country match, which beats the default jurisdiction.
        """
        key = (country, region)
        cache = self._jurisdiction_cache
        found = cache.get(key)
        if found is None:
            found = self._find_jurisdiction(country, region)
            if len(cache) < 10_000:  # inputs are user-supplied: keep the cache bounded
                cache[key] = found
        return found

    @cached_property
    def _jurisdiction_cache(self) -> dict[tuple[str, str | None], Jurisdiction]:
        return {}

    def _find_jurisdiction(self, country: str, region: str | None) -> Jurisdiction:
        country = country.strip().upper()
        region = region.strip().upper() if region else None
        by_country: Jurisdiction | None = None
        for item in self.jurisdictions:
            if country not in item.countries:
                continue
            if item.regions:
                if region is not None and region in item.regions:
                    return item
            elif by_country is None:
                by_country = item
        return by_country or self.default_jurisdiction

    def legal_basis(self, purpose_id: str, jurisdiction_id: str) -> str | None:
        """The basis a purpose relies on in a jurisdiction, else its ``default`` basis."""
        purpose = self.purpose(purpose_id)
        if purpose is None:
            return None
        return purpose.legal_basis.get(jurisdiction_id, purpose.legal_basis.get("default"))

    def right(self, jurisdiction_id: str, type: str) -> Right | None:
        """A jurisdiction's right of this type (``erasure``/``delete`` are synonyms)."""
        jurisdiction = self.jurisdiction(jurisdiction_id)
        return jurisdiction.right(type) if jurisdiction else None

    def text_of(
        self, jurisdiction: Jurisdiction, language: str, *, right: str | None = None
    ) -> tuple[str, str]:
        """A jurisdiction's name (or one right's description) in ``language``, and its language.

        The policy's own text, in the policy's language, where it has no translation.
        """
        found = self.translations.get(language)
        texts = found.jurisdictions.get(jurisdiction.id) if found else None
        if right is None:
            if texts is not None and texts.name:
                return texts.name, language
            return jurisdiction.name, self.language
        own = jurisdiction.right(right)
        translated = texts.rights.get(RightType(right)) if texts is not None else None
        if translated:
            return translated, language
        return (own.description if own else ""), self.language

    def authority_for(self, country: str | None) -> Authority | None:
        """The data protection authority of this country (case-insensitive), or None."""
        wanted = (country or "").strip().upper()
        return next((item for item in self.authorities if item.country == wanted), None)

    def complaint_authority(self, country: str | None) -> str:
        """The authority a person living in ``country`` may complain to, as one line.

        Their own country's authority (name and site) where the policy lists one;
        otherwise the authority the controller answers to.
        """
        found = self.authority_for(country)
        if found is None:
            return self.controller.supervisory_authority
        return f"{found.name} ({found.website})"

    def cookie(self, name: str) -> Cookie | None:
        """The first cookie with this name, or None."""
        return next((item for item in self.cookies if item.name == name), None)
