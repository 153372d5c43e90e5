"""`syncd sandbox hubspot|salesforce`: run a fake CRM in the foreground."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

import click

from syncd.cli.exit_codes import ExitCode
from syncd.sandbox.faults import FaultSpec, FaultSpecError

if TYPE_CHECKING:
    from syncd.sandbox.server import SandboxApp

#: Most contacts a sandbox generates (the data lives in memory).
MAX_CONTACTS = 1_000_000

# The generator, the harness and the fakes are imported when a sandbox is
# started, so that other `syncd` commands do not pay for loading them.


def _faults(latency_ms: float, spec: str | None) -> FaultSpec:
    """The fault spec from `--faults`, with `--latency-ms` as its latency."""
    try:
        parsed = FaultSpec.parse(spec or "")
        if latency_ms:
            parsed = FaultSpec.from_json({**parsed.to_json(), "latency_ms": latency_ms})
    except FaultSpecError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None
    return parsed


def build_app(
    crm: str,
    *,
    seed: int,
    contacts: int,
    tier: str,
    token: str,
    faults: FaultSpec,
    now: datetime,
    plan: str = "enterprise",
) -> tuple[SandboxApp, str]:
    """The fake for `crm`, seeded, and a line telling how to authenticate against it."""
    from syncd.sandbox.generator import generate

    dataset = generate(seed, contacts, now)
    if crm == "hubspot":
        from syncd.sandbox.hubspot import HubSpotSandbox
        from syncd.sandbox.hubspot.app import Plan

        app: SandboxApp = HubSpotSandbox(
            dataset,
            token=token,
            tier="pro" if tier == "pro" else "free",
            faults=faults,
            plan=cast("Plan", plan),  # a click.Choice of the fake's plans
        )
        how = f"Authorization: Bearer {token}   (SDK: HubSpot(access_token={token!r}, host=URL))"
        return app, how
    from syncd.sandbox.salesforce import SalesforceSandbox

    app = SalesforceSandbox(dataset, faults=faults)
    how = (
        "POST URL/services/oauth2/token with a JWT bearer (any consumer key, username "
        "integration@syncd.example), client-credentials or username-password grant; "
        "requests to https://* must be sent to URL (syncd.sandbox.salesforce.loopback_session)"
    )
    return app, how


@click.command()
@click.argument("crm", type=click.Choice(["hubspot", "salesforce"]))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option("--seed", default=1, show_default=True, help="Seed of the generated data.")
@click.option(
    "--contacts",
    type=click.IntRange(1, MAX_CONTACTS),
    default=1000,
    show_default=True,
    help="How many contacts to generate.",
)
@click.option(
    "--tier",
    type=click.Choice(["free", "pro"]),
    default="free",
    show_default=True,
    help="HubSpot rate-limit tier (100 or 190 requests per 10 s).",
)
@click.option(
    "--plan",
    type=click.Choice(["starter", "professional", "enterprise"]),
    default="enterprise",
    show_default=True,
    help="HubSpot plan: below enterprise the web-analytics events API answers 403.",
)
@click.option(
    "--token",
    default="sandbox-token",
    show_default=True,
    help="HubSpot bearer token the fake accepts.",
)
@click.option(
    "--latency-ms",
    type=click.FloatRange(0, 60_000),
    default=0.0,
    show_default=True,
    help="Artificial latency per request.",
)
@click.option(
    "--faults",
    "fault_spec",
    default=None,
    help="Fault spec, e.g. 429=0.05,500=0.01,503=0.01,slow=0.1:1500,drop=0.01,partial=0.1",
)
def sandbox(
    crm: str,
    port: int,
    seed: int,
    contacts: int,
    tier: str,
    plan: str,
    token: str,
    latency_ms: float,
    fault_spec: str | None,
) -> None:
    """Run a sandbox CRM in the foreground (Ctrl-C stops it)."""
    from syncd.sandbox.server import SandboxServer

    faults = _faults(latency_ms, fault_spec)
    app, how = build_app(
        crm,
        seed=seed,
        contacts=contacts,
        tier=tier,
        token=token,
        faults=faults,
        now=datetime.now(UTC),
        plan=plan,
    )
    try:
        server = SandboxServer(app, port=port)
    except OSError as exc:
        click.echo(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}", err=True)
        sys.exit(ExitCode.UNUSABLE)
    click.echo(f"{crm} sandbox on {server.url}  ({contacts} contacts, seed {seed})")
    click.echo(f"auth: {how}")
    click.echo(f"stats: {server.url}/__sandbox/stats   faults: POST {server.url}/__sandbox/faults")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
