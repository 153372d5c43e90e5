"""The deployment files agree with the code: the image's entrypoint, config
path, port and health check; compose's mounts; every shipped config validates."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.salesforce.config import JwtAuth
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


def test_image_runs_syncd_run_as_non_root_with_health_check() -> None:
    d = _dockerfile()
    assert json.loads(d["ENTRYPOINT"][-1]) == ["syncd", "run"]
    env = " ".join(d["ENV"])
    assert "SYNCD_CONFIG=/etc/syncd/syncd.yaml" in env
    assert "SYNCD_DAEMON__HOST=0.0.0.0" in env
    assert d["USER"][-1].split(":")[0] not in ("root", "0")
    assert d["EXPOSE"] == [str(PORT)]
    assert f"http://127.0.0.1:{PORT}/healthz" in d["HEALTHCHECK"][-1]
    assert json.loads(d["VOLUME"][-1]) == ["/var/lib/syncd"]
    # the shipped models are in the package: nothing else to copy
    assert not any("models" in c for c in d["COPY"])


def _validate(text: str, tmp_path: Path) -> None:
    path = tmp_path / "syncd.yaml"
    path.write_text(text, encoding="utf-8")
    env = {"POSTGRES_PASSWORD": "pw", "HUBSPOT_TOKEN": "tok", "SF_PASSWORD": "pw"}
    settings = load_settings(path, env)
    assert settings.connectors


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


@pytest.mark.parametrize("name", ["syncd.example.yaml"])
def test_example_config_validates(name: str, tmp_path: Path) -> None:
    text = (ROOT / "config" / name).read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    settings = load_settings(path, {"HUBSPOT_TOKEN": "t", "SF_PASSWORD": "p"})
    assert settings.daemon == DaemonSettings()
    sf = settings.connectors["salesforce-prod"]
    assert isinstance(getattr(sf, "auth", None), JwtAuth)
