"""``compile_model``: ``ModelSpec`` -> ``CompiledModel``, once per model.

Everything the hot loop needs is precomputed here: matchers (literals
normalised, regexes compiled), activity rules indexed by activity type,
decay constants per rule (``k`` in ``exp(-k * age_seconds)``; 0 = no decay),
the flat hot-loop ``plan`` (``plan.py``),
tier thresholds, priority look-up sets and the content version
(first 8 hex digits of SHA-256 over the canonical spec JSON plus the texts of
its attachments: formatting and comments do not change it).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .keys import clean_domain
from .matchers import ActivityPredicate, ContactPredicate, activity_matcher, contact_matcher
from .personas import CompiledGroup, compile_buying_group
from .schema import HalfLife, ModelSpec
from .text import normalise_company

if TYPE_CHECKING:
    from .plan import Plan

__all__ = [
    "DEFAULT_NON_ENGAGEMENT",
    "ActRule",
    "CompiledModel",
    "Disq",
    "PropRule",
    "Tiering",
    "compile_model",
    "model_version",
]

DAY = 86400.0
#: Activity types that do not count as engagement unless a model lists
#: ``engagement_types`` explicitly.
DEFAULT_NON_ENGAGEMENT = frozenset({"unsubscribe", "email_bounce", "hard_bounce", "spam_report"})


@dataclass(frozen=True, slots=True)
class PropRule:
    index: int
    id: str
    points: float
    group: str | None
    pred: ContactPredicate


@dataclass(frozen=True, slots=True)
class ActRule:
    index: int
    id: str
    points: float
    group: str | None
    types: tuple[str, ...]
    pred: ActivityPredicate | None
    max_count: int  # 0 = unlimited
    max_points: float | None
    k: float  # decay constant per second; 0.0 = no decay


@dataclass(frozen=True, slots=True)
class Disq:
    id: str
    contact_pred: ContactPredicate | None
    types: tuple[str, ...] | None
    activity_pred: ActivityPredicate | None


@dataclass(frozen=True, slots=True)
class Tiering:
    """Ordered tiers: ``names[i]`` applies from ``mins[i]`` (exact score) up."""

    names: tuple[str, ...]
    mins: tuple[float, ...]
    mql_rank: int

    def tier(self, exact: float) -> tuple[str, bool]:
        """Tier name and MQL flag for an exact (unrounded) score."""
        rank = 0
        for i in range(len(self.mins) - 1, 0, -1):
            if exact >= self.mins[i]:
                rank = i
                break
        return self.names[rank], rank >= self.mql_rank


@dataclass(frozen=True, slots=True)
class CompiledModel:
    """A model ready to score. ``ref`` (``name@version``) names it in results."""

    name: str
    version: str
    spec: ModelSpec = field(repr=False)
    rule_ids: tuple[str, ...] = field(repr=False)
    prop_rules: tuple[PropRule, ...] = field(repr=False)
    act_rules: tuple[ActRule, ...] = field(repr=False)
    grouped: bool = field(repr=False)
    disq_contact: tuple[Disq, ...] = field(repr=False)
    disq_activity: tuple[Disq, ...] = field(repr=False)
    tiering: Tiering = field(repr=False)
    score_floor: float | None = field(repr=False)
    engagement_types: frozenset[str] | None = field(repr=False)
    priority_ids: frozenset[str] = field(repr=False)
    priority_domains: frozenset[str] = field(repr=False)
    priority_names: frozenset[str] = field(repr=False)
    buying_group: CompiledGroup | None = field(repr=False)
    #: Flat form walked by the hot loop (see ``plan.py``); derived, not compared.
    plan: Plan = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from .plan import build_plan  # plan.py reads compiled rules: import late

        object.__setattr__(self, "plan", build_plan(self))

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def is_engagement(self, activity_type: str) -> bool:
        if self.engagement_types is not None:
            return activity_type in self.engagement_types
        return activity_type not in DEFAULT_NON_ENGAGEMENT


def model_version(spec: ModelSpec, attachments: Mapping[str, str]) -> str:
    """8-hex content hash of the canonical spec plus attachment texts."""
    data = spec.model_dump(mode="json", by_alias=True)
    if data["account"].get("buying_group") is None:  # optional block absent: hash without it
        data["account"].pop("buying_group", None)
    canonical = json.dumps(
        {"spec": data, "attachments": dict(attachments)},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:8]


def _decay_k(rule_hl: HalfLife | None, model_hl: HalfLife) -> float:
    hl = model_hl if rule_hl is None else rule_hl
    if hl == "none":
        return 0.0
    return math.log(2) / (float(hl) * DAY)


def compile_model(spec: ModelSpec) -> CompiledModel:
    """Compile a parsed model (see module docstring)."""
    prop: list[PropRule] = []
    act: list[ActRule] = []
    for i, r in enumerate(spec.rules):
        if r.activity is None:
            prop.append(PropRule(i, r.id, r.points, r.group, contact_matcher(r.when)))
        else:
            act.append(ActRule(
                index=i, id=r.id, points=r.points, group=r.group, types=r.activity,
                pred=activity_matcher(r.when), max_count=r.max_count or 0,
                max_points=r.max_points, k=_decay_k(r.half_life_days, spec.half_life_days),
            ))
    disq_c: list[Disq] = []
    disq_a: list[Disq] = []
    for d in spec.disqualifiers:
        if d.activity is None:
            disq_c.append(Disq(d.id, contact_matcher(d.when), None, None))
        else:
            disq_a.append(Disq(d.id, None, d.activity, activity_matcher(d.when)))
    names = tuple(t.name for t in spec.tiers)
    mins = tuple(float("-inf") if i == 0 or t.min is None else float(t.min)
                 for i, t in enumerate(spec.tiers))
    tiering = Tiering(names, mins, names.index(spec.mql_tier))
    pr = spec.account.priority
    ids: set[str] = set()
    domains: set[str] = set()
    cnames: set[str] = set()
    if pr is not None:
        ids.update(x.strip() for x in pr.ids)
        domains.update(clean_domain(x) for x in pr.domains)
        cnames.update(normalise_company(x) for x in pr.names)
        for row in spec.priority_rows:
            if row.id:
                ids.add(row.id)
            if row.domain:
                domains.add(clean_domain(row.domain))
            if row.name:
                cnames.add(normalise_company(row.name))
    return CompiledModel(
        name=spec.name,
        version=model_version(spec, spec.attachments),
        spec=spec,
        rule_ids=tuple(r.id for r in spec.rules),
        prop_rules=tuple(prop),
        act_rules=tuple(act),
        grouped=any(r.group for r in spec.rules),
        disq_contact=tuple(disq_c),
        disq_activity=tuple(disq_a),
        tiering=tiering,
        score_floor=spec.score_floor,
        engagement_types=frozenset(spec.engagement_types)
        if spec.engagement_types is not None else None,
        priority_ids=frozenset(ids - {""}),
        priority_domains=frozenset(domains - {""}),
        priority_names=frozenset(cnames - {""}),
        buying_group=compile_buying_group(spec.account.buying_group)
        if spec.account.buying_group is not None else None,
    )
