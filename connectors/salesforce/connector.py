"""The Salesforce connector: Leads and Contacts (scored), Accounts (read), activities
from Task, Event, CampaignMember and configured custom objects; score write-back.

``build(name, options, clock=, sleep=, session=)`` is the factory the engine calls.
Every name from the options is validated as a SOQL identifier here, before any
call, so a bad value fails with the option's key instead of reaching a query.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from connectors.base import (
    FIELD_MISSING,
    JSON,
    BeforeBatch,
    CheckItem,
    Connector,
    ConnectorError,
    FatalError,
    FieldsGone,
    FieldsReport,
    Page,
    Update,
    Usage,
    WriteOutcome,
)
from connectors.kit.batcher import Batcher, BatchRules
from connectors.salesforce import activities, fields, mapping, soql, versions, writes
from connectors.salesforce import outcomes as sf_outcomes
from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.config import SalesforceOptions
from connectors.salesforce.delivered import Delivered
from connectors.salesforce.limits import COLLECTION_MAX
from connectors.salesforce.reads import STANDARD_OBJECTS, Reader, Stream
from connectors.salesforce.transport import CountingSession


def validate_names(options: SalesforceOptions) -> None:
    """Every configured object/field name must be a plain API name (FatalError names the key)."""
    checks: list[tuple[str, str, Callable[[str], str]]] = [
        (f"fields.{key}", str(value), soql.identifier)
        for key, value in options.fields.model_dump().items()
    ]
    checks += [(f"field_map.{k}", v, soql.field) for k, v in options.field_map.items()]
    if options.account_priority_field:
        checks.append(("account_priority_field", options.account_priority_field, soql.identifier))
    for n, source in enumerate(options.extra_activities):
        key = f"extra_activities[{n}]"
        checks += [
            (f"{key}.object", source.object, soql.identifier),
            (f"{key}.who_field", source.who_field, soql.identifier),
            (f"{key}.at_field", source.at_field, soql.identifier),
        ]
        checks += [(f"{key}.fields.{a}", f, soql.field) for a, f in source.fields.items()]
        checks += [(f"{key}.where", f, soql.field) for f in source.where]
    for key, value, check in checks:
        try:
            check(value)
        except soql.SoqlError as exc:
            raise FatalError(f"option {key}: {exc}") from None


class SalesforceConnector(Connector):
    auto_create_fields = False

    def __init__(
        self,
        name: str,
        options: SalesforceOptions,
        client: SalesforceClient,
        *,
        sleep: Callable[[float], None],
    ) -> None:
        self.name = name
        self.options = options
        self.client = client
        self._sleep = sleep
        self._readable: dict[str, set[str]] = {}
        self._delivered = Delivered()  # rows delivered within the lookback, across calls
        poll_s = options.bulk_poll.total_seconds()
        rules: BatchRules[writes.Item] = BatchRules(
            size=COLLECTION_MAX,
            bulk_threshold=options.bulk_write_threshold,
            bulk_group=lambda item: item.sobject,
            bulk_job_max=writes.JOB_RECORDS,
        )
        self._batcher = Batcher(
            rules,
            prepare=lambda update: writes.prepare(update, options),
            ident=lambda item: item.id,
            send=lambda batch: writes.send_collection(client, batch),
            bulk=lambda items: writes.send_bulk(client, items, poll_s=poll_s, sleep=sleep),
            meter=client.meter,
        )

    # -- setup --------------------------------------------------------------------
    def _fields_of(self, obj: str) -> set[str]:
        if obj not in self._readable:
            self._readable[obj] = set(fields.describe_fields(self.client, obj))
        return self._readable[obj]

    def check(self) -> list[CheckItem]:
        items: list[CheckItem] = []
        try:
            self.client.login()
            items.append(CheckItem("credentials", True, f"logged in ({self.options.auth.flow})"))
        except ConnectorError as exc:
            items.append(CheckItem("credentials", False, str(exc)))
            return items
        warnings = self.options.config_warnings()
        items += [CheckItem("settings", True, w, warning=True) for w in warnings]
        items.append(versions.check_item(self.client, self.options.api_version))
        try:
            report = self.ensure_fields(create=False)
        except ConnectorError as exc:
            items.append(
                CheckItem("fields", False, str(exc), "check the API user's object permissions")
            )
            return items
        names = ", ".join(f"{f.object}.{f.name} ({f.type})" for f in report.missing)
        fix = (  # a cycle only verifies fields: one fix, `syncd setup` details each field
            f"run `syncd setup --connector {self.name}`: it creates the absent fields, "
            "grants them to the API user and names what it cannot fix"
        )
        items.append(
            CheckItem(
                "fields",
                report.ok,
                f"{len(report.present)} present, {len(report.missing)} missing"
                + (f": {names}" if names else ""),
                "\n".join(report.advice) if report.ok else fix,
            )
        )
        budget = self.client.usage()
        if budget.budget_limit is not None and budget.budget_remaining is not None:
            used = budget.budget_limit - budget.budget_remaining
            items.append(
                CheckItem(
                    "api budget",
                    not budget.stop,
                    f"{used}/{budget.budget_limit} daily API calls used; "
                    f"guard at {self.options.budget_share:.0%}",
                    "" if not budget.stop else "wait for the daily allocation to recover",
                )
            )
        return items

    def ensure_fields(self, create: bool, tiers: Sequence[str] = ()) -> FieldsReport:
        """Verify (or create) syncd's fields, the tier picklist holding ``tiers``; the
        describes it reads tell the reads which fields are readable."""
        described: dict[str, dict[str, dict[str, Any]]] = {}
        report = fields.ensure(
            self.client,
            self.options.fields,
            self.name,
            create,
            described,
            tiers,
            self.options.predictive is not None,
        )
        # the reads select from the same describes: no second round of describe calls
        self._readable = {obj: set(found) for obj, found in described.items()}
        return report

    def _watched(self, pages: Iterator[Page]) -> Iterator[Page]:
        try:
            yield from pages
        except FieldsGone as exc:
            self._readable = {}  # describe again
            raise FieldsGone(
                f"{exc} (a field syncd reads is gone or hidden from the API user; "
                "the next cycle checks the fields again)",
                code=exc.code,
            ) from exc

    # -- reads --------------------------------------------------------------------
    def _streams(
        self,
    ) -> tuple[list[Stream], dict[str, mapping.PersonFields], dict[str, str], str | None]:
        opts = self.options
        people = {
            kind: mapping.person_fields(kind, opts.field_map, opts.fields, self._fields_of(obj))
            for kind, obj in (("lead", "Lead"), ("contact", "Contact"))
        }
        lead_readable = self._fields_of("Lead")
        conversion = [f for f in sf_outcomes.LEAD_FIELDS if f.lower() in lead_readable]
        account_readable = self._fields_of("Account")
        account_props = {
            k: v for k, v in mapping.ACCOUNT_FIELDS.items() if v.lower() in account_readable
        }
        score = (
            opts.fields.account_score
            if opts.fields.account_score.lower() in account_readable
            else None
        )
        priority = opts.account_priority_field
        if priority and priority.lower() not in account_readable:
            raise FatalError(
                f"option account_priority_field: Account.{priority} does not exist or is not "
                "visible to the API user"
            )
        account_fields = [
            *mapping.SYSTEM, *mapping.ACCOUNT_EXTRA, *account_props.values(),
            *([score] if score else []), *([priority] if priority else []),
        ]  # fmt: skip
        standard = {
            "Account": Stream("Account", "Account", "account", tuple(account_fields)),
            "Lead": Stream("Lead", "Lead", "lead", (*people["lead"].select("lead"), *conversion)),
            "Contact": Stream(
                "Contact", "Contact", "contact", tuple(people["contact"].select("contact"))
            ),
            "Task": Stream("Task", "Task", "task", activities.TASK_FIELDS),
            "Event": Stream("Event", "Event", "event", activities.EVENT_FIELDS),
            "CampaignMember": Stream(
                "CampaignMember", "CampaignMember", "member", activities.CAMPAIGN_MEMBER_FIELDS
            ),
            "Opportunity": Stream(
                "Opportunity", "Opportunity", "opportunity", sf_outcomes.OPPORTUNITY_FIELDS
            ),
            "OpportunityContactRole": Stream(
                "OpportunityContactRole",
                "OpportunityContactRole",
                "contact_role",
                sf_outcomes.OCR_FIELDS,
            ),
        }
        streams = [standard[name] for name in STANDARD_OBJECTS]
        for n, source in enumerate(opts.extra_activities):
            where = soql.and_(*(soql.eq(f, v) for f, v in source.where.items()))
            streams.append(
                Stream(
                    f"x{n}:{source.object}",
                    source.object,
                    "extra",
                    tuple(activities.extra_fields(source)),
                    where,
                    source,
                )
            )
        return streams, people, account_props, score

    def changes(
        self,
        cursor: JSON | None,
        until: datetime,
        *,
        full: bool = False,
        since: datetime | None = None,
    ) -> Iterator[Page]:
        streams, people, account_props, score = self._streams()
        reader = Reader(
            self.client,
            self.options,
            streams,
            people,
            account_props,
            score,
            sleep=self._sleep,
            delivered=self._delivered,
        )
        return self._watched(reader.changes(cursor, until, full, since))

    # -- writes -------------------------------------------------------------------
    def write(
        self, updates: Iterable[Update], *, before_batch: BeforeBatch | None = None
    ) -> Iterator[Sequence[WriteOutcome]]:
        """Collections batches of 200 (any mix of objects); above
        ``bulk_write_threshold`` pending updates, Bulk API 2.0 jobs (see ``writes.py``)."""
        for outcomes in self._batcher.run(updates, before_batch):
            if any(o.code == FIELD_MISSING for o in outcomes):
                self._readable = {}  # describe again
            yield outcomes

    def usage(self) -> Usage:
        return self.client.usage()

    def close(self) -> None:
        self.client.close()


def build(
    name: str,
    options: SalesforceOptions,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    session: CountingSession | None = None,
) -> Connector:
    """A Salesforce connector for ``options`` (no network call until first use)."""
    validate_names(options)
    client = SalesforceClient(options, clock=clock, sleep=sleep, session=session)
    return SalesforceConnector(name, options, client, sleep=sleep)
