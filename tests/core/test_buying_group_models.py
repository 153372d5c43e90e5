"""The commented buying-group sections of the shipped models work as written
once uncommented, and leave the shipped models (and their versions) alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from syncd.core import Contact, compile_model, score_batch
from syncd.modelfile import load_model, parse_model
from tests.kit.scoring import AS_OF, act, contact

MODELS = Path(__file__).resolve().parents[2] / "syncd" / "models"


def uncommented(name: str) -> str:
    """The model text with its ``# buying_group:`` block uncommented."""
    lines = (MODELS / name).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if re.fullmatch(r"\s*# buying_group:", line))
    indent = lines[start][: lines[start].index("#")]
    i = start
    while i < len(lines) and lines[i].startswith(indent + "# "):
        lines[i] = indent + lines[i][len(indent) + 2 :]
        i += 1
    assert i - start > 20
    return "\n".join(lines) + "\n"


def staff(cid: str, title: str, dept: str | None, *acts: dict[str, object]) -> Contact:
    props = {"title": title, **({"department": dept} if dept else {})}
    return contact(cid, email=f"{cid}@acme.io", props=props, activities=list(acts))


@pytest.mark.parametrize("name", ["default.yaml", "saas.yaml"])
def test_shipped_models_keep_the_block_commented(name: str) -> None:
    m = load_model(MODELS / name)
    assert m.buying_group is None and m.spec.warnings == ()
    spec = parse_model(
        uncommented(name),
        name,
        {"priority-accounts.csv": (MODELS / "priority-accounts.csv").read_text()},
    )
    assert spec.account.buying_group is not None
    assert spec.warnings == ()
    assert compile_model(spec).version != m.version


def test_default_block_as_documented() -> None:
    spec = parse_model(
        uncommented("default.yaml"),
        "default.yaml",
        {"priority-accounts.csv": (MODELS / "priority-accounts.csv").read_text()},
    )
    m = compile_model(spec)
    cs = [
        staff(
            "cfo",
            "Chief Financial Officer (CFO)",
            "Finance",
            act("page_view", 3, url="https://v.example/pricing"),
        ),
        staff("rep", "Sales Manager", "Sales", act("webinar_attended", 5)),
        staff("dev", "Software Engineer", "IT", act("email_open", 50)),
        staff("mkt", "Marketing Manager", "Marketing", act("email_open", 2)),
    ]
    rs = score_batch(m, cs, AS_OF)
    assert [r.persona for r in rs] == [
        "economic_buyer",
        "champion",
        "technical_evaluator",
        "end_user",
    ]
    g = rs[0].buying_group
    assert g is not None
    assert g.summary == (
        "Buying group 83.3%: economic buyer, champion engaged; missing: "
        "technical evaluator; momentum rising"
    )
    account = {
        r.id: {x.rule: x.points for x in r.reasons if x.rule.startswith("buying_group")} for r in rs
    }
    assert (
        account["cfo"]
        == account["rep"]
        == {"buying_group.complete": 15, "buying_group.economic_buyer": 10}
    )
    assert account["dev"] == {"buying_group.economic_buyer": 10}
    assert account["mkt"] == {"buying_group.economic_buyer": 10}  # 5 < min_points 10


def test_saas_block_as_documented() -> None:
    m = compile_model(parse_model(uncommented("saas.yaml"), "saas.yaml", {}))
    cs = [
        staff("cfo", "CFO", "Finance", act("trial_signup", 2)),
        staff("ops", "Ops Analyst", "Operations", act("demo_request", 20)),
        staff("ops2", "Ops Lead", "Operations", act("email_open", 1)),
        staff("it", "Sysadmin", "IT"),
    ]
    rs = score_batch(m, cs, AS_OF)
    assert [r.persona for r in rs] == [
        "economic_buyer",
        "champion",
        "end_user",
        "technical_evaluator",
    ]
    g = rs[0].buying_group
    assert g is not None
    assert round(g.completeness, 1) == 71.4 and g.missing == ("technical_evaluator",)
    assert g.momentum == "rising"  # 25 points in 2 weeks vs 30 in the 6 before
    assert {x.rule for x in rs[0].reasons} >= {
        "buying_group.complete",
        "buying_group.economic_buyer",
    }
