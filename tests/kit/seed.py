"""Seed a ``MemoryCRM`` from canonical JSONL (config/examples/leads.jsonl)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.kit.memory_crm import MemoryCRM

ROOT = Path(__file__).resolve().parents[2]
LEADS = ROOT / "config" / "examples" / "leads.jsonl"
MODEL = ROOT / "syncd" / "models" / "default.yaml"


def seed(crm: MemoryCRM, path: Path = LEADS) -> list[str]:
    """Load every line as CRM records; returns the contact ids in file order."""
    ids: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        acc = obj.pop("account", None)
        acts = obj.pop("activities", [])
        aid = None
        if acc and acc.get("id"):
            aid = acc["id"]
            if aid not in crm.accounts:
                crm.add_account(aid, **{k: v for k, v in acc.items() if k != "id"})
        cid = obj.pop("id")
        kind = "lead" if cid.startswith("00Q") else "contact"
        crm.add_contact(cid, kind=kind, account_id=aid, **obj)
        for i, a in enumerate(acts):
            crm.add_activity(f"act:{cid}:{i}", cid, **a)
        ids.append(cid)
    return ids
