"""`syncd report` on a 2,000-contact fake Salesforce org after two cycles: the
HTML file is self-contained and its tier counts, score histogram and weekly
MQL figures agree with the state store (read here with plain SQL)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.cli.report_sandbox import CONNECTOR, Synced, synced_sandbox


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synced]:
    with synced_sandbox(tmp_path_factory.mktemp("report"), 2000) as s:
        yield s


class _Page(HTMLParser):
    """Tables by id (rows of cell texts), figure ids with their inline SVG
    text, every tag seen, and attributes that could load something."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.figures: dict[str, str] = {}
        self.tags: Counter[str] = Counter()
        self.loads: list[tuple[str, str]] = []
        self.data_json = ""
        self._table: str | None = None
        self._figure: str | None = None
        self._cell: list[str] | None = None
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        a = dict(attrs)
        self.loads += [(tag, str(v)) for k, v in attrs if k in ("src", "href", "xlink:href")]
        if tag == "table":
            self._table = str(a.get("id"))
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        elif tag == "figure":
            self._figure = str(a.get("id"))
            self.figures[self._figure] = ""
        elif tag == "script":
            self._script = a.get("type") == "application/json"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "figure":
            self._figure = None
        elif tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._figure is not None:
            self.figures[self._figure] += data
        if self._script:
            self.data_json += data


def test_report_html_matches_the_state_store(synced: Synced, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = synced.invoke("report", "--html", str(out))
    assert result.exit_code == 0, result.output
    files = list(tmp_path.iterdir())
    assert files == [out]
    text = out.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    # self-contained: nothing to fetch (no scripts, styles, images or fonts from elsewhere)
    # (an SVG's own references, "#id", stay inside the file)
    assert [x for x in page.loads if not x[1].startswith("#")] == []
    assert page.tags["link"] == 0 and page.tags["img"] == 0
    assert not re.search(r"url\((?!#)|@import", text)
    assert page.tags["svg"] == 4

    db = sqlite3.connect(synced.state)
    tiers = dict(
        db.execute(
            "SELECT tier, count(*) FROM syncd_contact WHERE connector = ? GROUP BY tier",
            (CONNECTOR,),
        ).fetchall()
    )
    scores = db.execute(
        "SELECT score FROM syncd_contact WHERE connector = ? AND score IS NOT NULL", (CONNECTOR,)
    ).fetchall()
    mql_days = [
        d
        for (d,) in db.execute(
            "SELECT mql_at FROM syncd_contact WHERE connector = ? AND mql_at IS NOT NULL",
            (CONNECTOR,),
        )
    ]
    converted = dict(
        db.execute(
            "SELECT c.tier, count(DISTINCT c.id) FROM syncd_contact c JOIN syncd_outcome o"
            " ON o.connector = c.connector AND o.contact_id = c.id"
            " WHERE c.connector = ? AND c.score IS NOT NULL"
            " AND o.kind IN ('opportunity', 'customer', 'won') GROUP BY c.tier",
            (CONNECTOR,),
        ).fetchall()
    )
    db.close()
    # outcomes pulled from the org: conversion per tier agrees with the stored outcomes
    kpi_rows = page.tables[f"kpi-tiers-{CONNECTOR}"]
    assert kpi_rows[0] == ["tier", "contacts", "converted", "rate", "won"]
    assert {r[0]: int(r[2]) for r in kpi_rows[1:] if int(r[2])} == converted
    assert sum(converted.values()) > 20  # the generated org has outcomes to show
    kpis = json.loads(page.data_json)["connectors"][0]["kpis"]
    assert kpis["positives"] == sum(converted.values()) and kpis["target"] == "opportunity"
    assert f"kpi-deciles-{CONNECTOR}" in page.figures
    assert sum(tiers.values()) >= 2000 and None not in tiers and len(mql_days) > 0

    # per-tier counts: the table and the embedded data
    rows = page.tables[f"tiers-{CONNECTOR}"]
    assert rows[0] == ["tier", "from score", "contacts", "share"]
    shown = {r[0]: int(r[2]) for r in rows[1:-1]}
    assert {k: v for k, v in shown.items() if v} == tiers
    assert rows[-1][:3] == ["total", "", str(sum(tiers.values()))]
    assert [r[:2] for r in rows[1:4]] == [["hot", "75"], ["mql", "50"], ["nurture", "25"]]
    data = json.loads(page.data_json)["connectors"][0]
    assert {k: v for k, v in data["tiers"].items() if v} == tiers

    # the histogram: 5-point bins of the stored scores, thresholds drawn
    bins = Counter((s // 5) * 5 for (s,) in scores)
    assert {b["from"]: b["contacts"] for b in data["score_bins"] if b["contacts"]} == bins
    histogram = page.figures[f"histogram-{CONNECTOR}"]
    assert "score distribution" in histogram and "mql ≥ 50" in histogram
    assert "hot ≥ 75" in histogram and "nurture ≥ 25" in histogram
    assert f"({len(scores)} scored contacts)" in histogram

    # MQLs per week: ISO weeks of mql_at
    weeks = Counter(
        str(date.fromisoformat(d[:10]) - timedelta(days=date.fromisoformat(d[:10]).weekday()))
        for d in mql_days
    )
    assert {w["week"]: w["mqls"] for w in data["mql_weeks"] if w["mqls"]} == weeks
    table = page.tables[f"mql-weeks-table-{CONNECTOR}"]
    assert {r[0]: int(r[1]) for r in table[1:] if r[1] != "0"} == weeks
    assert "contacts entering MQL per week" in page.figures[f"mql-weeks-{CONNECTOR}"]

    # the two runs and their API calls, with the write floor of the first
    runs = page.tables[f"runs-{CONNECTOR}"]
    assert len(runs) == 3 and all(r[2] == "ok" for r in runs[1:])
    first = data["runs"][0]
    assert first["write_floor"] == -(
        -(data["totals"]["written"] + data["totals"]["accounts_written"]) // 200
    )
    assert int(runs[1][5]) >= first["write_floor"] > 0
    assert "API calls per run" in page.figures[f"calls-{CONNECTOR}"]


def test_report_terminal_and_json(synced: Synced) -> None:
    result = synced.invoke("report", "--connector", CONNECTOR)
    assert result.exit_code == 0, result.output
    out = result.output
    for heading in (
        "contacts per tier",
        "score distribution",
        "── mql from 50",
        "contacts entering MQL per week",
        "top 10 leads",
        "accounts (priority first",
        "writes, drift and dead letters",
        "API calls per run vs the write floor",
    ):
        assert heading in out, heading
    assert max(len(line) for line in out.splitlines()) <= 80  # CliRunner: no terminal, 80
    data = json.loads(synced.invoke("report", "--json").output)["connectors"][0]
    assert data["connector"] == CONNECTOR and len(data["runs"]) == 2
    assert data["contacts"] == sum(data["tiers"].values())
    assert [x["score"] for x in data["top_leads"]] == sorted(
        (x["score"] for x in data["top_leads"]), reverse=True
    )
    # --since after both runs: no runs, the counts of what is stored still show
    later = synced.invoke("report", "--json", "--since", "2999-01-01")
    assert later.exit_code != 0 and "is in the future" in later.output


def test_report_rejects_an_unknown_connector(synced: Synced) -> None:
    result = synced.invoke("report", "--connector", "nope")
    assert result.exit_code == 1 and "unknown connector 'nope'" in result.output
