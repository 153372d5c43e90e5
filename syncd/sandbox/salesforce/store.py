"""The fake org's records: typed values, system fields, soft deletes, write validation."""

from __future__ import annotations

import copy
import datetime as dt
import math
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from syncd.sandbox.salesforce import security
from syncd.sandbox.salesforce.errors import WriteError as WriteError
from syncd.sandbox.salesforce.schema import (
    NUMBER_TYPES,
    IdFactory,
    SField,
    SObjectType,
    build_schema,
    is_valid_id,
)

Record = dict[str, Any]

_NAMED = ("Lead", "Contact", "User")
_REQUIRED = {
    "Lead": ("LastName", "Company"),
    "Contact": ("LastName",),
    "Account": ("Name",),
    "PermissionSet": ("Name", "Label"),
    "PermissionSetAssignment": ("AssigneeId", "PermissionSetId"),
    "FieldPermissions": ("ParentId", "SobjectType", "Field"),
}
_SECURITY = frozenset({"PermissionSet", "PermissionSetAssignment", "FieldPermissions"})
#: Tasks and Events older than this many days are archived (only queryAll sees them).
ARCHIVE_AGE_DAYS = 365


def parse_datetime(text: str) -> dt.datetime:
    """ISO 8601 date-times as Salesforce accepts them (`Z`, `+hh:mm`, `+hhmm`)."""
    raw = text.strip()
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    if len(raw) > 5 and raw[-5] in "+-" and raw[-3] != ":" and "T" in raw:
        raw = raw[:-2] + ":" + raw[-2:]
    value = dt.datetime.fromisoformat(raw)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def format_datetime(value: dt.datetime) -> str:
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def format_datetime_csv(value: dt.datetime) -> str:
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def to_json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def coerce(sobject: str, f: SField, value: Any) -> Any:
    """The stored form of `value` for field `f`; WriteError when it does not fit."""
    if value is None or (value == "" and f.type != "boolean"):
        return None
    bad = WriteError(
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {f.type} from {type(value).__name__} value "
        f"{value!r} for field {f.name}",
        [f.name],
    )
    if f.type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise bad
    if f.type in NUMBER_TYPES:
        if isinstance(value, bool):
            raise bad
        try:
            number = float(value) if isinstance(value, str) else value
        except ValueError:
            raise bad from None
        if not isinstance(number, int | float) or not math.isfinite(number):
            raise bad
        if f.type == "int":
            return int(number)
        stored = round(float(number), f.scale) if f.scale else float(number)
        if f.precision and abs(stored) >= 10 ** (f.precision - f.scale):
            raise WriteError(
                "NUMBER_OUTSIDE_VALID_RANGE",
                f"{f.label or f.name}: value outside of valid range on numeric field: {value}",
                [f.name],
            )
        return stored
    if f.type == "datetime":
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
        try:
            return parse_datetime(str(value))
        except ValueError:
            raise bad from None
    if f.type == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            raise bad from None
    if not isinstance(value, str):
        if isinstance(value, bool | int | float):
            value = str(value).lower() if isinstance(value, bool) else str(value)
        else:
            raise bad
    valid_id = is_valid_id(value) or (len(value) == 15 and value.isalnum())
    if f.type in ("reference", "id") and value and not valid_id:
        raise WriteError(
            "MALFORMED_ID", f"{f.label}: id value of incorrect type: {value}", [f.name]
        )
    if f.length and len(value) > f.length:
        raise WriteError(
            "STRING_TOO_LONG",
            f"{f.label}: data value too large: {value[:40]} (max length={f.length})",
            [f.name],
        )
    return value


class Store:
    """All records of the fake org, keyed by sObject then Id."""

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        lock: threading.RLock | None = None,
        seed: int = 0,
    ) -> None:
        self.schema: dict[str, SObjectType] = build_schema()
        self.ids = IdFactory()
        self.lock = lock or threading.RLock()
        self._clock = clock
        self._tables: dict[str, dict[str, Record]] = {name: {} for name in self.schema}
        self.default_user_id = ""
        #: Orders rows tied on every ORDER BY key, and Bulk result files (seeded).
        self.random = random.Random(seed)
        #: Custom fields that exist but that field-level security hides from the
        #: API user: (sObject, lower-cased name) -> field as created.
        self.hidden: dict[tuple[str, str], SField] = {}

    # -- schema -------------------------------------------------------------------
    def sobject(self, name: str) -> SObjectType | None:
        """The sObject named `name`, case-insensitively."""
        lowered = name.lower()
        for key, sobject in self.schema.items():
            if key.lower() == lowered:
                return sobject
        return None

    def _require(self, name: str) -> SObjectType:
        sobject = self.sobject(name)
        if sobject is None:
            raise WriteError("INVALID_TYPE", f"sObject type '{name}' is not supported.")
        return sobject

    def add_field(self, sobject: str, f: SField, *, visible: bool = True) -> None:
        """Add a custom field; `visible=False` keeps it hidden until a permission set
        assigned to the API user grants it (FieldPermissions), as on a real org."""
        with self.lock:
            target = self._require(sobject)
            for record in self._tables[target.name].values():
                record.setdefault(f.name, False if f.type == "boolean" else None)
            if visible:
                target.add(f)
            else:
                self.hidden[(target.name, f.name.lower())] = f
                security.apply_security(self)

    def tables_for_security(self) -> dict[str, dict[str, Record]]:
        """The live tables, for `security` (callers hold `lock`)."""
        return self._tables

    def has_field(self, sobject: str, name: str) -> bool:
        """Whether the field exists at all, visible to the API user or not."""
        target = self._require(sobject)
        return target.field(name) is not None or (target.name, name.lower()) in self.hidden

    def type_of_id(self, record_id: str) -> str | None:
        for sobject in self.schema.values():
            if record_id.startswith(sobject.key_prefix):
                return sobject.name
        return None

    # -- time ---------------------------------------------------------------------
    def now(self) -> dt.datetime:
        """The clock as a UTC datetime with one-second precision, as Salesforce stores
        `dateTime` values: records written in the same second share their stamps."""
        stamp = dt.datetime.fromtimestamp(self._clock(), tz=dt.UTC)
        return stamp.replace(microsecond=0)

    def archived(self, sobject_name: str, record: Record) -> bool:
        """Whether a Task or Event is past the archive age (kept in `IsArchived`)."""
        if sobject_name not in ("Task", "Event"):
            return False
        when = record.get("ActivityDate")
        if sobject_name == "Event" and record.get("ActivityDateTime") is not None:
            when = record["ActivityDateTime"].date()
        if when is None:
            when = record["CreatedDate"].date() if record.get("CreatedDate") else None
        if isinstance(when, dt.datetime):
            when = when.date()
        cutoff = self.now().date() - dt.timedelta(days=ARCHIVE_AGE_DAYS)
        flag = when is not None and when < cutoff
        record["IsArchived"] = flag
        return flag

    # -- reads --------------------------------------------------------------------
    def table(self, sobject: str) -> dict[str, Record]:
        """The live table (callers hold `lock` and must not mutate)."""
        return self._tables[self._require(sobject).name]

    def get(self, sobject: str, record_id: str, *, include_deleted: bool = True) -> Record | None:
        with self.lock:
            record = self.table(sobject).get(record_id)
            if record is None or (record["IsDeleted"] and not include_deleted):
                return None
            return copy.deepcopy(record)

    def records(self, sobject: str, *, include_deleted: bool = False) -> list[Record]:
        with self.lock:
            return [
                copy.deepcopy(r)
                for r in self.table(sobject).values()
                if include_deleted or not r["IsDeleted"]
            ]

    def find(self, record_id: str) -> tuple[str, Record] | None:
        """The live record with this id in any table (callers hold `lock`)."""
        sobject = self.type_of_id(record_id)
        if sobject is None:
            return None
        record = self._tables[sobject].get(record_id)
        return (sobject, record) if record is not None else None

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {
                name: sum(1 for r in table.values() if not r["IsDeleted"])
                for name, table in self._tables.items()
            }

    # -- writes -------------------------------------------------------------------
    def _check(self, sobject: SObjectType, values: Mapping[str, Any], validate: bool) -> Record:
        clean: Record = {}
        for name, value in values.items():
            if name == "attributes":
                continue
            f = sobject.field(name)
            if f is None:
                raise WriteError(
                    "INVALID_FIELD",
                    f"No such column '{name}' on sobject of type {sobject.name}",
                    [name],
                )
            if validate and not f.updateable:
                raise WriteError(
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {f.name}. Please check the security "
                    "settings of this field and verify that it is read/write for your user "
                    "or client id",
                    [f.name],
                )
            clean[f.name] = coerce(sobject.name, f, value)
            if validate and f.restricted and clean[f.name] not in (None, *f.picklist):
                raise WriteError(
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    f"{f.label or f.name}: bad value for restricted picklist field: "
                    f"{clean[f.name]}",
                    [f.name],
                )
        return clean

    def _finish(self, sobject: SObjectType, record: Record) -> None:
        if sobject.name in _NAMED:
            parts = (record.get("FirstName"), record.get("LastName"))
            record["Name"] = " ".join(p for p in parts if p) or None

    def insert(
        self, sobject_name: str, values: Mapping[str, Any], *, validate: bool = False
    ) -> str:
        """Create a record and return its Id. `validate` applies the REST API's rules;
        without it (seeding, tests) read-only fields such as CreatedDate may be set."""
        with self.lock:
            sobject = self._require(sobject_name)
            clean = self._check(sobject, values, validate)
            missing = [name for name in _REQUIRED.get(sobject.name, ()) if not clean.get(name)]
            if validate and missing:
                raise WriteError(
                    "REQUIRED_FIELD_MISSING", f"Required fields are missing: {missing}", missing
                )
            stamp = self.now()
            record: Record = {
                f.name: (False if f.type == "boolean" else None) for f in sobject.fields.values()
            }
            record_id = clean.pop("Id", None) or self.ids.mint(sobject.key_prefix)
            record.update(Id=record_id, IsDeleted=False)
            for name in ("CreatedDate", "LastModifiedDate", "SystemModstamp"):
                record[name] = stamp
            for name in ("CreatedById", "LastModifiedById", "OwnerId"):
                if name in record:
                    record[name] = self.default_user_id or None
            record.update(clean)
            if validate and sobject.name == "FieldPermissions":
                security.check_field_permission(self, record)
            if "LastModifiedDate" not in clean and "CreatedDate" in clean:
                record["LastModifiedDate"] = clean["CreatedDate"]
            self._finish(sobject, record)
            self._tables[sobject.name][record_id] = record
            if sobject.name in _SECURITY:
                security.apply_security(self)
            return str(record_id)

    def live(self, sobject_name: str, record_id: str, *, missing_ok: bool = False) -> Record:
        """The live record for a write; WriteError when it is unknown or deleted."""
        sobject = self._require(sobject_name)
        record = self._tables[sobject.name].get(record_id)
        if record is None:
            if not (is_valid_id(record_id) or len(record_id) == 15):
                raise WriteError("MALFORMED_ID", f"bad id {record_id}", ["Id"])
            raise WriteError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ["Id"])
        if record["IsDeleted"]:
            raise WriteError("ENTITY_IS_DELETED", "entity is deleted", ["Id"])
        return record

    def update(
        self,
        sobject_name: str,
        record_id: str,
        values: Mapping[str, Any],
        *,
        validate: bool = False,
    ) -> None:
        """Change fields; bumps LastModifiedDate and SystemModstamp."""
        with self.lock:
            sobject = self._require(sobject_name)
            record = self.live(sobject.name, record_id)
            clean = self._check(sobject, {k: v for k, v in values.items() if k != "Id"}, validate)
            if validate and sobject.name == "Lead" and record["IsConverted"]:
                raise WriteError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
            record.update(clean)
            self._finish(sobject, record)
            stamp = self.now()
            if validate or "LastModifiedDate" not in clean:
                record["LastModifiedDate"] = stamp
            if validate or "SystemModstamp" not in clean:
                record["SystemModstamp"] = stamp
            if sobject.name in _SECURITY:
                security.apply_security(self)

    def plant(self, sobject_name: str, record_id: str, values: Mapping[str, Any]) -> None:
        """Store raw ``values`` on a record as they are, past the API's type checks
        (a date that is no date, an object where a field value belongs): malformed data
        as a broken integration or proxy serves it, for the connector's tests. Bumps
        ``SystemModstamp`` so incremental reads see the record."""
        with self.lock:
            record = self.live(sobject_name, record_id)
            record.update(values)
            record["SystemModstamp"] = self.now()

    def delete(self, sobject_name: str, record_id: str) -> None:
        """Soft delete: the record stays visible to queryAll with IsDeleted = true."""
        with self.lock:
            record = self.live(sobject_name, record_id)
            record["IsDeleted"] = True
            record["SystemModstamp"] = self.now()
            if self._require(sobject_name).name in _SECURITY:
                security.apply_security(self)

    def merge(self, sobject_name: str, survivor: str, losers: Iterable[str]) -> None:
        """Merge `losers` into `survivor` as Salesforce does: losers are deleted with
        `MasterRecordId` set; their Tasks, Events and campaign memberships move to
        the survivor (which is modified too)."""
        with self.lock:
            self.live(sobject_name, survivor)
            for loser in losers:
                record = self.live(sobject_name, loser)
                record["MasterRecordId"] = survivor
                record["IsDeleted"] = True
                record["SystemModstamp"] = self.now()
                for table, column in (("Task", "WhoId"), ("Event", "WhoId"),
                                      ("CampaignMember", "LeadId"),
                                      ("CampaignMember", "ContactId")):  # fmt: skip
                    for child in self._tables[table].values():
                        if child.get(column) == loser:
                            child[column] = survivor
                            child["SystemModstamp"] = self.now()
            self.update(sobject_name, survivor, {})

    def snapshot(self, sobject_name: str, ids: Iterable[str]) -> dict[str, Record]:
        """Copies of existing records, for rolling back a failed all-or-none write."""
        table = self.table(sobject_name)
        return {i: copy.deepcopy(table[i]) for i in ids if i in table}

    def restore(self, sobject_name: str, saved: Mapping[str, Record]) -> None:
        table = self.table(sobject_name)
        for record_id, record in saved.items():
            table[record_id] = record
