"""``compile_model``: ``ModelSpec`` -> ``CompiledModel``, once per model.

Everything the hot loop needs is precomputed: the flat ``plan`` (``plan.py``:
matchers with literals normalised and regexes compiled, activity rules
indexed by activity type, decay constants), tier thresholds, priority look-up
sets and the content version (first 8 hex digits of SHA-256 over the
canonical spec JSON plus the texts of its attachments: formatting and
comments do not change it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from .keys import clean_domain
from .personas import CompiledGroup, compile_buying_group
from .plan import Plan, build_plan
from .schema import ModelSpec
from .text import normalise_company

__all__ = ["CompiledModel", "Tiering", "compile_model", "model_version"]


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
    plan: Plan = field(repr=False, compare=False)
    tiering: Tiering = field(repr=False)
    priority_ids: frozenset[str] = field(repr=False)
    priority_domains: frozenset[str] = field(repr=False)
    priority_names: frozenset[str] = field(repr=False)
    buying_group: CompiledGroup | None = field(repr=False)

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def tier_names(self) -> tuple[str, ...]:
        """Every tier a result of this model can carry: the model's tiers in
        order, then ``disqualified`` (what a CRM tier field must accept)."""
        return (*self.tiering.names, "disqualified")


def model_version(spec: ModelSpec, attachments: Mapping[str, str]) -> str:
    """8-hex content hash of the canonical spec plus attachment texts."""
    data = spec.model_dump(mode="json", by_alias=True)
    if data["account"].get("buying_group") is None:  # optional block absent: hash without it
        data["account"].pop("buying_group", None)
    canonical = json.dumps(
        {"spec": data, "attachments": dict(attachments)},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:8]


def compile_model(spec: ModelSpec) -> CompiledModel:
    """Compile a parsed model (see module docstring)."""
    names = tuple(t.name for t in spec.tiers)
    mins = tuple(
        float("-inf") if i == 0 or t.min is None else float(t.min) for i, t in enumerate(spec.tiers)
    )
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
        plan=build_plan(spec),
        tiering=Tiering(names, mins, names.index(spec.mql_tier)),
        priority_ids=frozenset(ids - {""}),
        priority_domains=frozenset(domains - {""}),
        priority_names=frozenset(cnames - {""}),
        buying_group=compile_buying_group(spec.account.buying_group)
        if spec.account.buying_group is not None
        else None,
    )
