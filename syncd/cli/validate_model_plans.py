"""What ``syncd validate-model`` says about HubSpot plans: which of a model's rules on
page views lose fidelity on the portals that use the model.

HubSpot serves every page view (the web-analytics events API) to Enterprise portals
only; below Enterprise a rule on ``page_view`` sees just each contact's last-visited
URL and its time. A HubSpot connector learns its portal's plan with a probe and a
cycle remembers it in the connector's cursor in the state store; this module reads it
from there and never calls a CRM.

* No config (none named by ``--config`` or ``$SYNCD_CONFIG`` and no default file):
  nothing is said, the model file is checked on its own.
* The config cannot be loaded, or the state store cannot be opened: one ``note:`` line
  saying plans were not checked and why (``syncd validate`` / ``syncd status`` tell
  more); the model's verdict does not change.
* Per HubSpot connector whose live, route or shadow model is the file, when the model
  has rules on ``page_view``: a plan without page views -> one ``warning:`` line per
  rule; a plan not known yet (no cycle probed it) -> one ``note:`` line naming the
  rules and ``syncd check``; a plan with page views (Enterprise) -> nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from connectors.hubspot.plan import Plan
from syncd.cli.startup import describe
from syncd.redact import Redactor, configured_secrets
from syncd.settings import ConfigError, ConnectorConfig, Settings, config_path, load_settings
from syncd.state import Store
from syncd.state.migrate import StateMissing

__all__ = ["plan_lines"]

HUBSPOT = "hubspot"


def plan_lines(model: Path, rules: list[str], config: str | None) -> list[str]:
    """The lines to print (stderr) about the plans of the HubSpot portals using
    ``model``, whose rules on page_view are ``rules``; ``config`` as ``--config``."""
    if not rules:
        return []
    source = config_path(config)
    if config is None and not source.is_file() and source == config_path(None, {}):
        return []  # no config anywhere: a model file checked on its own
    try:
        settings = load_settings(config)
    except ConfigError:
        return [f"note: HubSpot plans not checked: {source} is not usable (see `syncd validate`)"]
    users = [name for name, cfg in settings.connectors.items() if _uses(cfg, model)]
    if not users:
        return []
    try:
        plans = dict(_remembered(settings, users))
    except StateMissing:
        plans = dict.fromkeys(users)
    except Exception as exc:  # driver errors vary; the line names the cause
        why = Redactor(configured_secrets(settings)).text(describe(exc))
        return [f"note: HubSpot plans not checked: the state store cannot be opened ({why})"]
    lines: list[str] = []
    for name in users:
        lines += _lines(name, plans.get(name), rules)
    return lines


def _uses(cfg: ConnectorConfig, model: Path) -> bool:
    """Whether the HubSpot connector ``cfg`` scores with ``model`` (live, routed or shadow)."""
    if cfg.type != HUBSPOT:
        return False
    paths = [cfg.model, *(r.model for r in cfg.models or ()), *cfg.shadow_models]
    target = model.resolve()
    return any(Path(p).resolve() == target for p in paths)


def _remembered(settings: Settings, names: list[str]) -> Iterator[tuple[str, Plan | None]]:
    """Each connector's plan as its last cycle left it in the state store."""
    store = Store.open_existing(settings.state.url, settings.state.lock_lease)
    try:
        for name in names:
            cursor = store.meta(name).cursor
            stored = cursor.get("plan") if isinstance(cursor, dict) else None
            yield name, Plan.from_json(stored)
    finally:
        store.close()


def _when(plan: Plan) -> str:
    return datetime.fromtimestamp(plan.probed_at, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _lines(name: str, plan: Plan | None, rules: list[str]) -> list[str]:
    if plan is None:
        return [
            f"note: connector {name}: its HubSpot plan is not known yet (no cycle has probed "
            f"it); rules on page_view ({', '.join(rules)}) see every page view on Enterprise "
            "portals only: `syncd check` probes the plan now, and validate-model knows it "
            "after the next cycle"
        ]
    if plan.page_views != "none":
        return []
    return [
        f"warning: connector {name}: rule {rule} reads page views, but this portal's HubSpot "
        f"plan has no web-analytics events API (Enterprise only; probed {_when(plan)}): "
        "the rule sees only each contact's last-visited URL and its time "
        "(hs_analytics_last_url, hs_analytics_last_timestamp), not every page view"
        for rule in rules
    ]
