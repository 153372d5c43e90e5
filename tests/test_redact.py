"""The one redaction layer: configured secrets and credential-shaped text."""

from __future__ import annotations

import json

import pytest

from syncd.redact import Redactor, configured_secrets, url_password
from syncd.settings import Settings

R = Redactor(["s3cr3t-value", "p@ss word"])


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("Authorization: Bearer abcdef123456", "abcdef123456"),
        ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ("grant_type=password&client_secret=xyz987&password=hunter2", "xyz987"),
        ("grant_type=password&client_secret=xyz987&password=hunter2", "hunter2"),
        ('{"access_token": "abc.def.ghi", "instance_url": "https://x"}', "abc.def.ghi"),
        ("refresh_token='r-token-1'", "r-token-1"),
        ("security_token: ST12345", "ST12345"),
        ("bad assertion eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig-nature_1", "eyJhbGciOiJSUzI1NiJ9"),
        ("session 00D5g000004XyZ1!AQ4AQLm.5xk3F_ApbLdEjzxnCe5K0 expired", "AQ4AQLm.5xk3F"),
        ("HubSpot key pat-na1-11111111-2222-3333-4444-555555555555 invalid", "pat-na1-1111"),
        ("postgresql://syncd:dbpass@db:5432/syncd refused", "dbpass"),
        ("echo s3cr3t-value", "s3cr3t-value"),
        ("json " + json.dumps({"x": "p@ss word"}), "p@ss word"),
        ("url p%40ss%20word", "p%40ss%20word"),
    ],
)
def test_credentials_are_masked(text: str, leak: str) -> None:
    masked = R.text(text)
    assert leak not in masked and "***" in masked


def test_ordinary_text_is_left_alone() -> None:
    for text in (
        "INVALID_LOGIN: Invalid username, password, security token; or user locked out",
        "connector mem is being synced by another process",
        "HTTP 503 from the CRM after 6 attempts",
        "score 67 tier mql",
    ):
        assert R.text(text) == text


def test_values_are_masked_at_any_depth() -> None:
    assert R.value({"a": ["x s3cr3t-value", 3, None], "b": {"password": "pw1234"}}) == {
        "a": ["x ***", 3, None],
        "b": {"password": "pw1234"},
    }
    assert R.value({"e": "password=pw1234"}) == {"e": "password=***"}


def test_configured_secrets_include_the_state_url_password() -> None:
    s = Settings.model_validate({"state": {"url": "postgresql://u:dbpw99@h/db"}})
    assert "dbpw99" in configured_secrets(s)
    assert url_password("sqlite:///x.db") is None
