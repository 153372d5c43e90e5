"""`syncd validate` and segments (``models:``): routes no contact can reach,
a list without a default, both ``model`` and ``models``, a broken route model,
each named with file and line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from syncd.cli import main

HEAD = """\
connectors:
  hs:
    type: hubspot
    base_url: http://127.0.0.1:8081
    access_token: t
"""


def _validate(tmp_path: Path, text: str) -> tuple[int, list[str], Path]:
    p = tmp_path / "syncd.yaml"
    p.write_text(HEAD + text, encoding="utf-8")
    r = CliRunner().invoke(main, ["validate", "--config", str(p)])
    return r.exit_code, [x for x in r.output.splitlines() if not x.startswith("warning:")], p


def test_routes_with_a_default_are_ok(tmp_path: Path) -> None:
    code, out, _p = _validate(
        tmp_path,
        "    models:\n"
        "      - {when: {country: [TR, GR, CY]}, model: saas}\n"
        "      - {when: {lead_source: dealer_form}, model: b2c-auto-dealer}\n"
        "      - model: default\n",
    )
    assert (code, out) == (0, ["config ok: hs"])


def test_unreachable_routes_are_named_with_their_line(tmp_path: Path) -> None:
    code, out, p = _validate(
        tmp_path,
        "    models:\n"
        "      - {when: {country: [TR, GR, CY]}, model: saas}\n"
        "      - {when: {country: tr}, model: b2c-auto-dealer}\n"
        "      - model: default\n"
        "      - {when: {country: US}, model: saas}\n"
        "      - model: default\n",
    )
    assert code == 1
    assert out == [
        f"{p}:8: connectors.hs.models[1]: unreachable route: every contact it matches is "
        "taken by models[0] before it",
        f"{p}:10: connectors.hs.models[3]: unreachable route: models[2] before it has no "
        "'when' and takes every contact",
        f"{p}:11: connectors.hs.models[4]: unreachable route: models[2] before it has no "
        "'when' and takes every contact",
        "config not usable (3 error(s))",
    ]


def test_routes_without_a_default_are_refused(tmp_path: Path) -> None:
    code, out, p = _validate(
        tmp_path, "    models:\n      - {when: {country: [TR]}, model: saas}\n"
    )
    assert code == 1
    assert out == [
        f"{p}:6: connectors.hs.models: the last route of models must have no 'when' "
        "(the default for every other contact)",
        "config not usable (1 error(s))",
    ]


def test_model_and_models_together_are_refused(tmp_path: Path) -> None:
    code, out, _p = _validate(tmp_path, "    model: default\n    models:\n      - model: default\n")
    assert (code, out[0]) == (1, f"{_p}:6: connectors.hs.model: set model or models, not both")


def test_a_route_model_that_is_missing_or_broken_is_refused(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("name: broken\ntiers: []\n", encoding="utf-8")
    code, out, p = _validate(
        tmp_path,
        "    models:\n"
        "      - {when: {country: [TR]}, model: broken.yaml}\n"
        "      - {when: {country: [DE]}, model: nowhere.yaml}\n"
        "      - model: default\n",
    )
    assert code == 1
    assert any(line.startswith(f"{p}:8: connectors.hs.models[1].model: model file not found")
               for line in out), out  # fmt: skip
    code, out, _p = _validate(
        tmp_path,
        "    models:\n"
        "      - {when: {country: [TR]}, model: broken.yaml}\n"
        "      - model: default\n",
    )
    assert code == 1 and any("broken.yaml" in line for line in out), out
