"""Options of a HubSpot connector, as written under ``connectors.NAME`` in the
config file (the engine adds the keys every connector shares: ``type``,
``model``, ``schedule``). Pure pydantic: no I/O.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from connectors.hubspot.limits import Tier
from connectors.hubspot.paths import NEWEST, ApiVersion
from connectors.options import Duration, HttpOptions

#: Host names that never leave the machine (plain http is allowed only to these).
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HubSpotOAuth(BaseModel):
    """OAuth 2 with a refresh token; the access token is refreshed before it
    expires and on a 401."""

    model_config = ConfigDict(extra="forbid")

    client_id: str
    client_secret: SecretStr
    refresh_token: SecretStr


class HubSpotFieldNames(BaseModel):
    """Names of syncd's own properties (created in ``group``)."""

    model_config = ConfigDict(extra="forbid")

    group: str = "syncd"
    score: str = "syncd_score"
    tier: str = "syncd_tier"
    reasons: str = "syncd_reasons"
    scored_at: str = "syncd_scored_at"
    mql_at: str = "syncd_mql_at"
    priority: str = "syncd_priority"
    #: The predicted conversion probability (only with ``predictive``).
    probability: str = "syncd_conversion_probability"
    account_score: str = "syncd_account_score"
    account_summary: str = "syncd_account_summary"


class HubSpotOptions(HttpOptions):
    """Connection, auth, pacing and mapping options of one HubSpot portal.

    Exactly one auth mode: ``service_key`` (the default for new portals),
    ``access_token`` (a legacy private app's token) or ``oauth``. ``base_url`` must be
    ``https://``, or ``http://`` to a loopback host (a token is never sent in clear).
    """

    model_config = ConfigDict(extra="forbid")

    base_url: str = "https://api.hubapi.com"
    #: Which table of HubSpot paths to call (see paths.py): a dated version or ``legacy``.
    api_version: ApiVersion = NEWEST
    service_key: SecretStr | None = None
    access_token: SecretStr | None = None
    oauth: HubSpotOAuth | None = None
    tier: Tier = "free"
    fields: HubSpotFieldNames = Field(default_factory=HubSpotFieldNames)
    #: Canonical property name -> HubSpot contact property (defaults in mapping.py).
    field_map: dict[str, str] = Field(default_factory=dict)
    #: Extra HubSpot industry codes -> canonical industry names.
    industry_map: dict[str, str] = Field(default_factory=dict)
    #: Share of the daily API allowance syncd may use before it ends a cycle.
    budget_share: float = Field(default=0.8, gt=0, le=1)
    #: Re-read this much before the stored cursor (late, non-monotonic data).
    lookback: Duration = timedelta(minutes=10)
    #: Never read closer to "now" than this (search index lag).
    safety_lag: Duration = timedelta(minutes=2)
    max_concurrency: int = Field(default=4, ge=1, le=16)
    #: Count bot / mail-privacy opens and clicks (``filteredEvent``) as engagement.
    include_filtered_email_events: bool = False
    #: Form names matching this pattern (case-insensitive regex) are ``demo_request``.
    demo_form_pattern: str = r"demo"
    #: More form-name patterns (case-insensitive regex -> activity type, first match
    #: wins); other forms are ``form_submit``. Defaults follow the sandbox's form names.
    form_types: dict[str, str] = Field(
        default_factory=lambda: {
            r"^content download\b": "content_download",
            r"^webinar registration:": "webinar_registered",
            r"^free trial\b": "trial_signup",
        }
    )

    @field_validator("base_url")
    @classmethod
    def _safe_base_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"{value!r} is not a URL with a scheme and a host; "
                "write e.g. https://api.hubapi.com"
            )
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise ValueError(
                f"{value!r} is plain http to a host that is not this machine: the "
                "credential would cross the network in clear; use https://"
            )
        try:
            _ = parts.port
        except ValueError:
            raise ValueError(f"{value!r}: the port is not a number") from None
        return value.strip()

    @model_validator(mode="after")
    def _patterns_compile(self) -> HubSpotOptions:
        for key, pattern in (
            ("demo_form_pattern", self.demo_form_pattern),
            *((f"form_types[{p!r}]", p) for p in self.form_types),
        ):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{key}: not a valid regular expression ({exc})") from None
        return self

    @model_validator(mode="after")
    def _one_auth_mode(self) -> HubSpotOptions:
        modes = [self.service_key, self.access_token, self.oauth]
        if sum(m is not None for m in modes) != 1:
            raise ValueError(
                "set exactly one of service_key (HubSpot service key), access_token "
                "(legacy private app) or oauth"
            )
        return self
