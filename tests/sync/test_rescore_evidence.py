"""A rescore from stored evidence (``syncd.core.evidence``) stores and writes
exactly what a rescore that rebuilds every contact does, through data changes,
incremental cycles and decay (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from syncd import __version__
from syncd.core.routing import evidence_key
from syncd.sync import Engine, run_cycle
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import MODEL, seed
from tests.sync.helpers import NAME, NOW, Clock, make_engine, write_config

#: (hours after NOW, rescore-only, change made in the CRM before the cycle)
STEPS: list[tuple[float, bool, str]] = [
    (0, False, ""),
    (1, True, ""),
    (2, True, ""),
    (24, False, "activity"),
    (25, False, "account"),
    (26, False, "contact"),
    (48, True, ""),
    (24 * 60, True, ""),
]


def _change(crm: MemoryCRM, what: str) -> None:
    if what == "activity":
        crm.add_activity(
            "act:new", "003A2", type="page_view", at="2026-11-24T06:00:00Z", url="/pricing"
        )
    elif what == "account":
        crm.add_account("001ACME", name="Acme Analytics", domain="acme.io", properties={})
    elif what == "contact":
        data = dict(crm.contacts["003A1"]["data"])
        data["properties"] = {"title": "Intern"}
        crm.add_contact(
            "003A1",
            kind=crm.contacts["003A1"]["kind"],
            account_id=crm.contacts["003A1"]["account_id"],
            **{k: v for k, v in data.items() if k != "id"},
        )


def _run(config: Path) -> tuple[Engine, list[Any]]:
    crm = MemoryCRM()
    seed(crm)
    clock = Clock()
    app, _ = make_engine(config, crm, clock)
    seen: list[Any] = []
    for hours, rescore, change in STEPS:
        if change:
            _change(crm, change)
        clock.now = NOW + timedelta(hours=hours)
        r = run_cycle(app, NAME, rescore_only=rescore)
        assert r.status == "ok", r
        fields = {cid: crm.fields(cid) for cid in sorted(crm.contacts)}
        seen.append(((r.scored, r.written, r.unchanged), fields))
    return app, seen


def test_a_rescore_from_evidence_writes_what_rebuilding_every_contact_writes(
    tmp_path: Path, state_url: str
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    app, with_evidence = _run(write_config(tmp_path / "a", state_url))
    # a shadow model reads every contact: this connector never scores from evidence
    rebuilt = write_config(
        tmp_path / "b",
        f"sqlite:///{tmp_path / 'b' / 'state.db'}",
        extra=f"    shadow_models: [{MODEL}]\n",
    )
    other, without = _run(rebuilt)
    # only the shadow model keeps this connector from scoring from evidence
    assert evidence_key(other.router(NAME), __version__) is not None
    assert with_evidence == without
    assert any(written for (_s, written, _u), _f in with_evidence[6:])  # decay moved scores
    key = evidence_key(app.router(NAME), __version__)
    rows = [sc for group in app.store.all_groups(NAME, 500, evidence_ref=key) for sc in group]
    assert rows and all(sc.evidence is not None and sc.contact is None for sc in rows)
    rows = [sc for group in other.store.all_groups(NAME, 500, evidence_ref=key) for sc in group]
    assert rows and all(sc.evidence is None and sc.contact is not None for sc in rows)
