"""sObject schemas of the fake Salesforce: fields, types, relationships, id prefixes."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field

KEY_PREFIXES: dict[str, str] = {
    "Account": "001",
    "Contact": "003",
    "Lead": "00Q",
    "Opportunity": "006",
    "OpportunityContactRole": "00K",
    "Task": "00T",
    "Event": "00U",
    "Campaign": "701",
    "CampaignMember": "00v",
    "User": "005",
    "PermissionSet": "0PS",
    "PermissionSetAssignment": "0Pa",
    "FieldPermissions": "01k",
}
CUSTOM_FIELD_PREFIX = "00N"
JOB_PREFIX = "750"
QUERY_LOCATOR_PREFIX = "01g"

_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

TEXT_TYPES = frozenset(
    {"string", "picklist", "combobox", "email", "phone", "url", "textarea", "id", "reference"}
)
NUMBER_TYPES = frozenset({"double", "int", "currency", "percent"})
_DEFAULTED = frozenset({"Id", "CreatedDate", "LastModifiedDate", "SystemModstamp", "OwnerId"})


def id18(id15: str) -> str:
    """Append Salesforce's 3-character case-safe checksum to a 15-character id."""
    suffix = ""
    for chunk in range(3):
        bits = 0
        for pos, char in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << pos
        suffix += _SUFFIX_ALPHABET[bits]
    return id15 + suffix


def is_valid_id(value: str) -> bool:
    return len(value) == 18 and value.isalnum() and id18(value[:15]) == value


class IdFactory:
    """Mints 18-character ids with the right key prefix, in creation order."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def mint(self, prefix: str) -> str:
        with self._lock:
            n = next(self._counter)
        digits = ""
        while n or len(digits) < 7:
            n, rem = divmod(n, 62)
            digits = _BASE62[rem] + digits
        return id18(f"{prefix}8d{'0' * (10 - len(digits))}{digits}"[:15])


@dataclass(frozen=True, slots=True)
class SField:
    """One field as `describe` reports it."""

    name: str
    type: str
    label: str = ""
    length: int = 0
    updateable: bool = True
    nillable: bool = True
    custom: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    precision: int = 0
    scale: int = 0
    #: Picklist values, in the order describe lists them (the first is the default).
    picklist: tuple[str, ...] = ()
    default: object = None
    #: A restricted picklist refuses values outside ``picklist`` on API writes.
    restricted: bool = False

    def describe(self) -> dict[str, object]:
        soap = {
            "id": "tns:ID",
            "reference": "tns:ID",
            "boolean": "xsd:boolean",
            "datetime": "xsd:dateTime",
            "date": "xsd:date",
            "double": "xsd:double",
            "currency": "xsd:double",
            "percent": "xsd:double",
            "int": "xsd:int",
        }.get(self.type, "xsd:string")
        return {
            "name": self.name,
            "type": self.type,
            "label": self.label or self.name,
            "length": self.length,
            "precision": self.precision,
            "scale": self.scale,
            "custom": self.custom,
            "updateable": self.updateable,
            "createable": self.updateable,
            "nillable": self.nillable,
            "filterable": not self.long_text,
            "sortable": not self.long_text,
            "groupable": not self.long_text and self.type not in NUMBER_TYPES,
            "permissionable": self.custom or (self.nillable and self.updateable),
            "defaultValue": self.default,
            "defaultedOnCreate": self.type == "boolean" or self.name in _DEFAULTED,
            "picklistValues": [
                {
                    "active": True,
                    "defaultValue": False,
                    "label": value,
                    "validFor": None,
                    "value": value,
                }
                for value in self.picklist
            ],
            "restrictedPicklist": self.restricted,
            "dependentPicklist": False,
            "nameField": self.name == "Name",
            "inlineHelpText": None,
            "htmlFormatted": False,
            "soapType": soap,
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship_name,
            "calculated": False,
            "unique": False,
            "externalId": False,
        }

    @property
    def long_text(self) -> bool:
        """Long and rich text areas: neither filterable nor sortable in SOQL."""
        return self.type == "textarea" and self.length > 255


def _s(name: str, length: int = 255, label: str = "", *, kind: str = "string") -> SField:
    return SField(name, kind, label or name, length)


def _pick(name: str, values: tuple[str, ...], label: str = "") -> SField:
    return SField(name, "picklist", label or name, 255, picklist=values)


LEAD_STATUSES = (
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
)
INDUSTRIES = (
    "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
    "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering",
    "Entertainment", "Environmental", "Finance", "Food & Beverage", "Government",
    "Healthcare", "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media",
    "Not For Profit", "Recreation", "Retail", "Shipping", "Technology",
    "Telecommunications", "Transportation", "Utilities", "Other",
)  # fmt: skip
#: The default sales process; the last two are closed (won, lost).
OPPORTUNITY_STAGES = (
    "Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
    "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
    "Negotiation/Review", "Closed Won", "Closed Lost",
)  # fmt: skip
CAMPAIGN_TYPES = (
    "Advertisement", "Email", "Telemarketing", "Banner Ads", "Seminar / Conference",
    "Public Relations", "Partners", "Referral Program", "Webinar", "Conference", "Other",
)  # fmt: skip


def _ref(name: str, to: tuple[str, ...], rel: str, *, updateable: bool = True) -> SField:
    return SField(name, "reference", rel + " ID", 18, updateable, True, False, to, rel)


def _ro(name: str, kind: str, *, nillable: bool = True) -> SField:
    length = 18 if kind == "id" else 0
    return SField(name, kind, name, length, updateable=False, nillable=nillable)


def _system(owner: bool = True) -> list[SField]:
    fields = [
        _ro("Id", "id", nillable=False),
        _ro("IsDeleted", "boolean", nillable=False),
        _ro("CreatedDate", "datetime", nillable=False),
        _ref("CreatedById", ("User",), "CreatedBy", updateable=False),
        _ro("LastModifiedDate", "datetime", nillable=False),
        _ref("LastModifiedById", ("User",), "LastModifiedBy", updateable=False),
        _ro("SystemModstamp", "datetime", nillable=False),
    ]
    if owner:
        fields.append(_ref("OwnerId", ("User",), "Owner"))
    return fields


def _num(name: str, kind: str = "int") -> SField:
    return SField(name, kind, name, 0, precision=18 if kind != "int" else 9)


def _bool(name: str, *, updateable: bool = True) -> SField:
    return SField(name, "boolean", name, 0, updateable, nillable=False)


def _date(name: str, kind: str = "date") -> SField:
    return SField(name, kind, name)


_PERSON = [
    _s("FirstName", 40),
    SField("LastName", "string", "Last Name", 80, nillable=False),
    SField("Name", "string", "Full Name", 121, updateable=False),
    _s("Title", 128),
    _s("Email", 80, kind="email"),
    _s("Phone", 40, kind="phone"),
    _pick(
        "LeadSource",
        ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"),
        "Lead Source",
    ),
    _s("Description", 32000, kind="textarea"),
]

STANDARD_OBJECTS: dict[str, list[SField]] = {
    "Lead": [
        *_system(),
        *_PERSON,
        SField("Company", "string", "Company", 255, nillable=False),
        _pick("Status", LEAD_STATUSES, "Lead Status"),
        _pick("Industry", INDUSTRIES),
        _pick("Rating", ("Hot", "Warm", "Cold")),
        _s("Website", 255, kind="url"),
        _num("NumberOfEmployees"),
        _s("Country", 80),
        _s("City", 40),
        _bool("IsConverted", updateable=False),
        SField("ConvertedDate", "date", "Converted Date", updateable=False),
        _ref("ConvertedContactId", ("Contact",), "ConvertedContact", updateable=False),
        _ref("ConvertedAccountId", ("Account",), "ConvertedAccount", updateable=False),
        _ref("ConvertedOpportunityId", ("Opportunity",), "ConvertedOpportunity", updateable=False),
        _ref("MasterRecordId", ("Lead",), "MasterRecord", updateable=False),
    ],
    "Contact": [
        *_system(),
        *_PERSON,
        _ref("AccountId", ("Account",), "Account"),
        _s("Department", 80),
        _s("MailingCountry", 80),
        _s("MailingCity", 40),
        _ref("MasterRecordId", ("Contact",), "MasterRecord", updateable=False),
    ],
    "Account": [
        *_system(),
        SField("Name", "string", "Account Name", 255, nillable=False),
        _s("Website", 255, kind="url"),
        _pick("Industry", INDUSTRIES),
        _pick(
            "Type",
            ("Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other"),
            "Account Type",
        ),
        _num("NumberOfEmployees"),
        _num("AnnualRevenue", "currency"),
        _s("BillingCountry", 80),
        _s("BillingCity", 40),
        SField("Target_Account__c", "boolean", "Target Account", 0, nillable=False, custom=True),
        _ref("MasterRecordId", ("Account",), "MasterRecord", updateable=False),
    ],
    "Opportunity": [
        *_system(),
        _ref("AccountId", ("Account",), "Account"),
        SField("Name", "string", "Name", 120, nillable=False),
        SField("StageName", "picklist", "Stage", 255, nillable=False, picklist=OPPORTUNITY_STAGES),
        _num("Amount", "currency"),
        SField("CloseDate", "date", "Close Date", nillable=False),
        _num("Probability", "percent"),
        _bool("IsClosed", updateable=False),
        _bool("IsWon", updateable=False),
        _pick(
            "LeadSource", ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
        ),
    ],
    "OpportunityContactRole": [
        *_system(owner=False),
        _ref("OpportunityId", ("Opportunity",), "Opportunity"),
        _ref("ContactId", ("Contact",), "Contact"),
        _pick("Role", ("Decision Maker", "Economic Buyer", "Evaluator", "Influencer", "Other")),
        _bool("IsPrimary"),
    ],
    "Task": [
        *_system(),
        _s("Subject", 255, kind="combobox"),
        _pick("Type", ("Call", "Email", "Meeting", "Other")),
        _pick("TaskSubtype", ("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn")),
        _pick(
            "Status",
            ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"),
        ),
        _pick("Priority", ("High", "Normal", "Low")),
        _date("ActivityDate"),
        _ref("WhoId", ("Contact", "Lead"), "Who"),
        _ref("WhatId", ("Account", "Campaign"), "What"),
        _num("CallDurationInSeconds"),
        _bool("IsClosed", updateable=False),
        _bool("IsArchived", updateable=False),
        _s("Description", 32000, kind="textarea"),
    ],
    "Event": [
        *_system(),
        _s("Subject", 255, kind="combobox"),
        _pick("Type", ("Call", "Email", "Meeting", "Other")),
        _date("ActivityDate"),
        _date("ActivityDateTime", "datetime"),
        _date("StartDateTime", "datetime"),
        _date("EndDateTime", "datetime"),
        _num("DurationInMinutes"),
        _ref("WhoId", ("Contact", "Lead"), "Who"),
        _ref("WhatId", ("Account", "Campaign"), "What"),
        _bool("IsArchived", updateable=False),
        _s("Description", 32000, kind="textarea"),
    ],
    "Campaign": [
        *_system(),
        SField("Name", "string", "Campaign Name", 80, nillable=False),
        _pick("Type", CAMPAIGN_TYPES),
        _pick("Status", ("Planned", "In Progress", "Completed", "Aborted")),
        _date("StartDate"),
        _date("EndDate"),
        _bool("IsActive"),
    ],
    "CampaignMember": [
        *_system(owner=False),
        _ref("CampaignId", ("Campaign",), "Campaign"),
        _ref("LeadId", ("Lead",), "Lead"),
        _ref("ContactId", ("Contact",), "Contact"),
        _pick(
            "Status",
            ("Sent", "Responded", "Registered", "Opened", "Clicked", "Attended", "Unsubscribed"),
        ),
        _bool("HasResponded", updateable=False),
        SField("FirstRespondedDate", "date", "First Responded Date", updateable=False),
        SField("Type", "string", "Type", 40, updateable=False),
    ],
    "User": [
        *_system(owner=False),
        SField("Username", "string", "Username", 80, nillable=False),
        _s("FirstName", 40),
        SField("LastName", "string", "Last Name", 80, nillable=False),
        SField("Name", "string", "Full Name", 121, updateable=False),
        _s("Email", 128, kind="email"),
        _s("Title", 80),
        _s("Alias", 8),
        _bool("IsActive"),
    ],
    "PermissionSet": [
        *_system(owner=False),
        SField("Name", "string", "Name", 80, nillable=False),
        SField("Label", "string", "Label", 80, nillable=False),
        _bool("IsOwnedByProfile", updateable=False),
    ],
    "PermissionSetAssignment": [
        *_system(owner=False),
        _ref("AssigneeId", ("User",), "Assignee"),
        _ref("PermissionSetId", ("PermissionSet",), "PermissionSet"),
    ],
    "FieldPermissions": [
        *_system(owner=False),
        _ref("ParentId", ("PermissionSet",), "Parent"),
        SField("SobjectType", "picklist", "Sobject Type Name", 40, nillable=False),
        SField("Field", "string", "Field Name", 100, nillable=False),
        _bool("PermissionsRead"),
        _bool("PermissionsEdit"),
    ],
}

#: What a polymorphic relationship (Task.Who, Task.What) resolves to: the `Name`
#: entity, whose fields are these; `Type` is the referenced record's sObject.
NAME_ENTITY_FIELDS: tuple[SField, ...] = (
    _ro("Id", "id", nillable=False),
    SField("Name", "string", "Name", 255, updateable=False),
    SField("Type", "picklist", "Object Type", 40, updateable=False),
    SField("FirstName", "string", "First Name", 40, updateable=False),
    SField("LastName", "string", "Last Name", 80, updateable=False),
    SField("Alias", "string", "Alias", 8, updateable=False),
    SField("Email", "email", "Email", 80, updateable=False),
    SField("Phone", "phone", "Phone", 40, updateable=False),
    SField("Title", "string", "Title", 128, updateable=False),
    SField("Username", "string", "Username", 80, updateable=False),
)

OBJECT_LABELS = {
    "Account": ("Account", "Accounts"),
    "Contact": ("Contact", "Contacts"),
    "Lead": ("Lead", "Leads"),
    "Opportunity": ("Opportunity", "Opportunities"),
    "OpportunityContactRole": ("Opportunity Contact Role", "Opportunity Contact Role"),
    "Task": ("Task", "Tasks"),
    "Event": ("Event", "Events"),
    "Campaign": ("Campaign", "Campaigns"),
    "CampaignMember": ("Campaign Member", "Campaign Members"),
    "User": ("User", "Users"),
    "PermissionSet": ("Permission Set", "Permission Sets"),
    "PermissionSetAssignment": ("Permission Set Assignment", "Permission Set Assignments"),
    "FieldPermissions": ("Field Permissions", "Field Permissions"),
}


@dataclass(slots=True)
class SObjectType:
    """One sObject: its fields by lower-cased name (SOQL names are case-insensitive)."""

    name: str
    fields: dict[str, SField] = field(default_factory=dict)

    def add(self, f: SField) -> None:
        self.fields[f.name.lower()] = f

    def field(self, name: str) -> SField | None:
        return self.fields.get(name.lower())

    def relationship(self, name: str) -> SField | None:
        lowered = name.lower()
        for f in self.fields.values():
            if f.relationship_name and f.relationship_name.lower() == lowered:
                return f
        return None

    @property
    def key_prefix(self) -> str:
        return KEY_PREFIXES.get(self.name, "000")

    def describe(self, version: str) -> dict[str, object]:
        label, plural = OBJECT_LABELS.get(self.name, (self.name, self.name + "s"))
        base = f"/services/data/v{version}/sobjects/{self.name}"
        return {
            "name": self.name,
            "label": label,
            "labelPlural": plural,
            "keyPrefix": self.key_prefix,
            "custom": False,
            "queryable": True,
            "updateable": True,
            "createable": True,
            "deletable": True,
            "fields": [f.describe() for f in self.fields.values()],
            "urls": {
                "sobject": base,
                "describe": base + "/describe",
                "rowTemplate": base + "/{ID}",
            },
        }


def name_entity() -> SObjectType:
    """The `Name` entity polymorphic relationships resolve to."""
    sobject = SObjectType("Name")
    for f in NAME_ENTITY_FIELDS:
        sobject.add(f)
    return sobject


def build_schema() -> dict[str, SObjectType]:
    """A fresh schema (custom fields added later are per sandbox)."""
    schema: dict[str, SObjectType] = {}
    for name, fields in STANDARD_OBJECTS.items():
        sobject = SObjectType(name)
        for f in fields:
            sobject.add(f)
        schema[name] = sobject
    return schema
