"""The engine's model cache follows the content of a model file and of its
attachments (the priority accounts CSV): a running daemon picks up an edited
target-account list at its next cycle, without the model file changing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from syncd.core import ModelError
from syncd.modelfile import load_model
from syncd.sync import Engine
from tests.kit.memory_crm import MemoryCRM
from tests.kit.seed import MODEL
from tests.sync.helpers import make_engine, write_config


@pytest.fixture()
def engine(tmp_path: Path) -> Iterator[tuple[Engine, Path]]:
    folder = tmp_path / "models"
    folder.mkdir()
    model = folder / "default.yaml"
    shutil.copy(MODEL, model)
    shutil.copy(MODEL.parent / "priority-accounts.csv", folder / "priority-accounts.csv")
    app, _ = make_engine(
        write_config(tmp_path, f"sqlite:///{tmp_path / 's.db'}", model), MemoryCRM()
    )
    yield app, model
    app.close()


def _same_stamp(path: Path, stat: os.stat_result) -> None:
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_an_edited_priority_csv_gives_a_new_model_the_model_file_unchanged(
    engine: tuple[Engine, Path],
) -> None:
    app, model = engine
    first = app.load(model)
    assert app.load(model) is first  # unchanged: the compiled model is kept
    csv = model.parent / "priority-accounts.csv"
    before = csv.stat()
    csv.write_text(csv.read_text(encoding="utf-8") + "001NEWTARGET,,\n", encoding="utf-8")
    _same_stamp(csv, before)  # same mtime: only the content tells
    second = app.load(model)
    assert second is not first and second.ref != first.ref
    assert second.ref == load_model(model).ref
    assert app.load(model) is second


def test_a_model_file_replaced_within_the_same_mtime_is_reloaded(
    engine: tuple[Engine, Path],
) -> None:
    app, model = engine
    first = app.load(model)
    before = model.stat()
    text = model.read_text(encoding="utf-8").replace("points: 20", "points: 25", 1)
    assert text != model.read_text(encoding="utf-8")
    model.write_text(text, encoding="utf-8")
    _same_stamp(model, before)
    assert app.load(model).ref != first.ref


def test_a_missing_attachment_then_restored_is_followed(engine: tuple[Engine, Path]) -> None:
    app, model = engine
    first = app.load(model)
    csv = model.parent / "priority-accounts.csv"
    kept = csv.read_text(encoding="utf-8")
    csv.unlink()
    with pytest.raises(ModelError, match=r"priority-accounts\.csv"):
        app.load(model)
    csv.write_text(kept, encoding="utf-8")
    assert app.load(model).ref == first.ref
