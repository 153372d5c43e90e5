"""A stored contact's write-back state as read from ``syncd_contact``: the
columns every read of it selects first, and the ``ContactState`` record (or a
subclass) built from such a row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from syncd.state.records import ContactState, CrmValues, Desired
from syncd.state.schema import contacts

__all__ = ["STATE_COLUMNS", "STATE_NAMES", "STATE_WIDTH", "state_of"]


def _desired(
    score: Any, tier: Any, reasons: Any, priority: Any, probability: Any = None
) -> Desired | None:
    if score is None or tier is None or reasons is None or priority is None:
        return None
    return Desired(
        score=score, tier=tier, reasons=reasons, priority=bool(priority), probability=probability
    )


#: The columns every read of a contact's state selects first, in this order.
STATE_NAMES = (
    "id",
    "kind",
    "writable",
    "account_key",
    "crm_read",
    "crm_score",
    "crm_tier",
    "crm_reasons",
    "crm_priority",
    "score",
    "tier",
    "reasons",
    "priority",
    "mql",
    "w_score",
    "w_tier",
    "w_reasons",
    "w_priority",
    "mql_at",
    "dead",
    "attempts",
    "scored_at",
    "model_ref",
    "pending",
    "drift",
    "rank",
    "written_at",
    "crm_modified_at",
    "crm_probability",
    "probability",
    "w_probability",
)
STATE_COLUMNS = [contacts.c[n] for n in STATE_NAMES]
STATE_WIDTH = len(STATE_NAMES)
_S = TypeVar("_S", bound=ContactState)


def state_of(cls: type[_S], r: Sequence[Any], **extra: Any) -> _S:
    """``cls`` (a ``ContactState``) of a row whose first columns are
    ``STATE_COLUMNS``, with ``extra`` fields."""
    (
        cid,
        kind,
        writable,
        key,
        crm_read,
        crm_score,
        crm_tier,
        crm_reasons,
        crm_priority,
        score,
        tier,
        reasons,
        priority,
        mql,
        w_score,
        w_tier,
        w_reasons,
        w_priority,
        mql_at,
        dead,
        attempts,
        scored_at,
        model_ref,
        pending,
        drift,
        rank,
        written_at,
        crm_modified_at,
        crm_probability,
        probability,
        w_probability,
    ) = r[:STATE_WIDTH]
    crm = (
        CrmValues(
            score=crm_score,
            tier=crm_tier,
            reasons=crm_reasons,
            priority=crm_priority,
            probability=crm_probability,
        )
        if crm_read
        else None
    )
    return cls(
        id=cid,
        kind=kind,
        writable=writable,
        account_key=key,
        crm=crm,
        desired=_desired(score, tier, reasons, priority, probability),
        desired_mql=bool(mql),
        written=_desired(w_score, w_tier, w_reasons, w_priority, w_probability),
        mql_at=mql_at,
        dead=dead,
        attempts=attempts,
        scored_at=scored_at,
        model_ref=model_ref,
        pending=pending,
        drift=drift,
        rank=rank,
        written_at=written_at,
        crm_modified_at=crm_modified_at,
        **extra,
    )
