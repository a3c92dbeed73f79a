"""Every table, imported here so that ``Base.metadata`` knows them all."""

from pledge.db.models.access import ApiKey
from pledge.db.models.audit import AuditEntry, AuditHead
from pledge.db.models.complaints import Complaint
from pledge.db.models.connectors import ConnectedRows, ConnectorTask
from pledge.db.models.consent import (
    ConsentEvent,
    ConsentState,
    CookieConsent,
    DoNotCall,
    MarketingReach,
    MarketingReachCoverage,
)
from pledge.db.models.holds import LegalHold
from pledge.db.models.key_ring import KeyRingEntry
from pledge.db.models.outbox import Delivery, DeliveryCircuit, OutboxMessage
from pledge.db.models.policy_versions import PolicyChangeMail, PolicyPublication, PolicyVersion
from pledge.db.models.records import Record
from pledge.db.models.recruiting import Position
from pledge.db.models.registers import (
    Breach,
    BusinessTransfer,
    LegalRequest,
    LegalRequestSubject,
    RegisterNotice,
)
from pledge.db.models.rights import (
    Disclosure,
    MarketingSuppression,
    RecipientNotice,
    RequestEvent,
    RequestPageSession,
    RightsRequest,
    SubjectRestriction,
)
from pledge.db.models.service_data import (
    Client,
    Conversation,
    ServiceCustomer,
    WebhookDelivery,
)
from pledge.db.models.site_analytics import SiteAggregate, SiteEvent, SiteSalt
from pledge.db.models.site_forms import FormConfirmation
from pledge.db.models.staff import StaffSession, StaffUser
from pledge.db.models.subjects import Identity, Subject, SubjectKey
from pledge.db.models.throttle import ThrottleCounter

__all__ = [
    "ApiKey",
    "AuditEntry",
    "AuditHead",
    "Breach",
    "BusinessTransfer",
    "Client",
    "Complaint",
    "ConnectedRows",
    "ConnectorTask",
    "ConsentEvent",
    "ConsentState",
    "Conversation",
    "CookieConsent",
    "Delivery",
    "DeliveryCircuit",
    "Disclosure",
    "DoNotCall",
    "FormConfirmation",
    "Identity",
    "KeyRingEntry",
    "LegalHold",
    "LegalRequest",
    "LegalRequestSubject",
    "MarketingReach",
    "MarketingReachCoverage",
    "MarketingSuppression",
    "OutboxMessage",
    "PolicyChangeMail",
    "PolicyPublication",
    "PolicyVersion",
    "Position",
    "RecipientNotice",
    "Record",
    "RegisterNotice",
    "RequestEvent",
    "RequestPageSession",
    "RightsRequest",
    "ServiceCustomer",
    "SiteAggregate",
    "SiteEvent",
    "SiteSalt",
    "StaffSession",
    "StaffUser",
    "Subject",
    "SubjectKey",
    "SubjectRestriction",
    "ThrottleCounter",
    "WebhookDelivery",
]
