"""The HubSpot ``Connector``: ``build(name, options, clock=..., sleep=...)`` makes one.

Reads are in ``pull.py``, writes in ``writes.py``, syncd's properties in ``fields.py``,
the SDK adapter (auth, pacing, retries, errors, counting) in ``client.py``. What the
connector remembers between pulls (campaign names, e-mail -> contact ids, forms, the
portal's plan) is in ``memory.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from connectors.base import (
    JSON,
    AccountUpdate,
    BeforeBatch,
    CheckItem,
    Connector,
    ConnectorError,
    FatalError,
    FieldsReport,
    Page,
    Update,
    Usage,
    WriteOutcome,
)
from connectors.hubspot import fields as syncd_fields
from connectors.hubspot import limits, paths, writes
from connectors.hubspot.auth import credential_fix
from connectors.hubspot.client import HubSpotClient
from connectors.hubspot.config import HubSpotOptions
from connectors.hubspot.mapping import DEFAULT_FIELD_MAP, account_values, contact_values
from connectors.hubspot.memory import Memory
from connectors.hubspot.pull import Pull
from connectors.kit.batcher import Batcher, BatchRules


class HubSpotConnector(Connector):
    """One HubSpot portal (see ``connectors.base.Connector`` for the contract)."""

    auto_create_fields = True

    def __init__(self, name: str, options: HubSpotOptions, client: HubSpotClient) -> None:
        self.name = name
        self.options = options
        self.client = client
        self.field_map = {**DEFAULT_FIELD_MAP, **options.field_map}
        self._executor = ThreadPoolExecutor(
            max_workers=options.max_concurrency, thread_name_prefix=f"syncd-{name}"
        )
        self.memory = Memory(client.clock)
        self._campaigns = self.memory.campaigns
        rules: BatchRules[writes.Item] = BatchRules(
            size=limits.BATCH_MAX,
            group=lambda item: item.object_type,
            key=lambda item: item.id,
            concurrency=options.max_concurrency,
        )
        self._batcher = Batcher(
            rules,
            prepare=self._item,
            ident=lambda item: item.id,
            send=lambda batch: writes.write_batch(client, batch),
            meter=client.meter,
            executor=self._executor,
        )

    # -- checks --------------------------------------------------------------------------
    def check(self) -> list[CheckItem]:
        items: list[CheckItem] = []
        try:
            self.client.send(
                "read", "objects.list", path={"object_type": "contacts"}, query=[("limit", 1)]
            )
            items.append(CheckItem("credentials", True, f"{self.options.base_url} answered"))
        except FatalError as exc:
            fix = credential_fix(self.options)
            return [CheckItem("credentials", False, str(exc), fix), *self._api_items()]
        except ConnectorError as exc:
            fix = "Check base_url and the network."
            return [CheckItem("credentials", False, str(exc), fix), *self._api_items()]
        try:
            self.client.send(
                "read", "objects.list", path={"object_type": "companies"}, query=[("limit", 1)]
            )
            items.append(CheckItem("read companies", True))
        except ConnectorError as exc:
            items.append(
                CheckItem("read companies", False, str(exc), "Grant crm.objects.companies.read.")
            )
        try:
            items += syncd_fields.check_items(
                self.client, self.options.fields, self.options.predictive is not None
            )
        except ConnectorError as exc:
            fix = "Grant crm.schemas.contacts.read and crm.schemas.companies.read."
            items.append(CheckItem("fields", False, str(exc), fix))
        try:
            items.append(self.memory.plan.check_item(self.client))
        except ConnectorError as exc:
            items.append(
                CheckItem("page views", False, str(exc), "Check base_url and the network.")
            )
        return items + self._api_items()

    def _api_items(self) -> list[CheckItem]:
        """Each HubSpot API used, its version and, for a legacy one, its sunset."""
        now = datetime.fromtimestamp(self.client.clock(), tz=UTC)
        oauth = self.options.oauth is not None
        return paths.check_items(self.options.api_version, now, oauth=oauth)

    def ensure_fields(self, create: bool, tiers: Sequence[str] = ()) -> FieldsReport:
        return syncd_fields.ensure(
            self.client, self.options.fields, create, tiers, self.options.predictive is not None
        )

    # -- reads ---------------------------------------------------------------------------
    def changes(
        self,
        cursor: JSON | None,
        until: datetime,
        *,
        full: bool = False,
        since: datetime | None = None,
    ) -> Iterator[Page]:
        pull = Pull(self.client, self.options, self.field_map, self._executor, self.memory)
        return pull.pages(cursor, until, full, since)

    # -- writes --------------------------------------------------------------------------
    def write(
        self, updates: Iterable[Update], *, before_batch: BeforeBatch | None = None
    ) -> Iterator[Sequence[WriteOutcome]]:
        """Batches of <= 100 of one object type, ``max_concurrency`` at once within the
        client's pacing (see ``writes.py``)."""
        return self._batcher.run(updates, before_batch)

    def _item(self, update: Update) -> writes.Item:
        names = self.options.fields
        if isinstance(update, AccountUpdate):
            return writes.Item("companies", update.id, account_values(update, names))
        predictive = self.options.predictive is not None
        return writes.Item("contacts", update.id, contact_values(update, names, predictive))

    # -- usage ---------------------------------------------------------------------------
    def usage(self) -> Usage:
        return self.client.meter.snapshot()

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.client.close()


def build(
    name: str,
    options: HubSpotOptions,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    max_attempts: int = 6,
) -> Connector:
    """A HubSpot connector; ``clock``/``sleep`` drive pacing, token expiry and retries."""
    client = HubSpotClient(options, clock=clock, sleep=sleep, max_attempts=max_attempts)
    return HubSpotConnector(name, options, client)
