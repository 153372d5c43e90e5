"""The engine commands' readable warning lines."""

from __future__ import annotations

import logging

from syncd.cli.logs import _Formatter


def test_warning_line_names_connector_record_and_reason() -> None:
    rec = logging.LogRecord("syncd.sync", logging.WARNING, __file__, 1, "write failed", None, None)
    rec.__dict__.update(
        connector="hubspot-main",
        record_id="1021",
        outcome="rejected",
        reason="INVALID_OPTION",
        run_id="r1",
    )
    assert _Formatter().format(rec) == (
        "warning: hubspot-main: write failed 1021: rejected: INVALID_OPTION"
    )
