"""Property definitions (`/crm/v3/properties`) and associations v4 batch read."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from connectors.hubspot import limits
from syncd.sandbox.http import Request, Response, Router
from syncd.sandbox.hubspot import errors, tokens, versions
from syncd.sandbox.hubspot.schema import (
    ASSOCIATION_TYPES,
    NAME_RE,
    PRIMARY_TYPES,
    PROPERTY_TYPES,
    PropertyDef,
    iso_ms,
    singular,
)
from syncd.sandbox.hubspot.store import Store

ASSOCIATION_BATCH_MAX = limits.ASSOCIATION_BATCH_MAX


#: Associations one input answers per page in a v4 batch read (then `paging.next.after`).
ASSOCIATIONS_PER_INPUT_PAGE = 500


class MetaRoutes:
    def __init__(
        self,
        store: Store,
        lock: threading.RLock,
        per_input_page: Callable[[], int] = lambda: ASSOCIATIONS_PER_INPUT_PAGE,
    ) -> None:
        self.store = store
        self.lock = lock
        self.per_input_page = per_input_page

    def register(self, router: Router) -> None:
        for method, tail, handler in (
            ("GET", "/groups", self.list_groups),
            ("POST", "/groups", self.create_group),
            ("GET", "", self.list_properties),
            ("POST", "", self.create_property),
            ("GET", "/{name}", self.get_property),
            ("PATCH", "/{name}", self.update_property),
        ):
            legacy = "/crm/v3/properties/{object_type}" + tail
            versions.add(
                router, method, legacy, "/crm/properties/{version}/{object_type}" + tail, handler
            )
        versions.add(
            router,
            "POST",
            "/crm/v4/associations/{from_type}/{to_type}/batch/read",
            "/crm/associations/{version}/{from_type}/{to_type}/batch/read",
            self.read_associations,
        )

    def _kind(self, name: str) -> str:
        try:
            return self.store.type_of(name)
        except KeyError:
            raise errors.fail(400, f"Unable to infer object type from: {name}") from None

    # -- property groups ---------------------------------------------------------
    @staticmethod
    def _group_json(name: str, label: str, order: int) -> dict[str, Any]:
        return {"name": name, "label": label, "displayOrder": order, "archived": False}

    def list_groups(self, request: Request) -> Response:
        kind = self._kind(request.params["object_type"])
        with self.lock:
            items = list(self.store.groups[kind].items())
        results = [self._group_json(n, label, i) for i, (n, label) in enumerate(items)]
        return Response(200, {"results": results})

    def create_group(self, request: Request) -> Response:
        kind = self._kind(request.params["object_type"])
        body = errors.json_object(request)
        problems = [
            f"{field}: is required"
            for field in ("name", "label")
            if not isinstance(body.get(field), str) or not body[field]
        ]
        name = str(body.get("name") or "")
        if name and not NAME_RE.match(name):
            problems.append(
                f"name: {name!r} must start with a lowercase letter and contain only "
                "lowercase letters, digits and underscores"
            )
        if problems:
            raise errors.fail(400, "Invalid input JSON: " + "; ".join(problems))
        with self.lock:
            groups = self.store.groups[kind]
            if name in groups:
                raise errors.fail(
                    409,
                    f"A property group named '{name}' already exists.",
                    "OBJECT_ALREADY_EXISTS",
                )
            groups[name] = str(body["label"])
            order = len(groups) - 1
        return Response(201, self._group_json(name, str(body["label"]), order))

    # -- properties --------------------------------------------------------------
    def list_properties(self, request: Request) -> Response:
        kind = self._kind(request.params["object_type"])
        with self.lock:
            results = [p.to_json() for p in self.store.properties[kind].values()]
        return Response(200, {"results": results})

    def get_property(self, request: Request) -> Response:
        kind = self._kind(request.params["object_type"])
        with self.lock:
            prop = self.store.properties[kind].get(request.params["name"])
            if prop is None:
                name = request.params["name"]
                raise errors.fail(404, f"Property {name} does not exist", "OBJECT_NOT_FOUND")
            return Response(200, prop.to_json())

    def create_property(self, request: Request) -> Response:
        kind = self._kind(request.params["object_type"])
        body = errors.json_object(request)
        problems: list[str] = []
        for field in ("name", "label", "type", "fieldType", "groupName"):
            if not isinstance(body.get(field), str) or not body[field]:
                problems.append(f"{field}: is required")
        name, kind_name = str(body.get("name") or ""), str(body.get("type") or "")
        field_type = str(body.get("fieldType") or "")
        if name and not NAME_RE.match(name):
            problems.append(
                f"name: {name!r} must start with a lowercase letter and contain only "
                "lowercase letters, digits and underscores"
            )
        if kind_name and kind_name not in PROPERTY_TYPES:
            problems.append(f"type: {kind_name!r} is not one of {sorted(PROPERTY_TYPES)}")
        elif kind_name and field_type and field_type not in PROPERTY_TYPES[kind_name]:
            allowed = sorted(PROPERTY_TYPES[kind_name])
            problems.append(
                f"fieldType: {field_type!r} is not valid for type {kind_name!r} (one of {allowed})"
            )
        group = str(body.get("groupName") or "")
        if group and group not in self.store.groups[kind]:
            problems.append(f"groupName: property group {group!r} does not exist")
        options = body.get("options") or []
        if kind_name == "enumeration" and not isinstance(options, list):
            problems.append("options: must be a list")
        elif kind_name == "enumeration" and not options:
            problems.append("options: an enumeration property needs at least one option")
        if problems:
            raise errors.fail(
                400,
                "Invalid input JSON: " + "; ".join(problems),
                "VALIDATION_ERROR",
                errors=[{"message": p} for p in problems],
            )
        with self.lock:
            if name in self.store.properties[kind]:
                raise errors.fail(
                    409,
                    f"Property named '{name}' already exists.",
                    "OBJECT_ALREADY_EXISTS",
                    subCategory="PropertyCrudError.PROPERTY_EXISTS",
                )
            prop = PropertyDef(
                name=name,
                label=str(body["label"]),
                type=kind_name,
                field_type=field_type,
                group_name=group,
                options=tuple(str(o.get("value", "")) for o in options if isinstance(o, dict)),
                hubspot_defined=False,
                description=str(body.get("description") or ""),
                created_at=iso_ms(self.store.now_ms()),
            )
            self.store.add_property(kind, prop)
        return Response(201, prop.to_json())

    def update_property(self, request: Request) -> Response:
        """Partial update: given fields overwrite, ``options`` replaces the list."""
        kind = self._kind(request.params["object_type"])
        body = errors.json_object(request)
        name = request.params["name"]
        problems: list[str] = []
        with self.lock:
            prop = self.store.properties[kind].get(name)
            if prop is None:
                raise errors.fail(404, f"Property {name} does not exist", "OBJECT_NOT_FOUND")
            if prop.hubspot_defined:
                problems.append(
                    f"{name}: the definition of a HubSpot-defined property is read-only"
                )
            for field in ("label", "groupName", "description"):
                if field in body and not isinstance(body[field], str):
                    problems.append(f"{field}: must be a string")
            group = body.get("groupName")
            if isinstance(group, str) and group not in self.store.groups[kind]:
                problems.append(f"groupName: property group {group!r} does not exist")
            options = body.get("options")
            values: tuple[str, ...] | None = None
            if options is not None:
                if prop.type not in ("enumeration", "bool"):
                    problems.append(f"options: a {prop.type!r} property has no options")
                elif not isinstance(options, list) or not all(
                    isinstance(o, dict)
                    and isinstance(o.get("value"), str)
                    and o["value"]
                    and isinstance(o.get("label"), str)
                    for o in options
                ):
                    problems.append("options: each option needs a label and a non-empty value")
                else:
                    values = tuple(str(o["value"]) for o in options)
                    if len(set(values)) != len(values):
                        problems.append("options: values must be unique")
            if problems:
                raise errors.fail(
                    400,
                    "Invalid input JSON: " + "; ".join(problems),
                    "VALIDATION_ERROR",
                    errors=[{"message": p} for p in problems],
                )
            if isinstance(body.get("label"), str):
                prop.label = body["label"]
            if isinstance(group, str):
                prop.group_name = group
            if isinstance(body.get("description"), str):
                prop.description = body["description"]
            if values is not None:
                prop.options = values
            return Response(200, prop.to_json())

    # -- associations v4 ---------------------------------------------------------
    def read_associations(self, request: Request) -> Response:
        src = self._kind(request.params["from_type"])
        dst = self._kind(request.params["to_type"])
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
            raise errors.fail(400, "Invalid input JSON: expected an object with inputs[]")
        inputs = body["inputs"]
        if len(inputs) > ASSOCIATION_BATCH_MAX:
            raise errors.fail(
                400,
                f"Batch input limit exceeded: {len(inputs)} inputs, "
                f"at most {ASSOCIATION_BATCH_MAX} allowed",
            )
        started = iso_ms(self.store.now_ms())
        dated = versions.is_dated(request.path)
        primary = PRIMARY_TYPES.get((src, dst))
        results: list[dict[str, Any]] = []
        errs: list[dict[str, Any]] = []
        with self.lock:
            for item in inputs:
                key = str((item or {}).get("id", ""))
                start = tokens.decode((item or {}).get("after"), "after")
                found = self.store.associations(src, key, dst) if self.store.get(src, key) else {}
                if not found:
                    msg = f"No {singular(dst)} is associated with {singular(src)} {key}."
                    err = errors.batch_error(msg, "OBJECT_NOT_FOUND", {"fromObjectId": [key]})
                    err["subCategory"] = "crm.associations.NO_ASSOCIATIONS_FOUND"
                    errs.append(err)
                    continue
                to = []
                ordered = sorted(found.items(), key=lambda kv: int(kv[0]))
                end = start + max(1, self.per_input_page())
                for to_id, type_ids in ordered[start:end]:
                    specs = []
                    for type_id in type_ids:
                        label = "Primary" if type_id == primary else None
                        spec: dict[str, Any] = {"category": "HUBSPOT_DEFINED", "typeId": type_id}
                        if label is not None or not dated:  # v4 answers null, the dated
                            spec["label"] = label  # schema has a string or nothing
                        specs.append(spec)
                    # v4 answers the id as a number, the dated versions as a string
                    target: int | str = to_id if dated else int(to_id)
                    to.append({"toObjectId": target, "associationTypes": specs})
                result: dict[str, Any] = {"from": {"id": key}, "to": to}
                if end < len(ordered):
                    result["paging"] = {"next": {"after": tokens.encode(end)}}
                results.append(result)
        return errors.batch_answer(results, errs, started)


__all__ = ["ASSOCIATION_TYPES", "MetaRoutes"]
