"""`syncd validate-model`: check a model file and list every problem.

Exit status (``ExitCode``): 0 the model is valid; 1 it has errors (each one
printed with file, line and key path). Warnings (e.g. overlapping personas)
are printed the same way and do not change the status. With a config (``--config``,
``$SYNCD_CONFIG`` or the default file), the rules on page views that lose fidelity on
the HubSpot portals using the model are named too, from the plan each portal's last
cycle remembered (``validate_model_plans``): no CRM is called.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from connectors.base import CheckItem
from syncd.cli.config_option import config_option
from syncd.cli.exit_codes import ExitCode
from syncd.cli.validate_model_plans import plan_lines
from syncd.core import CompiledModel, ModelError
from syncd.modelfile import load_model


def load_or_report(path: Path) -> CompiledModel | None:
    """The compiled model at ``path``, or ``None`` after printing its issues
    on stderr (for commands that need a usable model)."""
    try:
        model = load_model(path)
    except ModelError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(f"{path}: model not usable ({len(exc.issues)} error(s))", err=True)
        return None
    _warn(model)
    return model


def _warn(model: CompiledModel) -> int:
    """Print the model's warnings on stderr; how many there were."""
    for issue in model.spec.warnings:
        click.echo(str(issue), err=True)
    return len(model.spec.warnings)


def page_view_rules(model: CompiledModel) -> list[str]:
    """Ids of the model's rules and disqualifiers on ``page_view`` activities."""
    rules = [(r.id, r.activity) for r in model.spec.rules]
    rules += [(d.id, d.activity) for d in model.spec.disqualifiers]
    return [rid for rid, kinds in rules if kinds is not None and "page_view" in kinds]


def fidelity_items(path: Path, checked: Sequence[CheckItem]) -> list[CheckItem]:
    """``syncd check``: when the connector cannot read every page view (its "page
    views" item warns), the model's rules on page_view that lose fidelity."""
    if not any(i.name == "page views" and i.warning for i in checked):
        return []
    try:
        rules = page_view_rules(load_model(path))
    except ModelError:
        return []
    if not rules:
        return []
    detail = (
        f"rules on page_view ({', '.join(rules)}) see only each contact's last page seen: "
        "counts, repeats and velocity of page views are not available on this portal"
    )
    return [CheckItem("model fidelity", True, detail, warning=True)]


@click.command("validate-model")
@click.argument("path", type=click.Path(path_type=Path))
@config_option
def validate_model(path: Path, config: str | None) -> None:
    """Check a model file; list every error with its location. With a config, also
    name the rules on page views that the plans of the HubSpot portals using the model
    cannot feed (as remembered by their last cycle; no CRM is called)."""
    try:
        model = load_model(path)
    except ModelError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(f"{path}: {len(exc.issues)} error(s)", err=True)
        sys.exit(ExitCode.FAILED)
    _warn(model)
    for line in plan_lines(path, page_view_rules(model), config):
        click.echo(line, err=True)
    click.echo(f"{path}: ok ({model.ref})")
