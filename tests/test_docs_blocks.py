"""Python blocks in Markdown/MyST and reStructuredText pages (`--include-docs`)."""

from __future__ import annotations

import shutil
from pathlib import Path

from fixtures import TESTDATA

from nnx_migrate.config import Settings
from nnx_migrate.pipeline import run

PAGES = TESTDATA / "docs"


def migrate(tmp_path: Path, include_docs: bool = True):
    for page in PAGES.iterdir():
        shutil.copy(page, tmp_path / page.name)
    return run([tmp_path], Settings(include_docs=include_docs), tmp_path, write=True)


def test_only_code_blocks_change(tmp_path: Path) -> None:
    result = migrate(tmp_path)
    assert not result.failed and len(result.changed) == 2
    for name in ("guide.md", "guide.rst"):
        before, after = (PAGES / name).read_text().splitlines(), (tmp_path / name).read_text().splitlines()
        assert len(before) == len(after)
        changed = [(old, new) for old, new in zip(before, after) if old != new]
        assert changed and all(".value" in old or "rngs" in old.lower() or "self.layers" in old for old, _ in changed)
    markdown = (tmp_path / "guide.md").read_text()
    assert "`self.count.value` in prose too" in markdown  # prose untouched
    assert ">>> model.count.value" in markdown  # a doctest block is not Python on its own
    assert 'echo "self.count.value"' in markdown  # not a Python block
    assert "self.layers = nnx.List([" in markdown and "counter = Counter(rngs=nnx.Rngs(0))" in markdown
    rst = (tmp_path / "guide.rst").read_text()
    assert "           self.count[...] += 1\n" in rst and "   print(counter.count[...])\n" in rst
    (markdown_result,) = [f for f in result.files if f.path.name == "guide.md"]
    assert ":block_0" in markdown_result.diff
    assert [d.line for d in markdown_result.diagnostics if d.rule == "docs"] == [23]
    assert not run([tmp_path], Settings(include_docs=True), tmp_path, write=True).changed


def test_docs_are_left_alone_without_the_flag(tmp_path: Path) -> None:
    result = migrate(tmp_path, include_docs=False)
    assert not result.files
    assert (tmp_path / "guide.md").read_text() == (PAGES / "guide.md").read_text()
