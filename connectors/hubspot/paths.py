"""Every HubSpot endpoint the connector calls, one table per API version.

``api_version`` picks a table: ``2026-09`` (the newest dated version this connector
supports, the default) or ``legacy`` (the numeric v1-v4 paths). A key names what a
call does (``objects.search``); its ``Endpoint`` gives the method, the path template,
the API family it belongs to (shown by ``syncd check``) and, for a legacy path, the
date HubSpot stops serving it.

Where HubSpot publishes no dated equivalent yet (marketing e-mail events, e-mail
campaign names, forms, form submissions: none is in the 2026-09 spec collection; the
forms API exists only as ``2026-09-beta``), the dated table keeps the legacy endpoint,
with its sunset date. Nothing else in the connector spells a path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal
from urllib.parse import quote

from connectors.base import CheckItem, FatalError

ApiVersion = Literal["2026-09", "legacy"]
#: The newest dated version this connector supports (the default).
NEWEST: ApiVersion = "2026-09"
VERSIONS: tuple[ApiVersion, ...] = ("2026-09", "legacy")
#: HubSpot: "in September 2027 all legacy APIs (v1-v4) will no longer be supported".
LEGACY_SUNSET = date(2027, 9, 1)
#: HubSpot's changelog asks users of /crm/v4/ to migrate before this day.
V4_SUNSET = date(2027, 3, 30)
#: Dated versions are supported at least 18 months after their release.
DATED_SUPPORTED_UNTIL: Mapping[str, date] = {"2026-09": date(2028, 3, 1)}
OAUTH_API = "OAuth tokens"
#: ``syncd check`` warns this long before a sunset.
WARN_BEFORE_DAYS = 90


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One HTTP operation: ``path(**params)`` fills the template (each value quoted)."""

    api: str
    method: str
    template: str
    #: The day HubSpot stops serving it (None: a dated path, supported as its version).
    sunset: date | None = None

    @property
    def legacy(self) -> bool:
        return self.sunset is not None

    def path(self, **params: str) -> str:
        return self.template.format(**{k: quote(str(v), safe="") for k, v in params.items()})

    def gone(self, now: datetime) -> bool:
        """Whether HubSpot no longer serves it at ``now``."""
        return self.sunset is not None and now.astimezone(UTC).date() >= self.sunset


class EndpointGone(FatalError):
    """HubSpot no longer serves an endpoint (its sunset date has passed, or it answered
    410): a stage that has no other source skips it; elsewhere it is fatal."""

    def __init__(self, endpoint: Endpoint, version: str) -> None:
        when = f" on {endpoint.sunset:%Y-%m-%d}" if endpoint.sunset else ""
        fix = (
            f"set api_version: {NEWEST}"
            if version == "legacy"
            else "HubSpot publishes no dated equivalent; syncd reads without it"
        )
        super().__init__(
            f"HubSpot stopped serving {endpoint.api} ({endpoint.template}){when}; {fix}"
        )
        self.endpoint = endpoint


def _legacy(api: str, method: str, template: str, sunset: date = LEGACY_SUNSET) -> Endpoint:
    return Endpoint(api, method, template, sunset)


#: Endpoints without a dated equivalent in HubSpot's published specs: both tables.
_NO_DATED: dict[str, Endpoint] = {
    "email.events": _legacy("marketing e-mail events", "GET", "/email/public/v1/events"),
    "email.campaign": _legacy(
        "e-mail campaign names", "GET", "/email/public/v1/campaigns/{campaign_id}"
    ),
    "forms.list": _legacy("forms", "GET", "/marketing/v3/forms"),
    "forms.submissions": _legacy(
        "form submissions", "GET", "/form-integrations/v1/submissions/forms/{form_id}"
    ),
}


def _dated(version: str) -> dict[str, Endpoint]:
    obj = f"/crm/objects/{version}/{{object_type}}"
    props = f"/crm/properties/{version}/{{object_type}}"
    return {
        "objects.list": Endpoint("CRM objects", "GET", obj),
        "objects.search": Endpoint("CRM search", "POST", obj + "/search"),
        "objects.batch_read": Endpoint("CRM batch", "POST", obj + "/batch/read"),
        "objects.batch_update": Endpoint("CRM batch", "POST", obj + "/batch/update"),
        "properties.list": Endpoint("properties and groups", "GET", props),
        "properties.create": Endpoint("properties and groups", "POST", props),
        "properties.update": Endpoint("properties and groups", "PATCH", props + "/{name}"),
        "groups.list": Endpoint("properties and groups", "GET", props + "/groups"),
        "groups.create": Endpoint("properties and groups", "POST", props + "/groups"),
        "associations.batch_read": Endpoint(
            "associations",
            "POST",
            f"/crm/associations/{version}/{{from_type}}/{{to_type}}/batch/read",
        ),
        "web.events": Endpoint(
            "web-analytics events", "GET", f"/events/event-occurrences/{version}"
        ),
        "email.list": Endpoint("marketing e-mails", "GET", f"/marketing/emails/{version}"),
        "oauth.token": Endpoint(OAUTH_API, "POST", f"/oauth/{version}/token"),
        **_NO_DATED,
    }


_OBJ = "/crm/v3/objects/{object_type}"
_PROPS = "/crm/v3/properties/{object_type}"
_LEGACY: dict[str, Endpoint] = {
    "objects.list": _legacy("CRM objects", "GET", _OBJ),
    "objects.search": _legacy("CRM search", "POST", _OBJ + "/search"),
    "objects.batch_read": _legacy("CRM batch", "POST", _OBJ + "/batch/read"),
    "objects.batch_update": _legacy("CRM batch", "POST", _OBJ + "/batch/update"),
    "properties.list": _legacy("properties and groups", "GET", _PROPS),
    "properties.create": _legacy("properties and groups", "POST", _PROPS),
    "properties.update": _legacy("properties and groups", "PATCH", _PROPS + "/{name}"),
    "groups.list": _legacy("properties and groups", "GET", _PROPS + "/groups"),
    "groups.create": _legacy("properties and groups", "POST", _PROPS + "/groups"),
    "associations.batch_read": _legacy(
        "associations", "POST", "/crm/v4/associations/{from_type}/{to_type}/batch/read", V4_SUNSET
    ),
    "web.events": _legacy("web-analytics events", "GET", "/events/v3/events"),
    "email.list": _legacy("marketing e-mails", "GET", "/marketing/v3/emails"),
    "oauth.token": _legacy(OAUTH_API, "POST", "/oauth/v1/token"),
    **_NO_DATED,
}

TABLES: Mapping[ApiVersion, Mapping[str, Endpoint]] = {
    "2026-09": _dated("2026-09"),
    "legacy": _LEGACY,
}


def table(version: ApiVersion) -> Mapping[str, Endpoint]:
    return TABLES[version]


@dataclass(frozen=True, slots=True)
class ApiStatus:
    """One API family as ``syncd check`` shows it."""

    api: str
    version: str
    detail: str
    ok: bool
    warning: bool


def statuses(version: ApiVersion, now: datetime) -> list[ApiStatus]:
    """Each API family of ``version``'s table: dated (ok), legacy with its sunset (a
    warning within ``WARN_BEFORE_DAYS``; once past, a failure for ``legacy``, whose
    cycles then fail, and a warning for a dated version, whose cycles skip it)."""
    today = now.astimezone(UTC).date()
    families: dict[str, list[Endpoint]] = {}
    for endpoint in TABLES[version].values():
        families.setdefault(endpoint.api, []).append(endpoint)
    out = []
    for api, endpoints in families.items():
        legacy = [e for e in endpoints if e.sunset is not None]
        if not legacy:
            until = DATED_SUPPORTED_UNTIL.get(version)
            detail = f"dated version {version}" + (
                f" (supported until at least {until:%Y-%m})" if until else ""
            )
            out.append(ApiStatus(api, version, detail, True, False))
            continue
        sunset = min(e.sunset for e in legacy if e.sunset is not None)
        paths = ", ".join(sorted({e.template for e in legacy}))
        left = (sunset - today).days
        if left <= 0 and version == "legacy":  # every cycle fails: a failure
            detail = f"legacy {paths}: past its sunset ({sunset:%Y-%m-%d})"
            out.append(ApiStatus(api, "legacy", detail, False, False))
        elif left <= 0:  # no dated equivalent: cycles run without it
            detail = f"legacy {paths}: past its sunset ({sunset:%Y-%m-%d}); not read"
            out.append(ApiStatus(api, "legacy", detail, True, True))
        else:
            detail = f"legacy {paths}: sunset {sunset:%Y-%m-%d} ({left} days)"
            out.append(ApiStatus(api, "legacy", detail, True, left <= WARN_BEFORE_DAYS))
    return out


def check_items(version: ApiVersion, now: datetime, *, oauth: bool) -> list[CheckItem]:
    """``syncd check`` lines: every API the connector uses, its version, and for a
    legacy one its sunset date (see ``statuses``). The OAuth token
    endpoint is listed only when ``oauth`` is the auth mode."""
    items = []
    for status in statuses(version, now):
        if status.api == OAUTH_API and not oauth:
            continue
        fix = ""
        if status.version == "legacy":
            fix = (
                f"set api_version: {NEWEST}"
                if version == "legacy"
                else "none yet: HubSpot publishes no dated equivalent; syncd keeps the legacy path"
            )
        items.append(
            CheckItem(
                f"API {status.api}",
                status.ok,
                status.detail,
                fix if (status.warning or not status.ok) else "",
                warning=status.warning,
            )
        )
    return items
