"""A session that ends in the middle of a paged query: Salesforce answers the
``nextRecordsUrl`` request 401 ``INVALID_SESSION_ID``; the connector logs in once more
and asks for that same page again (same locator), losing and repeating nothing."""

from __future__ import annotations

import pytest
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession

from syncd.sandbox.http import Request
from tests.kit.salesforce_connector import Org

TOKEN = "POST /services/oauth2/token"
CONTACTS = 4500  # three query pages of 2,000


def _next_page(request: Request) -> bool:
    """A query read past its first page: a ``nextRecordsUrl``
    (``.../query/LOCATOR-N`` or ``.../queryAll/LOCATOR-N``)."""
    head, _, locator = request.path.rpartition("/")
    return request.method == "GET" and head.endswith(("/query", "/queryAll")) and bool(locator)


def test_the_fake_answers_an_ended_session_as_salesforce_does(org: Org) -> None:
    conn = org.connector()
    sf: Salesforce = conn.client.sf
    for i in range(2100):
        org.app.store.insert("Contact", {"LastName": f"C{i}"})
    first = sf.query("SELECT Id FROM Contact")
    org.app.sessions.expiry.arm(_next_page)
    with pytest.raises(SalesforceExpiredSession) as info:
        sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    # Salesforce's answer to an ended session: 401 and this body
    content: object = info.value.content  # the parsed JSON body (typed as bytes)
    assert info.value.status == 401
    assert content == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    with pytest.raises(SalesforceExpiredSession):  # every session issued so far ended
        sf.query("SELECT Id FROM Contact")


def test_session_ending_mid_query_relogs_once_and_rereads_that_page(org: Org) -> None:
    ids = {org.app.store.insert("Contact", {"LastName": f"C{i}"}) for i in range(CONTACTS)}
    org.clock.advance(2)
    conn = org.connector()
    org.app.sessions.expiry.arm(_next_page)
    read = [c.id for page in conn.changes(None, org.clock.utc()) for c in page.contacts]
    assert len(read) == len(set(read)) == CONTACTS and set(read) == ids
    assert org.app.sessions.expiry.sprung == 1
    assert conn.client.logins == 2 and org.requests(TOKEN) == 2  # the first, one re-login
    died = [r for r in org.app.log.requests() if r.status == 401]
    assert len(died) == 1 and "/queryAll/01g" in died[0].path
    again = [r.status for r in org.app.log.requests() if r.path == died[0].path]
    assert again == [401, 200]  # the same nextRecordsUrl, once more with the new session
