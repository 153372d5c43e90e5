"""Personas of a buying group: compiling, assigning, and checking them.

Contracts:
* ``assign_personas``: a contact holds at most one persona, the first in
  declared order that it matches. A ``pick: most_engaged`` persona goes to one
  contact per account: of the contacts that match its ``when`` (all, without
  one), hold no earlier persona, are not disqualified and earned at least the
  group's ``min_points`` in its window, the one with the most points (ties:
  the smallest contact id). The others go on to the later personas.
* ``check_buying_group`` (raw model data, before validation): duplicate
  persona ids, unknown persona references, point ids that repeat a rule or
  disqualifier id (reasons would be ambiguous).
* ``persona_overlaps`` (validated spec): warnings for two personas testing a
  common property (title, department …) that one contact can both match,
  except after a ``most_engaged`` persona (its other candidates falling
  through to later personas is its point), found by probing each pair with
  sample values drawn from their conditions (literals, substrings, numeric
  bounds, strings the regexes match). A warning always comes with a contact
  that really matches both; an overlap the samples miss goes unreported.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import KeyPath
from .matchers import ContactPredicate, contact_matcher
from .plan import OP_PRED, Test, check, simple_test
from .schema import BuyingGroup, Condition, GroupPoints
from .types import Account, Contact, Scalar

__all__ = [
    "CompiledGroup",
    "CompiledPersona",
    "assign_personas",
    "check_buying_group",
    "compile_buying_group",
    "compile_personas",
    "persona_matches",
    "persona_overlaps",
    "regex_samples",
]

_BG: KeyPath = ("account", "buying_group")
_DAY = 86400.0


@dataclass(frozen=True, slots=True)
class CompiledPersona:
    id: str
    label: str
    required: bool
    weight: float
    tests: tuple[Test, ...]  # plan tests (``plan.check``), ANDed; none: every contact
    most_engaged: bool


@dataclass(frozen=True, slots=True)
class CompiledGroup:
    """A buying group ready to evaluate; windows in seconds."""

    personas: tuple[CompiledPersona, ...]
    window: float
    min_points: float
    recent: float
    prior: float
    min_change: float  # fraction (0.25 = 25 %)
    points: tuple[GroupPoints, ...]
    max_points: float | None


def compile_buying_group(bg: BuyingGroup) -> CompiledGroup:
    """Compile ``account.buying_group`` (days become seconds)."""
    mo = bg.momentum
    return CompiledGroup(
        compile_personas(bg),
        bg.window_days * _DAY,
        bg.min_points,
        mo.recent_days * _DAY,
        mo.prior_days * _DAY,
        mo.min_change_percent / 100.0,
        bg.points,
        bg.max_points,
    )


def compile_personas(bg: BuyingGroup) -> tuple[CompiledPersona, ...]:
    """Matchers for the personas, in declared order (labels default to the id
    with ``_`` read as spaces)."""
    return tuple(
        CompiledPersona(
            p.id,
            p.label or p.id.replace("_", " "),
            p.required,
            p.weight,
            tuple(
                simple_test({k: cond}) or (OP_PRED, "", contact_matcher({k: cond}))
                for k, cond in p.when.items()
            ),
            p.pick == "most_engaged",
        )
        for p in bg.personas
    )


def persona_matches(personas: Sequence[CompiledPersona], c: Contact) -> tuple[int, ...]:
    """Indices of the personas ``c`` matches, in declared order, up to the first
    condition-matched one (the contact holds that one at the latest)."""
    out: list[int] = []
    raw, norm = c.raw, c.norm
    for pi, p in enumerate(personas):
        for t in p.tests:
            if not check(t, raw, norm, c):
                break
        else:
            out.append(pi)
            if not p.most_engaged:
                break
    return tuple(out)


def assign_personas(
    personas: Sequence[CompiledPersona],
    matches: Sequence[tuple[int, ...]],
    ids: Sequence[str],
    eligible: Sequence[bool],
    points: Sequence[float],
    min_points: float,
) -> list[int | None]:
    """Persona index per contact of ONE account (see module docstring), from
    each contact's ``persona_matches``, id, eligibility (not disqualified)
    and activity points in the engagement window."""
    held: list[int | None] = [None] * len(matches)
    for pi, p in enumerate(personas):
        if not p.most_engaged:
            for i, ms in enumerate(matches):
                if held[i] is None and pi in ms:
                    held[i] = pi
            continue
        best: int | None = None
        for i, ms in enumerate(matches):
            if held[i] is not None or not eligible[i] or pi not in ms or points[i] < min_points:
                continue
            if (
                best is None
                or points[i] > points[best]
                or (points[i] == points[best] and ids[i] < ids[best])
            ):
                best = i
        if best is not None:
            held[best] = pi
    return held


def check_buying_group(data: dict[str, Any], emit: Callable[[KeyPath, str], None]) -> None:
    """Cross-field checks of ``account.buying_group`` on raw model data."""
    acct = data.get("account")
    bg = acct.get("buying_group") if isinstance(acct, dict) else None
    if not isinstance(bg, dict):
        return
    ids: dict[str, int] = {}
    personas = bg.get("personas")
    if personas == []:
        emit((*_BG, "personas"), "a buying group needs at least one persona")
    for i, p in enumerate(personas if isinstance(personas, list) else []):
        pid = p.get("id") if isinstance(p, dict) else None
        if isinstance(pid, str):
            if pid in ids:
                emit(
                    (*_BG, "personas", i, "id"),
                    f"duplicate persona id {pid!r} (first at personas[{ids[pid]}])",
                )
            else:
                ids[pid] = i
    rule_ids: set[object] = set()
    for block in ("rules", "disqualifiers"):
        items = data.get(block)
        if isinstance(items, list):
            rule_ids.update(r.get("id") for r in items if isinstance(r, dict))
    seen: set[str] = set()
    pts = bg.get("points")
    for i, r in enumerate(pts if isinstance(pts, list) else []):
        if not isinstance(r, dict):
            continue
        rid = r.get("id")
        if isinstance(rid, str):
            if rid in rule_ids or rid in seen:
                emit((*_BG, "points", i, "id"), f"duplicate rule id {rid!r}")
            seen.add(rid)
        refs = r.get("engaged")
        for ref in refs if isinstance(refs, list) else [refs] if refs is not None else []:
            if isinstance(ref, str) and ids and ref not in ids:
                emit(
                    (*_BG, "points", i, "engaged"),
                    f"unknown persona {ref!r} (personas: {', '.join(ids)})",
                )


# ---- Overlap warnings ---------------------------------------------------------

_LIMIT = 48  # samples per regex / values per field


class _Sampler:
    """Strings matched by a regex, for the subset models use: literals,
    groups, alternation, classes, ``\\b \\w \\d \\s``, quantifiers."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0

    def run(self) -> list[str]:
        out = self._alt()
        return out if self.i >= len(self.p) else []  # unbalanced ')': give up

    def _alt(self) -> list[str]:
        options: list[str] = []
        cur = [""]
        p = self.p
        while self.i < len(p) and p[self.i] != ")":
            if p[self.i] == "|":
                self.i += 1
                options += cur
                cur = [""]
                continue
            atom = self._quantified(self._atom())
            cur = [a + b for a in cur for b in atom][:_LIMIT]
        return (options + cur)[:_LIMIT]

    def _atom(self) -> list[str]:
        p = self.p
        ch = p[self.i]
        self.i += 1
        if ch == "(":
            look = p.startswith(("?=", "?!", "?<=", "?<!"), self.i)
            if p.startswith("?P<", self.i):
                self.i = p.index(">", self.i) + 1
            elif p.startswith("?", self.i):
                self.i = p.index(":", self.i) + 1 if not look else self.i
            inner = self._alt()
            self.i += 1  # ')'
            return [""] if look else inner
        if ch == "[":
            end = self.i + 1 if p.startswith("]", self.i) else self.i
            end = p.index("]", end)
            body = p[self.i : end]
            self.i = end + 1
            if body.startswith("^"):
                return ["#"]
            return [body[1] if body[0] == "\\" and len(body) > 1 else body[0]]
        if ch == "\\" and self.i < len(p):
            esc = p[self.i]
            self.i += 1
            return [
                {
                    "b": "",
                    "B": "",
                    "w": "a",
                    "d": "1",
                    "s": " ",
                    "W": " ",
                    "S": "a",
                    "D": "a",
                    "A": "",
                    "Z": "",
                }.get(esc, esc)
            ]
        if ch in "^$":
            return [""]
        if ch == ".":
            return ["a"]
        return [ch]

    def _quantified(self, atom: list[str]) -> list[str]:
        p = self.p
        if self.i >= len(p) or p[self.i] not in "*+?{":
            return atom
        q = p[self.i]
        self.i += 1
        if q == "{":
            end = p.index("}", self.i)
            low = p[self.i : end].split(",")[0].strip()
            self.i = end + 1
            n = int(low) if low.isdigit() else 0
            res = [a * n for a in atom] if n else ["", *atom]
        else:
            res = atom if q == "+" else ["", *atom]
        if self.i < len(p) and p[self.i] in "?+":  # lazy / possessive
            self.i += 1
        return res


def regex_samples(pattern: str) -> list[str]:
    """Up to 48 strings ``pattern`` is meant to match (best effort; may be
    empty for constructs it does not read)."""
    try:
        return [s for s in _Sampler(pattern).run() if s.strip()]
    except (ValueError, IndexError):
        return []


def _values(cond: Condition) -> list[Scalar]:
    out: list[Scalar] = []
    for lit in (cond.equals, *(cond.in_ or ())):
        if lit is not None:
            out.append(lit)
    out += list(cond.contains or ())
    for pat in cond.regex or ():
        out += regex_samples(pat)
    lo, hi = cond.min, cond.max
    if lo is not None or hi is not None:
        out += [x for x in (lo, hi) if x is not None]
        if lo is not None and hi is not None:
            out.append((lo + hi) / 2)
    if cond.exists:
        out.append("x")
    return out


def _probe(fields: dict[str, Scalar]) -> Contact:
    props = {k: v for k, v in fields.items() if not k.startswith("account.")}
    acct = {k[8:]: v for k, v in fields.items() if k.startswith("account.")}
    return Contact(id="probe", properties=props, account=Account(properties=acct) if acct else None)


def _example(
    a: dict[str, Condition], b: dict[str, Condition], pa: ContactPredicate, pb: ContactPredicate
) -> dict[str, Scalar] | None:
    keys = sorted(set(a) | set(b))
    choices: list[list[Scalar | None]] = []
    for k in keys:
        vals: list[Scalar | None] = []
        for side in (a, b):
            if k in side:
                vals += [v for v in _values(side[k]) if v not in vals]
        choices.append([*vals[:_LIMIT], None])
    for combo in itertools.islice(itertools.product(*choices), 4096):
        fields = {k: v for k, v in zip(keys, combo, strict=True) if v is not None}
        c = _probe(fields)
        if pa(c) and pb(c):
            return fields
    return None


def persona_overlaps(bg: BuyingGroup) -> list[tuple[KeyPath, str]]:
    """Warnings (key path of the later persona, message) for overlapping
    condition-matched personas (see module docstring)."""
    found: list[tuple[KeyPath, str]] = []
    ps = bg.personas
    preds = [contact_matcher(p.when) if p.when else None for p in ps]
    for j, later in enumerate(ps):
        pj = preds[j]
        if pj is None:
            continue
        for i in range(j):
            pi = preds[i]
            if pi is None or ps[i].pick == "most_engaged" or not set(ps[i].when) & set(later.when):
                continue
            ex = _example(ps[i].when, later.when, pi, pj)
            if ex is not None:
                shown = ", ".join(f"{k} {v!r}" for k, v in ex.items())
                found.append(
                    (
                        (*_BG, "personas", j),
                        (
                            f"personas {ps[i].id!r} and {later.id!r} overlap: a contact with "
                            f"{shown} matches both and holds {ps[i].id!r} (declared first)"
                        ),
                    )
                )
    return found
