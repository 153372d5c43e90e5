"""Text normalisation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncd.core import normalise
from syncd.core.text import normalise_company, normalise_pattern, to_number


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("MÜDÜR", "mudur"),
        ("Müdür", "mudur"),
        ("İstanbul", "istanbul"),
        ("ISTANBUL", "istanbul"),
        ("ırmak", "irmak"),
        ("SATIŞ MÜDÜRÜ", "satis muduru"),
        ("Geschäftsführer", "geschaftsfuhrer"),
        ("Straße", "strasse"),
        ("Διευθυντής", "διευθυντησ"),
        ("ΔΙΕΥΘΥΝΤΗΣ", "διευθυντησ"),
        ("Διευθύνων  Σύμβουλος", "διευθυνων συμβουλοσ"),
        ("Directeur Général", "directeur general"),
        ("  VP\tSales\n", "vp sales"),
        ("ﬁnance", "finance"),
        ("Ｔｅｃｈ", "tech"),
    ],
)
def test_normalise(a: str, b: str) -> None:
    assert normalise(a) == b


def test_pattern_normalisation_keeps_escapes() -> None:
    assert normalise_pattern(r"\bGenel Müdür\b\S\W") == r"\bgenel mudur\b\S\W"


def test_company_normalisation() -> None:
    assert normalise_company("ACME, Inc.") == "acme"
    assert normalise_company("Anadolu Lojistik A.Ş.") == "anadolu lojistik"
    assert normalise_company("Rheinwerk Logistik GmbH") == "rheinwerk logistik"
    assert normalise_company("Inc") == "inc"


@pytest.mark.parametrize(
    ("v", "n"),
    [
        (120, 120.0),
        ("120", 120.0),
        ("1,200", 1200.0),
        (" 1 200.5 ", 1200.5),
        ("abc", None),
        (True, None),
        ("", None),
        (None, None),
        ("nan", None),
        (float("nan"), None),
    ],
)
def test_to_number(v: object, n: float | None) -> None:
    assert to_number(v) == n


@given(st.text())
def test_normalise_idempotent(s: str) -> None:
    once = normalise(s)
    assert normalise(once) == once
