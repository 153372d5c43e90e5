"""The `syncd` command: one click group, one module per command.

Every command exits with a status from ``exit_codes.ExitCode``. A user
mistake gets a message naming what to fix and never a traceback; anything
else escaping a command is a bug and exits ``INTERNAL`` (70), never 1.

The commands that run the fake CRMs (``demo``, ``sandbox``) are loaded only
when one of them is invoked (or listed by ``--help``), so the daemon's
process never imports ``syncd.sandbox``.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import traceback
from typing import Any

import click

from syncd import __version__
from syncd.cli.backtest import backtest
from syncd.cli.exit_codes import ExitCode
from syncd.cli.forget import forget
from syncd.cli.inspect import explain, export
from syncd.cli.report import report
from syncd.cli.resync import resync
from syncd.cli.run import run
from syncd.cli.runs import runs
from syncd.cli.score import score
from syncd.cli.setup import check, setup
from syncd.cli.status import status
from syncd.cli.validate import validate
from syncd.cli.validate_model import validate_model

__all__ = ["SyncdGroup", "main"]

#: Commands loaded on first use: name -> (module, attribute).
LAZY_COMMANDS = {
    "demo": ("syncd.cli.demo", "demo"),
    "learn": ("syncd.cli.learn", "learn"),
    "sandbox": ("syncd.cli.sandbox", "sandbox"),
}


class SyncdGroup(click.Group):
    """A click group that maps what escapes its commands onto ``ExitCode``:
    Ctrl-C -> INTERRUPTED, a closed stdout pipe (``| head``) -> FAILED
    quietly, any other exception -> INTERNAL with a request for a report.
    Commands in ``LAZY_COMMANDS`` are imported when first looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module, attr = LAZY_COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), attr)
            assert isinstance(command, click.Command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(ExitCode.INTERRUPTED)
        except BrokenPipeError:
            # the reader went away: stop writing, and keep Python from
            # complaining again when it flushes stdout at exit
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(ExitCode.FAILED)
        except Exception as exc:
            traceback.print_exc()
            click.echo(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in syncd; please report it with the command you ran.",
                err=True,
            )
            sys.exit(ExitCode.INTERNAL)


@click.group(cls=SyncdGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syncd")
def main() -> None:
    """syncd: explainable lead scoring, synced to Salesforce and HubSpot."""


main.add_command(score)
main.add_command(validate_model)
main.add_command(validate)
for _cmd in (run, resync, status, explain, export, check, setup, report, runs, backtest, forget):
    main.add_command(_cmd)
