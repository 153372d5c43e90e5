"""Fast matchers built once per rule at compile time.

A *field matcher* has the signature ``(raws, norms) -> bool`` with the field
name baked in: ``raws`` maps names to original values (for numeric tests),
``norms`` to normalised text (for text tests). Literals are normalised and
regexes compiled here, never at match time.

Semantics: ``equals``/``in`` compare normalised text, or numbers when the
literal is a number (``"1,200"`` equals ``1200``); ``contains`` is a substring
test (any of a list); ``regex`` is a search on normalised text (a list: any
of them) with the ``regex`` package, ``re`` syntax, time-bounded (see
``compile_regex``);
``min``/``max`` are inclusive numeric bounds (non-numeric values never
match); ``exists`` tests presence. ``not_*`` operators match when the value is
missing. Several operators / fields are ANDed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import regex

from .schema import Condition, ScalarValue
from .text import REGEX_FLAGS, normalise, normalise_pattern, to_number
from .types import Activity, Contact, Scalar

__all__ = [
    "ActivityPredicate",
    "ContactPredicate",
    "activity_matcher",
    "compile_regex",
    "contact_matcher",
    "is_number_literal",
    "literal_text",
    "may_backtrack",
]

FieldMatcher = Callable[[Mapping[str, Scalar], Mapping[str, str]], bool]
#: Longest a model regex may search one value (seconds).
REGEX_TIMEOUT_S = 0.05
ContactPredicate = Callable[[Contact], bool]
ActivityPredicate = Callable[[Activity], bool]


def literal_text(lit: ScalarValue) -> str:
    """A model literal as the normalised text it is compared against."""
    if isinstance(lit, bool):
        return "true" if lit else "false"
    return normalise(str(lit))


def is_number_literal(lit: ScalarValue) -> bool:
    """Whether a model literal compares numerically (booleans do not)."""
    return isinstance(lit, int | float) and not isinstance(lit, bool)


def _one_of(key: str, lits: Sequence[ScalarValue]) -> FieldMatcher:
    texts = frozenset(literal_text(x) for x in lits if not is_number_literal(x))
    nums = frozenset(float(x) for x in lits if is_number_literal(x))
    if not nums:
        if len(texts) == 1:
            (only,) = texts

            def eq1(raws: Mapping[str, Scalar], norms: Mapping[str, str]) -> bool:
                return norms.get(key) == only

            return eq1

        def in_text(raws: Mapping[str, Scalar], norms: Mapping[str, str]) -> bool:
            return norms.get(key) in texts

        return in_text

    def in_any(raws: Mapping[str, Scalar], norms: Mapping[str, str]) -> bool:
        v = norms.get(key)
        if v is None:
            return False
        if v in texts:
            return True
        n = to_number(raws.get(key))
        return n is not None and n in nums

    return in_any


def _negate(key: str, m: FieldMatcher) -> FieldMatcher:
    def neg(raws: Mapping[str, Scalar], norms: Mapping[str, str]) -> bool:
        return key not in norms or not m(raws, norms)

    return neg


def _contains(key: str, lits: Sequence[str]) -> FieldMatcher:
    subs = tuple(normalise(x) for x in lits)
    if len(subs) == 1:
        (sub,) = subs

        def contains1(raws: Mapping[str, Scalar], norms: Mapping[str, str]) -> bool:
            v = norms.get(key)
            return v is not None and sub in v

        return contains1

    def contains_any(raws: Mapping[str, Scalar], norms: Mapping[str, str]) -> bool:
        v = norms.get(key)
        return v is not None and any(s in v for s in subs)

    return contains_any


def compile_regex(patterns: Sequence[str]) -> Callable[[str], bool]:
    """Whether the normalised patterns, joined as alternatives, are found in a
    text. A search running past ``REGEX_TIMEOUT_S`` (only a pattern that
    backtracks catastrophically gets there) counts as not found."""
    if len(patterns) == 1:
        joined = normalise_pattern(patterns[0])
    else:
        joined = "|".join(f"(?:{normalise_pattern(p)})" for p in patterns)
    search = regex.compile(joined, REGEX_FLAGS).search

    def found(text: str) -> bool:
        try:
            return search(text, timeout=REGEX_TIMEOUT_S) is not None
        except TimeoutError:
            return False

    return found


def _unbounded_at(pattern: str, i: int) -> bool:
    """Whether an unbounded quantifier (``+``, ``*``, ``{n,}``) starts at ``i``."""
    if i >= len(pattern):
        return False
    if pattern[i] in "+*":
        return True
    if pattern[i] == "{":
        end = pattern.find("}", i)
        body = pattern[i + 1 : end] if end > 0 else ""
        return body.endswith(",") and body[:-1].isdigit()
    return False


def may_backtrack(pattern: str) -> bool:
    """Whether ``pattern`` repeats a group that itself holds a repetition
    (``(a+)+``, ``(\\w+\\s?)*``): the shape whose searches can take
    exponential time. A heuristic for warnings; ``compile_regex`` bounds
    the time of every search anyway."""
    stack: list[bool] = []  # per open group: it holds an unbounded quantifier
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":  # a class: skip to its end (a leading "]" or "^]" is literal)
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i = j + 1
            continue
        if ch == "(":
            stack.append(False)
        elif ch == ")" and stack:
            inner = stack.pop()
            repeated = _unbounded_at(pattern, i + 1)
            if inner and repeated:
                return True
            if (inner or repeated) and stack:
                stack[-1] = True
        elif _unbounded_at(pattern, i) and stack:
            stack[-1] = True
        i += 1
    return False


def _regex(key: str, patterns: Sequence[str]) -> FieldMatcher:
    found = compile_regex(patterns)

    def rx(raws: Mapping[str, Scalar], norms: Mapping[str, str]) -> bool:
        v = norms.get(key)
        return v is not None and found(v)

    return rx


def _range(key: str, lo: float | None, hi: float | None) -> FieldMatcher:
    low = float("-inf") if lo is None else lo
    high = float("inf") if hi is None else hi

    def rng(raws: Mapping[str, Scalar], norms: Mapping[str, str]) -> bool:
        n = to_number(raws.get(key))
        return n is not None and low <= n <= high

    return rng


def _exists(key: str, want: bool) -> FieldMatcher:
    def ex(raws: Mapping[str, Scalar], norms: Mapping[str, str]) -> bool:
        return (key in norms) is want

    return ex


def field_matcher(key: str, cond: Condition) -> FieldMatcher:
    """Compile one condition on field ``key`` (all its operators ANDed)."""
    parts: list[FieldMatcher] = []
    if cond.equals is not None:
        parts.append(_one_of(key, [cond.equals]))
    if cond.not_equals is not None:
        parts.append(_negate(key, _one_of(key, [cond.not_equals])))
    if cond.in_ is not None:
        parts.append(_one_of(key, cond.in_))
    if cond.not_in is not None:
        parts.append(_negate(key, _one_of(key, cond.not_in)))
    if cond.contains is not None:
        parts.append(_contains(key, cond.contains))
    if cond.not_contains is not None:
        parts.append(_negate(key, _contains(key, cond.not_contains)))
    if cond.regex is not None:
        parts.append(_regex(key, cond.regex))
    if cond.min is not None or cond.max is not None:
        parts.append(_range(key, cond.min, cond.max))
    if cond.exists is not None:
        parts.append(_exists(key, cond.exists))
    if len(parts) == 1:
        return parts[0]
    tup = tuple(parts)

    def all_of(raws: Mapping[str, Scalar], norms: Mapping[str, str]) -> bool:
        return all(p(raws, norms) for p in tup)

    return all_of


def contact_matcher(when: Mapping[str, Condition]) -> ContactPredicate:
    """Compile property conditions: ``NAME`` reads the contact then its
    account (the merged look-up); ``account.NAME`` reads the account only."""
    on_contact = tuple(field_matcher(k, c) for k, c in when.items() if not k.startswith("account."))
    on_account = tuple(field_matcher(k[8:], c) for k, c in when.items() if k.startswith("account."))
    if len(on_contact) == 1 and not on_account:
        (m,) = on_contact

        def single(c: Contact) -> bool:
            return m(c.raw, c.norm)

        return single

    def pred(c: Contact) -> bool:
        return all(m(c.raw, c.norm) for m in on_contact) and all(
            m(c.account_raw, c.account_norm) for m in on_account
        )

    return pred


def activity_matcher(when: Mapping[str, Condition]) -> ActivityPredicate | None:
    """Compile conditions on an activity's fields; ``None`` when there are none
    (every activity of the rule's types matches)."""
    ms = tuple(field_matcher(k, c) for k, c in when.items())
    if not ms:
        return None
    if len(ms) == 1:
        (m,) = ms

        def single(a: Activity) -> bool:
            return m(a.attrs, a.norm)

        return single

    def pred(a: Activity) -> bool:
        return all(m(a.attrs, a.norm) for m in ms)

    return pred
