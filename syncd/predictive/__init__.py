"""Predictive scoring: a model learned from the CRM's own conversions.

Modules, one job each:

* ``io``: labelled rows from a CSV or JSONL file (``read_rows``);
* ``features``: the fitted preprocessing (properties, activity summaries,
  account signals) as plain data, and the numpy transform that applies it;
* ``leakage``: the names known to be set at or after conversion, and the
  single-feature separation check;
* ``metrics``: ROC-AUC, PR-AUC, lift, calibration (numpy only);
* ``train``: the split, the fit (scikit-learn, the ``predictive`` extra) and
  the held-out evaluation;
* ``artefact``: the versioned JSON model file (loading never runs code);
* ``scorer``: probabilities and top contributions from an artefact, numpy only;
* ``report``: the HTML evaluation report.

Everything but ``train`` runs without scikit-learn.
"""

from syncd.predictive.errors import InputError

__all__ = ["InputError"]
