"""The engine commands' clock and their ``--since DATE`` option."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from syncd.cli.exit_codes import ExitCode
from syncd.sync import utc_now

__all__ = ["clock_now", "since_or_exit"]


def clock_now(ctx: click.Context) -> datetime:
    """The engine's clock (tests inject one through the context object)."""
    clock = ctx.obj.get("clock", utc_now) if isinstance(ctx.obj, dict) else utc_now
    now: datetime = clock()
    return now


def since_or_exit(text: str, now: datetime) -> datetime:
    """``--since`` as an aware date-time (a date is its midnight, a naive time is
    UTC), else a message naming the value and exit ``UNUSABLE``."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        click.echo(
            f"--since: {text!r} is not an ISO-8601 date or date-time "
            "(e.g. 2026-11-20 or 2026-11-20T10:00:00Z)",
            err=True,
        )
        sys.exit(ExitCode.UNUSABLE)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if value > now:
        click.echo(
            f"--since: {text!r} is in the future; nothing can have changed after it", err=True
        )
        sys.exit(ExitCode.UNUSABLE)
    return value
