"""The `syncd` command: one click group, one module per command family."""

from __future__ import annotations

import click

from syncd import __version__
from syncd.cli.demo import demo
from syncd.cli.inspect import explain, export
from syncd.cli.models import score, validate_model
from syncd.cli.resync import resync
from syncd.cli.run import run
from syncd.cli.sandbox import sandbox
from syncd.cli.setup import check, setup
from syncd.cli.status import status
from syncd.cli.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syncd")
def main() -> None:
    """syncd: explainable lead scoring, synced to Salesforce and HubSpot."""


main.add_command(score)
main.add_command(validate_model)
main.add_command(sandbox)
main.add_command(validate)
for _cmd in (run, resync, status, explain, export, check, setup, demo):
    main.add_command(_cmd)
