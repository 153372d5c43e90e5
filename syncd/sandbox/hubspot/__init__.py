"""A stateful fake HubSpot portal that the real `hubspot-api-client` (v12) runs against.

    app = HubSpotSandbox(dataset, token="sandbox-token", tier="free", rate_limits=False)
    with SandboxServer(app) as server:
        client = HubSpot(access_token="sandbox-token", host=server.url)

`app.store` is the state (add / get / update / merge / archive / associate, plus email
events, forms, submissions and page views); tests read and write it directly.

Covered (shapes follow HubSpot's public specs and the SDK's models):

- CRM v3 objects for contacts, companies, calls, emails, meetings, notes, tasks
  (path names, singular names and objectTypeIds such as `0-1`):
  list (limit <= 100 else 400, `after`, `properties`, `associations`, `archived=true`
  = only archived), get by id (or `idProperty`; a merged id answers the survivor;
  archived -> 404 unless `archived=true`), search (filterGroups OR-of-ANDs, all
  operators, type-aware sorts incl. hs_object_id, `query`, limit <= 200, `after`,
  5 groups / 6 filters per group / 18 filters, 400 once `after` reaches 10,000),
  batch read (<= 100; unknown ids -> 207 with errors[] OBJECT_NOT_FOUND), batch update
  (<= 100; 207 with errors[] for unknown ids, invalid values and injected partial
  failures, valid inputs applied; an unknown property fails the whole batch with 400
  PROPERTY_DOESNT_EXIST), batch create (201), create (201), PATCH, DELETE and batch
  archive (204), merge. Values are strings in and out; datetimes are answered as ISO-8601;
  hs_object_id, createdate/hs_createdate and lastmodifieddate (contacts, which also carry
  hs_lastmodifieddate) / hs_lastmodifieddate are maintained; every write bumps them
  from the injected clock.
- Properties: list / get / create (201; 400 naming every bad field; 409 if it exists).
- Associations v4 batch read (<= 1,000 inputs) between contacts and companies and
  between engagements and contacts, both directions, HUBSPOT_DEFINED type ids.
- Legacy email events `GET /email/public/v1/events` (OPEN, CLICK with url, STATUSCHANGE
  for unsubscribes; startTimestamp/endTimestamp, recipient, campaignId, offset/hasMore),
  `GET /email/public/v1/campaigns/{id}` (campaign names), forms `GET /marketing/v3/forms`,
  `GET /form-integrations/v1/submissions/forms/{guid}` (limit <= 50, after), web events
  `GET /events/v3/events` (e_visited_page per contact, occurredAfter/Before, after, sort).
- Bearer-token auth (401 INVALID_AUTHENTICATION), rate limits from token buckets on the
  injected clock: 100 (free) / 190 (pro) per 10 s, search 5 per second, a daily counter;
  429 with Retry-After and errorType RATE_LIMIT / policyName TEN_SECONDLY_ROLLING or
  SECONDLY; X-HubSpot-RateLimit-Max/-Remaining/-Interval-Milliseconds/-Daily/
  -Daily-Remaining on every answer (search answers add -Secondly/-Secondly-Remaining).
  `rate_limits=False` turns limiting off. Faults (429/500/503/slow/drop) come from the
  shared harness; `partial` makes batch update inputs fail with 207.

Known differences from the real API:

- The 10,000-cap 400 message and the batch-update error messages are modelled, not
  copied; whether real batch update rejects a whole batch (400) instead of 207 for an
  invalid value varies by error; the fake always answers per input.
- Real search answers carry no X-HubSpot-RateLimit headers; the fake adds them.
- Search is exact-match/case-insensitive, `query` is a substring match over all values;
  no tokenisation, no propertiesWithHistory, no associations in search results.
- Cursors are ids (list) or offsets (search, forms, events), not opaque strings.
- Association batch read returns every association at once (no per-input paging);
  ids without associations come back in errors[] (207), like the real API.
- Email events are newest first; their STATUSCHANGE shape is reduced to the fields a
  connector needs. Form submissions carry only the values the seed gives them.
- department and occupation are portal-defined (custom) contact properties here.
- No owners, deals, tickets, lists, imports, webhooks or v1 contact APIs.
"""

from syncd.sandbox.hubspot.app import HubSpotSandbox
from syncd.sandbox.hubspot.store import Record, Store, StoreError

__all__ = ["HubSpotSandbox", "Record", "Store", "StoreError"]
