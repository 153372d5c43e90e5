"""The deployment files agree with the code and work as written: the image's
entrypoint (run with a stub `syncd`), config path and health check (run
against a real endpoint); compose's mounts and password handling; the
Kubernetes manifest against the restricted Pod Security Standard; the systemd
unit's restart and reload rules; every shipped config validates."""

from __future__ import annotations

import configparser
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from connectors.salesforce.config import JwtAuth
from syncd.cli import main
from syncd.cli.exit_codes import ExitCode
from syncd.daemon import probe
from syncd.daemon.health import Health
from syncd.daemon.http import HealthServer
from syncd.daemon.metrics import DaemonMetrics
from syncd.settings import DaemonSettings, load_settings

ROOT = Path(__file__).resolve().parents[1]
PORT = DaemonSettings().port


def _dockerfile() -> dict[str, list[str]]:
    """Instructions of the final stage, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    stages = re.split(r"^FROM ", text, flags=re.M)
    out: dict[str, list[str]] = {}
    for line in stages[-1].splitlines()[1:]:
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            out.setdefault(word, []).append(rest.strip())
    return out


def test_image_runs_the_entrypoint_as_non_root_with_health_check() -> None:
    d = _dockerfile()
    assert json.loads(d["ENTRYPOINT"][-1]) == ["syncd-entrypoint"]
    assert json.loads(d["CMD"][-1]) == ["run"]
    assert "deploy/docker-entrypoint.sh /usr/local/bin/syncd-entrypoint" in d["COPY"]
    env = " ".join(d["ENV"])
    assert "SYNCD_CONFIG=/etc/syncd/syncd.yaml" in env
    assert "SYNCD_DAEMON__HOST=0.0.0.0" in env
    assert d["USER"][-1].split(":")[0] not in ("root", "0")
    assert d["EXPOSE"] == [str(PORT)]
    # the health check reads the port from the config instead of assuming one
    check = d["HEALTHCHECK"][-1]
    assert json.loads(check.split(" CMD ", 1)[1]) == ["python", "-m", "syncd.daemon.probe"]
    assert str(PORT) not in check
    assert json.loads(d["VOLUME"][-1]) == ["/var/lib/syncd"]
    # the shipped models are in the package: nothing else to copy
    assert not any("models" in c for c in d["COPY"])


ENTRYPOINT = ROOT / "deploy" / "docker-entrypoint.sh"


def _entrypoint(tmp_path: Path, *args: str) -> list[str]:
    """The arguments the entrypoint hands to `syncd` (a stub that prints them)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stub = bin_dir / "syncd"
    stub.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n', encoding="utf-8")
    stub.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["sh", str(ENTRYPOINT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    return done.stdout.splitlines()


def test_entrypoint_is_valid_sh() -> None:
    assert subprocess.run(["sh", "-n", str(ENTRYPOINT)], capture_output=True).returncode == 0
    assert ENTRYPOINT.stat().st_mode & 0o111  # executable in the repository too


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ["run"]),
        (["--once"], ["run", "--once"]),
        (["--config", "/etc/x.yaml"], ["run", "--config", "/etc/x.yaml"]),
        (["check"], ["check"]),
        (["status", "--json"], ["status", "--json"]),
        (["syncd", "check"], ["check"]),
        (["syncd"], ["run"]),
        (["--help"], ["--help"]),
        (["--version"], ["--version"]),
        (["score", "a b.jsonl"], ["score", "a b.jsonl"]),
    ],
)
def test_entrypoint_runs_any_subcommand(
    tmp_path: Path, args: list[str], expected: list[str]
) -> None:
    assert _entrypoint(tmp_path, *args) == expected


def test_entrypoint_passes_every_syncd_command_through(tmp_path: Path) -> None:
    for name in main.commands:
        assert _entrypoint(tmp_path, name, "--help") == [name, "--help"]


def test_health_probe_follows_the_configured_port(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = HealthServer(Health(["hs"], lambda: None), DaemonMetrics(["hs"]), port=0)
    server.start()
    port = server.address[1]
    config = tmp_path / "syncd.yaml"
    config.write_text(f"daemon:\n  port: {port}\n", encoding="utf-8")
    try:
        assert probe.main([str(config)]) == 0
    finally:
        server.stop()
    assert probe.main([str(config)]) == 1
    assert capsys.readouterr().err.startswith(f"healthcheck: http://127.0.0.1:{port}/healthz: ")
    config.write_text("daemon:\n  port: 0\n", encoding="utf-8")
    assert probe.main([str(config)]) == 1
    assert "daemon.port is 0" in capsys.readouterr().err
    assert probe.main([str(tmp_path / "missing.yaml")]) == 1
    assert "config not usable" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("0.0.0.0", "http://127.0.0.1:9464/healthz"),
        ("::", "http://[::1]:9464/healthz"),
        ("10.1.2.3", "http://10.1.2.3:9464/healthz"),
    ],
)
def test_health_probe_asks_loopback_for_every_interface(host: str, url: str) -> None:
    assert probe.healthz_url(DaemonSettings(host=host, port=9464)) == url


def _validate(text: str, tmp_path: Path) -> None:
    path = tmp_path / "syncd.yaml"
    path.write_text(text, encoding="utf-8")
    env = {
        "POSTGRES_PASSWORD": "pw",
        "HUBSPOT_TOKEN": "tok",
        "SF_PASSWORD": "pw",
        "SF_PRIVATE_KEY": "k",
    }
    settings = load_settings(path, env)
    assert settings.connectors


def test_compose_keeps_the_password_out_of_the_url() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    syncd = yaml.safe_load(text)["services"]["syncd"]
    assert syncd["environment"]["PGPASSWORD"] == "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
    assert 'PGPASSWORD: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"' in text  # quoted
    config = yaml.safe_load((ROOT / "deploy" / "syncd.compose.yaml").read_text())
    url = sa.make_url(config["state"]["url"])
    assert url.password is None and url.username == "syncd"
    assert syncd["read_only"] is True and syncd["tmpfs"] == ["/tmp"]


def test_compose_mounts_a_valid_config_and_uses_postgres(tmp_path: Path) -> None:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    syncd = compose["services"]["syncd"]
    mounts = dict(v.rsplit(":", 1)[0].split(":", 1) for v in syncd["volumes"])
    assert mounts == {"./deploy/syncd.compose.yaml": "/etc/syncd/syncd.yaml"}
    assert any(p.endswith(f":{PORT}:{PORT}") for p in syncd["ports"])
    assert syncd["depends_on"]["postgres"]["condition"] == "service_healthy"
    text = (ROOT / "deploy" / "syncd.compose.yaml").read_text(encoding="utf-8")
    _validate(text, tmp_path)
    assert yaml.safe_load(text)["state"]["url"].startswith("postgresql://")


def test_kubernetes_config_map_holds_a_valid_config(tmp_path: Path) -> None:
    docs = list(yaml.safe_load_all((ROOT / "deploy" / "kubernetes.yaml").read_text()))
    kinds = {d["kind"]: d for d in docs}
    _validate(kinds["ConfigMap"]["data"]["syncd.yaml"], tmp_path)
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["ports"][0]["containerPort"] == PORT
    assert pod["securityContext"]["runAsNonRoot"] is True


def _manifest() -> dict[str, Any]:
    return {
        d["kind"]: d for d in yaml.safe_load_all((ROOT / "deploy" / "kubernetes.yaml").read_text())
    }


def test_kubernetes_runs_two_replicas_on_postgres_from_a_secret(tmp_path: Path) -> None:
    kinds = _manifest()
    spec = kinds["Deployment"]["spec"]
    assert spec["replicas"] == 2
    # a rolling update never stops both pods; the fenced locks make the overlap safe
    assert spec["strategy"]["type"] == "RollingUpdate"
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 1
    [container] = spec["template"]["spec"]["containers"]
    env = {e["name"]: e for e in container["env"]}
    ref = env["SYNCD_STATE__URL"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": "syncd-secrets", "key": "SYNCD_STATE__URL"}
    assert "value" not in env["SYNCD_STATE__URL"]
    path = tmp_path / "syncd.yaml"
    path.write_text(kinds["ConfigMap"]["data"]["syncd.yaml"], encoding="utf-8")
    url = "postgresql://syncd@postgres:5432/syncd"
    settings = load_settings(path, {"HUBSPOT_TOKEN": "t", "SYNCD_STATE__URL": url})
    assert settings.state.url.startswith("postgresql://")
    assert kinds["PodDisruptionBudget"]["spec"]["minAvailable"] == 1


def test_scaling_guide_shows_the_manifests_deployment() -> None:
    text = (ROOT / "docs" / "scaling.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    shown = next(yaml.safe_load(b) for b in blocks if "kind: Deployment" in b)
    spec = _manifest()["Deployment"]["spec"]
    assert shown["spec"]["replicas"] == spec["replicas"]
    assert shown["spec"]["strategy"] == spec["strategy"]
    [container] = shown["spec"]["template"]["spec"]["containers"]
    [real] = spec["template"]["spec"]["containers"]
    assert container["env"][0] == real["env"][0]


#: Volume types the restricted Pod Security Standard allows.
PSS_VOLUMES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}


def test_kubernetes_pod_passes_the_restricted_pod_security_standard() -> None:
    docs = list(yaml.safe_load_all((ROOT / "deploy" / "kubernetes.yaml").read_text()))
    pod = next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]["spec"]
    pod_ctx = pod["securityContext"]
    assert pod_ctx["runAsNonRoot"] is True and pod_ctx["runAsUser"] not in (None, 0)
    assert pod_ctx["seccompProfile"] == {"type": "RuntimeDefault"}
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        assert not pod.get(key)
    for volume in pod["volumes"]:
        assert set(volume) - {"name"} <= PSS_VOLUMES, volume
    for container in pod["containers"] + pod.get("initContainers", []):
        ctx = container["securityContext"]
        assert ctx["allowPrivilegeEscalation"] is False
        assert ctx["capabilities"] == {"drop": ["ALL"]}
        assert ctx.get("privileged") is not True
        assert ctx.get("runAsUser", pod_ctx["runAsUser"]) != 0
        assert ctx.get("seccompProfile", pod_ctx["seccompProfile"])["type"] == "RuntimeDefault"
        assert ctx["readOnlyRootFilesystem"] is True
        # what syncd writes lives on volumes: the state directory and /tmp
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert {"/var/lib/syncd", "/tmp"} <= mounts
        assert not any(p.get("hostPort") for p in container["ports"])


def _unit() -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string((ROOT / "deploy" / "syncd.service").read_text(encoding="utf-8"))
    return unit


def test_systemd_restarts_on_a_temporary_failure_and_reloads_on_sighup() -> None:
    service = _unit()["Service"]
    assert service["Restart"] == "on-failure"
    prevented = {int(code) for code in service["RestartPreventExitStatus"].split()}
    assert prevented == {ExitCode.FAILED, ExitCode.UNUSABLE}
    assert ExitCode.TEMPFAIL not in prevented
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert service["KillSignal"] == "SIGTERM"


@pytest.mark.parametrize("name", ["syncd.example.yaml"])
def test_example_config_validates(name: str, tmp_path: Path) -> None:
    text = (ROOT / "config" / name).read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    settings = load_settings(
        path, {"HUBSPOT_TOKEN": "t", "SF_PASSWORD": "p", "SF_PRIVATE_KEY": "k"}
    )
    assert settings.daemon == DaemonSettings()
    sf = settings.connectors["salesforce-prod"]
    assert isinstance(getattr(sf, "auth", None), JwtAuth)
