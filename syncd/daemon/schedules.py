"""Connector schedules and the APScheduler triggers they become: the one
schedule type lives in ``syncd.schedule`` (shared with the config and
``syncd status``); this module names it for the daemon."""

from __future__ import annotations

from syncd.schedule import Cron, Every, Schedule, format_duration, next_run, trigger_for

__all__ = ["Cron", "Every", "Schedule", "format_duration", "next_run", "trigger_for"]
