"""Rendering what the state store says about a connector's outcome: tiers, the
score distribution, MQLs per week, top leads, accounts, writes and API calls,
as rich renderables for a terminal or one self-contained HTML file.

``data.gather`` reads (and only reads) the state store; ``terminal`` and
``html`` (imported on its own: it loads matplotlib) render the ``ConnectorReport`` it returns.
"""

from syncd.reporting.data import ConnectorReport, Threshold, gather, thresholds_of
from syncd.reporting.terminal import render

__all__ = ["ConnectorReport", "Threshold", "gather", "render", "thresholds_of"]
