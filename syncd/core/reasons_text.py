"""The reasons text of a contact (the CRM's one-line explanation field): its
format, its parser and the comparison by meaning, together, so that what is
written and what is read back cannot drift apart.

Format (``format_reasons``): the items in order, ``"; "``-separated, each
``"<rule> <signed points>"`` plus ``" (xN)"`` when N > 1 occurrences counted
(``"title.exec +20; pricing_page +15 (x2); inactivity -10"``); no items read
``"no rules fired"``; a disqualified contact reads ``"disqualified: a, b"``.
The text never exceeds ``limit`` characters: when it would, the tail items are
replaced by ``"…+N more"`` (a disqualified text is cut and ends with ``"…"``).
A contact routed among several models (segments) gets the model first:
``"model: emea@1a2b3c4d; title.exec +20"``, ``"model: emea@1a2b3c4d;
disqualified: student"`` (the model part is never cut; the limit covers it).

A contact scored with a predictive model too carries a trailing
``" | predicted conversion 23%"`` (``with_probability``: the probability as a
whole percent); the whole text, suffix included, stays within ``limit``
because the items are cut to leave room for it.

``parse_reasons`` inverts ``format_reasons`` (and ``with_probability``) (a text it did not produce,
e.g. a hand edit in the CRM, gives ``None``); ``same_rules`` compares two texts
by meaning: the same rules in the same order with the same counts (and the
same number of items cut) and the same model, whatever their points. Rule ids never contain
white space or ``;`` (the model's id syntax), so the format is unambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "MAX_REASONS",
    "NO_RULES",
    "ReasonItem",
    "ReasonsText",
    "format_reasons",
    "join_items",
    "parse_reasons",
    "probability_suffix",
    "rules_only",
    "same_rules",
    "split_probability",
    "with_probability",
]

MAX_REASONS = 255
NO_RULES = "no rules fired"
_DISQUALIFIED = "disqualified: "
MODEL_PREFIX = "model: "
_MODEL_PART = re.compile(r"model: (\S+?); ")
_POINTS = r"[+-]\d+(?:\.\d+)?"
_ITEM = re.compile(rf"(\S+) ({_POINTS})(?: \(x([1-9]\d*)\))?")
_PREDICTED = " | predicted conversion "
_SUFFIX = re.compile(r" \| predicted conversion (0|[1-9]\d?|100)%$")
_MORE = re.compile(r"…\+([1-9]\d*) more")
#: an item's points, where ``_ITEM`` has them: after the rule and before the
#: count, the separator or the end (what ``same_rules`` ignores)
_ITEM_POINTS = re.compile(rf"(?<=\S) {_POINTS}(?= \(x[1-9]\d*\)(?:; |$)|; |$)")


@dataclass(frozen=True, slots=True)
class ReasonItem:
    """One rule shown: its id, its displayed points (an int when whole, else
    one decimal) and how many occurrences counted."""

    rule: str
    points: int | float
    count: int = 1

    def text(self) -> str:
        sign = "+" if self.points >= 0 else ""
        times = f" (x{self.count})" if self.count > 1 else ""
        return f"{self.rule} {sign}{self.points}{times}"


@dataclass(frozen=True, slots=True)
class ReasonsText:
    """What a reasons text says: the items shown and how many were cut
    (``more``), or, when ``disqualified``, the disqualifying rules' ids (as
    ``ReasonItem`` with 0 points; the last may be cut short)."""

    items: tuple[ReasonItem, ...] = ()
    more: int = 0
    disqualified: bool = False
    #: The model named by a routed contact's text (``None``: not named).
    model: str | None = None
    #: The predicted conversion probability shown, in whole percent (None: none).
    percent: int | None = None

    def meaning(self) -> tuple[object, ...]:
        """What ``same_rules`` compares: everything but the points."""
        return (
            self.model,
            self.disqualified,
            self.more,
            tuple((i.rule, i.count) for i in self.items),
            self.percent,
        )


def format_reasons(
    items: Sequence[ReasonItem],
    *,
    disqualified: bool = False,
    limit: int = MAX_REASONS,
    model: str | None = None,
) -> str:
    """The reasons text of ``items`` (see module docstring); ``model`` names
    the model of a routed contact."""
    if model is not None:
        head = f"{MODEL_PREFIX}{model}; "
        return head + format_reasons(
            items, disqualified=disqualified, limit=max(1, limit - len(head))
        )
    if disqualified:
        text = _DISQUALIFIED + (", ".join(i.rule for i in items) or "?")
        return text if len(text) <= limit else text[: limit - 1] + "…"
    return join_items([i.text() for i in items], limit)


def join_items(parts: Sequence[str], limit: int = MAX_REASONS) -> str:
    """The reasons text of items already formatted (``ReasonItem.text``), in
    order: what ``format_reasons`` gives for them when not disqualified."""
    if not parts:
        return NO_RULES
    out = "; ".join(parts)
    if len(out) <= limit:
        return out
    for keep in range(len(parts) - 1, -1, -1):
        tail = f"…+{len(parts) - keep} more"
        head = "; ".join(parts[:keep])
        text = f"{head}; {tail}" if head else tail
        if len(text) <= limit:
            return text
    return f"…+{len(parts)} more"[:limit]


def probability_suffix(probability: float) -> str:
    """The trailing part that shows a predicted conversion probability (0–1)."""
    return f"{_PREDICTED}{round(min(max(probability, 0.0), 1.0) * 100)}%"


def with_probability(items_text: str, probability: float | None) -> str:
    """``items_text`` (already cut to leave room for the suffix: format it with
    ``limit - len(probability_suffix(p))``) followed by the probability part;
    unchanged when ``probability`` is None."""
    return items_text if probability is None else items_text + probability_suffix(probability)


def split_probability(text: str) -> tuple[str, int | None]:
    """(the items' text, the percent shown or None) of a reasons text."""
    m = _SUFFIX.search(text)
    if m is None:
        return text, None
    return text[: m.start()], int(m.group(1))


def _points(s: str) -> int | float:
    return float(s) if "." in s else int(s)


def parse_reasons(text: str) -> ReasonsText | None:
    """What ``text`` says, or ``None`` when ``format_reasons`` cannot have
    produced it."""
    text, percent = split_probability(text)
    model = None
    if text.startswith(MODEL_PREFIX):
        m = _MODEL_PART.match(text)
        if m is None:
            return None
        model, text = m.group(1), text[m.end() :]
    found = _parse_items(text)
    if found is None:
        return None
    return ReasonsText(found.items, found.more, found.disqualified, model, percent)


def _parse_items(text: str) -> ReasonsText | None:
    if text == NO_RULES:
        return ReasonsText()
    if text.startswith(_DISQUALIFIED):
        rules = text[len(_DISQUALIFIED) :].split(", ")
        return ReasonsText(tuple(ReasonItem(r, 0) for r in rules), disqualified=True)
    parts = text.split("; ")
    more = 0
    tail = _MORE.fullmatch(parts[-1])
    if tail is not None:
        more = int(tail.group(1))
        parts.pop()
    items = []
    for p in parts:
        m = _ITEM.fullmatch(p)
        if m is None:
            return None
        items.append(ReasonItem(m.group(1), _points(m.group(2)), int(m.group(3) or 1)))
    if not items and not more:
        return None
    return ReasonsText(tuple(items), more)


def same_rules(a: str, b: str, b_rules: str | None = None) -> bool:
    """Whether two reasons texts mean the same (see module docstring): equal
    once every item's points are removed (for texts ``format_reasons``
    produced, exactly when their ``parse_reasons(...).meaning()`` agree).
    ``b_rules``: ``rules_only(b)`` when the caller has it."""
    return a == b or rules_only(a) == (rules_only(b) if b_rules is None else b_rules)


@lru_cache(maxsize=4096)
def rules_only(text: str) -> str:
    """``text`` without its items' points (many contacts share a text); the
    probability part is kept."""
    head, percent = split_probability(text)
    return _ITEM_POINTS.sub("", head) + ("" if percent is None else f"{_PREDICTED}{percent}%")
