"""A stateful fake Salesforce org (REST API v59.0) that the real simple-salesforce runs against.

Start it with the shared harness and point simple-salesforce at it through
`loopback_session`, which sends every `https://ANY-HOST/...` URL to the fake::

    app = SalesforceSandbox(dataset)
    with SandboxServer(app) as srv:
        sf = Salesforce(instance_url=app.instance_url, session_id=app.new_session(),
                        session=loopback_session(srv.url))

Covered
- Login: OAuth 2.0 `POST /services/oauth2/token` (password, client_credentials,
  JWT bearer — the assertion is decoded without checking its signature, but
  iss/sub/aud/exp must be present) and the SOAP partner login
  (`POST /services/Soap/u/{v}`). Any credentials are accepted. Sessions expire
  after `session_ttl_s` by the injected clock → 401 INVALID_SESSION_ID.
- sObjects Lead, Contact, Account, Task, Event, Campaign, CampaignMember, User
  with Id (18 chars, real key prefixes and checksum), CreatedDate,
  LastModifiedDate, SystemModstamp (bumped on every write) and IsDeleted
  (deletes are soft). Account carries a custom `Target_Account__c` checkbox for
  target accounts (real orgs do this with a custom field too).
- `GET /services/data/`, `/v59.0/`, `/limits`, `/sobjects`,
  `/sobjects/{T}/describe`, `/sobjects/{T}`; `GET|PATCH|DELETE
  /sobjects/{T}/{id}`, `POST /sobjects/{T}`.
- SOQL (`/query`, `/queryAll`, `/query/{locator}`): see `soql.py` for the
  grammar — field lists with relationship paths (nested objects in results),
  COUNT(), WHERE with AND/OR/NOT/parentheses, comparisons, [NOT] IN, LIKE,
  null, typed literals (strings with escapes, numbers, booleans, dates,
  date-times with offsets), ORDER BY with NULLS FIRST/LAST, LIMIT, OFFSET
  (≤2000). Pages of 2,000 (`Sforce-Query-Options: batchSize=200..2000`),
  snapshot cursors. Errors: MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE.
- sObject Collections `PATCH|POST /composite/sobjects` (≤200 records, allOrNone,
  per-record results in order, rollback).
- Tooling `POST /tooling/sobjects/CustomField` (syncd's score fields do not
  exist until created; writing an unknown field → 400 INVALID_FIELD).
- Bulk API 2.0 query and ingest jobs (CSV, `Sforce-Locator`, results files).
- Daily API allocation (`daily_api_limit`, every `/services/data/vXX.X/` call
  counts) → 403 REQUEST_LIMIT_EXCEEDED; `Sforce-Limit-Info` on every answer.
- Faults from the harness (429/500/503/drop/slow) with Salesforce error bodies;
  `partial` makes every third record of a collections/bulk write fail with
  UNABLE_TO_LOCK_ROW.

Known differences from the real API
- String comparisons and LIKE are case-insensitive (as in Salesforce) but use
  Python's casefold, not the org's locale collation. Sorting is stable on
  insertion order for ties; Salesforce gives no order for ties.
- Not supported: date literals like TODAY/LAST_N_DAYS:n, aggregate functions
  other than COUNT(), GROUP BY, semi-joins (`IN (SELECT ...)`), child
  sub-queries, INCLUDES/EXCLUDES, FOR VIEW, TYPEOF, SOSL.
- Polymorphic relationships (Who, What) report the concrete type in
  `attributes.type` (the real API says `Name`) and accept any field of any
  referenced type.
- Query locators never expire and there is no limit on open cursors.
- No field-level security, validation rules, triggers, duplicate rules,
  picklist restrictions or sharing; no lead conversion endpoint (converted
  leads are seeded or set through `store.update`), but updating a converted
  lead fails with CANNOT_UPDATE_CONVERTED_LEAD.
- Bulk query jobs are evaluated when created (a snapshot); ingest jobs are
  processed when closed and report JobComplete at the next status read.
  Bulk calls count against the REST daily allocation; there are no separate
  Bulk batch limits.
- Only one API version (59.0) is served; the Tooling API only creates fields.
"""

from syncd.sandbox.salesforce.app import SalesforceSandbox
from syncd.sandbox.salesforce.loopback import loopback_session
from syncd.sandbox.salesforce.store import Store, WriteError

__all__ = ["SalesforceSandbox", "Store", "WriteError", "loopback_session"]
