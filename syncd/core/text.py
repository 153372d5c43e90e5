"""Text normalisation shared by contacts (normalised once at construction) and
rule literals (normalised once at compile time).

Contract: ``normalise(s)`` is NFKD-decomposed, case-folded, stripped of
combining marks, with Turkish dotless ``ı`` mapped to ``i`` and runs of
whitespace collapsed to one space. It is idempotent:
``normalise(normalise(s)) == normalise(s)``. "MÜDÜR", "Müdür" and "mudur"
normalise to the same string, so do "İstanbul" and "istanbul", and Greek
accents / final sigma disappear ("Διευθυντής" -> "διευθυντησ").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import regex

__all__ = [
    "NORMALISE_CACHE",
    "REGEX_FLAGS",
    "normalise",
    "normalise_company",
    "normalise_pattern",
    "to_number",
]

#: How model regexes are compiled (``regex`` package, ``re``-compatible V0 syntax).
REGEX_FLAGS = regex.IGNORECASE | regex.VERSION0

_SPECIAL = str.maketrans({"ı": "i", "ς": "σ"})


def _strip_marks(s: str) -> str:
    decomposed = unicodedata.normalize("NFKD", s)
    if decomposed.isascii():
        return decomposed
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _once(s: str) -> str:
    return _strip_marks(_strip_marks(s).casefold()).translate(_SPECIAL)


#: Entries of ``normalise``'s cache: enough for the repeated values of a
#: population (titles, industries, URLs, countries), small enough that memory
#: does not grow with the number of contacts (unique values such as e-mail
#: addresses only cycle through it).
NORMALISE_CACHE = 16384


@lru_cache(maxsize=NORMALISE_CACHE)
def normalise(s: str) -> str:
    """Return the matching form of ``s`` (see module docstring)."""
    if s.isascii():
        out = s.lower()
    else:
        out = _once(s)
        # A few characters need a second pass to reach a fixed point
        # (e.g. compatibility forms that case-fold into decomposable letters).
        for _ in range(3):
            nxt = _once(out)
            if nxt == out:
                break
            out = nxt
    return " ".join(out.split())


def normalise_pattern(pattern: str) -> str:
    """Normalise the literal characters of a regular expression.

    Escape sequences (a backslash and the character after it) are copied
    verbatim so ``\\b``, ``\\S``, ``\\W`` keep their meaning; everything else is
    normalised like text, so a pattern written as ``Genel Müdür`` matches the
    normalised subject ``genel mudur``.
    """
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            out.append(pattern[i : i + 2])
            i += 2
            continue
        out.append(_once(ch) if not ch.isascii() else ch.lower())
        i += 1
    return "".join(out)


_LEGAL_SUFFIXES = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "ltd",
        "limited",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "plc",
        "corp",
        "corporation",
        "co",
        "company",
        "as",
        "sti",
        "ltd sti",
        "oy",
        "ab",
        "kg",
        "ohg",
        "ug",
        "sl",
        "slu",
        "ae",
        "ike",
        "epe",
        "pty",
        "pvt",
    }
)
_NON_WORD = re.compile(r"[^\w]+")


def normalise_company(name: str) -> str:
    """Normalised company name used as an account key: text-normalised,
    punctuation removed, trailing legal-form words (Inc, GmbH, A.Ş., …)
    dropped. "ACME, Inc." and "Acme" give "acme"."""
    words = _NON_WORD.sub(" ", normalise(name)).split()
    # "a.s." -> "a s" -> join single letters back into "as"
    joined: list[str] = []
    for w in words:
        if len(w) == 1 and joined and len(joined[-1]) == 1 and joined[-1].isalpha():
            joined[-1] += w
        else:
            joined.append(w)
    while len(joined) > 1 and joined[-1] in _LEGAL_SUFFIXES:
        joined.pop()
    return " ".join(joined)


def to_number(value: object) -> float | None:
    """Interpret a CRM value as a number: ints and floats as they are, numeric
    strings such as ``"120"``, ``" 1,200 "`` or ``"1 200.5"`` parsed; bools,
    empty and non-numeric values give ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        f = float(value)
        return f if f == f else None  # NaN is not a number we can compare
    if isinstance(value, str):
        s = value.strip().replace(",", "").replace("_", "").replace(" ", "")
        if not s:
            return None
        try:
            f = float(s)
        except ValueError:
            return None
        return f if f == f and f not in (float("inf"), float("-inf")) else None
    return None
