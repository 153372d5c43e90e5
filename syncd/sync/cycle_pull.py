"""The cycle's pull step: check syncd's fields on the CRM, then commit each page
of changes with its cursor (one transaction a page, minimised first), logging
skipped records and each committed page."""

from __future__ import annotations

import logging
from datetime import datetime

from connectors.base import FatalError
from syncd.core.needs import needed_properties
from syncd.sync.cycle_context import CycleContext, log
from syncd.sync.minimise import minimise_page, privacy_salt_of

__all__ = ["pull"]


def pull(c: CycleContext, full: bool, since: datetime | None = None) -> None:
    """Pull the connector's changes since the stored cursor (everything when
    ``full``; every record modified at or after ``since`` when given) and commit
    them page by page; ``FatalError`` when syncd's fields are missing (a dry run
    warns and goes on)."""
    conn = c.connector()
    fields = c.app.ensure_fields(
        c.name,
        conn.auto_create_fields and not c.dry_run,
        c.app.router(c.name).tier_names,
    )
    if not fields.ok and c.dry_run:
        log.warning(
            "fields missing (dry run goes on)",
            extra={
                "connector": c.name,
                "run_id": c.run_id,
                "event": "fields_missing",
                "missing": [f"{f.object}.{f.name}" for f in fields.missing],
            },
        )
    elif not fields.ok:
        missing = ", ".join(f"{f.object}.{f.name} ({f.type})" for f in fields.missing)
        raise FatalError(
            f"syncd's fields are missing: {missing}; run `syncd setup --connector {c.name}`"
        )
    cursor = None if full else c.store.meta(c.name).cursor
    c.phase("pull", None)
    pages = conn.changes(cursor, c.started, full=full, since=since)
    privacy = c.cfg.privacy
    needed = needed_properties(c.app.router(c.name))
    keep = None if privacy.store_all_properties else needed
    full_email = privacy.store_email or "email" in needed
    salt = None if full_email else privacy_salt_of(c.store.engine)
    for n, page in enumerate(pages, start=1):
        page = minimise_page(page, keep, salt)
        stats = c.store.commit_page(c.name, page, c.app.clock())
        for s in stats.skipped_records:
            log.warning(
                "value skipped, record kept" if s.kept else "record skipped",
                extra={
                    "connector": c.name,
                    "run_id": c.run_id,
                    "event": "skipped",
                    "record_id": s.record_id,
                    "kind": s.kind,
                    "reason": s.reason,
                },
            )
        c.t.pulled += stats.contacts
        c.t.skipped += stats.skipped
        if n == 1 and page.estimated_total is not None:
            c.phase("pull", page.estimated_total)
        del page  # committed: released before the next one is fetched
        c.advance(stats.contacts)
        c.event(
            "page_committed",
            logging.DEBUG,
            page=n,
            contacts=stats.contacts,
            changed=stats.changed_contacts,
            accounts=stats.accounts,
            activities=stats.new_activities,
            deleted=stats.deleted,
            skipped=stats.skipped,
        )
        c.checkpoint()
