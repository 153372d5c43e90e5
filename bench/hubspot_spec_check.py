"""Check the HubSpot connector's dated traffic against HubSpot's published OpenAPI specs.

    git -C MIRROR archive HEAD PublicApiSpecs | tar -x -C /tmp/hs-specs
    HUBSPOT_SPECS=/tmp/hs-specs/PublicApiSpecs python bench/hubspot_spec_check.py

``HUBSPOT_SPECS`` is a directory holding HubSpot/HubSpot-public-api-spec-collection's
``PublicApiSpecs`` tree (its licence forbids copying the specs into this repository, so
they are read from wherever you put them). The script runs the connector against the
fake portal on ``api_version: 2026-09`` - field setup, a full pull, an incremental pull
after edits, a write of every contact, an OAuth refresh - and checks every recorded
request on a dated path against the spec operation of the same method and path: known
query parameters, required ones present, integer/boolean/date-time values parseable,
the JSON (or form) body valid against the request schema (types, required fields,
enums, nested objects and arrays, ``$ref``s resolved). Each read request is then sent
again and the fake's answer checked against the operation's response schema. It prints
every refusal and, last, one JSON line: requests checked and refused, legacy requests
(not checked: they have no dated operation), answers checked and off the spec. Exit 1
when any request is refused or any answer is off the spec.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import requests
from pydantic import SecretStr

from connectors.base import ContactRecord, ContactUpdate
from connectors.hubspot.config import HubSpotOAuth, HubSpotOptions
from connectors.hubspot.connector import build
from connectors.hubspot.paths import ApiVersion
from syncd.sandbox.generator import generate
from syncd.sandbox.hubspot import HubSpotSandbox
from syncd.sandbox.hubspot.app import OAuthApp
from syncd.sandbox.hubspot.versions import is_dated
from syncd.sandbox.recorder import RecordedRequest
from syncd.sandbox.server import SandboxServer

VERSION: ApiVersion = "2026-09"
Operation = tuple[re.Pattern[str], str, dict[str, Any], dict[str, Any]]


def load_operations(root: Path) -> list[Operation]:
    """(path regex, method, operation, spec) of every ``VERSION`` spec under ``root``."""
    ops: list[Operation] = []
    for file in sorted(root.rglob(f"{VERSION}/*.json")):
        spec = json.loads(file.read_text(encoding="utf-8"))
        for template, item in (spec.get("paths") or {}).items():
            regex = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "/?$")
            for method, op in item.items():
                if isinstance(op, dict) and method in ("get", "post", "put", "patch", "delete"):
                    ops.append((regex, method.upper(), op, spec))
    # the most specific template first: fewer parameters, longer literal text
    ops.sort(key=lambda o: (o[0].pattern.count("[^/]+"), -len(o[0].pattern)))
    return ops


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def validate(value: Any, schema: dict[str, Any], spec: dict[str, Any], where: str) -> list[str]:
    """Problems of ``value`` against an OpenAPI 3.0 schema (the subset HubSpot uses)."""
    schema = _resolve(schema, spec)
    problems: list[str] = []
    for key in ("oneOf", "anyOf"):
        if key in schema:
            if all(validate(value, s, spec, where) for s in schema[key]):
                problems.append(f"{where}: matches none of {key}")
            return problems
    for sub in schema.get("allOf") or []:
        problems += validate(value, sub, spec, where)
    kind = schema.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
    }
    if value is None:
        return problems if schema.get("nullable") else [*problems, f"{where}: null"]
    if kind in checks and not checks[kind](value):
        return [*problems, f"{where}: {type(value).__name__} is not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        for name in schema.get("required") or []:
            if name not in value:
                problems.append(f"{where}: missing required {name!r}")
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            if name in props:
                problems += validate(item, props[name], spec, f"{where}.{name}")
            elif isinstance(extra, dict):
                problems += validate(item, extra, spec, f"{where}.{name}")
            elif extra is False or (props and extra is None and kind == "object"):
                problems.append(f"{where}: unknown field {name!r}")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            problems += validate(item, schema["items"], spec, f"{where}[{i}]")
    return problems


def _scalar_ok(text: str, schema: dict[str, Any]) -> bool:
    kind, fmt = schema.get("type"), schema.get("format")
    try:
        if kind == "integer":
            int(text)
        elif kind == "number":
            float(text)
        elif kind == "boolean":
            return text in ("true", "false")
        elif fmt == "date-time":
            datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "enum" not in schema or text in schema["enum"]


def check_request(req: RecordedRequest, ops: list[Operation]) -> list[str]:
    """Problems of one recorded request against its spec operation."""
    found = next((o for o in ops if o[1] == req.method and o[0].match(req.path)), None)
    if found is None:
        return [f"{req.method} {req.path}: no operation in the {VERSION} specs"]
    _regex, _method, op, spec = found
    problems: list[str] = []
    params = [_resolve(p, spec) for p in op.get("parameters") or []]
    query = {p["name"]: p for p in params if p.get("in") == "query"}
    patterns = [re.compile(re.sub(r"\\\{[^}]+\\\}", ".+", re.escape(n))) for n in query if "{" in n]
    for name, values in req.query.items():
        param = query.get(name)
        if param is None:
            if not any(p.fullmatch(name) for p in patterns):
                problems.append(f"query {name!r}: not a parameter of this operation")
            continue
        schema = _resolve(param.get("schema") or {}, spec)
        listed = schema.get("type") == "array"
        item = _resolve(schema.get("items") or {}, spec) if listed else schema
        for value in values:
            for part in value.split(",") if schema.get("type") == "array" else [value]:
                if not _scalar_ok(part, item):
                    problems.append(f"query {name}={part!r}: not a valid {item.get('type')}")
    for name, param in query.items():
        if param.get("required") and name not in req.query:
            problems.append(f"query {name!r}: required, missing")
    content = ((op.get("requestBody") or {}).get("content")) or {}
    if "application/json" in content:
        schema = content["application/json"].get("schema") or {}
        try:
            body = json.loads(req.body or b"null")
        except ValueError:
            return [*problems, "body: not JSON"]
        problems += validate(body, schema, spec, "body")
    elif "application/x-www-form-urlencoded" in content:
        schema = content["application/x-www-form-urlencoded"].get("schema") or {}
        form = {k: v[0] for k, v in parse_qs(req.body.decode(), keep_blank_values=True).items()}
        problems += validate(form, schema, spec, "form")
    elif req.body:
        problems.append("body: the operation takes none")
    return [f"{req.method} {req.path}: {p}" for p in problems]


def check_answer(req: RecordedRequest, ops: list[Operation], url: str, token: str) -> list[str]:
    """Send a read request again and check the fake's answer against the operation's
    response schema (reads only: replaying a write would change the portal)."""
    found = next((o for o in ops if o[1] == req.method and o[0].match(req.path)), None)
    if found is None:
        return []
    _regex, _method, op, spec = found
    answer = requests.request(
        req.method,
        url + req.path,
        params=[(k, v) for k, values in req.query.items() for v in values],
        data=req.body or None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=30,
    )
    response = (op.get("responses") or {}).get(str(answer.status_code))
    if response is None:
        return [f"{req.method} {req.path}: answered {answer.status_code}, not in the spec"]
    schema = ((_resolve(response, spec).get("content") or {}).get("application/json") or {}).get(
        "schema"
    )
    if schema is None:
        return []
    problems = validate(answer.json(), schema, spec, "answer")
    return [f"{req.method} {req.path}: {p}" for p in problems]


def is_read(req: RecordedRequest) -> bool:
    return req.method == "GET" or req.path.endswith(("/search", "/batch/read"))


class ManualClock:
    """The fake's and the connector's time: moves only by sleeps and ``advance``."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def utc(self) -> datetime:
        return datetime.fromtimestamp(self.now, tz=UTC)


def portal(clock: ManualClock) -> HubSpotSandbox:
    return HubSpotSandbox(
        generate(7, 300, datetime.fromtimestamp(clock() - 3600, tz=UTC)),
        clock=clock,
        sleep=clock.sleep,
        tier="pro",
        rate_limits=False,
        oauth=OAuthApp("cid", "secret", "refresh"),
    )


def run_traffic(app: HubSpotSandbox, url: str, clock: ManualClock) -> None:
    """Drive the connector through every call it makes; the fake records them."""
    oauth = HubSpotOAuth(
        client_id="cid", client_secret=SecretStr("secret"), refresh_token=SecretStr("refresh")
    )
    options = HubSpotOptions(base_url=url, oauth=oauth, api_version=VERSION)
    conn = build("spec-check", options, clock=clock, sleep=clock.sleep)
    try:
        conn.ensure_fields(create=True, tiers=("unqualified", "nurture", "mql", "hot"))
        conn.check()
        cursor = None
        contacts: list[ContactRecord] = []
        for page in conn.changes(None, clock.utc()):
            contacts += page.contacts
            cursor = page.cursor or cursor
        for rec in app.store.live("contacts")[:20]:
            app.store.update("contacts", rec.id, {"jobtitle": "VP Marketing"})
        clock.now += 900
        list(conn.changes(cursor, clock.utc()))
        stamp = clock.utc()
        conn.write(
            [
                ContactUpdate(c.id, "contact", 42, "mql", "title +42", False, stamp, stamp)
                for c in contacts
            ]
        )
    finally:
        conn.close()


def main() -> int:
    root = os.environ.get("HUBSPOT_SPECS")
    if not root or not Path(root).is_dir():
        print(__doc__)
        print("HUBSPOT_SPECS is not set to a directory of HubSpot's specs", file=sys.stderr)
        return 2
    ops = load_operations(Path(root))
    clock = ManualClock(datetime(2026, 12, 1, tzinfo=UTC).timestamp())
    app = portal(clock)
    server = SandboxServer(app).start()
    run_traffic(app, server.url, clock)
    checked = refused = answers = wrong_answers = 0
    legacy: Counter[str] = Counter()
    endpoints: Counter[str] = Counter()
    for req in app.log.requests():
        if not is_dated(req.path):
            legacy[req.endpoint] += 1
            continue
        checked += 1
        endpoints[req.endpoint] += 1
        problems = check_request(req, ops)
        if problems:
            refused += 1
            for line in problems[:5]:
                print("REFUSED", line)
        if is_read(req):
            answers += 1
            wrong = check_answer(req, ops, server.url, app.token)
            if wrong:
                wrong_answers += 1
                for line in wrong[:5]:
                    print("ANSWER", line)
    server.stop()
    for endpoint, n in sorted(endpoints.items()):
        print(f"checked {n:5d}  {endpoint}")
    for endpoint, n in sorted(legacy.items()):
        print(f"legacy  {n:5d}  {endpoint} (no dated equivalent; not checked)")
    summary = {
        "checked": checked,
        "refused": refused,
        "legacy": sum(legacy.values()),
        "answers_checked": answers,
        "answers_off_spec": wrong_answers,
    }
    print(json.dumps(summary))
    return 1 if refused or wrong_answers else 0


if __name__ == "__main__":
    raise SystemExit(main())
