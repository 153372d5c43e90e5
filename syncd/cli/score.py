"""`syncd score`: score a JSONL file of contacts with a model, offline.

Input is read and scored one line at a time (``syncd.contacts_file``); only
each contact's partial result is kept until the account signals, which need
the whole batch, are added. Exit status (``ExitCode``): 0 every line scored
(or no contacts at all, said on stderr); 1 some lines rejected; 2 the model,
the input or an output cannot be used (reported before any scoring).
"""

from __future__ import annotations

import gc
import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, BinaryIO

import click
from rich.console import Console
from rich.table import Table

from syncd.cli.exit_codes import ExitCode
from syncd.cli.score_predictive import score_predictive
from syncd.cli.validate_model import load_or_report
from syncd.contacts_file import Notice, Rejected, read_contacts
from syncd.core import (
    CompiledModel,
    Partial,
    ScoreResult,
    account_score_to_json,
    account_scores,
    finish_batch,
    parse_datetime,
    result_to_json,
    score_contact,
    summary,
)
from syncd.core.contract import to_epoch

#: Rows the table format shows by default (the tier counts cover every row).
TABLE_ROWS = 1000


def _parse_as_of(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    parsed = parse_datetime(value)
    if parsed is None:
        raise click.BadParameter(
            f"{value!r} is not an ISO-8601 date-time "
            "(e.g. 2026-11-23T00:00:00Z; without a zone it is UTC)"
        )
    return parsed


def _tier_style(result: ScoreResult) -> str:
    if result.disqualified:
        return "dim"
    return "bold green" if result.mql else ""


def _table(results: list[ScoreResult], model: CompiledModel, as_of: datetime, rows: int) -> Table:
    table = Table(title=f"{model.ref} as of {as_of.isoformat()}", show_lines=False)
    table.add_column("id", no_wrap=True)
    table.add_column("score", justify="right")
    table.add_column("tier")
    table.add_column("fit/eng/acct", justify="right")
    table.add_column("flags")
    table.add_column("top reasons", overflow="fold")
    for r in results[:rows]:
        flags = " ".join(f for f, on in (("PRIORITY", r.priority), ("MQL", r.mql)) if on)
        c = r.components
        comps = f"{c['fit']}/{c['engagement']}/{c['account']}"
        table.add_row(r.id, str(r.score), r.tier, comps, flags, summary(r), style=_tier_style(r))
    tiers = Counter(r.tier for r in results)
    caption = "  ".join(f"{tier}: {n}" for tier, n in sorted(tiers.items()))
    if len(results) > rows:
        caption += (
            f"\nfirst {rows:,} of {len(results):,} contacts shown "
            "(--table-rows N shows more; --format jsonl gives every result)"
        )
    table.caption = caption
    return table


@contextmanager
def _long_lived_allocations() -> Iterator[None]:
    """Tune this process (not the library) while many long-lived partial
    results are allocated: the cyclic collector's repeated full scans of them
    only cost time (nothing here makes cycles); afterwards they are moved out
    of its sight with `gc.freeze`."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _open_output(stack: ExitStack, path: str, what: str) -> IO[str]:
    """``path`` opened for writing ("-": stdout), or exit 2 naming it."""
    if path == "-":
        return sys.stdout
    try:
        return stack.enter_context(open(path, "w", encoding="utf-8"))
    except OSError as exc:
        click.echo(f"{path}: cannot write {what}: {exc.strerror or exc}", err=True)
        sys.exit(ExitCode.UNUSABLE)


def _open_input(stack: ExitStack, path: str) -> tuple[BinaryIO, str]:
    if path == "-":
        return sys.stdin.buffer, "<stdin>"
    try:
        return stack.enter_context(open(path, "rb")), path
    except OSError as exc:
        click.echo(f"{path}: cannot read input: {exc.strerror or exc}", err=True)
        sys.exit(ExitCode.UNUSABLE)


def _score_stream(
    model: CompiledModel, stream: BinaryIO, source: str, as_of: datetime
) -> tuple[list[Partial], int]:
    """Partial results of every usable line; rejected lines and notices go
    to stderr as they are met. Returns (partials, rejected count)."""
    ts = to_epoch(as_of)
    partials: list[Partial] = []
    rejected = 0
    with _long_lived_allocations():
        for item in read_contacts(stream, source):
            if isinstance(item, Rejected):
                rejected += 1
                click.echo(str(item), err=True)
            elif isinstance(item, Notice):
                click.echo(str(item), err=True)
            else:
                partials.append(score_contact(model, item, ts))
    return partials, rejected


@click.command()
@click.option(
    "--model",
    "model_path",
    type=click.Path(path_type=Path),
    help="Scoring model YAML (with --predictive: the points model the file was "
    "trained with, when it is no longer where `syncd learn --model` read it).",
)
@click.option(
    "--predictive",
    "predictive_path",
    type=click.Path(path_type=Path),
    help="Score with a predictive model file (`syncd learn`) instead: "
    "--input is CSV or JSONL; one JSON object per row with id, probability, top.",
)
@click.option("--input", "input_path", required=True, help="Contacts as JSONL, or - for stdin.")
@click.option("--output", default="-", show_default=True, help="Where results go (- is stdout).")
@click.option(
    "--as-of",
    "as_of",
    callback=_parse_as_of,
    help="Score as of this ISO-8601 instant (default: now; no zone means UTC); "
    "the same input and as-of always give the same scores.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "table"]), default="jsonl", show_default=True
)
@click.option(
    "--table-rows",
    type=click.IntRange(min=1),
    default=TABLE_ROWS,
    show_default=True,
    help="Rows the table format shows (its tier counts cover every contact).",
)
@click.option(
    "--accounts-output", default=None, help="Also write one account score per line (JSONL) here."
)
def score(
    model_path: Path | None,
    predictive_path: Path | None,
    input_path: str,
    output: str,
    as_of: datetime,
    fmt: str,
    table_rows: int,
    accounts_output: str | None,
) -> None:
    """Score contacts from a JSONL file with a model; results keep the input order."""
    if predictive_path is not None:
        given_as = click.get_current_context().get_parameter_source("as_of")
        given = given_as is click.core.ParameterSource.COMMANDLINE
        score_predictive(predictive_path, input_path, output, as_of if given else None, model_path)
        return
    if model_path is None:
        raise click.UsageError("give --model MODEL.yaml (or --predictive MODEL.json)")
    model = load_or_report(model_path)
    if model is None:
        sys.exit(ExitCode.UNUSABLE)
    with ExitStack() as stack:
        out = _open_output(stack, output, "output")
        accounts_out = (
            _open_output(stack, accounts_output, "accounts output")
            if accounts_output is not None
            else None
        )
        stream, source = _open_input(stack, input_path)
        partials, rejected = _score_stream(model, stream, source, as_of)
        if not partials and not rejected:
            click.echo(f"{source}: no contacts in input", err=True)
            return
        results = finish_batch(model, partials, as_of)
        del partials
        if fmt == "table":
            console = Console(file=out, width=max(100, Console().width))
            console.print(_table(results, model, as_of, table_rows))
        else:
            for result in results:
                out.write(json.dumps(result_to_json(result), ensure_ascii=False) + "\n")
        if accounts_out is not None:
            for account in account_scores(model, results):
                row = account_score_to_json(account)
                accounts_out.write(json.dumps(row, ensure_ascii=False) + "\n")
        out.flush()
    if rejected:
        click.echo(f"{rejected} line(s) rejected, {len(results)} scored", err=True)
        sys.exit(ExitCode.FAILED)
