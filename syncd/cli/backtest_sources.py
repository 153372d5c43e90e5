"""Where ``syncd backtest`` gets its history: a JSONL file of canonical
contacts with outcomes (``--data``), or a connector's state store.

Both give a ``Replay``: the contacts as they were just before the cut
(``syncd.evaluate.as_of_contact``: earlier activities only, no excluded
property; contacts created at or after the cut left out) and, for the
contacts still open at the cut, whether the positive outcome followed within
the window. Contacts that had already converted before the cut are scored
(their activities count for their account-mates) but not judged. A converted
lead kept as a record of its own is one person with the record it became
(``syncd.evaluate.converted``), judged once by that record's outcomes.

Default cut: the window before the end of the history, so every judged
contact's whole window is observed. For a file, the end is its newest date
(latest activity or outcome); for a connector, now.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from syncd.core import Contact, ContactError, contact_from_json, parse_datetime
from syncd.core.contract import to_epoch
from syncd.core.outcomes import Outcome, OutcomeRule
from syncd.evaluate import Exclusions, as_of_contact, label
from syncd.evaluate.converted import fold_converted
from syncd.state import Store

__all__ = ["DataError", "Replay", "read_outcome_file", "replay", "replay_store"]

#: Bad lines listed before a file is given up on.
MAX_REPORTED = 20


class DataError(Exception):
    """The input cannot be used; ``problems`` are ``FILE:LINE: reason`` lines."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(problems[0] if problems else "input not usable")
        self.problems = list(problems)


@dataclass
class Replay:
    cut: datetime
    rule: OutcomeRule
    #: Everything scored at the cut, in input order.
    contacts: list[Contact] = field(default_factory=list)
    #: Judged contacts: id -> converted within the window.
    labels: dict[str, bool] = field(default_factory=dict)
    converted_before: int = 0
    created_after: int = 0
    not_scorable: int = 0


def _outcome(obj: Any, rule: OutcomeRule) -> tuple[Outcome, ...]:
    """The outcomes of one line's ``outcome`` object (raises ValueError)."""
    if not isinstance(obj, Mapping):
        raise ValueError("'outcome' must be an object such as {\"converted\": false}")
    converted = obj.get("converted")
    if not isinstance(converted, bool):
        raise ValueError("'outcome.converted' must be true or false")
    if not converted:
        return ()
    text = obj.get("at")
    at = parse_datetime(text) if isinstance(text, str) else None
    if at is None:
        raise ValueError("'outcome.at' must be an ISO-8601 date-time when converted is true")
    return (Outcome(kind=rule.target, at=at, key="outcome"),)


def read_outcome_file(
    lines: Iterable[bytes], source: str, rule: OutcomeRule
) -> list[tuple[Contact, tuple[Outcome, ...]]]:
    """Every contact of a ``--data`` file with its outcome; raises
    ``DataError`` listing the bad lines (all of them are read first)."""
    found: list[tuple[Contact, tuple[Outcome, ...]]] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        where = f"{source}:{number}"
        try:
            data = json.loads(raw.decode("utf-8-sig"))
            if not isinstance(data, dict):
                raise ValueError("a line must be one JSON object (a contact)")
            if "outcome" not in data:
                raise ValueError("no 'outcome' (e.g. {\"converted\": false})")
            outcomes = _outcome(data.pop("outcome"), rule)
            contact = contact_from_json(data)
        except UnicodeDecodeError:
            problems.append(f"{where}: not UTF-8")
            continue
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not JSON ({exc.msg}, column {exc.colno})")
            continue
        except (ValueError, ContactError) as exc:
            problems.append(f"{where}: {exc}")
            continue
        if contact.id in seen:
            problems.append(
                f"{where}: duplicate id {contact.id!r} (first on line {seen[contact.id]})"
            )
            continue
        seen[contact.id] = number
        found.append((contact, outcomes))
    if problems:
        raise DataError(problems)
    return found


def file_horizon(items: Sequence[tuple[Contact, tuple[Outcome, ...]]]) -> float | None:
    """The newest date of a file (epoch seconds): latest activity or outcome."""
    stamps = [a.ts for c, _o in items for a in c.activities[:1]]
    stamps += [to_epoch(o.at) for _c, outs in items for o in outs]
    return max(stamps) if stamps else None


def replay(
    items: Iterable[tuple[Contact, tuple[Outcome, ...]]],
    rule: OutcomeRule,
    cut: datetime,
    exclusions: Exclusions,
) -> Replay:
    """The ``Replay`` of contacts with their outcomes at ``cut``."""
    out = Replay(cut=cut, rule=rule)
    cut_ts = to_epoch(cut)
    for contact, outcomes in fold_converted(items, cut_ts):
        then = as_of_contact(contact, cut_ts, exclusions)
        if then is None:
            out.created_after += 1
            continue
        out.contacts.append(then)
        verdict = label(outcomes, rule, cut)
        if verdict == "before":
            out.converted_before += 1
        else:
            out.labels[then.id] = bool(verdict)
    return out


def replay_store(
    store: Store, connector: str, rule: OutcomeRule, cut: datetime, exclusions: Exclusions
) -> Replay:
    """The ``Replay`` of every stored contact of ``connector`` (whole account
    groups, so account signals see every account-mate)."""
    outcomes = store.outcomes(connector)
    items: list[tuple[Contact, tuple[Outcome, ...]]] = []
    unusable = 0
    for group in store.all_groups(connector, 500):
        for row in group:
            if row.contact is None:
                unusable += 1
            else:
                items.append((row.contact, outcomes.get(row.id, ())))
    out = replay(items, rule, cut, exclusions)
    out.not_scorable = unusable
    return out
