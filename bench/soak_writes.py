"""syncd's score writes as the fakes' request logs saw them: how many, and how many
repeated a value the record already held from syncd's previous accepted write."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from syncd.sandbox.server import SandboxApp


@dataclass
class WriteLog:
    """Accepted (2xx) score writes per record, across the whole soak."""

    last: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)

    def forget(self, ids: set[str]) -> None:
        """Records whose syncd fields were edited by hand: a rewrite is a repair."""
        for rid in ids:
            self.last.pop(rid, None)
        ids.clear()

    def _seen(self, rid: str, score: Any, tier: Any) -> None:
        value = (None if score in (None, "") else int(float(score)), tier)
        self.counts["writes"] += 1
        if self.last.get(rid) == value:
            self.counts["repeated"] += 1
        self.last[rid] = value

    def harvest(self, app: SandboxApp) -> None:
        """Take the app's logged requests (then clear its log)."""
        for req in app.log.requests():
            if req.status is None or not 200 <= req.status < 300:
                self.counts["faulted non-GET calls"] += req.method != "GET"
                continue
            if req.method == "POST" and "batch/update" in req.template and "contacts" in req.path:
                for item in json.loads(req.body or b"{}").get("inputs", []):
                    props = item.get("properties") or {}
                    if "syncd_score" in props:
                        self._seen(
                            str(item["id"]), props.get("syncd_score"), props.get("syncd_tier")
                        )
            elif req.method == "PATCH" and "composite/sobjects" in req.path:
                for rec in json.loads(req.body or b"{}").get("records", []):
                    if "Syncd_Score__c" in rec:
                        rid = str(rec.get("id") or rec.get("Id"))
                        self._seen(rid, rec.get("Syncd_Score__c"), rec.get("Syncd_Tier__c"))
            elif req.method == "PUT" and "/jobs/ingest/" in req.path:
                for row in csv.DictReader(io.StringIO(req.body.decode("utf-8"))):
                    if "Syncd_Score__c" in row:
                        self._seen(
                            row.get("Id", ""), row.get("Syncd_Score__c"), row.get("Syncd_Tier__c")
                        )
        app.log.reset()
