"""CRM v3 object routes: list, get, search, batch read/create/update, single writes, merge."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from connectors.hubspot import limits
from syncd.sandbox.faults import FaultInjector
from syncd.sandbox.http import HttpError, Request, Response, Router
from syncd.sandbox.hubspot import errors, search, versions
from syncd.sandbox.hubspot.schema import (
    DEFAULT_PROPERTIES,
    PRIMARY_TYPES,
    created_property,
    iso_ms,
    modified_property,
    singular,
)
from syncd.sandbox.hubspot.store import Record, Store

API = "https://api.hubapi.com"
LIST_MAX = limits.LIST_PAGE_MAX
SEARCH_MAX = limits.SEARCH_PAGE_MAX
SEARCH_CAP = limits.SEARCH_RESULT_CAP
BATCH_MAX = limits.BATCH_MAX
#: How batch update answers an invalid value: per input (207) or for the whole batch (400).
InvalidMode = Literal["per_input", "whole_batch"]
#: Fields the dated search request schema requires.
SEARCH_REQUIRED = ("after", "filterGroups", "limit", "properties", "sorts")


def object_json(
    rec: Record, store: Store, names: Sequence[str] | None, *, associations: Sequence[str] = ()
) -> dict[str, Any]:
    """A record as `SimplePublicObject`: requested properties (null when unset) plus the ids."""
    kind = rec.object_type
    if names:
        always = ("hs_object_id", created_property(kind), modified_property(kind))
        defined = store.properties[kind]
        # names the portal does not define are left out, as HubSpot does
        wanted = [n for n in dict.fromkeys([*always, *names]) if n in defined or n in always]
        props: dict[str, str | None] = {n: rec.properties.get(n) or None for n in wanted}
    else:
        props = {n: rec.properties.get(n) or None for n in DEFAULT_PROPERTIES[kind]}
    out: dict[str, Any] = {
        "id": rec.id,
        "properties": props,
        "createdAt": iso_ms(rec.created_ms),
        "updatedAt": iso_ms(rec.updated_ms),
        "archived": rec.archived,
    }
    if rec.archived and rec.archived_ms is not None:
        out["archivedAt"] = iso_ms(rec.archived_ms)
    linked: dict[str, Any] = {}
    for target in associations:
        try:
            found = store.associations(kind, rec.id, target)
        except KeyError:
            continue
        if found:
            other = store.type_of(target)
            label = f"{singular(kind)}_to_{singular(other)}"
            primary = PRIMARY_TYPES.get((kind, other))
            if primary is None:
                items = [{"id": i, "type": label} for i in found]
            else:  # the primary one labelled, and every one (primary too) as unlabeled
                items = [{"id": i, "type": label} for i, t in found.items() if primary in t]
                items += [{"id": i, "type": f"{label}_unlabeled"} for i in found]
            linked[target] = {"results": items}
    if linked:
        out["associations"] = linked
    return out


def _int_arg(value: object, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(str(value))
    except ValueError:
        raise errors.fail(400, f"{name} must be an integer, got {value!r}") from None


class CrmRoutes:
    """Handlers for `/crm/v3/objects/...`; state lives in the shared `Store`."""

    def __init__(
        self,
        store: Store,
        lock: threading.RLock,
        faults: FaultInjector,
        invalid_mode: Callable[[], InvalidMode] = lambda: "per_input",
        rules: Callable[[], Sequence[versions.ValidationRule]] = lambda: (),
    ) -> None:
        self.store = store
        self.lock = lock
        self.faults = faults
        self.invalid_mode = invalid_mode
        self.rules = rules

    def register(self, router: Router) -> None:
        for method, tail, handler in (
            ("POST", "/search", self.do_search),
            ("POST", "/batch/read", self.batch_read),
            ("POST", "/batch/update", self.batch_update),
            ("POST", "/batch/create", self.batch_create),
            ("POST", "/batch/archive", self.batch_archive),
            ("POST", "/merge", self.merge),
            ("GET", "", self.list_page),
            ("POST", "", self.create),
            ("GET", "/{object_id}", self.get_one),
            ("PATCH", "/{object_id}", self.update_one),
            ("DELETE", "/{object_id}", self.archive_one),
        ):
            legacy = "/crm/v3/objects/{object_type}" + tail
            dated = "/crm/objects/{version}/{object_type}" + tail
            versions.add(router, method, legacy, dated, handler)

    # -- helpers -----------------------------------------------------------------
    def _kind(self, request: Request) -> str:
        try:
            return self.store.type_of(request.params["object_type"])
        except KeyError:
            name = request.params["object_type"]
            raise errors.fail(400, f"Unable to infer object type from: {name}") from None

    def _type_of(self, kind: str) -> Any:
        defs = self.store.properties[kind]
        return lambda name: defs[name].type if name in defs else "string"

    def _validated(self, kind: str, values: object) -> dict[str, str]:
        if not isinstance(values, dict):
            raise errors.fail(400, "properties must be an object")
        problems = self.store.check(kind, values)
        if problems:
            raise errors.invalid_properties([p.to_json() for p in problems])
        return {k: "" if v is None else str(v) for k, v in values.items()}

    @staticmethod
    def _inputs(body: Any, maximum: int = BATCH_MAX) -> list[dict[str, Any]]:
        if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
            raise errors.fail(400, "Invalid input JSON: expected an object with inputs[]")
        inputs: list[dict[str, Any]] = body["inputs"]
        if len(inputs) > maximum:
            raise errors.fail(
                400, f"Batch input limit exceeded: {len(inputs)} inputs, at most {maximum} allowed"
            )
        return inputs

    # -- reads -------------------------------------------------------------------
    def list_page(self, request: Request) -> Response:
        kind = self._kind(request)
        limit = _int_arg(request.arg("limit"), "limit", 10)
        if not 1 <= limit <= LIST_MAX:
            raise errors.fail(400, f"limit must be between 1 and {LIST_MAX}, got {limit}")
        after = _int_arg(request.arg("after"), "after", 0)
        archived = (request.arg("archived") or "false").lower() == "true"
        names = request.args("properties")
        assoc = request.args("associations")
        with self.lock:
            pool = self.store.archived(kind) if archived else self.store.live(kind)
            pool = sorted((r for r in pool if int(r.id) >= after), key=lambda r: int(r.id))
            page = pool[:limit]
            results = [object_json(r, self.store, names, associations=assoc) for r in page]
        body: dict[str, Any] = {"results": results}
        if len(pool) > limit:
            nxt = pool[limit].id
            link = f"{API}/crm/v3/objects/{kind}?after={nxt}"
            body["paging"] = {"next": {"after": nxt, "link": link}}
        return Response(200, body)

    def get_one(self, request: Request) -> Response:
        kind = self._kind(request)
        object_id = request.params["object_id"]
        names = request.args("properties")
        archived = (request.arg("archived") or "false").lower() == "true"
        id_property = request.arg("idProperty")
        with self.lock:
            if id_property:
                rec = self.store.find_by(kind, id_property, object_id)
            else:
                rec = self.store.get(kind, object_id)
                raw = self.store.raw(kind, object_id)
                if rec is None and archived and raw is not None and raw.archived:
                    rec = raw
            if rec is None:
                raise errors.fail(404, "resource not found", "OBJECT_NOT_FOUND")
            return Response(
                200, object_json(rec, self.store, names, associations=request.args("associations"))
            )

    def do_search(self, request: Request) -> Response:
        kind = self._kind(request)
        body = request.json() or {}
        if not isinstance(body, dict):
            raise errors.fail(400, "Invalid input JSON")
        if versions.is_dated(request.path):  # the dated specs require every field
            absent = [f for f in SEARCH_REQUIRED if f not in body]
            if absent:
                raise errors.fail(400, f"Invalid input JSON: missing {', '.join(absent)}")
        limit = _int_arg(body.get("limit"), "limit", 10)
        if not 1 <= limit <= SEARCH_MAX:
            raise errors.fail(400, f"limit must be between 1 and {SEARCH_MAX}, got {limit}")
        after = _int_arg(body.get("after"), "after", 0)
        if after + 1 > SEARCH_CAP or after < 0:
            raise errors.fail(
                400,
                f"Paging past {SEARCH_CAP} results is not supported for a search query "
                f"(after={after}); narrow the query, e.g. with a time window.",
                "VALIDATION_ERROR",
            )
        try:
            search.validate(body)
        except search.SearchError as exc:
            raise errors.fail(400, str(exc)) from None
        names = [str(n) for n in body.get("properties") or []]
        with self.lock:
            found = search.run(self.store.searchable(kind), body, self._type_of(kind))
            page = found[after : min(after + limit, SEARCH_CAP)]  # no result past the cap
            results = [object_json(r, self.store, names) for r in page]
        answer: dict[str, Any] = {"total": len(found), "results": results}
        if after + limit < len(found):
            answer["paging"] = {"next": {"after": str(after + limit)}}
        return Response(200, answer)

    def batch_read(self, request: Request) -> Response:
        kind = self._kind(request)
        body = request.json()
        inputs = self._inputs(body)
        absent = [f for f in ("properties", "propertiesWithHistory") if f not in body]
        if absent:  # both specs (v3 and dated) require them
            raise errors.fail(400, f"Invalid input JSON: missing {', '.join(absent)}")
        names = [str(n) for n in body.get("properties") or []]
        id_property = body.get("idProperty")
        started = iso_ms(self.store.now_ms())
        results: list[dict[str, Any]] = []
        missing: list[str] = []
        with self.lock:
            seen: set[str] = set()
            for item in inputs:
                key = str((item or {}).get("id", ""))
                if id_property:
                    rec = self.store.find_by(kind, str(id_property), key)
                else:
                    rec = self.store.get(kind, key)
                if rec is None:
                    missing.append(key)
                elif rec.id not in seen:
                    seen.add(rec.id)
                    results.append(object_json(rec, self.store, names))
        errs = []
        if missing:
            name = singular(kind).upper()
            msg = (
                f"Could not get some {name} objects, they may be deleted or not exist. "
                "Check that ids are valid."
            )
            errs.append(errors.batch_error(msg, "OBJECT_NOT_FOUND", {"ids": missing}))
        return errors.batch_answer(results, errs, started)

    # -- writes ------------------------------------------------------------------
    def create(self, request: Request) -> Response:
        kind = self._kind(request)
        body = request.json() or {}
        with self.lock:
            values = self._validated(kind, body.get("properties") or {})
            rid = self.store.add(kind, values)
            for assoc in body.get("associations") or []:
                self._associate_input(kind, rid, assoc)
            rec = self.store.get(kind, rid)
            assert rec is not None
            return Response(201, object_json(rec, self.store, list(values)))

    def _associate_input(self, kind: str, rid: str, assoc: Mapping[str, Any]) -> None:
        to_id = str((assoc.get("to") or {}).get("id", ""))
        for target in ("contacts", "companies", "calls", "emails", "meetings", "notes", "tasks"):
            if target != kind and self.store.get(target, to_id) is not None:
                self.store.associate(kind, rid, target, to_id)
                return

    def batch_create(self, request: Request) -> Response:
        kind = self._kind(request)
        inputs = self._inputs(request.json())
        started = iso_ms(self.store.now_ms())
        with self.lock:
            checked = [self._validated(kind, (i or {}).get("properties") or {}) for i in inputs]
            results = []
            for item, values in zip(inputs, checked, strict=True):
                rid = self.store.add(kind, values)
                for assoc in (item or {}).get("associations") or []:
                    self._associate_input(kind, rid, assoc)
                rec = self.store.get(kind, rid)
                assert rec is not None
                results.append(object_json(rec, self.store, list(values)))
        return errors.batch_answer(results, [], started, ok_status=201)

    def update_one(self, request: Request) -> Response:
        kind = self._kind(request)
        body = request.json() or {}
        with self.lock:
            values = self._validated(kind, body.get("properties") or {})
            if self.store.get(kind, request.params["object_id"]) is None:
                raise errors.fail(404, "resource not found", "OBJECT_NOT_FOUND")
            rec = self.store.update(kind, request.params["object_id"], values)
            return Response(200, object_json(rec, self.store, list(values)))

    def batch_update(self, request: Request) -> Response:
        """200 when every input applied; 207 with errors[] otherwise (valid inputs applied).

        Unknown properties fail the whole batch with 400, as the real API does; so does
        an invalid value when `invalid_mode()` is "whole_batch" (nothing applied).
        """
        kind = self._kind(request)
        inputs = self._inputs(request.json())
        started = iso_ms(self.store.now_ms())
        results: list[dict[str, Any]] = []
        errs: list[dict[str, Any]] = []
        with self.lock:
            unknown = [
                p.to_json()
                for item in inputs
                for p in self.store.check(kind, (item or {}).get("properties") or {})
                if p.error == "PROPERTY_DOESNT_EXIST"
            ]
            if unknown:
                raise errors.invalid_properties(unknown)
            if self.invalid_mode() == "whole_batch":
                invalid = [
                    p.to_json()
                    for item in inputs
                    for p in self.store.check(kind, (item or {}).get("properties") or {})
                ]
                if invalid:
                    raise errors.invalid_properties(invalid)
            missing: list[str] = []
            for item in inputs:
                key = str((item or {}).get("id", ""))
                values = (item or {}).get("properties") or {}
                if self.store.get(kind, key) is None:
                    missing.append(key)
                    continue
                refused = self._rule(kind, values) if versions.is_dated(request.path) else None
                if refused is not None:
                    errs.append(versions.rule_error(refused, key))
                    continue
                problems = self.store.check(kind, values)
                if problems:
                    text = "Property values were not valid: " + json.dumps(
                        [p.to_json() for p in problems], separators=(",", ":")
                    )
                    errs.append(errors.batch_error(text, "VALIDATION_ERROR", {"ids": [key]}))
                    continue
                if self.faults.partial():
                    errs.append(
                        errors.batch_error(
                            "injected partial failure: record temporarily locked",
                            "INTERNAL_ERROR",
                            {"ids": [key]},
                        )
                    )
                    continue
                rec = self.store.update(kind, key, values)
                results.append(object_json(rec, self.store, list(values)))
            if missing:
                name = singular(kind).upper()
                errs.insert(
                    0,
                    errors.batch_error(
                        f"Could not update some {name} objects, they may be deleted or not exist.",
                        "OBJECT_NOT_FOUND",
                        {"ids": missing},
                    ),
                )
        return errors.batch_answer(results, errs, started)

    def _rule(self, kind: str, values: Mapping[str, Any]) -> versions.ValidationRule | None:
        """The first validation rule of the portal that ``values`` break, if any."""
        for rule in self.rules():
            if self.store.type_of(rule.object_type) != kind or rule.property not in values:
                continue
            if not rule.allows("" if values[rule.property] is None else str(values[rule.property])):
                return rule
        return None

    def archive_one(self, request: Request) -> Response:
        kind = self._kind(request)
        with self.lock:
            if self.store.get(kind, request.params["object_id"]) is not None:
                self.store.archive(kind, request.params["object_id"])
        return Response(204)

    def batch_archive(self, request: Request) -> Response:
        kind = self._kind(request)
        inputs = self._inputs(request.json())
        with self.lock:
            for item in inputs:
                key = str((item or {}).get("id", ""))
                if self.store.get(kind, key) is not None:
                    self.store.archive(kind, key)
        return Response(204)

    def merge(self, request: Request) -> Response:
        kind = self._kind(request)
        body = request.json() or {}
        primary, other = str(body.get("primaryObjectId", "")), str(body.get("objectIdToMerge", ""))
        with self.lock:
            try:
                rec = self.store.merge(kind, primary, other)
            except KeyError as exc:
                raise HttpError(400, errors.body(400, str(exc.args[0]))) from None
            return Response(200, object_json(rec, self.store, None))
