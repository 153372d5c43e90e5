"""Predictive scoring benchmark and public-data figures (not part of the test run).

Scoring throughput (always): trains a model on 2,000 seeded synthetic
contacts with activities, then scores N (default 50,000; ~12 activities and
4 properties each) from the model file with ``Scorer.score`` (numpy only; the
path of ``syncd score --predictive`` after reading). Prints contacts/s and its
ratio to the 10,000/s floor.

The daemon's path (always): the same model scores N core ``Contact``s (what
a cycle holds) through ``row_from_contact`` (the rows built from the
contacts directly) and through the JSON route the daemon took before (each
contact as canonical JSON, then ``row_from_json``); prints both rates, from
contact to probability, and their ratio.

Public data (each optional; the files are not shipped, see bench/README.md):

* ``--xeducation PATH`` (Kaggle "Lead Scoring" X Education ``Leads.csv``):
  stratified split, the post-contact columns dropped (Tags, Lead Quality,
  Lead Profile, Asymmetrique indices and scores) and ``Lead Number`` (an id);
  then the same with ``Tags`` left in, to show the leakage guard naming it.
* ``--bank PATH`` (UCI Bank Marketing ``bank-full.csv``): ``duration``
  dropped, split by file order (the file is in date order), and also
  stratified.

Each public-data run prints syncd's held-out ROC-AUC next to two baselines
fitted on exactly the same split: a plain logistic regression (every column
one-hot / scaled by scikit-learn's ``DictVectorizer`` + ``StandardScaler``, no
pooling, no missing indicators, no leakage guard) and
``HistGradientBoostingClassifier`` (default settings) on the same encoding,
which is what a gradient-boosting model would have to beat to earn its place.
The last line is JSON with every figure.

Usage: python bench/bench_predictive.py [N] [--xeducation PATH] [--bank PATH]
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from syncd.core import Activity as CoreActivity  # noqa: E402
from syncd.core import Contact  # noqa: E402
from syncd.predictive.artefact import load, save  # noqa: E402
from syncd.predictive.contact_rows import row_from_contact  # noqa: E402
from syncd.predictive.features import raw_values  # noqa: E402
from syncd.predictive.io import Activity, Row, read_rows, row_from_json  # noqa: E402
from syncd.predictive.metrics import roc_auc  # noqa: E402
from syncd.predictive.scorer import Scorer  # noqa: E402
from syncd.predictive.table import raw_table  # noqa: E402
from syncd.predictive.train import Options, _split, learn  # noqa: E402

FLOOR = 10_000
NOW = datetime(2026, 11, 23, tzinfo=UTC).timestamp()
TYPES = ["page_view", "email_open", "email_click", "form_submit", "webinar_attended"]
URLS = ["https://v.io/pricing", "https://v.io/blog/x", "https://v.io/demo", "https://v.io/careers"]
X_POST_CONTACT = [
    "Tags",
    "Lead Quality",
    "Lead Profile",
    "Asymmetrique Activity Index",
    "Asymmetrique Profile Index",
    "Asymmetrique Activity Score",
    "Asymmetrique Profile Score",
]


def _contacts(n: int, seed: int) -> list[Row]:
    rng = random.Random(seed)
    rows: list[Row] = []
    for i in range(n):
        acts = []
        for _ in range(rng.randint(4, 20)):
            t = rng.choice(TYPES)
            at = NOW - rng.uniform(0, 120) * 86400
            target = rng.choice(URLS) if t in ("page_view", "email_click") else None
            acts.append(Activity(t, at, target))
        acts.sort(key=lambda a: a.at)
        pricing = sum(a.target == URLS[0] for a in acts)
        title = rng.choice(["CEO", "VP Sales", "Manager", "Engineer", "Student"])
        logit = -2 + 0.5 * pricing + (title in ("CEO", "VP Sales"))
        label = int(rng.random() < 1 / (1 + np.exp(-logit)))
        props = {
            "title": title,
            "industry": rng.choice(["Technology", "Retail", "Finance"]),
            "employees": rng.choice([None, *range(1, 5000, 13)]),
            "country": rng.choice(["US", "UK", "DE", None]),
        }
        created = NOW - timedelta(days=150).total_seconds()
        rows.append(Row(f"c{i}", i + 1, props, label, time=created, activities=tuple(acts)))
    return rows


def _trained() -> Scorer:
    train = _contacts(2000, seed=1)
    result = learn(train, Options(label="converted", split="stratified"), now=NOW)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.json"
        save(result.artefact, path)
        return Scorer(load(path))


def bench_scoring(scorer: Scorer, n: int) -> dict[str, Any]:
    rows = [Row(r.id, r.line, r.properties, None, activities=r.activities) for r in _contacts(n, 2)]
    t0, c0 = time.perf_counter(), time.process_time()
    preds = scorer.score(rows, NOW)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert len(preds) == n
    rate = n / wall
    print(
        f"scoring: {n:,} contacts ({sum(len(r.activities) for r in rows):,} activities, "
        f"{len(scorer.artefact.features.feature_names)} features) in {wall:.2f} s wall, "
        f"{cpu:.2f} s CPU: {rate:,.0f} contacts/s ({n / cpu:,.0f} by CPU time), "
        f"{rate / FLOOR:.1f}x the {FLOOR:,}/s floor"
    )
    return {"contacts": n, "seconds": round(wall, 3), "contacts_per_s": round(rate)}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def _contact_json(c: Contact) -> dict[str, Any]:
    """The JSON route the daemon took before ``row_from_contact`` (the reference)."""
    obj: dict[str, Any] = {"id": c.id, "properties": dict(c.properties)}
    if c.created_ts is not None:
        obj["created_at"] = _iso(c.created_ts)
    obj["activities"] = [
        {**act.attrs, "type": act.type, "at": _iso(act.ts)} for act in reversed(c.activities)
    ]
    return obj


def bench_daemon_rows(scorer: Scorer, n: int) -> dict[str, Any]:
    contacts = [
        Contact(
            id=r.id,
            created_ts=r.time,
            properties={k: v for k, v in r.properties.items() if v is not None},
            activities=tuple(
                CoreActivity(a.type, a.at, {} if a.target is None else {"url": a.target})
                for a in r.activities
            ),
        )
        for r in _contacts(n, 3)
    ]

    def json_route() -> list[Row]:
        return [row_from_json(_contact_json(c), "bench", i) for i, c in enumerate(contacts, 1)]

    def direct_route() -> list[Row]:
        return [row_from_contact(c, i) for i, c in enumerate(contacts, 1)]

    rates: dict[str, float] = {}
    for name, rows_of in (("json", json_route), ("direct", direct_route)):
        t0, c0 = time.perf_counter(), time.process_time()
        probs = scorer.probabilities(raw_table(rows_of(), NOW, None, "bench"))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert len(probs) == n
        rates[name] = n / cpu
        print(
            f"daemon path, {name} route: {n:,} contacts in {wall:.2f} s wall, {cpu:.2f} s CPU: "
            f"{n / cpu:,.0f} contacts/s by CPU time"
        )
    ratio = rates["direct"] / rates["json"]
    print(f"daemon path: rows from the Contact directly are {ratio:.2f}x the JSON route")
    return {
        "contacts": n,
        "json_per_cpu_s": round(rates["json"]),
        "direct_per_cpu_s": round(rates["direct"]),
        "ratio": round(ratio, 2),
    }


def _baselines(rows: list[Row], split: str, drop: list[str]) -> dict[str, float | None]:
    """Plain LR and gradient boosting on the same split (see the docstring)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    labelled = [r for r in rows if r.label is not None]
    train, test, _ = _split(labelled, split, 7)

    def encode(r: Row) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in raw_values(r, None).items():
            if k in drop or v is None:
                continue
            try:
                out[k] = float(v)
            except (TypeError, ValueError):
                out[k] = str(v)
        return out

    vec = DictVectorizer(sparse=False)
    x_train = vec.fit_transform([encode(labelled[i]) for i in train])
    x_test = vec.transform([encode(labelled[i]) for i in test])
    y = np.asarray([float(r.label or 0) for r in labelled])
    scaler = StandardScaler().fit(x_train)
    lr = LogisticRegression(max_iter=5000).fit(scaler.transform(x_train), y[train])
    p_lr = lr.predict_proba(scaler.transform(x_test))[:, 1]
    hgb = HistGradientBoostingClassifier(random_state=7).fit(x_train, y[train])
    p_hgb = hgb.predict_proba(x_test)[:, 1]

    def r4(v: float | None) -> float | None:
        return None if v is None else round(v, 4)

    return {
        "plain_lr_roc_auc": r4(roc_auc(y[test], p_lr)),
        "gradient_boosting_roc_auc": r4(roc_auc(y[test], p_hgb)),
    }


def _run(name: str, rows: list[Row], label: str, drop: list[str], split: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    result = learn(rows, Options(label=label, drop=drop, split=split, source=name))
    held = result.artefact.metrics["holdout"]
    base = _baselines(rows, split, drop)
    leaks = [f.name for f in result.findings]
    print(
        f"{name} [{result.artefact.metrics['split_text']}]: syncd ROC-AUC {held['roc_auc']} "
        f"(PR-AUC {held['pr_auc']}, top-decile lift {held['top_decile_lift']}); "
        f"plain LR {base['plain_lr_roc_auc']}; gradient boosting "
        f"{base['gradient_boosting_roc_auc']}; leakage guard: {', '.join(leaks) or 'nothing'}; "
        f"{time.perf_counter() - t0:.1f} s"
    )
    figures = {k: v for k, v in held.items() if k != "calibration"}
    return {"name": name, "split": result.split, **figures, **base, "leakage": leaks}


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv and argv[0].isdigit() else 50_000
    scorer = _trained()
    out: dict[str, Any] = {
        "scoring": bench_scoring(scorer, n),
        "daemon_rows": bench_daemon_rows(scorer, n),
    }
    runs = []
    if "--xeducation" in argv:
        path = Path(argv[argv.index("--xeducation") + 1])
        rows = read_rows(path, "Converted", id_column="Prospect ID")
        runs.append(
            _run("xeducation", rows, "Converted", [*X_POST_CONTACT, "Lead Number"], "stratified")
        )
        runs.append(
            _run(
                "xeducation+Tags",
                rows,
                "Converted",
                [*X_POST_CONTACT[1:], "Lead Number"],
                "stratified",
            )
        )
    if "--bank" in argv:
        path = Path(argv[argv.index("--bank") + 1])
        rows = read_rows(path, "y")
        runs.append(_run("bank", rows, "y", ["duration"], "order"))
        runs.append(_run("bank", rows, "y", ["duration"], "stratified"))
    out["datasets"] = runs
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
