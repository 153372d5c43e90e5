"""State-store size with and without data minimisation (not part of the test run).

Seeds two fresh SQLite state stores with the pages of ``bench_rescore`` (10,000
contacts by default, 8 activities each, the same seed), each contact also
carrying the properties the HubSpot connector reads by default (first and last
name, lifecycle stage, lead status, department, occupation): one as the CRM
sent them (``privacy.store_all_properties`` and ``store_email``, no retention),
one as a cycle stores them by default (the default model's properties, e-mail
addresses as a salted hash at their domain) followed by the daily retention
pass. Both are scored with the default model from what they hold; every score
must be the same. Prints the bytes of each file (after VACUUM) and their ratio;
the last line is JSON.

Usage: python bench/bench_privacy.py [--contacts 10000] [--activities 8]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_rescore import NOW, pages  # noqa: E402

FIRST = ["Ana", "Ben", "Chloé", "Deniz", "Emre", "Fatma", "Grace", "Hiro", "Ivan", "Jana"]
LAST = ["Souza", "Carter", "Martin", "Yılmaz", "Kaya", "Demir", "Okafor", "Tanaka", "Novak"]
STAGES = ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead"]


def _as_sent(page: Any, rnd: random.Random) -> Any:
    """``page`` with the CRM properties a HubSpot pull carries besides the model's."""
    out = []
    for c in page.contacts:
        props = dict(c.data["properties"])
        props.update(
            first_name=rnd.choice(FIRST),
            last_name=rnd.choice(LAST),
            lifecycle_stage=rnd.choice(STAGES),
            lead_status="OPEN",
            department="Engineering",
            occupation="Engineer",
        )
        out.append(replace(c, data={**c.data, "properties": props}))
    return replace(page, contacts=out)


def _seed(db: Path, n: int, per: int, minimise: bool) -> dict[str, int]:
    import sqlalchemy as sa

    from syncd.core import contact_from_json, score_batch
    from syncd.core.needs import needed_properties
    from syncd.core.routing import single_router
    from syncd.modelfile import load_model, resolve_model
    from syncd.state import Store
    from syncd.sync.minimise import minimise_page, privacy_salt_of

    model = load_model(resolve_model("default"))
    store = Store.open(f"sqlite:///{db}")
    salt = privacy_salt_of(store.engine) if minimise else None
    keep = needed_properties(single_router(model)) if minimise else None
    rnd = random.Random(7)
    for page in pages(n, per, 1):
        store.commit_page("bench", minimise_page(_as_sent(page, rnd), keep, salt), NOW)
    if minimise:
        from syncd.core.usage import activity_horizon

        pruned = store.prune_activities("bench", activity_horizon(model), NOW)
        print(f"retention pruned {pruned:,} activities")
    scores = {
        r.id: r.score
        for r in score_batch(model, [contact_from_json(o) for o in store.export("bench")], NOW)
    }
    with store.engine.connect() as conn:
        conn.execute(sa.text("VACUUM"))
    store.close()
    return scores


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--contacts", type=int, default=10_000)
    ap.add_argument("--activities", type=int, default=8)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        full, small = Path(tmp, "full.db"), Path(tmp, "minimised.db")
        before = _seed(full, args.contacts, args.activities, minimise=False)
        after = _seed(small, args.contacts, args.activities, minimise=True)
        same = before == after
        b, a = full.stat().st_size, small.stat().st_size
    print(
        f"{args.contacts} contacts: {b:,} bytes as sent, {a:,} bytes minimised and pruned"
        f" ({a / b:.3f})"
    )
    print(f"scores unchanged: {same} ({len(after)} contacts)")
    print(
        json.dumps(
            {"bytes_before": b, "bytes_after": a, "ratio": round(a / b, 4), "scores_equal": same}
        )
    )


if __name__ == "__main__":
    main()
