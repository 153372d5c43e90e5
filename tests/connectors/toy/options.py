"""The toy connector's options (the keys under ``connectors.NAME`` besides the engine's)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ToyOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Which in-memory CRM (``tests.connectors.toy.connector.CRMS``) to talk to.
    crm: str
    page_size: int = Field(default=3, ge=1)
    batch_size: int = Field(default=2, ge=1)
    #: Share of the CRM's call budget the connector may spend.
    budget_share: float = Field(default=1.0, gt=0, le=1)
