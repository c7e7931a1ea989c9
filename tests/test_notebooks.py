"""Jupyter notebooks: only code cells change; outputs, metadata, ids and layout stay."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fixtures import TESTDATA

from nnx_migrate.config import Settings
from nnx_migrate.pipeline import run

NOTEBOOK = TESTDATA / "notebooks" / "mlp.ipynb"


def test_notebook_code_cells_are_migrated_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / NOTEBOOK.name
    shutil.copy(NOTEBOOK, target)
    result = run([tmp_path], Settings(), tmp_path, write=True)
    assert not result.failed
    before, after = json.loads(NOTEBOOK.read_text()), json.loads(target.read_text())
    assert target.read_text().endswith("}\n") and target.read_text().startswith('{\n "cells": [\n  {')
    changed = []
    for old, new in zip(before["cells"], after["cells"]):
        assert {k: v for k, v in old.items() if k != "source"} == {k: v for k, v in new.items() if k != "source"}
        if old["source"] != new["source"]:
            changed.append(old["id"])
            assert isinstance(new["source"], list) and not new["source"][-1].endswith("\n")
    assert changed == ["model", "run"]
    model = "".join(after["cells"][3]["source"])
    assert "nnx.List([" in model and "self.scale[...]" in model and "*, rngs" in model
    assert "".join(after["cells"][5]["source"]) == "".join(before["cells"][5]["source"])  # magics: untouched
    assert before["metadata"] == after["metadata"] and after["nbformat"] == 4
    # diffs and reports speak of cells
    (file,) = result.files
    assert "a/" in file.diff and ":cell_3" in file.diff and ":cell_4" in file.diff
    assert all(e.message.startswith("cell ") for e in file.edits)
    notes = [d.message for d in file.diagnostics if d.rule == "notebook"]
    assert len(notes) == 2 and "cell 1" in notes[0] and "cell 5" in notes[1]
    # idempotent
    assert not run([tmp_path], Settings(), tmp_path, write=True).changed


def test_a_magic_cell_calling_a_constructor_keeps_its_signature(tmp_path: Path) -> None:
    document = json.loads(NOTEBOOK.read_text())
    document["cells"][5]["source"] = ["%time other = MLP(4, nnx.Rngs(1))"]
    target = tmp_path / "nb.ipynb"
    target.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    result = run([tmp_path], Settings(), tmp_path, write=True)
    model = "".join(json.loads(target.read_text())["cells"][3]["source"])
    assert "def __init__(self, dim: int, rngs: nnx.Rngs)" in model
    assert any("nb.ipynb#cell5" in d.message for f in result.files for d in f.diagnostics)


def test_a_notebook_with_an_unusual_layout_is_left_alone(tmp_path: Path) -> None:
    document = json.loads(NOTEBOOK.read_text())
    target = tmp_path / "odd.ipynb"
    target.write_text(json.dumps(document, indent=3, sort_keys=True))
    before = target.read_bytes()
    result = run([tmp_path], Settings(), tmp_path, write=True)
    assert target.read_bytes() == before
    (failed,) = result.failed
    assert "layout" in failed.error
