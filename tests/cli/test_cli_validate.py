"""`syncd validate` runs the checks a cycle runs before its first API call, so
"config ok" means a cycle accepts the config."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from syncd.cli import main

SALESFORCE = """\
connectors:
  sf:
    type: salesforce
    instance_url: http://127.0.0.1:8082
    auth: {flow: password, username: u, password: p, consumer_key: k, consumer_secret: s}
    model: default
"""


def _validate(tmp_path: Path, text: str) -> tuple[int, str, Path]:
    p = tmp_path / "syncd.yaml"
    p.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(main, ["validate", "--config", str(p)])
    return r.exit_code, r.output, p


def test_a_valid_config_is_ok(tmp_path: Path) -> None:
    code, out, _p = _validate(tmp_path, SALESFORCE)
    # the password flow is legacy: a warning, not an error
    assert (code, out.splitlines()[-1]) == (0, "config ok: sf")
    assert all(
        line.startswith("warning: connector sf: auth.flow password is legacy")
        for line in out.splitlines()[:-1]
    )


def test_salesforce_field_names_are_checked_as_a_cycle_does(tmp_path: Path) -> None:
    code, out, p = _validate(tmp_path, SALESFORCE + "    field_map: {title: 'Title, Name'}\n")
    assert code == 1
    lines = [line for line in out.splitlines() if not line.startswith("warning:")]
    assert lines[0].startswith(f"{p}: connectors.sf: option field_map.title: "), out
    assert lines[1:] == ["config not usable (1 error(s))"]


def test_a_private_key_file_that_cannot_be_read_is_refused(tmp_path: Path) -> None:
    text = SALESFORCE.replace(
        "{flow: password, username: u, password: p, consumer_key: k, consumer_secret: s}",
        "{flow: jwt, username: u, consumer_key: k, private_key_file: keys/sf.pem}",
    )
    code, out, p = _validate(tmp_path, text)
    assert (code, out) == (
        1,
        f"{p}: connectors.sf.auth.private_key_file: cannot read "
        f"{tmp_path / 'keys' / 'sf.pem'}\nconfig not usable (1 error(s))\n",
    )


def test_a_model_that_does_not_compile_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("tiers: 3\n", encoding="utf-8")
    code, out, _ = _validate(tmp_path, SALESFORCE.replace("model: default", "model: bad.yaml"))
    assert code == 1 and out.startswith(f"connector sf: {tmp_path / 'bad.yaml'}"), out
