"""Segments: contacts routed to models by conditions, first match wins.

Contract:

* A ``Router`` holds ordered routes; each is a ``when`` mapping of property
  conditions (the fit rules' syntax and matchers: ``NAME`` reads the contact
  then its account, ``account.NAME`` the account only) and a compiled model.
  A route without conditions matches every contact; the last route must be
  such a default, so every contact has exactly one model.
* ``Router.ref``: the one model's ref for a single route (a connector with
  ``model:``), else ``segments@<8 hex>`` over every route's conditions and
  model ref, so changing a condition, the order or any model changes it (the
  engine rescores every contact when the stored ref differs).
* ``score_evidence``: the same from stored evidence (``evidence.match``)
  where a contact's is given; ``evidence_key`` names a router's evidence.
* ``score_routed``: each contact is scored by its route's model; results keep
  the input order, carry their model's ref (``ScoreResult.model``) and, with
  several routes, ``routed=True`` (the reasons text then names the model).
  Account signals (multi-stakeholder, buying group) see the contacts of the
  batch routed to the same model.
* Accounts whose contacts fall into different segments (``routed_account_scores``):
  the account follows the segment most of its contacts route to (a tie: the
  earlier route) and its score aggregates the scores of that segment's
  contacts with that model's ``account.score`` method.
* ``shadowed_routes``: routes no contact can reach (after a default, or whose
  conditions imply an earlier route's), found for ``in``/``equals``, ``min``/
  ``max`` and ``exists: true`` conditions; other operators are never assumed
  to imply anything.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from .accounts import account_scores
from .compiler import CompiledModel
from .contract import to_epoch
from .evidence import EVIDENCE_FORMAT, Evidence, match
from .matchers import ContactPredicate, contact_matcher, is_number_literal, literal_text
from .schema import Condition
from .scoring import Partial, evaluate, finish_batch, score_batch, score_contact
from .types import AccountScore, Contact, ScoreResult

__all__ = [
    "Route",
    "Router",
    "build_router",
    "evidence_key",
    "routed_account_scores",
    "score_evidence",
    "score_routed",
    "shadowed_routes",
    "single_router",
]


@dataclass(frozen=True, slots=True)
class Route:
    """One route: its conditions (empty: every contact) and its model."""

    when: Mapping[str, Condition]
    model: CompiledModel
    test: ContactPredicate | None


@dataclass(frozen=True, slots=True)
class Router:
    """Ordered routes, the last one a default (see module docstring)."""

    routes: tuple[Route, ...]
    ref: str

    def index(self, c: Contact) -> int:
        """The position of the route ``c`` takes (the first that matches)."""
        for i, r in enumerate(self.routes):
            if r.test is None or r.test(c):
                return i
        return len(self.routes) - 1

    def describe(self, i: int) -> str:
        """Route ``i`` in words: ``route 1 of 3 (country: {"in": ["TR"]})``."""
        when = self.routes[i].when
        cond = (
            "default"
            if not when
            else json.dumps(_condition_json(when), ensure_ascii=False, separators=(", ", ": "))
        )
        return f"route {i + 1} of {len(self.routes)} ({cond})"

    def model_for(self, c: Contact) -> CompiledModel:
        return self.routes[self.index(c)].model

    @property
    def default(self) -> CompiledModel:
        return self.routes[-1].model

    @property
    def models(self) -> tuple[CompiledModel, ...]:
        """Every distinct model, in route order."""
        seen: dict[str, CompiledModel] = {}
        for r in self.routes:
            seen.setdefault(r.model.ref, r.model)
        return tuple(seen.values())

    @property
    def routed(self) -> bool:
        """Whether contacts can get different models (several routes)."""
        return len(self.routes) > 1

    @property
    def tier_names(self) -> tuple[str, ...]:
        """Every tier any route's result can carry (``disqualified`` last)."""
        names: dict[str, None] = {}
        for m in self.models:
            names.update(dict.fromkeys(m.tiering.names))
        return (*names, "disqualified")

    @property
    def mql_tiers(self) -> frozenset[str]:
        """Tier names at or above the MQL tier of any route's model."""
        out: set[str] = set()
        for m in self.models:
            t = m.tiering
            out.update(t.names[t.mql_rank :])
        return frozenset(out)


def _condition_json(when: Mapping[str, Condition]) -> dict[str, object]:
    return {k: c.model_dump(mode="json", by_alias=True, exclude_none=True) for k, c in when.items()}


def build_router(routes: Sequence[tuple[Mapping[str, Condition], CompiledModel]]) -> Router:
    """A router over ``(when, model)`` pairs in order; raises ``ValueError``
    when there are none or the last one has conditions (no default)."""
    if not routes:
        raise ValueError("no routes")
    if routes[-1][0]:
        raise ValueError("the last route must have no conditions (the default)")
    built = tuple(
        Route(dict(when), model, contact_matcher(when) if when else None) for when, model in routes
    )
    if len(built) == 1:
        return Router(built, built[0].model.ref)
    canonical = json.dumps(
        [[_condition_json(r.when), r.model.ref] for r in built],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:8]
    return Router(built, f"segments@{digest}")


def single_router(model: CompiledModel) -> Router:
    """The router of a connector with one model (``ref`` is the model's)."""
    return build_router([({}, model)])


def score_routed(router: Router, contacts: Iterable[Contact], as_of: datetime) -> list[ScoreResult]:
    """Score each contact with its route's model; input order preserved."""
    items = list(contacts)
    if not router.routed:
        return score_batch(router.default, items, as_of)
    ts = to_epoch(as_of)
    routes = [router.index(c) for c in items]
    models = [router.routes[i].model for i in routes]
    partials = [score_contact(m, c, ts) for m, c in zip(models, items, strict=True)]
    return _finish_routed(router, routes, partials, as_of)


#: The longest evidence key (a longer one is replaced by its digest).
KEY_MAX = 200


def evidence_key(router: Router, release: str) -> str | None:
    """The key of the evidence (``evidence.match``) of the router's contacts:
    its ref, the evidence layout and the ``release`` of the program that
    matched it (a release may match text differently), at most ``KEY_MAX``
    characters; None when evidence cannot stand in for a contact (a route's
    model has a buying group, which reads the contact's activities by time)."""
    if any(r.model.buying_group is not None for r in router.routes):
        return None
    key = f"{router.ref}/evidence{EVIDENCE_FORMAT}/{release}"
    if len(key) <= KEY_MAX:
        return key
    return f"evidence{EVIDENCE_FORMAT}@{hashlib.sha256(key.encode('utf-8')).hexdigest()}"


def score_evidence(
    router: Router, items: Sequence[tuple[str, Contact | Evidence]], as_of: datetime
) -> tuple[list[ScoreResult], list[Evidence | None]]:
    """Score a chunk of (contact id, the contact or its stored evidence):
    exactly what ``score_routed`` gives for the contacts. Also returns each
    contact's evidence, matched here (None for the evidence items). Requires
    an ``evidence_key`` of the router."""
    ts = to_epoch(as_of)
    routes: list[int] = []
    partials: list[Partial] = []
    fresh: list[Evidence | None] = []
    for cid, item in items:
        if isinstance(item, Evidence):
            ev, new = item, None
        else:
            route = router.index(item)
            ev = new = match(router.routes[route].model, item, route)
        routes.append(ev.route)
        fresh.append(new)
        partials.append(evaluate(router.routes[ev.route].model, cid, ev, ts))
    return _finish_routed(router, routes, partials, as_of), fresh


def _finish_routed(
    router: Router, routes: Sequence[int], partials: Sequence[Partial], as_of: datetime
) -> list[ScoreResult]:
    """Account signals per route's model (``finish_batch``); input order kept."""
    if not router.routed:
        return finish_batch(router.default, partials, as_of)
    by_route: dict[int, list[int]] = {}
    for pos, i in enumerate(routes):
        by_route.setdefault(i, []).append(pos)
    out: list[ScoreResult | None] = [None] * len(partials)
    for i, positions in by_route.items():
        results = finish_batch(router.routes[i].model, [partials[p] for p in positions], as_of)
        for p, r in zip(positions, results, strict=True):
            out[p] = replace(r, routed=True)
    return [r for r in out if r is not None]


def routed_account_scores(router: Router, results: Sequence[ScoreResult]) -> list[AccountScore]:
    """Account scores of ``results`` (see module docstring), highest first."""
    if not router.routed:
        return account_scores(router.default, results)
    order = {m.ref: i for i, m in enumerate(router.models)}
    counts: dict[str, dict[str, int]] = {}
    for r in results:
        if r.account_key is not None:
            per = counts.setdefault(r.account_key, {})
            per[r.model] = per.get(r.model, 0) + 1
    owner = {
        key: min(per, key=lambda ref: (-per[ref], order.get(ref, len(order))))
        for key, per in counts.items()
    }
    out: list[AccountScore] = []
    for m in router.models:
        mine = [r for r in results if r.model == m.ref and owner.get(r.account_key or "") == m.ref]
        out.extend(account_scores(m, mine))
    out.sort(key=lambda a: (-a.score, a.key))
    return out


# ----------------------------------------------------------------- unreachable routes


def _values(c: Condition) -> frozenset[str] | None:
    """The normalised values an ``equals``/``in``-only condition accepts."""
    if c.in_ is not None and c.equals is None:
        lits = c.in_
    elif c.equals is not None and c.in_ is None:
        lits = (c.equals,)
    else:
        return None
    out: set[str] = set()
    for lit in lits:
        if is_number_literal(lit):
            out.add(f"#{float(lit)}")
        else:
            out.add(literal_text(lit))
    return frozenset(out)


def _only(c: Condition, *fields: str) -> bool:
    return all(getattr(c, f) is None for f in type(c).model_fields if f not in fields)


def _implies(later: Condition, earlier: Condition) -> bool:
    """Whether every value ``later`` accepts is accepted by ``earlier``."""
    if _only(earlier, "exists") and earlier.exists is True:
        positive = ("equals", "in_", "contains", "regex", "min", "max")
        return later.exists is True or any(getattr(later, f) is not None for f in positive)
    if _only(earlier, "equals", "in_") and _only(later, "equals", "in_"):
        a, b = _values(later), _values(earlier)
        return a is not None and b is not None and a <= b
    if _only(earlier, "min", "max") and _only(later, "min", "max"):
        lo_ok = earlier.min is None or (later.min is not None and later.min >= earlier.min)
        hi_ok = earlier.max is None or (later.max is not None and later.max <= earlier.max)
        return lo_ok and hi_ok
    return later == earlier


def shadowed_routes(whens: Sequence[Mapping[str, Condition]]) -> list[tuple[int, int]]:
    """``(route, earlier route)`` for each route no contact can reach: every
    contact it matches is taken by the earlier one (see module docstring)."""
    out: list[tuple[int, int]] = []
    for i, later in enumerate(whens):
        for j in range(i):
            earlier = whens[j]
            if all(k in later and _implies(later[k], c) for k, c in earlier.items()):
                out.append((i, j))
                break
    return out
