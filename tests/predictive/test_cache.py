"""``ArtefactCache``: parsed once per content, per cache; a file that is not a
model raises ``InputError`` naming it, a missing one ``OSError``; the ref is
the content's, with or without parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.predictive.cache import ArtefactCache, content_ref
from syncd.predictive.errors import InputError
from tests.predictive.crafted import write_model


def test_parsed_once_per_content_and_per_cache(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    write_model(path, intercept=-1.0)
    one, two = ArtefactCache(), ArtefactCache()
    first = one.get(path)
    assert first.ref == one.ref(path) == content_ref(path.read_bytes())
    path.write_bytes(path.read_bytes())  # rewritten, same content: nothing to parse
    assert one.get(path) is first and one.loads == 1
    assert two.get(path) is not first and two.loads == 1  # caches share nothing
    write_model(path, intercept=-2.0)
    assert one.get(path).artefact.intercept == -2.0 and one.loads == 2


def test_a_bad_or_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text('{"format": "other"}', encoding="utf-8")
    cache = ArtefactCache()
    with pytest.raises(InputError, match=f"^{path}: not a syncd predictive model"):
        cache.get(path)
    assert cache.loads == 0
    with pytest.raises(OSError):
        cache.get(tmp_path / "nowhere.json")
