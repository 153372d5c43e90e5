"""`syncd score`: score a JSONL file of contacts with a model, offline.

Exit status (``ExitCode``): 0 all lines scored; 1 some input lines were
rejected; 2 the model or the input is unusable.
"""

from __future__ import annotations

import gc
import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TextIO

import click
from rich.console import Console
from rich.table import Table

from syncd.cli.exit_codes import ExitCode
from syncd.cli.validate_model import load_or_report
from syncd.contacts_file import read_contacts
from syncd.core import (
    CompiledModel,
    ScoreResult,
    account_score_to_json,
    account_scores,
    parse_datetime,
    result_to_json,
    score_batch,
    summary,
)


def _parse_as_of(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    parsed = parse_datetime(value)
    if parsed is None:
        raise click.BadParameter(f"{value!r} is not an ISO-8601 date-time")
    return parsed


def _tier_style(result: ScoreResult) -> str:
    if result.disqualified:
        return "dim"
    return "bold green" if result.mql else ""


def _table(results: list[ScoreResult], model: CompiledModel, as_of: datetime) -> Table:
    table = Table(title=f"{model.ref} as of {as_of.isoformat()}", show_lines=False)
    table.add_column("id", no_wrap=True)
    table.add_column("score", justify="right")
    table.add_column("tier")
    table.add_column("fit/eng/acct", justify="right")
    table.add_column("flags")
    table.add_column("top reasons", overflow="fold")
    for r in results:
        flags = " ".join(f for f, on in (("PRIORITY", r.priority), ("MQL", r.mql)) if on)
        c = r.components
        comps = f"{c['fit']}/{c['engagement']}/{c['account']}"
        table.add_row(r.id, str(r.score), r.tier, comps, flags, summary(r), style=_tier_style(r))
    tiers = Counter(r.tier for r in results)
    table.caption = "  ".join(f"{tier}: {n}" for tier, n in sorted(tiers.items()))
    return table


@contextmanager
def _long_lived_allocations() -> Iterator[None]:
    """Tune this process (not the library) for loading many long-lived contacts.

    Contacts live until the program ends, so the cyclic collector's repeated
    full scans while they are built only cost time (about half of it on large
    files); afterwards they are moved out of its sight with `gc.freeze`.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _open_input(path: str) -> tuple[TextIO, str]:
    if path == "-":
        return sys.stdin, "<stdin>"
    return open(path, encoding="utf-8"), path


@click.command()
@click.option("--model", "model_path", required=True, type=click.Path(path_type=Path),
              help="Scoring model YAML.")
@click.option("--input", "input_path", required=True, help="Contacts as JSONL, or - for stdin.")
@click.option("--output", "output", default="-", type=click.File("w", encoding="utf-8"),
              help="Where results go (JSONL; default stdout).")
@click.option("--as-of", "as_of", callback=_parse_as_of,
              help="Score as of this ISO-8601 instant (default: now); "
              "the same input and as-of always give the same scores.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table"]), default="jsonl",
              show_default=True)
@click.option("--accounts-output", type=click.File("w", encoding="utf-8"), default=None,
              help="Also write one account score per line (JSONL) here.")
def score(model_path: Path, input_path: str, output: IO[str], as_of: datetime, fmt: str,
          accounts_output: IO[str] | None) -> None:
    """Score contacts from a JSONL file with a model; results keep the input order."""
    model = load_or_report(model_path)
    if model is None:
        sys.exit(ExitCode.UNUSABLE)
    try:
        stream, source = _open_input(input_path)
        with stream, _long_lived_allocations():
            read = read_contacts(stream, source)
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"{input_path}: cannot read input: {exc}", err=True)
        sys.exit(ExitCode.UNUSABLE)
    for rejected in read.rejected:
        click.echo(str(rejected), err=True)
    results = score_batch(model, read.contacts, as_of)
    if fmt == "table":
        Console(file=output, width=max(100, Console().width)).print(_table(results, model, as_of))
    else:
        for result in results:
            output.write(json.dumps(result_to_json(result), ensure_ascii=False) + "\n")
    if accounts_output is not None:
        for account in account_scores(model, results):
            row = account_score_to_json(account)
            accounts_output.write(json.dumps(row, ensure_ascii=False) + "\n")
    if read.rejected:
        click.echo(f"{len(read.rejected)} line(s) rejected, {len(results)} scored", err=True)
        sys.exit(ExitCode.FAILED)
