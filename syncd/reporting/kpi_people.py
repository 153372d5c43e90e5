"""One ``LeadFacts`` per person for the funnel KPIs: a converted lead kept as a
record of its own (``syncd.evaluate.converted``) joins the record it became.

The person stands under that record's id with its current score and tier
(the lead's when the record is not scored yet), the outcomes of both, the
earlier MQL date and first score, and the old model's last score and tier
of the record (else of the lead). Judged apart, the lead would be an MQL and
a scored contact that never converted (its conversion sits on the other
record), and the record it became a second contact. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from syncd.core.outcomes import Outcome
from syncd.evaluate.converted import converted_leads, earlier, fold_into
from syncd.reporting.kpi_types import LeadFacts

__all__ = ["one_per_person"]


def one_per_person(
    leads: Sequence[LeadFacts], outcomes: Mapping[str, Sequence[Outcome]]
) -> list[LeadFacts]:
    """``leads`` with each converted lead joined to the record it became;
    ``outcomes`` are every record's (scored or not), by record id."""

    def join(lead: LeadFacts, record: LeadFacts | None, rid: str) -> LeadFacts:
        if record is None:
            return replace(lead, id=rid, outcomes=tuple(outcomes.get(rid, ())))
        keys = {o.key for o in record.outcomes}
        old = record if record.score_then is not None else lead
        return replace(
            record,
            mql_at=earlier(lead.mql_at, record.mql_at),
            outcomes=(*record.outcomes, *(o for o in lead.outcomes if o.key not in keys)),
            first_scored_at=earlier(lead.first_scored_at, record.first_scored_at),
            score_then=old.score_then,
            tier_then=old.tier_then,
        )

    return fold_into(leads, lambda x: x.id, converted_leads(outcomes), join)
