"""The engine commands through click's CliRunner over the in-memory CRM
(injected as the connector factory through the context object)."""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from syncd.cli import main
from syncd.settings import ConnectorConfig
from tests.kit.memory_crm import MemoryConnector, MemoryCRM
from tests.kit.seed import MODEL, seed
from tests.sync.helpers import NAME, Clock, write_config

SECRET = "tok-secret-789"


@pytest.fixture
def crm() -> MemoryCRM:
    c = MemoryCRM()
    seed(c)
    c.failures["003A2"] = ["rejected"] * 5
    return c


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}")


def _invoke(crm: MemoryCRM, *args: str) -> Any:
    def factory(name: str, _cfg: ConnectorConfig) -> MemoryConnector:
        return MemoryConnector(name, crm)

    return CliRunner().invoke(
        main,
        list(args),
        obj={"factory": factory, "clock": Clock()},
        env={"MEM_TOKEN": SECRET},
        catch_exceptions=False,
    )


def test_run_status_explain_export_replay(
    crm: MemoryCRM, config: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="syncd.sync")
    outputs = []
    r = _invoke(crm, "run", "--once", "--config", str(config))
    outputs.append(r.output)
    assert r.exit_code == 0, r.output
    assert "mem" in r.output and "ok" in r.output
    for _ in range(4):  # 003A2 is rejected five times, then dead-lettered
        outputs.append(_invoke(crm, "run", "--once", "--config", str(config)).output)
    r = _invoke(crm, "status", "--json", "--config", str(config))
    outputs.append(r.output)
    st = json.loads(r.output)["connectors"][0]
    assert st["dead_letters"] == 1 and st["dead_letter_samples"][0]["id"] == "003A2"
    assert st["pending_writes"] == 0 and st["contacts"] == len(crm.contacts)
    assert st["last_run"]["status"] == "ok" and st["cursor"] is not None
    r = _invoke(crm, "status", "--config", str(config))
    outputs.append(r.output)
    assert "dead-lettered" in r.output and "003A2" in r.output
    # the CRM accepts it now (failures exhausted): an operator re-queues the dead letter
    r = _invoke(crm, "resync", "--connector", NAME, "--retry-dead", "--config", str(config))
    outputs.append(r.output)
    assert r.exit_code == 0 and "1 dead-lettered write(s) queued again" in r.output
    assert crm.fields("003A2")["score"] is not None
    r = _invoke(
        crm,
        "explain",
        "--connector",
        NAME,
        "003A1",
        "--config",
        str(config),
        "--as-of",
        "2026-11-23T12:00:00Z",
    )
    outputs.append(r.output)
    assert r.exit_code == 0, r.output
    assert "score history" in r.output and "title.exec" in r.output
    r = _invoke(crm, "explain", "--connector", NAME, "003A1", "--config", str(config))
    f = crm.fields("003A1")
    assert f"003A1: {f['score']} ({f['tier']})" in r.output  # as of when it was scored
    # export + score replays exactly the written scores
    exported = tmp_path / "export.jsonl"
    r = _invoke(
        crm, "export", "--connector", NAME, "--output", str(exported), "--config", str(config)
    )
    assert r.exit_code == 0, r.output
    scored = tmp_path / "scores.jsonl"
    r = _invoke(
        crm,
        "score",
        "--model",
        str(MODEL),
        "--input",
        str(exported),
        "--output",
        str(scored),
        "--as-of",
        "2026-11-23T12:00:00Z",
    )
    assert r.exit_code == 0, r.output
    for line in scored.read_text(encoding="utf-8").splitlines():
        res = json.loads(line)
        f = crm.fields(res["id"])
        assert (f["score"], f["tier"], f["priority"]) == (
            res["score"],
            res["tier"],
            res["priority"],
        ), res["id"]
    logged = "\n".join(f"{rec.getMessage()} {rec.__dict__}" for rec in caplog.records)
    assert "cycle_finished" in logged and "write_failed" in logged
    for out in [*outputs, logged, exported.read_text(encoding="utf-8")]:
        assert SECRET not in out


def test_resync_dry_run_and_rescore_only(crm: MemoryCRM, config: Path, tmp_path: Path) -> None:
    crm.failures.clear()
    assert _invoke(crm, "run", "--once", "--config", str(config)).exit_code == 0
    reads, writes = crm.calls["read"], len(crm.writes)
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text(
        MODEL.read_text(encoding="utf-8").replace("min: 50", "min: 30"), encoding="utf-8"
    )
    shutil.copy(MODEL.parent / "priority-accounts.csv", tmp_path)
    config2 = write_config(tmp_path, f"sqlite:///{tmp_path / 'state.db'}", model=lenient)
    r = _invoke(
        crm, "resync", "--connector", NAME, "--rescore-only", "--dry-run", "--config", str(config2)
    )
    assert r.exit_code == 0, r.output
    assert "tier transitions" in r.output and "into MQL" in r.output
    assert "nothing was written" in r.output and "sample changes" in r.output
    assert len(crm.writes) == writes and crm.calls["read"] == reads
    r = _invoke(crm, "resync", "--connector", NAME, "--rescore-only", "--config", str(config2))
    assert r.exit_code == 0, r.output
    assert len(crm.writes) > writes and crm.calls["read"] == reads
    r = _invoke(crm, "resync", "--connector", NAME, "--full", "--config", str(config2))
    assert r.exit_code == 0 and crm.calls["read"] > reads


def test_check_setup_and_errors(crm: MemoryCRM, config: Path, tmp_path: Path) -> None:
    r = _invoke(crm, "check", "--config", str(config))
    assert r.exit_code == 0, r.output
    assert "credentials" in r.output and "state store" in r.output
    r = _invoke(crm, "setup", "--connector", NAME, "--config", str(config))
    assert r.exit_code == 0 and "ok       contact.score" in r.output
    r = _invoke(crm, "resync", "--connector", "nope", "--config", str(config))
    assert r.exit_code == 1 and "unknown connector 'nope'" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        config.read_text(encoding="utf-8").replace("type: hubspot", "type: pipedrive"),
        encoding="utf-8",
    )
    for cmd in (["run", "--once"], ["status"], ["check"], ["export", "--connector", NAME]):
        r = _invoke(crm, *cmd, "--config", str(bad))
        assert r.exit_code == 1, cmd
        assert f"{bad}:5: connectors.mem.type:" in r.output and "Traceback" not in r.output


def test_unreachable_state_store_is_reported_without_its_password(
    crm: MemoryCRM, tmp_path: Path
) -> None:
    url = f"postgresql://syncd:db-pass-321@/syncd?host={tmp_path / 'nowhere'}"
    config = write_config(tmp_path, url)
    r = _invoke(crm, "status", "--config", str(config))
    assert r.exit_code == 75  # TEMPFAIL: the server may come up; try again later
    assert "state store postgresql://syncd:***@/syncd" in r.output
    assert "not reachable" in r.output and "db-pass-321" not in r.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-11-20", "--full"], "--full and --since exclude each other"),
        (
            ["--since", "2026-11-20", "--rescore-only"],
            "--since and --rescore-only exclude each other",
        ),
        (["--since", "yesterday"], "--since: 'yesterday' is not an ISO-8601 date"),
        (["--since", "2026-13-01T00:00:00Z"], "--since: '2026-13-01T00:00:00Z' is not"),
        (["--since", "2999-01-01T00:00:00+02:00"], "is in the future"),
    ],
)
def test_resync_since_is_validated_before_anything_runs(
    crm: MemoryCRM, config: Path, args: list[str], message: str
) -> None:
    r = _invoke(crm, "resync", "--connector", NAME, *args, "--config", str(config))
    assert r.exit_code == 2, r.output
    assert message in r.output and "Traceback" not in r.output
    assert crm.calls["read"] == 0 and not crm.writes


def test_resync_since_reaches_the_connector(crm: MemoryCRM, config: Path) -> None:
    # the memory CRM keeps no modification times: its refusal proves `since` got through
    r = _invoke(
        crm,
        "resync",
        "--connector",
        NAME,
        "--since",
        "2026-11-20T10:00:00Z",
        "--config",
        str(config),
    )
    assert r.exit_code == 1, r.output
    assert re.search(r"\bsince\s+failed\b", r.output), r.output
    assert "modification" in r.output
