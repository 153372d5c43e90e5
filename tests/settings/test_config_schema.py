"""Walking the settings' shape alongside a document: the keys allowed at a
place, whatever way a union of connector types is declared."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import Discriminator, Field, Tag

from syncd.configschema import keys_of
from syncd.settings import HubSpotConnectorConfig, SalesforceConnectorConfig

BY_KEY = Annotated[HubSpotConnectorConfig | SalesforceConnectorConfig, Field(discriminator="type")]
BY_FUNCTION = Annotated[
    Annotated[HubSpotConnectorConfig, Tag("hubspot")]
    | Annotated[SalesforceConnectorConfig, Tag("salesforce")],
    Discriminator(lambda v: v.get("type") if isinstance(v, dict) else None),
]


@pytest.mark.parametrize("tp", [BY_KEY, BY_FUNCTION], ids=["key", "function"])
def test_the_connector_type_decides_the_keys(tp: Any) -> None:
    sf = keys_of(tp, {"type": "Salesforce", "model": "default"})
    hs = keys_of(tp, {"type": "hubspot", "login_url": "x"})
    assert sf is not None and "instance_url" in sf and "base_url" not in sf
    assert hs is not None and "base_url" in hs and "instance_url" not in hs


def test_an_undecided_union_allows_any_members_keys() -> None:
    keys = keys_of(BY_KEY, {"typo": 1})
    assert keys is not None and {"base_url", "instance_url"} <= set(keys)
