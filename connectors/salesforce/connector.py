"""The Salesforce connector: Leads and Contacts (scored), Accounts (read), activities
from Task, Event, CampaignMember and configured custom objects; score write-back.

``build(name, options, clock=, sleep=, session=)`` is the factory the engine calls.
Every name from the options is validated as a SOQL identifier here, before any
call, so a bad value fails with the option's key instead of reaching a query.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from connectors.base import (
    JSON,
    AccountUpdate,
    CheckItem,
    Connector,
    ConnectorError,
    ContactUpdate,
    FatalError,
    FieldsReport,
    Page,
    Usage,
    WriteOutcome,
)
from connectors.salesforce import activities, fields, mapping, soql, versions
from connectors.salesforce.client import SalesforceClient
from connectors.salesforce.config import SalesforceOptions
from connectors.salesforce.field_checks import (
    INVALID_FIELD,
    PROCESS_FIELD_CHECKS,
    FieldCheck,
    FieldChecks,
    check_key,
)
from connectors.salesforce.limits import COLLECTION_MAX
from connectors.salesforce.reads import Reader, Stream
from connectors.salesforce.transport import CountingSession
from connectors.salesforce.writes import Writer


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
    write_batch_size = COLLECTION_MAX
    auto_create_fields = False
    mixed_writes = True

    def __init__(
        self,
        name: str,
        options: SalesforceOptions,
        client: SalesforceClient,
        *,
        sleep: Callable[[float], None],
        field_checks: FieldChecks | None = None,
    ) -> None:
        self.name = name
        self.options = options
        self.client = client
        self._sleep = sleep
        self._readable: dict[str, set[str]] = {}
        self._checks = FieldChecks() if field_checks is None else field_checks
        self._check_key = check_key(name, options)

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
        items.append(
            CheckItem(
                "fields",
                report.ok,
                f"{len(report.present)} present, {len(report.missing)} missing",
                "\n".join(report.advice),
            )
        )
        budget = self.client.budget()
        if budget.limit is not None:
            items.append(
                CheckItem(
                    "api budget",
                    not budget.stop,
                    f"{budget.used}/{budget.limit} daily API calls used; "
                    f"guard at {self.options.budget_share:.0%}",
                    "" if not budget.stop else "wait for the daily allocation to recover",
                )
            )
        return items

    def ensure_fields(self, create: bool, tiers: Sequence[str] = ()) -> FieldsReport:
        """Verify (or create) syncd's fields, the tier picklist holding ``tiers``.
        Without ``create``, a check that passed earlier in this process for the
        same tiers (``field_checks``) is reused: no describes."""
        kept = None if create else self._checks.get(self._check_key)
        if kept is not None and kept.tiers == tuple(tiers):
            self._readable = {obj: set(found) for obj, found in kept.readable.items()}
            return kept.report
        described: dict[str, dict[str, dict[str, Any]]] = {}
        report = fields.ensure(
            self.client, self.options.fields, self.name, create, described, tiers
        )
        # the reads select from the same describes: no second round of describe calls
        self._readable = {obj: set(found) for obj, found in described.items()}
        if report.ok:
            passed = FieldsReport(present=[*report.present, *report.created])
            readable = {obj: frozenset(found) for obj, found in described.items()}
            self._checks.keep(self._check_key, FieldCheck(passed, readable, tuple(tiers)))
        else:
            self._checks.forget(self._check_key)
        return report

    def _field_failed(self, reason: str) -> bool:
        """Forget the kept field check when ``reason`` is a failure on a field."""
        if INVALID_FIELD not in reason:
            return False
        self._checks.forget(self._check_key)
        return True

    def _watched(self, pages: Iterator[Page]) -> Iterator[Page]:
        try:
            yield from pages
        except FatalError as exc:
            if self._field_failed(str(exc)):
                raise FatalError(
                    f"{exc} (a field syncd reads is gone or hidden from the API user; "
                    "the next cycle checks the fields again)"
                ) from exc
            raise

    # -- reads --------------------------------------------------------------------
    def _streams(
        self,
    ) -> tuple[list[Stream], dict[str, mapping.PersonFields], dict[str, str], str | None]:
        opts = self.options
        people = {
            kind: mapping.person_fields(kind, opts.field_map, opts.fields, self._fields_of(obj))
            for kind, obj in (("lead", "Lead"), ("contact", "Contact"))
        }
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
        streams = [
            Stream("Account", "Account", "account", tuple(account_fields)),
            Stream("Lead", "Lead", "lead", tuple(people["lead"].select("lead"))),
            Stream("Contact", "Contact", "contact", tuple(people["contact"].select("contact"))),
            Stream("Task", "Task", "task", activities.TASK_FIELDS),
            Stream("Event", "Event", "event", activities.EVENT_FIELDS),
            Stream("CampaignMember", "CampaignMember", "member", activities.CAMPAIGN_MEMBER_FIELDS),
        ]
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
            stop=lambda: self.client.budget().stop,
        )
        return self._watched(reader.changes(cursor, until, full, since))

    # -- writes -------------------------------------------------------------------
    def write(self, updates: Sequence[ContactUpdate | AccountUpdate]) -> list[WriteOutcome]:
        writer = Writer(
            self.client, self.options, sleep=self._sleep, stop=lambda: self.client.budget().stop
        )
        outcomes = writer.write(updates)
        for outcome in outcomes:
            if outcome.status == "rejected" and self._field_failed(outcome.reason):
                break
        return outcomes

    def usage(self) -> Usage:
        budget = self.client.budget()
        return Usage(
            calls=dict(self.client.session.calls),
            http_429=self.client.session.http_429,
            budget_remaining=None if budget.limit is None or budget.used is None
            else budget.limit - budget.used,
            budget_limit=budget.limit,
            calls_left=budget.calls_left,
            stop=budget.stop,
        )  # fmt: skip

    def close(self) -> None:
        self.client.close()


def build(
    name: str,
    options: SalesforceOptions,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    session: CountingSession | None = None,
    field_checks: FieldChecks | None = None,
) -> Connector:
    """A Salesforce connector for ``options`` (no network call until first use).
    ``field_checks`` keeps passed field checks between the connectors built for
    successive cycles; by default the process's store (``PROCESS_FIELD_CHECKS``)."""
    validate_names(options)
    client = SalesforceClient(options, clock=clock, sleep=sleep, session=session)
    checks = PROCESS_FIELD_CHECKS if field_checks is None else field_checks
    return SalesforceConnector(name, options, client, sleep=sleep, field_checks=checks)
