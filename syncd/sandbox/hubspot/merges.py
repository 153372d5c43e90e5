"""Contact merges as HubSpot performs them (``POST /crm/v3/objects/contacts/merge``).

Checked against HubSpot's developer changelog ("Updated merge functionality for contacts
and companies") and its knowledge base ("Merge records"):

* A merge creates a NEW record with a new id; both the primary and the merged record
  disappear (not live, not searchable, not listed, not in ``archived=true`` listings).
  Reading either old id answers the new record (with the new id). The new record lists
  both old ids (and whatever they had absorbed before) in ``hs_merged_object_ids``.
* Property values: the primary's value wins; the secondary's fills only values the
  primary lacks. Exceptions kept here: ``email`` stays the primary's and the secondary's
  address joins ``hs_additional_emails``; the lifecycle stage furthest down the funnel
  wins; the page-view counter adds up and the last visit is the later one.
* The timeline combines both records: engagements and companies associated with either
  record are associated with the new one (a primary company label comes from the
  primary record first); page views follow the new id. E-mail events and form
  submissions are keyed by e-mail address, so they stay attached to the addresses,
  which the new record now holds (primary and additional).
* The new record's ``createdate`` is the primary's; its modification date is the merge.

Known differences: HubSpot's merge runs asynchronously ("up to 30 minutes for all of the
contacts' activities to sync"); here it is immediate. Company merges keep the older
behaviour (the primary keeps its id; see ``Store.merge``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from syncd.sandbox.hubspot.schema import LIFECYCLE_STAGES, PRIMARY_TYPES, iso_ms, parse_time

if TYPE_CHECKING:
    from syncd.sandbox.hubspot.store import Record, Store

__all__ = ["merge_contacts"]


def _ids(value: str | None) -> list[str]:
    return [part for part in (value or "").split(";") if part]


def _merged_properties(primary: Record, other: Record) -> dict[str, str]:
    props = {k: v for k, v in other.properties.items() if v}
    props.update({k: v for k, v in primary.properties.items() if v})
    email = primary.properties.get("email") or other.properties.get("email") or ""
    extra = [
        *_ids(primary.properties.get("hs_additional_emails")),
        other.properties.get("email") or "",
        *_ids(other.properties.get("hs_additional_emails")),
    ]
    seen: list[str] = []
    for address in extra:
        if address and address.lower() != email.lower() and address.lower() not in seen:
            seen.append(address.lower())
    props["hs_additional_emails"] = ";".join(seen)
    stages = [
        s
        for s in (primary.properties.get("lifecyclestage"), other.properties.get("lifecyclestage"))
        if s in LIFECYCLE_STAGES
    ]
    if stages:
        props["lifecyclestage"] = max(stages, key=LIFECYCLE_STAGES.index)
    views = sum(
        int(r.properties.get("hs_analytics_num_page_views") or "0") for r in (primary, other)
    )
    if views:
        props["hs_analytics_num_page_views"] = str(views)
    visits = [
        parse_time(r.properties.get("hs_analytics_last_visit_timestamp") or "") or 0
        for r in (primary, other)
    ]
    if max(visits):
        props["hs_analytics_last_visit_timestamp"] = iso_ms(max(visits))
    old = [primary.id, other.id]
    old += _ids(primary.properties.get("hs_merged_object_ids"))
    old += _ids(other.properties.get("hs_merged_object_ids"))
    props["hs_merged_object_ids"] = ";".join(dict.fromkeys(old))
    return props


def merge_contacts(store: Store, primary_id: str, merged_id: str) -> Record:
    """Merge two live contacts into a new record; returns the new record."""
    from syncd.sandbox.hubspot.store import StoreError

    primary, other = store.get("contacts", primary_id), store.get("contacts", merged_id)
    if primary is None or other is None or primary is other:
        raise StoreError(f"cannot merge contacts {merged_id} into {primary_id}")
    now = store.now_ms()
    new_id = store.add(
        "contacts",
        _merged_properties(primary, other),
        created_ms=primary.created_ms,
        modified_ms=now,
    )
    for old in (primary, other):
        old.merged_into = new_id
    for (src, dst), table in list(store.links.items()):
        if src != "contacts":
            continue
        label = PRIMARY_TYPES.get((src, dst))
        has_primary = False
        for old in (primary, other):
            for to_id, types in list(table.get(old.id, {}).items()):
                first = label is not None and label in types and not has_primary
                has_primary = has_primary or first
                store.associate("contacts", new_id, dst, to_id, primary=first)
    for (src, dst), table in store.links.items():
        for old in (primary, other):
            if src == "contacts":
                table.pop(old.id, None)
            elif dst == "contacts":
                for targets in table.values():
                    targets.pop(old.id, None)
    for view in store.page_views:
        if view.contact_id in (primary.id, other.id):
            view.contact_id = new_id
    merged = store.raw("contacts", new_id)
    assert merged is not None
    return merged
