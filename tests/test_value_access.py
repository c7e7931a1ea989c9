"""value-access: fixture pairs, idempotence, and what is reported instead of rewritten."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fixtures import (
    TESTDATA,
    assert_tree_fixture,
    fixture_tests,
    migrate_copy,
    single_file_cases,
    tree_cases,
)

from nnx_migrate.config import Settings
from nnx_migrate.pipeline import run

RULE = "value-access"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


@pytest.mark.parametrize("case", tree_cases(RULE), ids=lambda p: p.name)
def test_tree_fixture(case: Path, tmp_path: Path) -> None:
    assert_tree_fixture(case, tmp_path, RULE)


def test_manual_items_are_reported_with_line_and_advice(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.stem == "manual")
    _, result = migrate_copy(case, tmp_path, RULE)
    found = sorted((d.line, d.message.split(":")[0]) for f in result.files for d in f.diagnostics)
    lines = [line for line, _ in found]
    # item assignment, .append, chained assignment (2 targets), unpacking (2), del, impure receiver
    assert lines == [12, 13, 14, 14, 15, 15, 16, 17]
    assert all(d.advice for f in result.files for d in f.diagnostics)
    text = case.read_text().splitlines()
    for line in (12, 13, 14, 15, 16, 17):  # reported lines stay as they were
        assert ".value" in text[line - 1]


def test_exact_writes_are_counted(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.stem == "writes")
    _, result = migrate_copy(case, tmp_path, RULE)
    edits = [e for f in result.files for e in f.edits]
    exact = [e for e in edits if e.exact_write]
    assert len(exact) == 9  # every write except the three int-literal increments of an array
    assert all(e.safe for e in edits)


def test_a_namespace_package_gives_what_a_regular_package_gives(tmp_path: Path) -> None:
    """train/ without `__init__.py` is still importable as `train.loop` from the folder
    above it: the same rewrites with and without the file."""
    case = TESTDATA / RULE / "namespace_package" / "input"
    outputs = []
    for name, with_init in (("namespace", False), ("regular", True)):
        root = tmp_path / name
        shutil.copytree(case, root)
        if with_init:
            (root / "train" / "__init__.py").touch()
        run([root], Settings(select=[RULE]), root, write=True)
        outputs.append({p.relative_to(root): p.read_text() for p in sorted(root.rglob("*.py")) if p.stat().st_size})
    assert outputs[0] == outputs[1]
    assert "print(extra.calls[...])" in outputs[0][Path("drive.py")]


@pytest.mark.parametrize("helper", [
    "def swap(m):\n    m.scale, m.linear = m.linear, m.scale\n",
    "def load(m, weights):\n    for w in weights:\n        m.scale = w\n",
    "def reset(m):\n    m.scale = 1.5\n",
])
def test_a_store_in_a_file_that_never_says_flax_still_counts(tmp_path: Path, helper: str) -> None:
    model = (
        "import jax.numpy as jnp\nfrom flax import nnx\n\n\n"
        "class Block(nnx.Module):\n"
        "    def __init__(self, dim, *, rngs: nnx.Rngs):\n"
        "        self.scale = nnx.Param(jnp.ones((dim,)))\n"
        "        self.linear = nnx.Linear(dim, dim, rngs=rngs)\n\n"
        "    def __call__(self, x):\n"
        "        return self.linear(x) * self.scale.value\n"
    )
    (tmp_path / "model.py").write_text(model)
    (tmp_path / "helpers.py").write_text(helper)
    run([tmp_path], Settings(select=[RULE]), tmp_path, write=True)
    assert (tmp_path / "model.py").read_text() == model
    (tmp_path / "helpers.py").write_text("def unrelated(m):\n    m.other = None\n")
    run([tmp_path], Settings(select=[RULE]), tmp_path, write=True)
    assert "self.scale[...]" in (tmp_path / "model.py").read_text()


def test_a_mixin_in_a_file_that_never_says_flax_still_counts(tmp_path: Path) -> None:
    (tmp_path / "mixins.py").write_text("class Reset:\n    def reset(self):\n        self.scale = 1.5\n")
    model = (
        "import jax.numpy as jnp\nfrom flax import nnx\nfrom mixins import Reset\n\n\n"
        "class Block(Reset, nnx.Module):\n"
        "    def __init__(self, dim):\n"
        "        self.scale = nnx.Param(jnp.ones((dim,)))\n\n"
        "    def __call__(self, x):\n"
        "        return x * self.scale.value\n"
    )
    (tmp_path / "model.py").write_text(model)
    run([tmp_path], Settings(select=[RULE]), tmp_path, write=True)
    assert (tmp_path / "model.py").read_text() == model
