"""The model file schema (pydantic). Structure only; see ``parse.py`` for the
cross-field checks and error collection, ``compiler.py`` for semantics.

Top-level keys: ``name``, ``description``, ``half_life_days``, ``tiers``,
``mql_tier``, ``score_floor``, ``engagement_types``, ``rules``,
``disqualifiers``, ``inactivity``, ``velocity``, ``account``. Unknown keys
are errors everywhere.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import regex
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, model_validator

from .errors import ModelIssue
from .text import REGEX_FLAGS, normalise_pattern

__all__ = [
    "AccountBlock",
    "Aggregate",
    "BuyingGroup",
    "Condition",
    "Disqualifier",
    "GroupPoints",
    "HalfLife",
    "Inactivity",
    "ModelSpec",
    "Momentum",
    "MultiStakeholder",
    "Persona",
    "Priority",
    "PriorityRow",
    "Rule",
    "Tier",
    "Velocity",
]

ScalarValue = str | int | float | bool


def _scalar(v: object) -> ScalarValue:
    if isinstance(v, str | int | float | bool):
        return v
    raise ValueError("must be a single string, number or boolean")


def _scalar_list(v: object) -> tuple[ScalarValue, ...]:
    if isinstance(v, list | tuple):
        return tuple(_scalar(x) for x in v)
    raise ValueError("must be a list of strings or numbers")


def _str_or_list(v: object) -> tuple[str, ...]:
    items = v if isinstance(v, list | tuple) else [v]
    out: list[str] = []
    for x in items:
        if isinstance(x, bool) or not isinstance(x, str | int | float):
            raise ValueError("must be a string or a list of strings")
        out.append(str(x))
    if not out:
        raise ValueError("must not be empty")
    return tuple(out)


def _number(v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError("must be a number")
    if not math.isfinite(v):
        raise ValueError("must be a finite number (not .inf or .nan)")
    return float(v)


def _positive(v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v < math.inf:
        raise ValueError("must be a positive number")
    return float(v)


def _half_life(v: object) -> float | Literal["none"]:
    if isinstance(v, str) and v.strip().lower() == "none":
        return "none"
    if not isinstance(v, bool) and isinstance(v, int | float) and math.isfinite(v) and v > 0:
        return float(v)
    raise ValueError("must be 'none' or a positive number of days")


def _regex(v: object) -> tuple[str, ...]:
    items = v if isinstance(v, list | tuple) else [v]
    if not items:
        raise ValueError("must not be empty")
    for i, x in enumerate(items):
        if not isinstance(x, str):
            raise ValueError("must be a regular expression or a list of them")
        try:
            regex.compile(normalise_pattern(x), REGEX_FLAGS)
        except regex.error as exc:
            at = f" (item {i})" if len(items) > 1 else ""
            raise ValueError(f"invalid regular expression{at}: {exc}") from None
    return tuple(items)


Scalar = Annotated[ScalarValue, BeforeValidator(_scalar)]
ScalarList = Annotated[tuple[ScalarValue, ...], BeforeValidator(_scalar_list)]
StrList = Annotated[tuple[str, ...], BeforeValidator(_str_or_list)]
Number = Annotated[float, BeforeValidator(_number)]
Positive = Annotated[float, BeforeValidator(_positive)]
HalfLife = Annotated[float | Literal["none"], BeforeValidator(_half_life)]
Regex = Annotated[tuple[str, ...], BeforeValidator(_regex)]

_STRICT = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Condition(BaseModel):
    """Operators on one value; several operators are ANDed. Shorthand: a bare
    scalar means ``equals``, a bare list means ``in``. Negated operators
    (``not_*``) match when the value is missing."""

    model_config = _STRICT
    equals: Scalar | None = None
    not_equals: Scalar | None = None
    in_: ScalarList | None = Field(default=None, alias="in")
    not_in: ScalarList | None = None
    contains: StrList | None = None
    not_contains: StrList | None = None
    regex: Regex | None = None
    min: Number | None = None
    max: Number | None = None
    exists: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        if isinstance(v, list):
            return {"in": v}
        if v is None or isinstance(v, str | int | float | bool):
            return {"equals": v}
        return v

    @model_validator(mode="after")
    def _check(self) -> Condition:
        if all(getattr(self, f) is None for f in type(self).model_fields):
            raise ValueError("a condition needs at least one operator")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        return self


Conditions = dict[str, Condition]


class Rule(BaseModel):
    """A scoring rule. With ``activity`` it is an engagement rule (points per
    matching activity, ``when`` tests the activity's fields); without, a fit
    rule (``when`` tests properties; ``account.NAME`` reads the account)."""

    model_config = _STRICT
    id: str = Field(min_length=1)
    description: str | None = None
    points: Number
    activity: StrList | None = None
    when: Conditions = Field(default_factory=dict)
    group: str | None = None
    max_count: int | None = Field(default=None, ge=1)
    max_points: Number | None = Field(default=None, gt=0)
    half_life_days: HalfLife | None = None

    @model_validator(mode="after")
    def _check(self) -> Rule:
        if self.activity is None:
            if not self.when:
                raise ValueError("a property rule needs 'when' (or give 'activity')")
            extra = [
                k
                for k in ("max_count", "max_points", "half_life_days")
                if getattr(self, k) is not None
            ]
            if extra:
                raise ValueError(f"{', '.join(extra)} only apply to activity rules")
        return self


class Disqualifier(BaseModel):
    """Score 0 and tier ``disqualified`` when it matches (property or activity)."""

    model_config = _STRICT
    id: str = Field(min_length=1)
    description: str | None = None
    activity: StrList | None = None
    when: Conditions = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> Disqualifier:
        if self.activity is None and not self.when:
            raise ValueError("a disqualifier needs 'when' and/or 'activity'")
        return self


class Tier(BaseModel):
    model_config = _STRICT
    name: str = Field(min_length=1)
    min: Number | None = None
    description: str | None = None


class Inactivity(BaseModel):
    model_config = _STRICT
    id: str = "inactivity"
    after_days: Number = Field(gt=0)
    points: Number


class Velocity(BaseModel):
    model_config = _STRICT
    id: str = "velocity"
    min_activities: int = Field(ge=1)
    within_days: Number = Field(gt=0)
    points: Number


class MultiStakeholder(BaseModel):
    model_config = _STRICT
    id: str = "multi_stakeholder"
    min_contacts: int = Field(ge=2)
    within_days: Number = Field(gt=0)
    points: Number
    extra_points: Number = 0.0
    max_extra_points: Number | None = None


class Priority(BaseModel):
    model_config = _STRICT
    id: str = "priority_account"
    points: Number
    ids: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    file: str | None = None
    property: str | None = None


class Aggregate(BaseModel):
    model_config = _STRICT
    method: Literal["top_k_sum", "max"] = "top_k_sum"
    k: int = Field(default=3, ge=1)


# ---- Buying group (personas and their account signals) -----------------------

PersonaId = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$")]


class Persona(BaseModel):
    """A role in a buying group. ``when`` tests contact properties like a fit
    rule; ``pick: most_engaged`` gives the persona to one contact per account
    (the most engaged of those matching ``when``) instead of to every match."""

    model_config = _STRICT
    id: PersonaId
    label: str | None = Field(default=None, min_length=1)
    required: bool = False
    weight: Positive = 1.0
    when: Conditions = Field(default_factory=dict)
    pick: Literal["all", "most_engaged"] = "all"

    @model_validator(mode="after")
    def _check(self) -> Persona:
        if not self.when and self.pick != "most_engaged":
            raise ValueError("a persona needs 'when' (or 'pick: most_engaged')")
        return self


class GroupPoints(BaseModel):
    """Points from buying-group signals when every condition given holds
    (``min_completeness`` in percent, ``engaged`` persona ids, ``momentum``,
    ``min_committee_engagement``), to ``engaged_members`` (engaged persona
    holders), ``members`` (every persona holder) or ``account`` (every contact
    of the account); disqualified contacts get none."""

    model_config = _STRICT
    id: str = Field(min_length=1)
    description: str | None = None
    points: Number
    to: Literal["engaged_members", "members", "account"] = "engaged_members"
    min_completeness: Annotated[Number, Field(ge=0, le=100)] | None = None
    engaged: Annotated[tuple[str, ...], BeforeValidator(_str_or_list)] | None = None
    momentum: Literal["rising", "flat", "falling"] | None = None
    min_committee_engagement: Annotated[Number, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _check(self) -> GroupPoints:
        if (
            self.min_completeness is None
            and self.engaged is None
            and self.momentum is None
            and self.min_committee_engagement is None
        ):
            raise ValueError(
                "give at least one of min_completeness, engaged, momentum, min_committee_engagement"
            )
        return self


class Momentum(BaseModel):
    """Engagement in the last ``recent_days`` against the ``prior_days`` before,
    as weekly rates; a change of at least ``min_change_percent`` is a trend."""

    model_config = _STRICT
    recent_days: Positive = 14.0
    prior_days: Positive = 42.0
    min_change_percent: Annotated[Number, Field(ge=0)] = 25.0


class BuyingGroup(BaseModel):
    """Personas (declared order: a contact holds the first that matches) and
    points from the signals of each account's committee. A persona is engaged
    when a holder earned ``min_points`` activity points within ``window_days``;
    ``max_points`` caps a contact's total buying-group points."""

    model_config = _STRICT
    window_days: Positive = 30.0
    min_points: Positive = 1.0
    personas: tuple[Persona, ...]
    momentum: Momentum = Field(default_factory=Momentum)
    points: tuple[GroupPoints, ...] = ()
    max_points: Positive | None = None


class AccountBlock(BaseModel):
    model_config = _STRICT
    multi_stakeholder: MultiStakeholder | None = None
    buying_group: BuyingGroup | None = None
    priority: Priority | None = None
    score: Aggregate = Field(default_factory=Aggregate)


class PriorityRow(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: str | None = None
    domain: str | None = None
    name: str | None = None


class ModelSpec(BaseModel):
    """A parsed, structurally valid model. Attachment texts (e.g. the priority
    CSV) travel with it privately; they are part of the version hash."""

    model_config = _STRICT
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str | None = None
    half_life_days: HalfLife = "none"
    tiers: tuple[Tier, ...] = Field(min_length=1)
    mql_tier: str
    score_floor: Number | None = None
    engagement_types: tuple[str, ...] | None = None
    rules: tuple[Rule, ...] = ()
    disqualifiers: tuple[Disqualifier, ...] = ()
    inactivity: Inactivity | None = None
    velocity: Velocity | None = None
    account: AccountBlock = Field(default_factory=AccountBlock)
    _attachments: dict[str, str] = PrivateAttr(default_factory=dict)
    _priority_rows: tuple[PriorityRow, ...] = PrivateAttr(default=())
    _warnings: tuple[ModelIssue, ...] = PrivateAttr(default=())

    @property
    def attachments(self) -> dict[str, str]:
        return dict(self._attachments)

    @property
    def priority_rows(self) -> tuple[PriorityRow, ...]:
        return self._priority_rows

    @property
    def warnings(self) -> tuple[ModelIssue, ...]:
        """Problems that do not stop the model from working (each message
        starts with "warning:")."""
        return self._warnings
