"""What a HubSpot connector remembers between pulls (it lives as long as the engine):
e-mail campaign names, the e-mail -> contact id map of the contacts read, the forms
list, and the portal's plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from connectors.hubspot.plan import PlanMemory


@dataclass
class Memory:
    clock: Callable[[], float]
    #: E-mail campaign id -> name (None: HubSpot has no name for it).
    campaigns: dict[int, str | None] = field(default_factory=dict)
    #: Whether the marketing e-mails list (every campaign's name) was read.
    campaigns_listed: bool = False
    #: Lower-cased e-mail -> contact id (None: no contact has it), from the contacts
    #: read and the batch lookups of the addresses they did not cover.
    emails: dict[str, str | None] = field(default_factory=dict)
    #: Every form as (id, name), from the last forms list read (None: not read yet).
    forms: list[tuple[str, str]] | None = None
    plan: PlanMemory = field(init=False)

    def __post_init__(self) -> None:
        self.plan = PlanMemory(self.clock)
