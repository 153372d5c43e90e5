"""Domain types. All frozen, slotted dataclasses.

Contacts do their expensive preparation once, at construction:
text values are normalised, activities are sorted newest first (with a
deterministic tie-break, so scores never depend on input order) and indexed by
type, the property look-up table (contact first, then account) is merged, and
the account key is computed. Scoring then never normalises, parses or sorts.
Activity time is stored as epoch seconds (``ts``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from .keys import account_key, clean_domain, email_domain
from .text import normalise

__all__ = [
    "Account",
    "AccountScore",
    "AccountTables",
    "Activity",
    "BuyingGroupSignals",
    "Contact",
    "Reason",
    "Scalar",
    "ScoreResult",
    "derive_contact_tables",
    "format_points",
    "largest_remainder",
    "round_half_up",
]

Scalar = str | int | float | bool


def _norm_one(v: Scalar) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return normalise(v)
    return normalise(str(v))


def _norm_map(values: Mapping[str, Scalar]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in values.items():
        out[k] = normalise(v) if type(v) is str else _norm_one(v)
    return out


def _present(values: Mapping[str, Scalar | None]) -> dict[str, Scalar]:
    return {k: v for k, v in values.items() if v is not None and v != ""}


@dataclass(frozen=True, slots=True)
class Activity:
    """One engagement event. ``attrs`` holds its other fields (url, form,
    asset, kind, campaign, category, metric, value …); ``norm`` is their
    normalised text, computed at construction."""

    type: str
    ts: float
    attrs: Mapping[str, Scalar] = field(default_factory=dict)
    norm: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        attrs: dict[str, Scalar] = {}
        norm: dict[str, str] = {}
        for k, v in self.attrs.items():  # _present and _norm_map in one pass
            if v is not None and v != "":
                attrs[k] = v
                norm[k] = normalise(v) if type(v) is str else _norm_one(v)
        object.__setattr__(self, "attrs", attrs)
        object.__setattr__(self, "norm", norm)

    def sort_key(self) -> tuple[float, str, str]:
        """Newest first; ties broken by type and attributes (deterministic)."""
        return (-self.ts, self.type, repr(sorted(self.attrs.items())))


@dataclass(frozen=True, slots=True)
class Account:
    """A CRM account (company) as attached to a contact."""

    id: str | None = None
    name: str | None = None
    domain: str | None = None
    properties: Mapping[str, Scalar] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact with its account and activities.

    Derived (read-only) fields: ``activities`` re-sorted newest first,
    ``by_type`` (type -> activities, newest first), ``raw``/``norm`` (property
    look-up: contact properties, then the pseudo-properties ``email``,
    ``email_domain``, ``company``, then account properties), ``account_raw``/
    ``account_norm`` (account only: its properties plus ``id``, ``name``,
    ``domain``), ``email_domain`` and ``account_key``.
    """

    id: str
    email: str | None = None
    company: str | None = None
    created_ts: float | None = None
    properties: Mapping[str, Scalar] = field(default_factory=dict)
    account: Account | None = None
    activities: tuple[Activity, ...] = ()
    by_type: Mapping[str, tuple[Activity, ...]] = field(init=False, repr=False, compare=False)
    raw: Mapping[str, Scalar] = field(init=False, repr=False, compare=False)
    norm: Mapping[str, str] = field(init=False, repr=False, compare=False)
    account_raw: Mapping[str, Scalar] = field(init=False, repr=False, compare=False)
    account_norm: Mapping[str, str] = field(init=False, repr=False, compare=False)
    email_domain: str | None = field(init=False, repr=False, compare=False)
    account_key: str | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        s = object.__setattr__
        acts = tuple(sorted(self.activities, key=Activity.sort_key))
        s(self, "activities", acts)
        s(self, "by_type", activities_by_type(acts))
        derive_contact_tables(self, AccountTables.of(self.account))


def activities_by_type(acts: tuple[Activity, ...]) -> dict[str, tuple[Activity, ...]]:
    """``acts`` grouped by type, each group in the order of ``acts``."""
    by_type: dict[str, list[Activity]] = {}
    for a in acts:
        lst = by_type.get(a.type)
        if lst is None:
            by_type[a.type] = [a]
        else:
            lst.append(a)
    return {t: tuple(v) for t, v in by_type.items()}


@dataclass(frozen=True, slots=True)
class AccountTables:
    """What a contact's look-up tables take from its account, computed once per
    account and shared by its contacts: ``raw``/``norm`` (its non-empty
    properties), ``account_raw``/``account_norm`` (those plus ``id``, ``name``
    and the cleaned ``domain``)."""

    account: Account | None
    raw: Mapping[str, Scalar]
    norm: Mapping[str, str]
    account_raw: Mapping[str, Scalar]
    account_norm: Mapping[str, str]
    #: The account key of every contact of an account with an id.
    id_key: str | None = None

    @staticmethod
    def of(acc: Account | None) -> AccountTables:
        if acc is None:
            return AccountTables(None, {}, {}, {}, {})
        raw = _present(acc.properties)
        account_raw = dict(raw)
        account_raw.update(
            _present(
                {
                    "id": acc.id,
                    "name": acc.name,
                    "domain": clean_domain(acc.domain) if acc.domain else None,
                }
            )
        )
        return AccountTables(
            acc,
            raw,
            _norm_map(raw),
            account_raw,
            _norm_map(account_raw),
            account_key(acc.id, None, None, None) if acc.id else None,
        )


def derive_contact_tables(c: Contact, tables: AccountTables) -> None:
    """Set ``c``'s derived look-up fields (``email_domain``, ``raw``/``norm``,
    ``account_raw``/``account_norm``, ``account_key``) from its own fields and
    its account's ``tables``; part of constructing a (frozen) contact."""
    s = object.__setattr__
    acc = tables.account
    email = c.email
    dom = email_domain(email)
    company = c.company or (acc.name if acc else None)
    # the account's properties, then the contact's own non-empty values, which win
    raw = dict(tables.raw)
    norm = dict(tables.norm)
    for k, v in (("email", email), ("email_domain", dom), ("company", company)):
        if v is not None and v != "":
            raw[k] = v
            norm[k] = normalise(v)
    for key, value in c.properties.items():
        if value is not None and value != "":
            raw[key] = value
            norm[key] = normalise(value) if type(value) is str else _norm_one(value)
    s(c, "email_domain", dom)
    s(c, "raw", raw)
    s(c, "norm", norm)
    s(c, "account_raw", tables.account_raw)
    s(c, "account_norm", tables.account_norm)
    s(
        c,
        "account_key",
        tables.id_key
        if tables.id_key is not None
        else account_key(None, dom, acc.domain if acc else None, company),
    )


def round_half_up(x: float) -> int:
    """Integer rounding, halves go up (towards +inf): 2.5 -> 3, -2.5 -> -2."""
    return math.floor(x + 0.5)


def largest_remainder(parts: Mapping[str, float], total: int) -> dict[str, int]:
    """Integers, one per part, summing to ``total`` (which must be within
    ``len(parts)`` of the sum of the parts rounded down): every part rounded
    down, then one more for the parts with the largest fractional remainders
    (ties: first listed)."""
    out = {k: math.floor(v) for k, v in parts.items()}
    short = total - sum(out.values())
    by_remainder = sorted(parts, key=lambda k: -(parts[k] - out[k]))
    for k in by_remainder[:short]:
        out[k] += 1
    return out


def format_points(p: float) -> int | float:
    """Points for display: an int when whole, else rounded (half up) to 0.1."""
    tenths = round_half_up(p * 10)
    if tenths % 10 == 0:
        return tenths // 10
    return tenths / 10


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule that fired: its id, its (decayed, capped, summed) points, how
    many occurrences counted, and which component it belongs to
    (``fit``/``engagement``/``account``/``disqualifier``)."""

    rule: str
    points: float
    count: int = 1
    component: str = "fit"


@dataclass(frozen=True, slots=True)
class BuyingGroupSignals:
    """The buying-group signals of one account at ``as_of`` (shared by the
    results of its contacts). ``completeness``: weighted share (0-100, exact)
    of the required personas that are engaged; ``engaged``/``missing``:
    persona ids in declared order (``missing``: required, not engaged);
    ``committee_engagement``: persona-weighted, decayed activity points of
    the committee within the window; ``recent``/``prior``: undecayed activity
    points of the committee in the momentum windows; ``momentum``:
    ``rising``/``flat``/``falling``; ``summary``: one line, at most 255
    characters."""

    completeness: float
    engaged: tuple[str, ...]
    missing: tuple[str, ...]
    committee_engagement: float
    members: int
    recent: float
    prior: float
    momentum: str
    summary: str


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """The score of one contact. ``exact`` is the unrounded score the tier
    was decided on; ``score`` is ``round_half_up(exact)`` (0 when
    disqualified). ``fit``/``engagement``/``account`` are exact components.
    ``reasons`` are ordered most important (|points|) first."""

    id: str
    score: int
    exact: float
    tier: str
    mql: bool
    disqualified: bool
    priority: bool
    model: str
    fit: float
    engagement: float
    account: float
    reasons: tuple[Reason, ...]
    account_key: str | None
    #: With a buying group: the persona the contact holds, its account's signals.
    persona: str | None = None
    buying_group: BuyingGroupSignals | None = None
    #: Chosen among several models by a connector's routes (``routing.py``):
    #: the reasons text then names ``model``.
    routed: bool = False

    @property
    def components(self) -> dict[str, int]:
        """Integer ``fit``/``engagement``/``account`` that add up to
        ``round_half_up(fit + engagement + account)`` (largest remainder: each
        part is rounded down, then the parts with the largest fractions get
        one more, ties in that order). That total is ``score``, except when
        the model's ``score_floor`` lifted the score."""
        return largest_remainder(
            {"fit": self.fit, "engagement": self.engagement, "account": self.account},
            round_half_up(self.fit + self.engagement + self.account),
        )


@dataclass(frozen=True, slots=True)
class AccountScore:
    """Aggregate score of one account key over a batch."""

    key: str
    score: int
    aggregate: str
    contacts: int
    top_contact_ids: tuple[str, ...]
    priority: bool
    buying_group: BuyingGroupSignals | None = None
