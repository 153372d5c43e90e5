"""Object types, built-in properties and association types of the fake HubSpot portal."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# canonical plural name -> (objectTypeId, singular, modification-date property, creation property)
OBJECT_TYPES: dict[str, tuple[str, str, str, str]] = {
    "contacts": ("0-1", "contact", "lastmodifieddate", "createdate"),
    "companies": ("0-2", "company", "hs_lastmodifieddate", "createdate"),
    "calls": ("0-48", "call", "hs_lastmodifieddate", "hs_createdate"),
    "emails": ("0-49", "email", "hs_lastmodifieddate", "hs_createdate"),
    "meetings": ("0-47", "meeting", "hs_lastmodifieddate", "hs_createdate"),
    "notes": ("0-46", "note", "hs_lastmodifieddate", "hs_createdate"),
    "tasks": ("0-27", "task", "hs_lastmodifieddate", "hs_createdate"),
    "deals": ("0-3", "deal", "hs_lastmodifieddate", "createdate"),
}
ENGAGEMENTS = ("calls", "emails", "meetings", "notes", "tasks")

_ALIASES: dict[str, str] = {}
for _plural, (_type_id, _singular, _, _) in OBJECT_TYPES.items():
    _ALIASES[_plural] = _ALIASES[_singular] = _ALIASES[_type_id] = _plural


def canonical_type(name: str) -> str | None:
    """`contacts`, `contact` or `0-1` -> `contacts`; None for unsupported types."""
    return _ALIASES.get(name.lower())


def modified_property(object_type: str) -> str:
    return OBJECT_TYPES[object_type][2]


def created_property(object_type: str) -> str:
    return OBJECT_TYPES[object_type][3]


def singular(object_type: str) -> str:
    return OBJECT_TYPES[object_type][1]


# properties returned when a request names none (what the real API answers by default)
DEFAULT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": (
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    ),
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
}
DEFAULT_PROPERTIES["deals"] = (
    "amount",
    "closedate",
    "createdate",
    "dealname",
    "dealstage",
    "hs_lastmodifieddate",
    "hs_object_id",
    "pipeline",
)
for _engagement in ENGAGEMENTS:
    DEFAULT_PROPERTIES[_engagement] = ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")

PROPERTY_TYPES = {
    "string": {"text", "textarea", "phonenumber", "html", "file", "select", "radio"},
    "number": {"number", "calculation_equation"},
    "date": {"date"},
    "datetime": {"date"},
    "enumeration": {"select", "radio", "checkbox", "booleancheckbox"},
    "bool": {"booleancheckbox"},
}

GROUPS: dict[str, tuple[str, ...]] = {
    "contacts": (
        "contactinformation",
        "contact_activity",
        "conversioninformation",
        "sales_properties",
    ),
    "companies": ("companyinformation", "company_activity", "target_accounts"),
    "calls": ("callinformation", "engagement"),
    "emails": ("emailinformation", "engagement"),
    "meetings": ("meetinginformation", "engagement"),
    "notes": ("noteinformation", "engagement"),
    "tasks": ("taskinformation", "engagement"),
    "deals": ("dealinformation", "deal_activity"),
}

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,99}$")

LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
#: The default sales pipeline's stage ids (internal names, as the API answers them).
DEAL_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
    "closedwon",
    "closedlost",
)
#: A subset of HubSpot's company `industry` enumeration (internal values).
INDUSTRY_CODES = (
    "COMPUTER_SOFTWARE",
    "INFORMATION_TECHNOLOGY_AND_SERVICES",
    "INTERNET",
    "COMPUTER_NETWORKING",
    "FINANCIAL_SERVICES",
    "BANKING",
    "INSURANCE",
    "HOSPITAL_HEALTH_CARE",
    "PHARMACEUTICALS",
    "MEDICAL_DEVICES",
    "MACHINERY",
    "INDUSTRIAL_AUTOMATION",
    "RETAIL",
    "APPAREL_FASHION",
    "EDUCATION_MANAGEMENT",
    "HIGHER_EDUCATION",
    "AUTOMOTIVE",
    "OIL_ENERGY",
    "RENEWABLES_ENVIRONMENT",
    "UTILITIES",
    "MEDIA_PRODUCTION",
    "PUBLISHING",
    "GOVERNMENT_ADMINISTRATION",
    "LOGISTICS_AND_SUPPLY_CHAIN",
    "TRANSPORTATION_TRUCKING_RAILROAD",
    "MANAGEMENT_CONSULTING",
    "PROFESSIONAL_TRAINING_COACHING",
    "TELECOMMUNICATIONS",
)
#: Generator industry name -> the HubSpot codes the seed picks among.
INDUSTRY_BY_NAME: dict[str, tuple[str, ...]] = {
    "Technology": (
        "COMPUTER_SOFTWARE",
        "INFORMATION_TECHNOLOGY_AND_SERVICES",
        "INTERNET",
        "COMPUTER_NETWORKING",
    ),
    "Financial Services": ("FINANCIAL_SERVICES", "BANKING", "INSURANCE"),
    "Healthcare": ("HOSPITAL_HEALTH_CARE", "PHARMACEUTICALS", "MEDICAL_DEVICES"),
    "Manufacturing": ("MACHINERY", "INDUSTRIAL_AUTOMATION"),
    "Retail": ("RETAIL", "APPAREL_FASHION"),
    "Education": ("EDUCATION_MANAGEMENT", "HIGHER_EDUCATION"),
    "Automotive": ("AUTOMOTIVE",),
    "Energy": ("OIL_ENERGY", "RENEWABLES_ENVIRONMENT", "UTILITIES"),
    "Media": ("MEDIA_PRODUCTION", "PUBLISHING"),
    "Government": ("GOVERNMENT_ADMINISTRATION",),
    "Logistics": ("LOGISTICS_AND_SUPPLY_CHAIN", "TRANSPORTATION_TRUCKING_RAILROAD"),
    "Professional Services": ("MANAGEMENT_CONSULTING", "PROFESSIONAL_TRAINING_COACHING"),
    "Telecommunications": ("TELECOMMUNICATIONS",),
}

LEAD_STATUSES = (
    "NEW",
    "OPEN",
    "IN_PROGRESS",
    "OPEN_DEAL",
    "UNQUALIFIED",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "BAD_TIMING",
)


@dataclass(slots=True)
class PropertyDef:
    """One property definition as `GET /crm/v3/properties/{type}` describes it."""

    name: str
    label: str
    type: str = "string"
    field_type: str = "text"
    group_name: str = ""
    options: tuple[str, ...] = ()
    hubspot_defined: bool = True
    description: str = ""
    created_at: str = "2019-08-06T02:41:52.000Z"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "groupName": self.group_name,
            "description": self.description,
            "options": [
                {"label": o, "value": o, "displayOrder": i, "hidden": False}
                for i, o in enumerate(self.options)
            ],
            "displayOrder": -1,
            "calculated": False,
            "externalOptions": False,
            "hasUniqueValue": self.name == "hs_object_id",
            "hidden": False,
            "hubspotDefined": self.hubspot_defined,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.name in READ_ONLY,
            },
            "formField": not self.hubspot_defined,
            "createdAt": self.created_at,
            "updatedAt": self.created_at,
            "archived": False,
            **self.extra,
        }


#: Contact properties HubSpot calculates from page views and form submissions.
ANALYTICS = (
    "hs_analytics_last_url",
    "hs_analytics_last_timestamp",
    "hs_analytics_num_visits",
    "first_conversion_event_name",
    "first_conversion_date",
    "recent_conversion_event_name",
    "recent_conversion_date",
    "num_conversion_events",
)
READ_ONLY = frozenset(
    {
        "hs_object_id",
        "createdate",
        "lastmodifieddate",
        "hs_lastmodifieddate",
        "hs_createdate",
        "hs_merged_object_ids",
        "hs_additional_emails",
        "hs_analytics_num_page_views",
        "hs_analytics_last_visit_timestamp",
        *ANALYTICS,
    }
)


def _p(
    name: str,
    label: str,
    kind: str = "string",
    field_type: str = "text",
    options: tuple[str, ...] = (),
) -> PropertyDef:
    return PropertyDef(name, label, kind, field_type, options=options)


_COMMON = (
    _p("hs_object_id", "Record ID", "number", "number"),
    _p("hs_lastmodifieddate", "Last Modified Date", "datetime", "date"),
)
_ENGAGEMENT_COMMON = (
    *_COMMON,
    _p("hs_createdate", "Create date", "datetime", "date"),
    _p("hs_timestamp", "Activity date", "datetime", "date"),
    _p("hubspot_owner_id", "Activity assigned to", "enumeration", "select"),
)

BUILTIN: dict[str, tuple[PropertyDef, ...]] = {
    "contacts": (
        *_COMMON,
        _p("createdate", "Create Date", "datetime", "date"),
        _p("lastmodifieddate", "Last Modified Date", "datetime", "date"),
        _p("email", "Email"),
        _p("firstname", "First Name"),
        _p("lastname", "Last Name"),
        _p("jobtitle", "Job Title"),
        _p("job_function", "Job function"),
        _p("company", "Company Name"),
        _p("phone", "Phone Number", field_type="phonenumber"),
        _p("country", "Country/Region"),
        _p("city", "City"),
        _p("industry", "Industry"),
        _p("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", LIFECYCLE_STAGES),
        _p("hs_lead_status", "Lead Status", "enumeration", "radio", LEAD_STATUSES),
        _p("hs_merged_object_ids", "Merged Contact IDs", "enumeration", "checkbox"),
        _p("hs_additional_emails", "Additional email addresses", "enumeration", "checkbox"),
        _p("associatedcompanyid", "Primary Associated Company ID", "number", "number"),
        _p("hs_analytics_num_page_views", "Number of Pageviews", "number", "number"),
        _p("hs_analytics_last_visit_timestamp", "Time of Last Session", "datetime", "date"),
        _p("hs_analytics_last_url", "Last Page Seen"),
        _p("hs_analytics_last_timestamp", "Time Last Seen", "datetime", "date"),
        _p("hs_analytics_num_visits", "Number of Sessions", "number", "number"),
        _p("first_conversion_event_name", "First Conversion"),
        _p("first_conversion_date", "First Conversion Date", "datetime", "date"),
        _p("recent_conversion_event_name", "Recent Conversion"),
        _p("recent_conversion_date", "Recent Conversion Date", "datetime", "date"),
        _p("num_conversion_events", "Number of Form Submissions", "number", "number"),
        *(
            _p(f"hs_lifecyclestage_{stage}_date", f"Became a {stage} date", "datetime", "date")
            for stage in LIFECYCLE_STAGES
            if stage != "other"
        ),
        # portal-defined (custom) properties every seeded portal has
        PropertyDef("department", "Department", hubspot_defined=False),
        PropertyDef("occupation", "Occupation", hubspot_defined=False),
    ),
    "companies": (
        *_COMMON,
        _p("createdate", "Create Date", "datetime", "date"),
        _p("name", "Company name"),
        _p("domain", "Company Domain Name"),
        _p("website", "Website URL"),
        _p("industry", "Industry", "enumeration", "select", INDUSTRY_CODES),
        _p("numberofemployees", "Number of Employees", "number", "number"),
        _p("country", "Country/Region"),
        _p("city", "City"),
        _p("hs_is_target_account", "Is Target Account", "bool", "booleancheckbox"),
        _p("hs_merged_object_ids", "Merged Company IDs", "enumeration", "checkbox"),
    ),
    "calls": (
        *_ENGAGEMENT_COMMON,
        _p("hs_call_title", "Call Title"),
        _p("hs_call_body", "Call notes", field_type="html"),
        _p("hs_call_direction", "Call direction", "enumeration", "select", ("INBOUND", "OUTBOUND")),
        _p("hs_call_duration", "Call duration", "number", "number"),
        _p("hs_call_status", "Call status", "enumeration", "select"),
    ),
    "emails": (
        *_ENGAGEMENT_COMMON,
        _p("hs_email_subject", "Email subject"),
        _p("hs_email_text", "Email body", field_type="textarea"),
        _p(
            "hs_email_direction",
            "Email direction",
            "enumeration",
            "select",
            ("EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"),
        ),
        _p("hs_email_status", "Email send status", "enumeration", "select"),
    ),
    "meetings": (
        *_ENGAGEMENT_COMMON,
        _p("hs_meeting_title", "Meeting name"),
        _p("hs_meeting_body", "Meeting description", field_type="html"),
        _p("hs_meeting_start_time", "Start Time", "datetime", "date"),
        _p("hs_meeting_end_time", "End Time", "datetime", "date"),
        _p("hs_meeting_outcome", "Meeting outcome", "enumeration", "select"),
    ),
    "notes": (
        *_ENGAGEMENT_COMMON,
        _p("hs_note_body", "Note body", field_type="html"),
    ),
    "tasks": (
        *_ENGAGEMENT_COMMON,
        _p("hs_task_subject", "Task Title"),
        _p("hs_task_body", "Notes", field_type="html"),
        _p(
            "hs_task_status",
            "Task Status",
            "enumeration",
            "select",
            ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"),
        ),
        _p("hs_task_type", "Task Type", "enumeration", "select", ("CALL", "EMAIL", "TODO")),
    ),
    "deals": (
        *_COMMON,
        _p("createdate", "Create Date", "datetime", "date"),
        _p("dealname", "Deal Name"),
        _p("dealstage", "Deal Stage", "enumeration", "radio", DEAL_STAGES),
        _p("pipeline", "Pipeline", "enumeration", "select", ("default",)),
        _p("amount", "Amount", "number", "number"),
        _p("closedate", "Close Date", "datetime", "date"),
        _p("hs_is_closed", "Is Deal Closed?", "bool", "booleancheckbox"),
        _p("hs_is_closed_won", "Is Closed Won", "bool", "booleancheckbox"),
        _p("hubspot_owner_id", "Deal owner", "enumeration", "select"),
    ),
}
for _type_name, _defs in BUILTIN.items():
    for _d in _defs:
        _d.group_name = GROUPS[_type_name][0]

# HUBSPOT_DEFINED association type ids, (from, to) -> [(typeId, label)]
ASSOCIATION_TYPES: dict[tuple[str, str], list[tuple[int, str | None]]] = {
    ("contacts", "companies"): [(279, None)],
    ("companies", "contacts"): [(280, None)],
    ("calls", "contacts"): [(194, None)],
    ("contacts", "calls"): [(193, None)],
    ("emails", "contacts"): [(198, None)],
    ("contacts", "emails"): [(197, None)],
    ("meetings", "contacts"): [(200, None)],
    ("contacts", "meetings"): [(199, None)],
    ("notes", "contacts"): [(202, None)],
    ("contacts", "notes"): [(201, None)],
    ("tasks", "contacts"): [(204, None)],
    ("contacts", "tasks"): [(203, None)],
    ("deals", "contacts"): [(3, None)],
    ("contacts", "deals"): [(4, None)],
}
PRIMARY_TYPES = {("contacts", "companies"): 1, ("companies", "contacts"): 2}


# -- time ------------------------------------------------------------------------
def iso_ms(ms: int) -> str:
    """Epoch milliseconds -> `2024-01-15T10:30:00.123Z`, the format HubSpot answers with."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_time(value: str) -> int | None:
    """Epoch ms from `1700000000000`, `2024-01-15`, or ISO-8601; None when not a time."""
    text = value.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def parse_number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return None if number != number else number  # NaN is not a number here
