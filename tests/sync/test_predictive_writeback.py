"""The conversion probability in the write-back decision, the reasons text
and the connector's ``predictive`` setting: compared exactly when a model
gives one, ignored in the CRM when none is configured, shown in the reasons
text within its length limit, and a bad model file named at config load."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from syncd.core import Reason, ScoreResult
from syncd.core.reasons_text import (
    MAX_REASONS,
    parse_reasons,
    same_rules,
    split_probability,
    with_probability,
)
from syncd.settings import ConfigError, load_settings
from syncd.state import ContactState, CrmValues, Desired
from syncd.sync.writeback import contact_verdict, desired_of, needs_write, same_meaning
from tests.kit.seed import MODEL

NOW = datetime(2026, 11, 23, tzinfo=UTC)
MQL = frozenset({"mql", "hot"})


def _result(points: float, n: int = 1) -> ScoreResult:
    return ScoreResult(
        id="c",
        score=40,
        exact=40.0,
        tier="nurture",
        mql=False,
        disqualified=False,
        priority=False,
        model="m@1",
        fit=0.0,
        engagement=0.0,
        account=0.0,
        reasons=tuple(Reason(f"rule_{i}.with_a_longer_name", points) for i in range(n)),
        account_key=None,
    )


def _read(d: Desired, probability: float | None) -> CrmValues:
    return CrmValues(
        score=d.score, tier=d.tier, reasons=d.reasons, priority=d.priority, probability=probability
    )


def _state(crm: CrmValues | None, written: Desired | None) -> ContactState:
    return ContactState(
        id="c",
        kind="contact",
        writable=True,
        account_key=None,
        crm=crm,
        desired=written,
        desired_mql=False,
        written=written,
        mql_at=None,
        dead=False,
        attempts=0,
        model_ref="m@1",
    )


def test_the_reasons_text_shows_the_probability_and_parses_back() -> None:
    d = desired_of(_result(20), 0.23145)
    assert d.probability == 0.231
    assert d.reasons == "rule_0.with_a_longer_name +20 | predicted conversion 23%"
    parsed = parse_reasons(d.reasons)
    assert parsed is not None and parsed.percent == 23 and parsed.items[0].points == 20
    assert split_probability(d.reasons) == ("rule_0.with_a_longer_name +20", 23)
    assert desired_of(_result(20)).reasons == "rule_0.with_a_longer_name +20"
    assert parse_reasons("no rules fired | predicted conversion 100%") is not None
    assert parse_reasons("a +1 | predicted conversion 101%") is None


def test_a_long_reasons_text_keeps_the_probability_within_the_limit() -> None:
    d = desired_of(_result(20, n=40), 0.9)
    assert len(d.reasons) <= MAX_REASONS
    assert d.reasons.endswith(" more | predicted conversion 90%")
    assert parse_reasons(d.reasons) is not None


def test_points_are_ignored_but_the_percent_is_not() -> None:
    a = with_probability("x +20; y +5 (x2)", 0.31)
    assert same_rules(a, with_probability("x +18.5; y +4 (x2)", 0.31))
    assert not same_rules(a, with_probability("x +20; y +5 (x2)", 0.35))
    assert not same_rules(a, "x +20; y +5 (x2)")


def test_an_equal_probability_writes_nothing_and_a_new_one_is_written() -> None:
    written = desired_of(_result(20), 0.2)
    same = contact_verdict(_state(_read(written, 0.2), written), _result(19), MQL, NOW, 0.2)
    assert not same.pending and not same.persist
    moved = contact_verdict(_state(_read(written, 0.2), written), _result(20), MQL, NOW, 0.3)
    assert moved.pending and moved.values.probability == 0.3
    # the field emptied in the CRM (a hand edit) is written again
    emptied = contact_verdict(_state(_read(written, None), written), _result(20), MQL, NOW, 0.2)
    assert emptied.pending and emptied.drift


def test_without_a_model_the_crm_probability_field_is_not_syncds_concern() -> None:
    new = desired_of(_result(20))
    assert same_meaning(_read(new, 0.7), new)
    assert needs_write(True, _read(new, 0.7), None, new) == (False, False)
    old = desired_of(_result(20), 0.7)  # a model was configured, then removed
    pending, _ = needs_write(True, _read(old, 0.7), old, new)
    assert pending  # once: the reasons text loses its probability part


def _config(tmp_path: Path, predictive: str) -> Path:
    p = tmp_path / "syncd.yaml"
    p.write_text(
        f"""\
connectors:
  hs:
    type: hubspot
    base_url: http://127.0.0.1:9
    access_token: tok
    model: {MODEL}
    predictive: {predictive}
""",
        encoding="utf-8",
    )
    return p


def test_a_missing_or_unusable_model_file_is_named_at_config_load(tmp_path: Path) -> None:
    p = _config(tmp_path, "{model: nowhere.json}")
    with pytest.raises(ConfigError) as exc:
        load_settings(p, {})
    assert [str(i) for i in exc.value.issues] == [
        f"{p}:7: connectors.hs.predictive.model: predictive model file not found: "
        f"{tmp_path / 'nowhere.json'}"
    ]
    (tmp_path / "bad.json").write_text('{"format": "other"}', encoding="utf-8")
    p = _config(tmp_path, "{model: bad.json}")
    with pytest.raises(ConfigError) as exc:
        load_settings(p, {})
    (issue,) = exc.value.issues
    assert str(issue).startswith(f"{p}:7: connectors.hs.predictive.model: {tmp_path}/bad.json: ")
    assert "not a syncd predictive model" in str(issue)
    p = _config(tmp_path, "{model: bad.json, weight: 2}")
    with pytest.raises(ConfigError) as exc:
        load_settings(p, {})
    assert "connectors.hs.predictive.weight" in str(exc.value.issues[0])
