"""One way to write a span of time in every config section (engine and connectors)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import BaseModel, ValidationError

from connectors.hubspot.config import HubSpotOptions
from connectors.options import Duration
from connectors.salesforce.config import SalesforceOptions


class _Span(BaseModel):
    span: Duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("PT10M", timedelta(minutes=10)),
        (90, timedelta(seconds=90)),
    ],
)
def test_durations_read_alike(text: str | int, expected: timedelta) -> None:
    assert _Span(span=text).span == expected  # type: ignore[arg-type]


def test_a_bad_duration_says_how_to_write_one() -> None:
    with pytest.raises(ValidationError, match="not a duration such as 30s, 15m, 2h or 1d"):
        _Span(span="ten minutes")  # type: ignore[arg-type]


def test_connector_lookbacks_take_the_engine_s_duration_syntax() -> None:
    hs = HubSpotOptions.model_validate({"access_token": "t", "lookback": "10m", "safety_lag": "2m"})
    assert (hs.lookback, hs.safety_lag) == (timedelta(minutes=10), timedelta(minutes=2))
    sf = SalesforceOptions.model_validate(
        {
            "auth": {
                "flow": "password",
                "username": "u",
                "password": "p",
                "consumer_key": "k",
                "consumer_secret": "s",
            },
            "lookback": "15m",
        }
    )
    assert sf.lookback == timedelta(minutes=15)
