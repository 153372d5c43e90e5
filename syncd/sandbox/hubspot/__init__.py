"""A stateful fake HubSpot portal that the real `hubspot-api-client` (v12) runs against.

    app = HubSpotSandbox(dataset, token="sandbox-token", tier="free", rate_limits=False)
    with SandboxServer(app) as server:
        client = HubSpot(access_token="sandbox-token", host=server.url)

`app.store` is the state (add / get / update / merge / archive / associate, plus email
events, forms, submissions and page views); tests read and write it directly.

Covered (shapes follow HubSpot's public specs and the SDK's models):

- Every route under its legacy path (`/crm/v3/objects/...`, `/crm/v4/associations/...`,
  `/events/v3/events`, `/oauth/v1/token`) and under each dated version's path
  (`/crm/objects/2026-09/...`, `/crm/properties/2026-09/...`,
  `/crm/associations/2026-09/...`, `/events/event-occurrences/2026-09`,
  `/oauth/2026-09/token`; 2026-03 too) with the dated shapes where they differ:
  association `toObjectId` a string, search bodies needing every field the dated
  schema requires (`after`, `filterGroups`, `limit`, `properties`, `sorts`).
  `app.sunsets.mark([templates])` (no argument: every legacy route) makes legacy routes
  answer 410 with HubSpot's error body, as after their sunset.
- Validation rules (`app.validation_rules`, `versions.ValidationRule`): on dated batch
  updates an input whose value a rule refuses fails alone in `errors[]` (207) with the
  rule's message; the other inputs apply.
- CRM v3 objects for contacts, companies, calls, emails, meetings, notes, tasks
  (path names, singular names and objectTypeIds such as `0-1`):
  list (limit <= 100 else 400, `after`, `properties`, `associations`, `archived=true`
  = only archived), get by id (or `idProperty`; a merged id answers the survivor;
  archived -> 404 unless `archived=true`), search (filterGroups OR-of-ANDs, all
  operators, type-aware sorts incl. hs_object_id, `query`, limit <= 200, `after`,
  5 groups / 6 filters per group / 18 filters, no result past the 10,000th of a query
  (a page reaching past it is cut short), 400 once `after` reaches 10,000; what a
  keyset-paged read needs: `hs_object_id` compared as a number (`GT`), `BETWEEN` on a
  datetime with epoch milliseconds or ISO-8601 on either end, archived records never
  returned),
  batch read (<= 100; unknown ids -> 207 with errors[] OBJECT_NOT_FOUND), batch update
  (<= 100; 207 with errors[] for unknown ids, invalid values and injected partial
  failures, valid inputs applied; an unknown property fails the whole batch with 400
  PROPERTY_DOESNT_EXIST), batch create (201), create (201), PATCH, DELETE and batch
  archive (204), merge (contacts: a new record with a new id, as HubSpot merges now; see
  `merges.py`). Values are strings in and out; datetimes are answered as ISO-8601;
  hs_object_id, createdate/hs_createdate and lastmodifieddate (contacts, which also carry
  hs_lastmodifieddate) / hs_lastmodifieddate are maintained; every write bumps them
  from the injected clock.
- Properties: list / get / create (201; 400 naming every bad field, an enumeration
  without options included; 409 if it exists);
  update `PATCH /crm/v3/properties/{objectType}/{name}` (200; given fields overwritten,
  `options` replaced as a whole list; 404 for an unknown property; 400 for options on a
  property that is neither enumeration nor bool, or for changing a HubSpot-defined
  property's definition); values of an enumeration with options must be one of them;
  property groups `GET|POST /crm/v3/properties/{objectType}/groups` (201, 409 on a
  duplicate); a property may be created in any existing group of its object type.
- Associations v4 batch read (<= 1,000 inputs) between contacts and companies and
  between engagements and contacts, both directions, HUBSPOT_DEFINED type ids, paged per
  input (`associations_per_input_page`, default 500; `paging.next.after` per result, sent
  back as `after` next to the input's `id`). v3 `associations=` lists the primary company
  as `contact_to_company` and every company as `contact_to_company_unlabeled`.
- Search index lag: a created or updated record becomes searchable `search_lag_s`
  (default 3 s on the injected clock) after the write; until then search sees the previous
  version (or nothing). List, get and batch read see writes at once. One sort only (400).
- Legacy email events `GET /email/public/v1/events` (PROCESSED, SENT, DELIVERED, DEFERRED,
  BOUNCE, OPEN, CLICK with url, SPAMREPORT, STATUSCHANGE for unsubscribes; `filteredEvent`
  on every event, true for seeded mail-privacy opens and link-scanner clicks;
  startTimestamp/endTimestamp, recipient, campaignId, opaque `offset`/hasMore),
  `GET /email/public/v1/campaigns/{id}` (campaign names), marketing e-mails
  `GET /marketing/v3/emails` (dated `/marketing/emails/{version}`; one per campaign,
  naming it in `allEmailCampaignIds`, limit, after, `total`), forms `GET /marketing/v3/forms`,
  `GET /form-integrations/v1/submissions/forms/{guid}` (limit <= 50, after), web events
  `GET /events/v3/events` (e_visited_page; `objectId` optional: without it every
  contact's, portal-wide; objectType, eventType, occurredAfter/Before, after, sort);
  their paging tokens are opaque strings (a forged one answers 400). A page view updates
  the contact's `hs_analytics_num_page_views` / `hs_analytics_last_visit_timestamp` and
  moves its modification date up to the visit; `hs_analytics_last_url` /
  `hs_analytics_last_timestamp` follow the latest view and `hs_analytics_num_visits`
  counts sessions (a view more than 30 minutes after the previous one starts one). A form
  submission updates its contact's `num_conversion_events`, `first_/recent_conversion_
  event_name` ("form: page" when it came from a page) and `_date`, and its modification date.
- Plans (`plan="starter" | "professional" | "enterprise"`, default enterprise; may
  change at run time): the events API (web analytics) is Enterprise only, as HubSpot's
  spec states; below Enterprise it answers 403 MISSING_SCOPES.
  `portal_wide_events = False` makes it refuse reads without `objectId` (400), to test a
  client's per-contact fallback.
- Deals (`/crm/v3/objects/deals`, objectTypeId `0-3`: dealname, dealstage of the default
  pipeline, amount, closedate, createdate, hs_lastmodifieddate; `hs_is_closed` and
  `hs_is_closed_won` recomputed from dealstage on every write) associated to contacts
  (v4 types 3 / 4), and the contacts' `hs_lifecyclestage_<stage>_date` properties, set
  when a write enters a stage whose date is empty (`deals.py`). Known differences: one
  pipeline; no deal->company associations; deals never move a contact's lifecycle stage.
- Company `industry` is an enumeration of HubSpot's codes (`COMPUTER_SOFTWARE`, ...); the
  seed picks among the codes of each generated industry.
- Bearer-token auth (401 INVALID_AUTHENTICATION): the private-app `token`, or OAuth access
  tokens from `POST /oauth/v1/token` (grant_type=refresh_token with the `OAuthApp`'s
  client id/secret and refresh token) that expire after `token_ttl_s` on the injected
  clock (then 401 EXPIRED_AUTHENTICATION). Rate limits from token buckets on the
  injected clock: 100 (free) / 190 (pro) per 10 s, search 5 per second, a daily counter;
  429 with Retry-After and errorType RATE_LIMIT / policyName TEN_SECONDLY_ROLLING or
  SECONDLY; X-HubSpot-RateLimit-Max/-Remaining/-Interval-Milliseconds on every answer
  except search and the token endpoint, -Daily/-Daily-Remaining only for private-app calls.
  `rate_limits=False` turns limiting off. Faults (429/500/503/slow/drop) come from the
  shared harness; `partial` makes batch update inputs fail with 207. An invalid value in a
  batch update answers per input (207) or, with `invalid_mode="whole_batch"`, 400 for the
  whole batch with nothing applied.

Batch reads need `properties` and `propertiesWithHistory` (both specs require them);
`HAS_PROPERTY`/`NOT_HAS_PROPERTY` filters take no value (400); `properties=` names the
portal does not define are left out of answers; companies carry `website` (one seeded
company in five has a website and no domain); the OAuth answer carries `token_use`.

Known differences from the real API:

- HubSpot documents only that a sunset API "will return an error": the 410 status and
  its GONE category are modelled. The shape of a validation rule's refusal in `errors[]`
  (`subCategory` PROPERTY_VALIDATION_RULE, the rule's message in `errors[0].message`) is
  modelled too; rules are not enforced on legacy paths or single-record writes.

- The 10,000-cap 400 message and the batch-update error messages are modelled, not
  copied; which invalid values the real API answers per input and which for the whole
  batch is not documented: the fake does one or the other for all (`invalid_mode`).
- Archiving and merging show in search at once (no index lag for them).
- Search is exact-match/case-insensitive, `query` is a substring match over all values;
  no tokenisation, no propertiesWithHistory, no associations in search results. Search
  `after` is a numeric offset, list `after` the next id (HubSpot's look alike).
- The per-input page size of v4 association reads is modelled (500); ids without
  associations come back in errors[] (207), like the real API.
- Email events are newest first; their STATUSCHANGE shape is reduced to the fields a
  connector needs. Form submissions carry only the values the seed gives them.
- The OAuth token endpoint knows one app and the refresh grant only; it is not rate limited.
- `rate_limits=False` also stops the daily counter (the -Daily-Remaining header then stays
  where it was).
- Only part of HubSpot's industry enumeration is defined.
- department and occupation are portal-defined (custom) contact properties here.
- The 403 of the events API below Enterprise follows the answers integrators report
  (MISSING_SCOPES, naming the web-analytics access the portal lacks); HubSpot documents
  only that the API requires Enterprise.
- Inline `associations=` lists on list pages are never paged (HubSpot pages long ones).
- A page view moves its contact's analytics properties and modification date at once,
  to the view's time; HubSpot sets them when it processes the view (its property
  history names an analytics worker as the source), later, by a delay it does not
  document.
- Marketing e-mails carry only id, name, subject, isAb, isPublished and their campaign
  ids; one e-mail per campaign (HubSpot's A/B and automated e-mails have several).
- No owners, tickets, lists, imports, webhooks or v1 contact APIs.
"""

from syncd.sandbox.hubspot.app import HubSpotSandbox
from syncd.sandbox.hubspot.store import Record, Store, StoreError

__all__ = ["HubSpotSandbox", "Record", "Store", "StoreError"]
