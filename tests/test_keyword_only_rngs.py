"""keyword-only-rngs: signatures change together with every call site, or not at all."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fixtures import (
    TESTDATA,
    assert_tree_fixture,
    fixture_tests,
    single_file_cases,
    tree_cases,
)

from nnx_migrate.config import Settings
from nnx_migrate.pipeline import run

RULE = "keyword-only-rngs"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


@pytest.mark.parametrize("case", tree_cases(RULE), ids=lambda p: p.name)
def test_tree_fixture(case: Path, tmp_path: Path) -> None:
    assert_tree_fixture(case, tmp_path, RULE)


def _cross_file_copy(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(TESTDATA / RULE / "cross_file" / "input", root)
    return root


def test_blocked_signatures_are_reported_with_the_reason(tmp_path: Path) -> None:
    case = TESTDATA / RULE / "blocked.py"
    shutil.copy(case, tmp_path / case.name)
    result = run([tmp_path], Settings(select=[RULE]), tmp_path, write=True)
    assert (tmp_path / case.name).read_text() == case.read_text()
    reasons = sorted((d.line, d.message) for f in result.files for d in f.diagnostics)
    assert [line for line, _ in reasons] == [5, 10, 15]
    assert "used as a value" in reasons[0][1] and "blocked.py:21" in reasons[0][1]
    assert "*args" in reasons[1][1]
    assert "nnx-migrate: skip" in reasons[2][1]


def test_single_files_only_report(tmp_path: Path) -> None:
    root = _cross_file_copy(tmp_path)
    files = sorted(root.rglob("*.py"))
    before = {p: p.read_text() for p in files}
    result = run(files, Settings(select=[RULE]), root, write=True)
    assert {p: p.read_text() for p in files} == before
    messages = [d.message for f in result.files for d in f.diagnostics]
    assert any("only single files were given" in m for m in messages)


def test_a_caller_that_fails_to_parse_blocks_the_signature(tmp_path: Path) -> None:
    root = _cross_file_copy(tmp_path)
    (root / "pkg" / "broken.py").write_text("from .layers import Block\nBlock(1, 2, rngs\n")
    result = run([root], Settings(select=[RULE]), root, write=True)
    assert "def __init__(self, din: int, dout: int, rngs: nnx.Rngs)" in (root / "pkg" / "layers.py").read_text()
    assert "Block(2, 4, rngs)" in (root / "pkg" / "model.py").read_text()
    assert any("broken.py" in d.message for f in result.files for d in f.diagnostics)
    assert [f.display for f in result.failed] == [f.display for f in result.files if f.path.name == "broken.py"]


def test_changed_signatures_are_announced(tmp_path: Path) -> None:
    root = _cross_file_copy(tmp_path)
    result = run([root], Settings(select=[RULE]), root, write=False)
    announced = sorted(e.message.split("`")[1] for f in result.changed for e in f.edits if e.announce)
    assert announced == ["pkg.layers.Block.__init__", "pkg.model.Model.__init__", "pkg.model.Residual.__init__"]


def test_stdin_and_libcst_tool_only_report(tmp_path: Path) -> None:
    """A single file from stdin or from libcst's tool: its callers elsewhere are unseen."""
    import subprocess
    import sys

    source = (TESTDATA / RULE / "cross_file" / "input" / "pkg" / "layers.py").read_text()
    stdin = subprocess.run([sys.executable, "-m", "nnx_migrate", "-", "--select", RULE, "--no-cache"],
                           input=source, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert stdin.returncode == 0 and stdin.stdout == source
    assert "only single files were given" in stdin.stderr
    target = tmp_path / "layers.py"
    target.write_text(source)
    subprocess.run([sys.executable, "-m", "libcst.tool", "codemod", "-x", "--no-format", "--hide-progress",
                    "nnx_migrate.codemods.keyword_only_rngs.KeywordOnlyRngsCommand", str(target)],
                   capture_output=True, text=True, timeout=120, check=True)
    assert target.read_text() == source


def _reasons(result) -> dict[int, str]:
    return {d.line: d.message for f in result.files for d in f.diagnostics if d.rule == RULE}


def test_local_classes_whose_calls_cannot_all_be_seen_keep_their_signature(tmp_path: Path) -> None:
    case = TESTDATA / RULE / "local_classes_unseen.py"
    shutil.copy(case, tmp_path / case.name)
    reasons = _reasons(run([tmp_path], Settings(select=[RULE]), tmp_path, write=True))
    assert (tmp_path / case.name).read_text() == case.read_text()
    assert "may name `Block` or something else (local_classes_unseen.py:14)" in reasons[12]
    assert "used as a value" in reasons[19]
    assert "may name `Block` or something else (local_classes_unseen.py:32)" in reasons[27]
    assert "may name `Shared` or something else" in reasons[39]


def test_transformed_constructors_are_reported_with_the_transform(tmp_path: Path) -> None:
    case = TESTDATA / RULE / "transformed_constructor.py"
    shutil.copy(case, tmp_path / case.name)
    reasons = _reasons(run([tmp_path], Settings(select=[RULE]), tmp_path, write=True))
    assert "runs under the decorator `nnx.split_rngs`" in reasons[14]
    assert "runs under the decorator `nnx.remat`" in reasons[20]
    assert "runs under the decorator `jax.vmap`" in reasons[26]


def test_public_constructors_of_a_published_project_change_only_as_unsafe_fixes(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(TESTDATA / RULE / "published_library" / "input", root)
    result = run([root], Settings(select=[RULE], unsafe_fixes=True), root, write=True)
    layers = (root / "src" / "mylib" / "layers.py").read_text()
    assert "class Block(nnx.Module):  # public: kept\n    def __init__(self, din, *, rngs" in layers
    assert "def __init__(self, din, *, rngs: nnx.Rngs):\n        self.linear = nnx.Linear(din, 8" in layers
    assert "return Block(2, rngs=rngs), Wide(2, rngs=rngs)" in layers
    assert "Block(2, rngs=rngs)" in (root / "tests" / "test_layers.py").read_text()
    unsafe = [e for f in result.changed for e in f.edits if not e.safe]
    assert sorted(e.line for e in unsafe) == [7, 12]


def test_a_class_checked_by_a_module_s_own_isinstance_keeps_its_signature(tmp_path: Path) -> None:
    case = TESTDATA / RULE / "shadowed_isinstance.py"
    shutil.copy(case, tmp_path / case.name)
    reasons = _reasons(run([tmp_path], Settings(select=[RULE]), tmp_path, write=True))
    assert (tmp_path / case.name).read_text() == case.read_text()
    assert "used as a value" in reasons[12], reasons
