"""What a HubSpot connector remembers between pulls (it lives as long as the engine):
e-mail campaign names, the e-mail -> contact id map of the contacts read, the merges
seen, the forms list, and the portal's plan."""

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
    #: Merged-away contact id -> the record it was merged into, for events that
    #: still name the old id or an address remembered under it.
    merged: dict[str, str] = field(default_factory=dict)
    #: Every form as (id, name), from the last forms list read (None: not read yet).
    forms: list[tuple[str, str]] | None = None
    plan: PlanMemory = field(init=False)

    def __post_init__(self) -> None:
        self.plan = PlanMemory(self.clock)

    def merge(self, merged: dict[str, str]) -> None:
        """Remember ``merged`` (loser -> survivor): addresses and ids remembered
        under a loser now name its survivor (a survivor merged again follows on)."""
        if not merged:
            return
        self.merged.update(merged)
        for loser in list(self.merged):
            self.merged[loser] = self.current(self.merged[loser])
        for email, cid in self.emails.items():
            if cid is not None and cid in self.merged:
                self.emails[email] = self.current(cid)

    def current(self, cid: str) -> str:
        """The id ``cid`` lives on as after the merges seen."""
        seen = set()
        while cid in self.merged and cid not in seen:
            seen.add(cid)
            cid = self.merged[cid]
        return cid
