"""Guards for paged reads: a paging token that comes back, or more records than the
CRM said the result holds, ends the read with ``PagingLoop`` instead of following the
CRM round and round until the API budget is spent.

* ``PageTrail``: one paged read (a query and its ``nextRecordsUrl`` chain, a Bulk job's
  result locators). ``follow(token)`` before fetching the page a token names;
  ``count(n)`` for each page's records, against ``total`` when the CRM reported one.
* ``TokenChains``: many paged reads through one client, told apart by the shape of
  their request (endpoint and parameters without the token). A request whose token is
  the one the same shape's last answer handed out continues that read; any other
  request starts a new one (a read resumed from a stored cursor, a retry next cycle).
  Only the most recent ``keep`` shapes are remembered (memory stays bounded).

``PagingLoop`` is a ``RetriableError``: the read stops with a clear error this cycle;
the pages committed before stand, and the next cycle starts the read again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field

from connectors.base import RetriableError

__all__ = ["PageTrail", "PagingLoop", "TokenChains"]


class PagingLoop(RetriableError):
    """A paged read went round in a loop (a repeated token) or past its record count."""


@dataclass(slots=True)
class PageTrail:
    """One paged read's tokens and record count (see the module docstring)."""

    what: str
    total: int | None = None
    records: int = 0
    seen: set[str] = field(default_factory=set)

    def follow(self, token: str) -> None:
        """About to fetch the page ``token`` names: ``PagingLoop`` if it was fetched."""
        if token in self.seen:
            raise PagingLoop(
                f"{self.what}: the CRM handed out the paging token {_short(token)} a second "
                f"time after {len(self.seen)} pages; stopped reading instead of going round "
                "in a loop (the next cycle reads again)"
            )
        self.seen.add(token)

    def count(self, records: int) -> None:
        """Another page of ``records``: ``PagingLoop`` past ``total``."""
        self.records += records
        if self.total is not None and self.records > self.total:
            raise PagingLoop(
                f"{self.what}: the pages held {self.records} records, more than the "
                f"{self.total} the CRM said the result holds; stopped reading (the next "
                "cycle reads again)"
            )


class TokenChains:
    """Paged reads told apart by request shape (see the module docstring)."""

    def __init__(self, keep: int = 64) -> None:
        self.keep = keep
        self._chains: OrderedDict[Hashable, tuple[PageTrail, str | None]] = OrderedDict()
        self._lock = threading.Lock()

    def step(
        self,
        shape: Hashable,
        token: str | None,
        next_token: str | None,
        *,
        records: int = 0,
        total: int | None = None,
        what: str = "paged read",
    ) -> None:
        """One page answered: the request of ``shape`` carried ``token`` (None: a first
        page) and the answer handed out ``next_token`` with ``records`` records (of
        ``total``, when the CRM said). ``PagingLoop`` when the answer points back into
        the read or the read holds more records than its total."""
        with self._lock:
            found = self._chains.get(shape)
            if found is None or token is None or token != found[1]:
                trail = PageTrail(what, total)  # a new read
            else:
                trail = found[0]
            if token is not None:
                trail.follow(token)
            self._chains[shape] = (trail, next_token)
            self._chains.move_to_end(shape)
            while len(self._chains) > self.keep:
                self._chains.popitem(last=False)
            trail.count(records)
            if next_token is not None and next_token in trail.seen:
                trail.follow(next_token)  # raises: the answer points back into the read


def _short(token: str) -> str:
    """A token as shown in an error (long locators and URLs shortened)."""
    return repr(token if len(token) <= 60 else token[:57] + "...")
