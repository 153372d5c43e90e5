"""Options of a Salesforce connector, as written under ``connectors.NAME`` in
the config file (the engine adds the keys every connector shares: ``type``,
``model``, ``schedule``). Pure pydantic: no I/O.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from connectors.options import Duration, HttpOptions
from connectors.salesforce.limits import API_VERSION, QUERY_PAGE_MAX

#: Salesforce's announced end of password logins (see docs/salesforce.md).
PASSWORD_FLOW_END = "SOAP login() retires with Summer '27, June 2027"

GENERIC_LOGIN_HOSTS = frozenset({"login.salesforce.com", "test.salesforce.com"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Instance hosts from before My Domain (``na123.salesforce.com``, ``cs42...``).
_INSTANCE_HOST = re.compile(r"^[a-z]{2,3}\d+\.salesforce\.com$")
#: Why client credentials need My Domain, said once for the error and the docs.
CLIENT_CREDENTIALS_DOMAIN = (
    "client_credentials needs the org's My Domain URL (https://YOUR-DOMAIN.my.salesforce.com) "
    "as instance_url: the flow names no user, so only the org's own domain tells "
    "Salesforce which org's app and run-as user to use, and login.salesforce.com "
    "answers it with 'request not supported on this domain'"
)


def check_url(url: str) -> str:
    """A Salesforce base URL: http(s) with a host; plain http only for loopback."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise ValueError(
            f"{url!r} is not a URL: write it with its scheme, e.g. https://{url.strip('/')}"
            if "://" not in url
            else f"{url!r} is not a URL with a host"
        )
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{url}: must be an https URL")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError(
            f"{url}: plain http is allowed only for loopback hosts; use https://{parts.netloc}"
        )
    return url


class PasswordAuth(BaseModel):
    """Username-password OAuth flow (legacy: existing connected apps only)."""

    model_config = ConfigDict(extra="forbid")

    flow: Literal["password"]
    username: str
    password: SecretStr
    security_token: SecretStr = SecretStr("")
    consumer_key: str
    consumer_secret: SecretStr


class JwtAuth(BaseModel):
    """JWT bearer flow (the default): an External Client App (or an existing connected
    app) with the certificate of ``private_key`` and ``username`` pre-authorised."""

    model_config = ConfigDict(extra="forbid")

    flow: Literal["jwt"]
    username: str
    consumer_key: str
    private_key: SecretStr | None = None
    private_key_file: Path | None = None

    @model_validator(mode="after")
    def _one_key(self) -> JwtAuth:
        if (self.private_key is None) == (self.private_key_file is None):
            raise ValueError("set exactly one of private_key or private_key_file")
        return self


class ClientCredentialsAuth(BaseModel):
    """Client-credentials flow: the app's run-as user; only on the org's My Domain."""

    model_config = ConfigDict(extra="forbid")

    flow: Literal["client_credentials"]
    consumer_key: str
    consumer_secret: SecretStr


SalesforceAuth = Annotated[
    PasswordAuth | JwtAuth | ClientCredentialsAuth, Field(discriminator="flow")
]


class SalesforceFieldNames(BaseModel):
    """API names of syncd's custom fields (on Lead and Contact; account fields on Account)."""

    model_config = ConfigDict(extra="forbid")

    score: str = "Syncd_Score__c"
    tier: str = "Syncd_Tier__c"
    reasons: str = "Syncd_Reasons__c"
    scored_at: str = "Syncd_Scored_At__c"
    mql_at: str = "Syncd_MQL_At__c"
    priority: str = "Syncd_Priority__c"
    #: The predicted conversion probability, Number(4,3) (only with ``predictive``).
    probability: str = "Syncd_Conversion_Probability__c"
    account_score: str = "Syncd_Account_Score__c"
    account_summary: str = "Syncd_Account_Summary__c"
    #: Permission set that ``syncd setup`` grants field-level security through.
    permission_set: str = "Syncd_Integration"


class ExtraActivitySource(BaseModel):
    """A custom object whose rows are activities of a Lead or Contact."""

    model_config = ConfigDict(extra="forbid")

    object: str
    type: str
    who_field: str
    at_field: str = "CreatedDate"
    #: Extra fields copied into the activity's attributes: attribute -> field.
    fields: dict[str, str] = Field(default_factory=dict)
    #: Optional equality filters: field -> value (quoted safely).
    where: dict[str, str | int | float | bool] = Field(default_factory=dict)


class SalesforceOptions(HttpOptions):
    """Connection, auth, limits and mapping options of one Salesforce org."""

    RENAMED: ClassVar[dict[str, str]] = {"timeout_s": "timeout", "bulk_poll_s": "bulk_poll"}

    model_config = ConfigDict(extra="forbid")

    instance_url: str | None = None
    login_url: str = "https://login.salesforce.com"
    api_version: str = API_VERSION
    auth: SalesforceAuth
    fields: SalesforceFieldNames = Field(default_factory=SalesforceFieldNames)
    #: Canonical property name -> Lead/Contact field (defaults in mapping.py).
    field_map: dict[str, str] = Field(default_factory=dict)
    extra_activities: list[ExtraActivitySource] = Field(default_factory=list)
    #: Share of the org's daily API allocation syncd may use before it ends a cycle.
    budget_share: float = Field(default=0.8, gt=0, le=1)
    lookback: Duration = timedelta(minutes=15)
    #: Use Bulk API 2.0 for a read expected to return more records than this.
    bulk_read_threshold: int = Field(default=10_000, ge=1)
    #: Use Bulk API 2.0 ingest for more pending updates than this.
    bulk_write_threshold: int = Field(default=10_000, ge=1)
    #: Rows per Bulk API 2.0 query results page (one engine page each). The default is
    #: a REST query page, so a page costs the engine the same memory on either path.
    bulk_page_records: int = Field(default=QUERY_PAGE_MAX, ge=1, le=100_000)
    #: Time between Bulk API 2.0 job status polls.
    bulk_poll: Duration = timedelta(seconds=2)
    #: Account checkbox marking priority/target accounts (account property ``priority``).
    account_priority_field: str | None = None

    @field_validator("instance_url", "login_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        return None if v is None else check_url(v)

    @model_validator(mode="after")
    def _hosts(self) -> SalesforceOptions:
        if isinstance(self.auth, ClientCredentialsAuth):
            host = urlsplit(self.instance_url or self.login_url).hostname
            if host in GENERIC_LOGIN_HOSTS:
                raise ValueError(CLIENT_CREDENTIALS_DOMAIN)
        return self

    def config_warnings(self) -> list[str]:
        """What works today but should change: the legacy password flow, a
        generic login host or an old instance host instead of My Domain."""
        found: list[str] = []
        if isinstance(self.auth, PasswordAuth):
            found.append(
                "auth.flow password is legacy: Salesforce is retiring password logins "
                f"({PASSWORD_FLOW_END}); External Client Apps do not offer it; "
                "move to flow: jwt (see docs/salesforce.md)"
            )
        if self.instance_url is None and urlsplit(self.login_url).hostname in GENERIC_LOGIN_HOSTS:
            found.append(
                f"login_url {self.login_url} is a generic login host; prefer the org's "
                "My Domain URL (https://YOUR-DOMAIN.my.salesforce.com) as instance_url"
            )
        for key, url in (("instance_url", self.instance_url), ("login_url", self.login_url)):
            host = urlsplit(url or "").hostname or ""
            if _INSTANCE_HOST.match(host):
                found.append(
                    f"{key} {url} names a Salesforce instance, which changes when the org "
                    "moves; use the org's My Domain URL (https://YOUR-DOMAIN.my.salesforce.com)"
                )
        return found
