"""`syncd demo` tells the whole story on a small generated data set and exits 0."""

from __future__ import annotations

import re

from click.testing import CliRunner

from syncd.cli import main


def test_demo_runs_the_whole_story() -> None:
    result = CliRunner().invoke(main, ["demo", "--contacts", "150", "--seed", "3"])
    out = result.output
    assert result.exit_code == 0, out
    for heading in (
        "Full cycle of each connector",
        "hubspot-demo: contacts per tier",
        "salesforce-demo: score distribution",
        "salesforce-demo: top 10 leads",
        "hubspot-demo: accounts (priority first",
        "API calls of the full sync vs the minimum the limits allow",
        "Model change: MQL from 50 to 40",
        "tier transitions (rows: now, columns: with",
        "Incremental cycle: nothing changed, nothing written",
    ):
        assert heading in out, heading
    assert re.search(r"demo finished in \d+\.\ds", out)
    # the second cycle's rows: status ok and 0 written
    second = out.split("Incremental cycle: nothing changed, nothing written", 1)[1]
    rows = [line for line in second.splitlines() if "-demo" in line]
    assert rows and all(
        re.search(r"│ ok\s+│\s+\d+ │\s+\d+ │\s+0 │\s+\d+ │\s+0 │", row) for row in rows
    ), rows
