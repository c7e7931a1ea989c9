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
    assert ">>> model.count.value" in markdown  # a doctest of a name the page never binds
    assert ">>> counter = Counter(rngs=nnx.Rngs(0))\n>>> counter.count[...]\nArray(0, dtype=int32)\n" in markdown
    assert 'echo "self.count.value"' in markdown  # not a Python block
    assert "self.layers = nnx.List([" in markdown and "counter = Counter(rngs=nnx.Rngs(0))" in markdown
    rst = (tmp_path / "guide.rst").read_text()
    assert "           self.count[...] += 1\n" in rst and "   print(counter.count[...])\n" in rst
    assert "   >>> counter.count[...]\n   Array(1., dtype=float32)\n" in rst  # `.. doctest::`
    assert ">>> counter.count[...] += 1\n>>> print(counter.count[...])\n2.0\n" in rst  # a bare doctest block
    (markdown_result,) = [f for f in result.files if f.path.name == "guide.md"]
    assert ":block_0" in markdown_result.diff
    assert [d.line for d in markdown_result.diagnostics if d.rule == "docs"] == [43]  # `>>> counter.count.value +`
    assert not run([tmp_path], Settings(include_docs=True), tmp_path, write=True).changed


def test_docs_are_left_alone_without_the_flag(tmp_path: Path) -> None:
    result = migrate(tmp_path, include_docs=False)
    assert not result.files
    assert (tmp_path / "guide.md").read_text() == (PAGES / "guide.md").read_text()


NOTEBOOKS = TESTDATA / "notebooks"


def test_myst_notebook_cells_with_magics_are_migrated_around_them(tmp_path: Path) -> None:
    page = tmp_path / "myst_counter.md"
    shutil.copy(NOTEBOOKS / page.name, page)
    result = run([tmp_path], Settings(include_docs=True), tmp_path, write=True)
    assert not result.failed and not result.diagnostics
    before, after = (NOTEBOOKS / page.name).read_text().splitlines(), page.read_text().splitlines()
    assert len(before) == len(after)
    changed = {old: new for old, new in zip(before, after) if old != new}
    assert changed == {
        "  def __init__(self, rngs: nnx.Rngs):": "  def __init__(self, *, rngs: nnx.Rngs):",
        "    self.count.value += 1": "    self.count[...] += 1",
        "counter = Counter(nnx.Rngs(0))": "counter = Counter(rngs=nnx.Rngs(0))",  # inside `%%time`
        "print(counter.count.value)": "print(counter.count[...])",
        "print(counter.count.value > 0)": "print(counter.count[...] > 0)",  # after YAML cell options
    }
    assert "echo counter.count.value" in after  # a `%%bash` cell is not Python
    (file,) = result.files
    assert ":block_1" in file.diff and " %time counter()" in file.diff
    assert {e.line for e in file.edits if e.rule == "value-access"} == {25, 29, 43}  # the page's own lines


def test_jupytext_percent_script_with_magics(tmp_path: Path) -> None:
    script = tmp_path / "train_percent.py"
    shutil.copy(NOTEBOOKS / script.name, script)
    original = script.read_text()
    result = run([tmp_path], Settings(), tmp_path, write=False)
    assert not result.failed and not result.diagnostics
    (file,) = result.files
    name = file.display.lstrip("/")  # an absolute path, as git writes it
    assert file.diff.startswith(f"--- a/{name}\n+++ b/{name}\n@@ -16,18 +16,18 @@")  # one diff
    result = run([tmp_path], Settings(), tmp_path, write=True)
    migrated = script.read_text()
    assert "# %time model = MLP(4, rngs=nnx.Rngs(0))\nprint(model.scale[...])" in migrated  # jupytext's escaped magic
    assert migrated.endswith("%%time\ny = model(jnp.ones((1, 4)))\n!echo done\n")  # magics left in, as they were
    assert "# !pip install -U flax\n# %matplotlib inline\n" in migrated and "`.value` here is prose" in migrated
    assert len(migrated.splitlines()) == len(original.splitlines())
    assert [e.line for e in file.edits if e.rule == "value-access"] == [26, 30]  # the script's own lines
    assert not run([tmp_path], Settings(), tmp_path, write=True).changed


def test_a_plain_script_with_cell_markers_is_an_ordinary_file(tmp_path: Path) -> None:
    script = tmp_path / "cells.py"
    script.write_text("# %%\nfrom flax import nnx\n\n# %%\ny = nnx.Param(1).value  # %time is prose here\n")
    result = run([tmp_path], Settings(), tmp_path, write=True)
    (file,) = result.files
    assert not file.embedded and script.read_text().endswith("y = nnx.Param(1).get_value()  # %time is prose here\n")


def test_sarif_fixes_of_pages_and_scripts_rebuild_the_migrated_files(tmp_path: Path) -> None:
    import json

    from nnx_migrate.report import sarif_report

    for name in ("myst_counter.md", "train_percent.py"):
        shutil.copy(NOTEBOOKS / name, tmp_path / name)
    result = run([tmp_path], Settings(include_docs=True), tmp_path, write=False)
    document = json.loads(sarif_report(result))
    replacements: dict[str, list[dict]] = {}
    for entry in document["runs"][0]["results"]:
        region = entry["locations"][0]["physicalLocation"]["region"]
        assert "properties" not in region  # no cells here: the lines are the file's own
        for fix in entry.get("fixes", []):
            for change in fix["artifactChanges"]:
                replacements.setdefault(change["artifactLocation"]["uri"], []).extend(change["replacements"])
    assert len(replacements) == 2
    migrated = run([tmp_path], Settings(include_docs=True), tmp_path, write=True)
    assert not migrated.failed
    for uri, changes in replacements.items():
        name = Path(uri).name
        text = (NOTEBOOKS / name).read_text()
        for change in sorted(changes, key=lambda c: -c["deletedRegion"]["charOffset"]):
            start, length = change["deletedRegion"]["charOffset"], change["deletedRegion"]["charLength"]
            text = text[:start] + change["insertedContent"]["text"] + text[start + length:]
        assert text == (tmp_path / name).read_text()


def test_a_shell_line_in_a_myst_cell_naming_a_class_keeps_its_signature(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```{code-cell} ipython3\nfrom flax import nnx\n\nclass Block(nnx.Module):\n"
                    "  def __init__(self, rngs: nnx.Rngs):\n    pass\n\n%prun Block(nnx.Rngs(0))\n```\n")
    result = run([tmp_path], Settings(include_docs=True), tmp_path, write=True)
    assert "def __init__(self, rngs: nnx.Rngs)" in page.read_text()  # `%prun`'s call is not analysed
    assert any("keeps `rngs` positional" in d.message for _, d in result.diagnostics)
