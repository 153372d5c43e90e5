"""Predictive scoring: a model learned from the CRM's own conversions.

Modules, one job each:

* ``io``: labelled rows from a CSV or JSONL file (``read_rows``), and each
  row's decision point;
* ``outcome_rows``: rows from stored contacts and their CRM outcomes;
* ``features``: the fitted preprocessing (properties, activity summaries)
  as plain data, and the numpy transform that applies it;
* ``points``: a points model's components as features (the pure core);
* ``table``: every raw value of every row (features, account signals,
  points), the one entry for learning and scoring;
* ``leakage``: the names known to be set at or after conversion, and the
  single-feature separation check;
* ``metrics``: ROC-AUC, PR-AUC, lift, calibration (numpy only);
* ``train``: the split, the fit (scikit-learn, the ``predictive`` extra) and
  the held-out evaluation;
* ``artefact``: the versioned JSON model file (loading never runs code);
* ``scorer``: probabilities and top contributions from an artefact, numpy only;
* ``champion``: whether a new model may replace an old one;
* ``report``: the HTML evaluation report.

Only ``train`` needs scikit-learn, and imports it only when fitting.
"""

from syncd.predictive.errors import InputError

__all__ = ["InputError"]
