"""Canonical JSON (docs/scoring.md, "Contacts") <-> domain types.

``contact_from_json`` validates strictly and raises ``ContactError`` whose
message names the offending field path, e.g.
``activities[2].at: not an ISO-8601 date-time``. ``result_to_json`` produces the
result shape of docs/scoring.md ("The score") plus ``mql``, ``summary`` and
``account_key`` (and
``persona`` when the model has a buying group and the contact holds a persona
or has an account). ``account_score_to_json`` adds ``buying_group`` (the
account's signals) when the model has one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .explain import summary
from .types import (
    Account,
    AccountScore,
    Activity,
    BuyingGroupSignals,
    Contact,
    Scalar,
    ScoreResult,
    format_points,
)

__all__ = [
    "CONTACT_KEYS",
    "ContactError",
    "contact_from_json",
    "parse_datetime",
    "result_to_json",
    "to_epoch",
]

#: The top-level keys of a canonical contact; ``contact_from_json`` ignores others.
#: ``outcomes`` (CRM milestones, as ``syncd export`` writes them) is known but not scored.
CONTACT_KEYS = frozenset(
    {"id", "email", "company", "created_at", "properties", "account", "activities", "outcomes"}
)


class ContactError(ValueError):
    """A contact record does not follow the canonical JSON contract."""


def to_epoch(dt: datetime) -> float:
    """Epoch seconds; a naive datetime is taken to be UTC."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def parse_datetime(value: object) -> datetime | None:
    """Parse ISO-8601 (``Z`` suffix and date-only allowed; naive = UTC).
    Returns ``None`` when ``value`` is not a valid ISO-8601 string."""
    if not isinstance(value, str):
        return None
    s = value.strip()
    if s.endswith(("z", "Z")):
        s = s[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _scalar_map(obj: object, where: str) -> dict[str, Scalar]:
    if obj is None:
        return {}
    if type(obj) is not dict and not isinstance(obj, Mapping):
        raise ContactError(f"{where}: must be an object")
    out: dict[str, Scalar] = {}
    for k, v in obj.items():
        if not isinstance(k, str):
            raise ContactError(f"{where}: keys must be strings")
        if v is None:
            continue
        if not isinstance(v, str | int | float | bool):
            raise ContactError(f"{where}.{k}: must be a string, number or boolean")
        out[k] = v
    return out


def _opt_str(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    v = obj.get(key)
    if v is None or v == "":
        return None
    if isinstance(v, bool) or not isinstance(v, str | int):
        raise ContactError(f"{where}{key}: must be a string")
    return str(v)


_fromiso = datetime.fromisoformat
_SCALARS = (str, int, float, bool)


def _activity(obj: object, i: int) -> Activity:
    """``activities[i]``; validation and the dropping of ``None`` and ``""``
    attributes in one pass over the object, with a fast path for the common
    "...Z" time stamp (together 20-25% of ``syncd score``'s reading time;
    see bench/bench_scoring.py)."""
    if type(obj) is not dict and not isinstance(obj, Mapping):
        raise ContactError(f"activities[{i}]: must be an object")
    typ = obj.get("type")
    if type(typ) is not str and not isinstance(typ, str):
        raise ContactError(f"activities[{i}].type: required, a non-empty string")
    typ = typ.strip()
    if not typ:
        raise ContactError(f"activities[{i}].type: required, a non-empty string")
    if "at" not in obj:
        raise ContactError(f"activities[{i}].at: required")
    at = obj["at"]
    ts: float | None
    # the common "...Z" form: what parse_datetime does, minus its checks
    if type(at) is str and at[-1:] == "Z" and not at[:1].isspace():
        try:
            ts = _fromiso(at[:-1] + "+00:00").timestamp()
        except ValueError:
            ts = None
    else:
        dt = parse_datetime(at)
        ts = None if dt is None else dt.timestamp()
    if ts is None:
        raise ContactError(f"activities[{i}].at: not an ISO-8601 date-time")
    attrs: dict[str, Scalar] = {}
    for k, v in obj.items():
        if k == "type" or k == "at":
            continue
        if type(k) is not str and not isinstance(k, str):
            raise ContactError(f"activities[{i}]: keys must be strings")
        if v is None:
            continue
        if type(v) is not str and not isinstance(v, _SCALARS):
            raise ContactError(f"activities[{i}].{k}: must be a string, number or boolean")
        if v != "":
            attrs[k] = v
    return Activity(typ, ts, attrs)


def contact_from_json(obj: object) -> Contact:
    """Build a ``Contact`` from one canonical JSON object (already decoded)."""
    if not isinstance(obj, Mapping):
        raise ContactError("contact: must be a JSON object")
    cid = obj.get("id")
    if isinstance(cid, bool) or not isinstance(cid, str | int) or not str(cid).strip():
        raise ContactError("id: required, a non-empty string")
    email = obj.get("email")
    if email == "":
        email = None
    elif email is not None and not isinstance(email, str):
        raise ContactError("email: must be a string")
    company = _opt_str(obj, "company", "")
    created_ts: float | None = None
    if obj.get("created_at") is not None:
        dt = parse_datetime(obj["created_at"])
        if dt is None:
            raise ContactError("created_at: not an ISO-8601 date-time")
        created_ts = dt.timestamp()
    props = _scalar_map(obj.get("properties"), "properties")
    account: Account | None = None
    acc = obj.get("account")
    if acc is not None:
        if not isinstance(acc, Mapping):
            raise ContactError("account: must be an object")
        account = Account(
            id=_opt_str(acc, "id", "account."),
            name=_opt_str(acc, "name", "account."),
            domain=_opt_str(acc, "domain", "account."),
            properties=_scalar_map(acc.get("properties"), "account.properties"),
        )
    raw_acts = obj.get("activities")
    if raw_acts is None:
        raw_acts = []
    if not isinstance(raw_acts, list):
        raise ContactError("activities: must be a list")
    acts = tuple([_activity(a, i) for i, a in enumerate(raw_acts)])
    return Contact(
        id=str(cid),
        email=email,
        company=company,
        created_ts=created_ts,
        properties=props,
        account=account,
        activities=acts,
    )


def result_to_json(r: ScoreResult) -> dict[str, Any]:
    """The result shape of docs/scoring.md ("The score"), plus ``mql``, ``summary``,
    ``account_key`` and
    ``persona`` (see module docstring)."""
    return {
        "id": r.id,
        "score": r.score,
        "tier": r.tier,
        "mql": r.mql,
        "disqualified": r.disqualified,
        "priority": r.priority,
        "model": r.model,
        "components": r.components,
        "reasons": [{"rule": x.rule, "points": format_points(x.points)} for x in r.reasons],
        "summary": summary(r),
        "account_key": r.account_key,
        **({"persona": r.persona} if r.persona is not None or r.buying_group is not None else {}),
    }


def account_score_to_json(a: AccountScore) -> dict[str, Any]:
    """One account's aggregate score, for account write-back and ``--accounts-output``."""
    return {
        "account_key": a.key,
        "score": a.score,
        "aggregate": a.aggregate,
        "contacts": a.contacts,
        "top_contact_ids": list(a.top_contact_ids),
        "priority": a.priority,
        **(
            {} if a.buying_group is None else {"buying_group": buying_group_to_json(a.buying_group)}
        ),
    }


def buying_group_to_json(g: BuyingGroupSignals) -> dict[str, Any]:
    """An account's buying-group signals (percent and points to 0.1)."""
    return {
        "completeness": format_points(g.completeness),
        "engaged_personas": list(g.engaged),
        "missing_personas": list(g.missing),
        "committee_engagement": format_points(g.committee_engagement),
        "members": g.members,
        "momentum": {
            "trend": g.momentum,
            "recent": format_points(g.recent),
            "prior": format_points(g.prior),
        },
        "summary": g.summary,
    }
