"""`syncd validate-model`: check a model file and list every problem.

Exit status (``ExitCode``): 0 the model is valid; 1 it has errors (each one
printed with file, line and key path). Warnings (e.g. overlapping personas)
are printed the same way and do not change the status.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from syncd.cli.exit_codes import ExitCode
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


@click.command("validate-model")
@click.argument("path", type=click.Path(path_type=Path))
def validate_model(path: Path) -> None:
    """Check a model file; list every error with its location."""
    try:
        model = load_model(path)
    except ModelError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        click.echo(f"{path}: {len(exc.issues)} error(s)", err=True)
        sys.exit(ExitCode.FAILED)
    _warn(model)
    click.echo(f"{path}: ok ({model.ref})")
