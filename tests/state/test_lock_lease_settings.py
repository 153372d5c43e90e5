"""``state.lock_lease`` is refused below the lock's minimum, with the reason."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from syncd.settings import ConfigError, load_settings
from syncd.state import MIN_LEASE


@pytest.mark.parametrize("lease", ["0s", "5s", "9s"])
def test_a_nonsense_lease_is_refused_with_the_reason(tmp_path: Path, lease: str) -> None:
    p = tmp_path / "syncd.yaml"
    p.write_text(f"state:\n  lock_lease: {lease}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(p, {})
    text = str(err.value)
    assert "state.lock_lease" in text and "at least 10s" in text and ":2:" in text


def test_the_minimum_lease_is_accepted(tmp_path: Path) -> None:
    p = tmp_path / "syncd.yaml"
    p.write_text("state:\n  lock_lease: 10s\n", encoding="utf-8")
    assert load_settings(p, {}).state.lock_lease == MIN_LEASE == timedelta(seconds=10)


def test_a_negative_lease_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "syncd.yaml"
    p.write_text("state:\n  lock_lease: -30s\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r":2: state\.lock_lease"):
        load_settings(p, {})
