"""The fake portal's state: records, property definitions, associations, marketing data.

Not thread-safe by itself; `HubSpotSandbox` holds its lock around every call.
Tests may call it directly (under no server load) to seed or inspect state.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from syncd.sandbox.hubspot import deals
from syncd.sandbox.hubspot.merges import merge_contacts
from syncd.sandbox.hubspot.schema import (
    ASSOCIATION_TYPES,
    BUILTIN,
    GROUPS,
    OBJECT_TYPES,
    PRIMARY_TYPES,
    READ_ONLY,
    PropertyDef,
    canonical_type,
    created_property,
    iso_ms,
    modified_property,
    parse_number,
    parse_time,
)

#: A page view more than this after the contact's previous one starts a new session.
SESSION_MS = 30 * 60 * 1000


class StoreError(KeyError):
    """An unknown object type or record id."""


@dataclass(slots=True)
class Record:
    id: str
    object_type: str
    properties: dict[str, str]
    created_ms: int
    updated_ms: int
    archived: bool = False
    archived_ms: int | None = None
    merged_into: str | None = None
    #: What search sees until the index catches up with the latest write (None: nothing).
    indexed: dict[str, str] | None = None

    @property
    def live(self) -> bool:
        return not self.archived and self.merged_into is None


@dataclass(frozen=True, slots=True)
class PropertyProblem:
    """Why one property value cannot be written (HubSpot's validation result shape)."""

    name: str
    error: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {
            "isValid": False,
            "message": self.message,
            "error": self.error,
            "name": self.name,
            "localizedErrorMessage": self.message,
        }


@dataclass(slots=True)
class EmailEvent:
    id: str
    type: str  # OPEN, CLICK, STATUSCHANGE, ...
    recipient: str
    created_ms: int
    campaign_id: int
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: Bot or mail-privacy traffic (HubSpot's `filteredEvent`).
    filtered: bool = False


@dataclass(slots=True)
class Form:
    id: str
    name: str
    created_ms: int
    submissions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class PageView:
    id: str
    contact_id: str
    occurred_ms: int
    url: str
    title: str


class Store:
    """Records by type and id, plus everything else the fake portal holds."""

    def __init__(self, clock: Callable[[], float], *, search_lag_s: float = 3.0) -> None:
        self._clock = clock
        #: How long a write takes to become visible to search (list/batch see it at once).
        self.search_lag_ms = int(search_lag_s * 1000)
        self._ids = itertools.count(1001)
        self.records: dict[str, dict[str, Record]] = {t: {} for t in OBJECT_TYPES}
        self.properties: dict[str, dict[str, PropertyDef]] = {
            t: {d.name: d for d in defs} for t, defs in BUILTIN.items()
        }
        # (from_type, to_type) -> from_id -> {to_id: [typeIds]}
        self.links: dict[tuple[str, str], dict[str, dict[str, list[int]]]] = {}
        self.email_events: list[EmailEvent] = []
        self._email_index: dict[str, str] = {}
        self._email_index_size = -1
        self.campaigns: dict[int, str] = {}
        self.forms: dict[str, Form] = {}
        self.page_views: list[PageView] = []
        #: Property groups by object type: name -> label.
        self.groups: dict[str, dict[str, str]] = {
            t: {g: g.replace("_", " ").title() for g in names} for t, names in GROUPS.items()
        }

    # -- helpers -----------------------------------------------------------------
    def now_ms(self) -> int:
        return int(self._clock() * 1000)

    @staticmethod
    def type_of(object_type: str) -> str:
        found = canonical_type(object_type)
        if found is None:
            raise StoreError(f"unknown object type {object_type!r}")
        return found

    def definition(self, object_type: str, name: str) -> PropertyDef | None:
        return self.properties[self.type_of(object_type)].get(name)

    def check(self, object_type: str, values: Mapping[str, Any]) -> list[PropertyProblem]:
        """Problems with writing `values` (unknown property, wrong type, bad option)."""
        kind = self.type_of(object_type)
        problems: list[PropertyProblem] = []
        for name, raw in values.items():
            prop = self.properties[kind].get(name)
            if prop is None:
                msg = f'Property "{name}" does not exist'
                problems.append(PropertyProblem(name, "PROPERTY_DOESNT_EXIST", msg))
                continue
            if name in READ_ONLY:
                msg = f'"{name}" is a read only property; its value cannot be set.'
                problems.append(PropertyProblem(name, "READ_ONLY_VALUE", msg))
                continue
            value = "" if raw is None else str(raw)
            if value == "":
                continue  # clearing a value is always allowed
            if prop.type == "number" and parse_number(value) is None:
                msg = f"{value} was not a valid number."
                problems.append(PropertyProblem(name, "INVALID_DOUBLE", msg))
            elif prop.type in ("date", "datetime") and parse_time(value) is None:
                msg = f"{value} was not a valid date or datetime."
                problems.append(PropertyProblem(name, "INVALID_DATE", msg))
            elif prop.type == "bool" and value.lower() not in ("true", "false"):
                msg = f"{value} was not a valid boolean."
                problems.append(PropertyProblem(name, "INVALID_BOOLEAN", msg))
            elif prop.type == "enumeration" and prop.options:
                bad = [v for v in value.split(";") if v not in prop.options]
                if bad:
                    msg = f"{bad[0]} was not one of the allowed options: {list(prop.options)}"
                    problems.append(PropertyProblem(name, "INVALID_OPTION", msg))
        return problems

    # -- records -----------------------------------------------------------------
    def add(
        self,
        object_type: str,
        properties: Mapping[str, Any] | None = None,
        *,
        created_ms: int | None = None,
        modified_ms: int | None = None,
        record_id: str | None = None,
    ) -> str:
        """Create a record without validation (seeding); returns its id."""
        kind = self.type_of(object_type)
        rid = record_id or str(next(self._ids))
        created = self.now_ms() if created_ms is None else created_ms
        modified = created if modified_ms is None else modified_ms
        props = {k: self._normal(kind, k, v) for k, v in (properties or {}).items()}
        rec = Record(rid, kind, props, created, modified)
        self._stamp(rec)
        self.records[kind][rid] = rec
        return rid

    def add_many(self, object_type: str, rows: Iterable[Mapping[str, Any]], **kw: Any) -> list[str]:
        return [self.add(object_type, row, **kw) for row in rows]

    def _stamp(self, rec: Record) -> None:
        rec.properties["hs_object_id"] = rec.id
        rec.properties[created_property(rec.object_type)] = iso_ms(rec.created_ms)
        rec.properties[modified_property(rec.object_type)] = iso_ms(rec.updated_ms)
        if rec.object_type == "contacts":  # contacts carry both
            rec.properties["hs_lastmodifieddate"] = iso_ms(rec.updated_ms)
        deals.derive(rec.object_type, rec.properties, rec.updated_ms)

    def _normal(self, kind: str, name: str, value: Any) -> str:
        """The stored string: datetimes become ISO-8601 as HubSpot answers them."""
        text = "" if value is None else str(value)
        prop = self.properties[kind].get(name)
        if text and prop is not None and prop.type == "datetime":
            moment = parse_time(text)
            if moment is not None:
                return iso_ms(moment)
        return text

    def raw(self, object_type: str, object_id: str) -> Record | None:
        """The stored record whatever its state (archived, merged)."""
        return self.records[self.type_of(object_type)].get(str(object_id))

    def get(self, object_type: str, object_id: str) -> Record | None:
        """A live record; a merged id resolves to its survivor; archived -> None."""
        rec = self.raw(object_type, object_id)
        seen = 0
        while rec is not None and rec.merged_into is not None and seen < 100:
            rec = self.raw(object_type, rec.merged_into)
            seen += 1
        return rec if rec is not None and rec.live else None

    def live(self, object_type: str) -> list[Record]:
        return [r for r in self.records[self.type_of(object_type)].values() if r.live]

    def _indexed(self, rec: Record, now: int) -> bool:
        return now >= rec.updated_ms + self.search_lag_ms

    def searchable(self, object_type: str) -> list[Record]:
        """Live records as the search index sees them: a write shows only `search_lag_ms`
        after it happened; until then search sees the previous version (or nothing)."""
        seen_until = self.now_ms() - self.search_lag_ms
        out: list[Record] = []
        for rec in self.records[self.type_of(object_type)].values():
            if rec.archived or rec.merged_into is not None:
                continue
            if rec.updated_ms <= seen_until:
                out.append(rec)
            elif rec.indexed is not None:
                out.append(Record(rec.id, rec.object_type, rec.indexed, rec.created_ms, 0))
        return out

    def archived(self, object_type: str) -> list[Record]:
        return [r for r in self.records[self.type_of(object_type)].values() if r.archived]

    def _contact_by_email(self, email: str) -> Record | None:
        """The live contact with ``email`` (an index rebuilt when contacts were added)."""
        key = email.lower()
        count = len(self.records["contacts"])
        if self._email_index_size != count:
            self._email_index = {
                (r.properties.get("email") or "").lower(): r.id
                for r in self.records["contacts"].values()
            }
            self._email_index_size = count
        rid = self._email_index.get(key)
        rec = self.get("contacts", rid) if rid is not None else None
        if rec is not None and (rec.properties.get("email") or "").lower() == key:
            return rec
        return self.find_by("contacts", "email", email)

    def find_by(self, object_type: str, prop: str, value: str) -> Record | None:
        for rec in self.live(object_type):
            if rec.properties.get(prop, "").lower() == value.lower():
                return rec
        return None

    def update(
        self,
        object_type: str,
        object_id: str,
        properties: Mapping[str, Any],
        *,
        at_ms: int | None = None,
    ) -> Record:
        """Write values (no validation) and bump the modification date."""
        rec = self.get(object_type, object_id)
        if rec is None:
            raise StoreError(f"no live {object_type} {object_id}")
        self._snapshot(rec)
        for key, value in properties.items():
            rec.properties[key] = self._normal(rec.object_type, key, value)
        rec.updated_ms = self.now_ms() if at_ms is None else at_ms
        self._stamp(rec)
        return rec

    def plant(self, object_type: str, object_id: str, properties: Mapping[str, Any]) -> Record:
        """Store raw property values as they are (no string conversion, no date
        normalising; they win over the stamped dates): malformed data as a broken
        proxy or integration serves it, for the connector's tests. Bumps the
        modification date."""
        rec = self.update(object_type, object_id, {})
        rec.properties.update(properties)  # raw on purpose: not necessarily strings
        return rec

    def _snapshot(self, rec: Record) -> None:
        """Before a write: remember what search sees while the index lags."""
        if self._indexed(rec, self.now_ms()):
            rec.indexed = dict(rec.properties)

    def archive(self, object_type: str, object_id: str) -> None:
        rec = self.get(object_type, object_id)
        if rec is None:
            raise StoreError(f"no live {object_type} {object_id}")
        rec.archived = True
        rec.archived_ms = rec.updated_ms = self.now_ms()
        self._stamp(rec)

    def merge(self, object_type: str, primary_id: str, merged_id: str) -> Record:
        """Merge `merged_id` into `primary_id`; the survivor lists it in hs_merged_object_ids.
        Contacts merge into a new record (``merges.merge_contacts``)."""
        kind = self.type_of(object_type)
        if kind == "contacts":
            return merge_contacts(self, primary_id, merged_id)
        primary, merged = self.get(kind, primary_id), self.get(kind, merged_id)
        if primary is None or merged is None or primary is merged:
            raise StoreError(f"cannot merge {object_type} {merged_id} into {primary_id}")
        self._snapshot(primary)
        for key, value in merged.properties.items():
            if value and not primary.properties.get(key):
                primary.properties[key] = value
        ids = [i for i in primary.properties.get("hs_merged_object_ids", "").split(";") if i]
        ids += [merged.id, *merged.properties.get("hs_merged_object_ids", "").split(";")]
        primary.properties["hs_merged_object_ids"] = ";".join(i for i in ids if i)
        merged.merged_into = primary.id
        for (src, dst), table in list(self.links.items()):
            if src == kind and merged.id in table:
                for to_id in list(table[merged.id]):
                    self.associate(kind, primary.id, dst, to_id)
        primary.updated_ms = self.now_ms()
        self._stamp(primary)
        return primary

    def count(self, object_type: str) -> int:
        return len(self.live(object_type))

    # -- associations ------------------------------------------------------------
    def associate(
        self, from_type: str, from_id: str, to_type: str, to_id: str, *, primary: bool = False
    ) -> None:
        """Link two records both ways with the HUBSPOT_DEFINED default types."""
        a, b = self.type_of(from_type), self.type_of(to_type)
        for src, sid, dst, did in ((a, from_id, b, to_id), (b, to_id, a, from_id)):
            types = [t for t, _ in ASSOCIATION_TYPES.get((src, dst), [(0, None)])]
            if primary and (src, dst) in PRIMARY_TYPES:
                types = [PRIMARY_TYPES[(src, dst)], *types]
            entry = self.links.setdefault((src, dst), {}).setdefault(str(sid), {})
            known = entry.setdefault(str(did), [])
            known.extend(t for t in types if t not in known)

    def associations(self, from_type: str, from_id: str, to_type: str) -> dict[str, list[int]]:
        """to_id -> association type ids, only for live targets."""
        a, b = self.type_of(from_type), self.type_of(to_type)
        table = self.links.get((a, b), {}).get(str(from_id), {})
        return {k: v for k, v in table.items() if self.get(b, k) is not None}

    # -- marketing ---------------------------------------------------------------
    def add_email_event(
        self,
        event_type: str,
        recipient: str,
        created_ms: int,
        *,
        campaign: str = "Newsletter",
        url: str | None = None,
        filtered: bool = False,
        **extra: Any,
    ) -> str:
        campaign_id = next((k for k, v in self.campaigns.items() if v == campaign), None)
        if campaign_id is None:
            campaign_id = 2_000_000 + len(self.campaigns)
            self.campaigns[campaign_id] = campaign
        event_id = str(uuid.UUID(int=len(self.email_events) + 1))
        event = EmailEvent(
            event_id, event_type, recipient, created_ms, campaign_id, url, extra, filtered
        )
        self.email_events.append(event)
        return event_id

    def add_form(self, name: str, *, form_id: str | None = None) -> str:
        for form in self.forms.values():
            if form.name == name:
                return form.id
        fid = form_id or str(uuid.UUID(int=0xF0F0_0000 + len(self.forms)))
        self.forms[fid] = Form(fid, name, self.now_ms())
        return fid

    def add_submission(
        self, form_id: str, submitted_ms: int, values: Mapping[str, str], *, page_url: str = ""
    ) -> str:
        form = self.forms[form_id]
        email = str(values.get("email") or "")
        rec = self._contact_by_email(email) if email else None
        if rec is not None:  # HubSpot's conversion properties follow the submission
            self._snapshot(rec)
            props = rec.properties
            name = f"{form.name}: {page_url.rsplit('/', 1)[-1]}" if page_url else form.name
            count = int(props.get("num_conversion_events") or "0") + 1
            props["num_conversion_events"] = str(count)
            if not props.get("first_conversion_date"):
                props["first_conversion_event_name"] = name
                props["first_conversion_date"] = iso_ms(submitted_ms)
            last = parse_time(props.get("recent_conversion_date") or "") or 0
            if submitted_ms >= last:
                props["recent_conversion_event_name"] = name
                props["recent_conversion_date"] = iso_ms(submitted_ms)
            rec.updated_ms = max(rec.updated_ms, submitted_ms)
            self._stamp(rec)
        conversion = str(
            uuid.UUID(int=0xC0C0_0000_0000 + sum(len(f.submissions) for f in self.forms.values()))
        )
        form.submissions.append(
            {
                "conversionId": conversion,
                "submittedAt": submitted_ms,
                "values": [
                    {"name": k, "value": v, "objectTypeId": "0-1"} for k, v in values.items()
                ],
                "pageUrl": page_url,
            }
        )
        return conversion

    def add_page_view(self, contact_id: str, occurred_ms: int, url: str, title: str = "") -> str:
        """Record a page view; the contact's analytics properties (view count, last visit)
        follow, and its modification date moves up to the visit, as in HubSpot."""
        view_id = str(uuid.UUID(int=0xE0E0_0000_0000 + len(self.page_views)))
        self.page_views.append(PageView(view_id, str(contact_id), occurred_ms, url, title))
        rec = self.get("contacts", str(contact_id))
        if rec is not None:
            self._snapshot(rec)
            props = rec.properties
            count = int(props.get("hs_analytics_num_page_views") or "0") + 1
            props["hs_analytics_num_page_views"] = str(count)
            last = parse_time(props.get("hs_analytics_last_timestamp") or "") or 0
            if occurred_ms - last > SESSION_MS:  # a new session
                visits = int(props.get("hs_analytics_num_visits") or "0") + 1
                props["hs_analytics_num_visits"] = str(visits)
                props["hs_analytics_last_visit_timestamp"] = iso_ms(occurred_ms)
            if occurred_ms >= last:
                props["hs_analytics_last_url"] = url
                props["hs_analytics_last_timestamp"] = iso_ms(occurred_ms)
            rec.updated_ms = max(rec.updated_ms, occurred_ms)
            self._stamp(rec)
        return view_id

    # -- properties --------------------------------------------------------------
    def add_property(self, object_type: str, prop: PropertyDef) -> None:
        kind = self.type_of(object_type)
        if not prop.group_name:
            prop.group_name = GROUPS[kind][0]
        self.groups[kind].setdefault(prop.group_name, prop.group_name)
        self.properties[kind][prop.name] = prop
