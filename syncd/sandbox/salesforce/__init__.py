"""A stateful fake Salesforce org (REST API v66.0) that the real simple-salesforce runs against.

Start it with the shared harness and point simple-salesforce at it through
`loopback_session`, which sends every `https://ANY-HOST/...` URL to the fake::

    app = SalesforceSandbox(dataset)
    with SandboxServer(app) as srv:
        sf = Salesforce(instance_url=app.instance_url, session_id=app.new_session(),
                        session=loopback_session(srv.url))

Covered
- Login: OAuth 2.0 `POST /services/oauth2/token` only (no SOAP `login()`):
  JWT bearer, client_credentials and password grants. Apps are registered with
  `register_external_client_app(key, certificate, consumer_secret=,
  pre_authorized=, run_as=)` or `register_connected_app(...)` (same policies;
  only a connected app still offers the password flow). The setup mistakes get
  Salesforce's bodies (see `auth.py`): unknown client `invalid_client_id`, bad
  signature `invalid assertion`, expired `expired authorization code`, wrong
  `aud` `audience is invalid`, unknown or not pre-authorised `sub` `user hasn't
  approved this consumer`, client credentials on a generic login host `request
  not supported on this domain`, without a run-as user `no client credentials
  user enabled`, wrong secret `invalid client credentials`. The host is the
  request's `Host` header, which `loopback_session` preserves. Test knobs:
  `token_failures` (statuses the next token requests answer with),
  `token_redirect` (answer 307 to that URL), `foreign_hosts` (hosts that reach
  the fake but are not its login domain). Sessions expire
  `session_ttl_s` after their last request (the org's session timeout counts
  inactivity; every request restarts it), by the injected clock -> 401
  INVALID_SESSION_ID.
- `GET /services/data/` lists the API versions served (31.0 to 66.0, or
  `api_versions=`); every listed version is served (as 66.0), any other
  answers 404.
- sObjects Lead, Contact, Account, Task, Event, Campaign, CampaignMember, User,
  PermissionSet, PermissionSetAssignment, FieldPermissions with Id (18 chars,
  real key prefixes and checksum), CreatedDate, LastModifiedDate,
  SystemModstamp (bumped on every write) and IsDeleted (deletes are soft).
  `dateTime` values have one-second precision: records written in the same
  second share their SystemModstamp. Account carries a custom
  `Target_Account__c` checkbox for target accounts. `store.merge` merges Leads,
  Contacts or Accounts as Salesforce does: losers are deleted with
  `MasterRecordId` set and their activities move to the survivor.
- Describe carries picklistValues, defaultValue, filterable/sortable (false for
  long text areas), permissionable and the other keys connectors read.
- `GET /services/data/vXX.X/`, `/limits`, `/sobjects`,
  `/sobjects/{T}/describe`, `/sobjects/{T}`; `GET|PATCH|DELETE
  /sobjects/{T}/{id}`, `POST /sobjects/{T}`. A GET whose URI plus headers
  exceed 16,384 bytes is refused with 414.
- SOQL (`/query`, `/queryAll`, `/query/{locator}`): see `soql.py` for the
  grammar — field lists with relationship paths (nested objects in results),
  COUNT(), WHERE with AND/OR/NOT/parentheses, comparisons, [NOT] IN, LIKE,
  null, typed literals (strings with escapes, numbers, booleans, dates,
  date-times with offsets), ORDER BY with NULLS FIRST/LAST, LIMIT, OFFSET
  (≤2000). Pages of 2,000 (`Sforce-Query-Options: batchSize=200..2000`),
  snapshot cursors. Rows tied on every ORDER BY key come back in a seeded
  random order (`seed=`); Id and reference columns sort case-sensitively.
  Errors: MALFORMED_QUERY, INVALID_FIELD (also for WHERE/ORDER BY on long
  text areas), INVALID_TYPE, INVALID_QUERY_FILTER_OPERATOR (malformed Id
  literals).
- Polymorphic Who/What resolve to the `Name` entity (`attributes.type` is
  `Name`; Id, Name, Type, FirstName, LastName, Alias, Email, Phone, Title,
  Username); any other field through them is INVALID_FIELD.
- Tasks and Events whose activity date is older than 365 days (by the clock)
  are archived: `IsArchived` is true and only queryAll returns them.
- sObject Collections `PATCH|POST /composite/sobjects` (≤200 records, allOrNone,
  per-record results in order; failed items carry no `id`, rollback). Records of
  several types may be mixed; each run of one type is a chunk, at most 10 a request.
- Tooling `POST /tooling/sobjects/CustomField`: Metadata validated as a real org
  does (label; Text length; Number precision and scale; Checkbox defaultValue;
  Picklist values). A new field is invisible to the API user (INVALID_FIELD "No
  such column" on read and write, absent from describe) until FieldPermissions
  on a permission set assigned to that user grants read (and edit). A value of
  a Number field is rounded to its scale and refused (NUMBER_OUTSIDE_VALID_RANGE)
  when its integer part has more digits than precision minus scale allows.
- Bulk API 2.0 query and ingest jobs (CSV, `Sforce-Locator`, results files in
  no particular order; OFFSET refused in query jobs).
- Daily API allocation (`daily_api_limit`, every `/services/data/vXX.X/` call
  counts) → 403 REQUEST_LIMIT_EXCEEDED; `Sforce-Limit-Info` on every answer.
- Faults from the harness (429/500/503/drop/slow) with Salesforce error bodies;
  `partial` makes every third record of a collections/bulk write fail with
  UNABLE_TO_LOCK_ROW.

Known differences from the real API
- String comparisons and LIKE are case-insensitive (as in Salesforce) but use
  Python's casefold, not the org's locale collation.
- Not supported: date literals like TODAY/LAST_N_DAYS:n, aggregate functions
  other than COUNT(), GROUP BY, semi-joins (`IN (SELECT ...)`), child
  sub-queries, INCLUDES/EXCLUDES, FOR VIEW, TYPEOF, SOSL.
- The URI limit is computed from the re-encoded query string and the received
  headers, not the raw request line; the 414 body is JSON.
- Query locators never expire and there is no limit on open cursors.
- Field-level security only for fields created through the Tooling API and
  only through permission sets (no profiles, no object permissions); standard
  fields are always visible. No validation rules, triggers, duplicate rules
  or sharing (restricted picklists refuse other values on API writes; picklist
  values cannot be edited after creation); no lead conversion endpoint (converted
  leads are seeded or set through `store.update`), but updating a converted
  lead fails with CANNOT_UPDATE_CONVERTED_LEAD.
- Opportunity's `IsClosed` and `IsWon` are stored as seeded or set through the store,
  not recomputed from `StageName` on API writes; no OpportunityHistory
  (`opportunities.py`).
- Ids sort by their 15-character form, ordinally; real orgs sort Ids by their
  internal key, which agrees for ids minted by one org in sequence.
- Merges happen only through `store.merge` (no merge endpoint).
- Archiving uses the activity date only (not the org's archive settings or
  IsClosed) and is evaluated at query time.
- Bulk query jobs are evaluated when created (a snapshot); ingest jobs are
  processed when closed and report JobComplete at the next status read.
  Bulk calls count against the REST daily allocation; there are no separate
  Bulk batch limits.
- Every listed API version behaves as 66.0 (no per-version differences); a
  retired version answers 404, not 410 GONE. The Tooling API only creates fields.
- Auth leniencies: an org with no app registered accepts any consumer key for
  every grant (JWT signatures unchecked; `syncd sandbox` runs so), and a
  password or client-credentials grant from an unregistered consumer key is
  always accepted; passwords and security tokens are never checked; a token
  logs in as the user named, but every request then runs as the integration
  user (no sharing). A 429 or 5xx token answer has an OAuth-shaped body whose
  exact text Salesforce does not document.
- A collections request of more than 10 chunks is refused whole with 400
  INVALID_BATCH_REQUEST and the message Apex gives; the REST error code for
  this case is not documented.
"""

from syncd.sandbox.salesforce.app import SalesforceSandbox
from syncd.sandbox.salesforce.loopback import loopback_session
from syncd.sandbox.salesforce.store import Store, WriteError

__all__ = ["SalesforceSandbox", "Store", "WriteError", "loopback_session"]
