"""Jupyter notebooks: only the Python of code cells changes; outputs, metadata, ids, the
JSON layout and every IPython escape (magics, shell lines, help) stay byte for byte."""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures import TESTDATA
from hypothesis import given
from hypothesis import strategies as st
from IPython.core.inputtransformer2 import TransformerManager

from nnx_migrate.config import Settings
from nnx_migrate.ipython import Masker, MaskError
from nnx_migrate.pipeline import run

NOTEBOOKS = TESTDATA / "notebooks"
NOTEBOOK = NOTEBOOKS / "mlp.ipynb"
COLAB = NOTEBOOKS / "colab_mlp.ipynb"


def cell_source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def migrate_copy(tmp_path: Path, notebook: Path, name: str | None = None):
    target = tmp_path / (name or notebook.name)
    shutil.copy(notebook, target)
    return run([tmp_path], Settings(), tmp_path, write=True), target


# --- masking, checked against IPython's own input transformer ---------------------------

# Cells whose escapes each take one line: IPython's transformer rewrites exactly the
# lines nnx-migrate masks, and leaves the Python lines alone.
ESCAPE_CELLS = {
    "line magic": "%matplotlib inline\nimport jax\n",
    "shell": "!pip install -U flax\n!!ls\n",
    "statement after %time": "%time model = MLP(4, nnx.Rngs(0))\nprint(model.scale.value)\n",
    "statement after %timeit options": "%timeit -n 10 -r 2 model(x)\n%timeit -t -n1 model(x)\n",
    "assignment from shell and magic": "files = !ls\nout = %sx ls\nx[0] = !pwd\n",
    "help": "model?\nmodel.layers??\n?model\n??model\nmodel.layers[0]?\n%time?\n",
    "auto-call and quoting": "/print 1\n,print a b\n;print a b\n",
    "indented escapes": "for i in range(2):\n    %time y = g(i)\n    !echo {i}\n    files = !ls\n",
    "Colab forms stay code": 'x = 3  # @param {type:"integer"}\n# @title Setup { display-mode: "form" }\n',
    "not escapes": "x = f(1,\n  !2)\ns = '''\n!not an escape\n%neither\n'''\ny = 1  # why?\nz = a % b\n",
}


def masked_lines(source: str) -> set[int]:
    masked = Masker(source).mask(source)
    assert masked is not None
    return {n for n, (old, new) in enumerate(zip(source.splitlines(), masked.text.splitlines())) if old != new}


def ipython_lines(source: str) -> set[int]:
    transformed = TransformerManager().transform_cell(source).splitlines()
    assert len(transformed) == len(source.splitlines())
    return {n for n, (old, new) in enumerate(zip(source.splitlines(), transformed)) if old != new}


@pytest.mark.parametrize("source", ESCAPE_CELLS.values(), ids=ESCAPE_CELLS.keys())
def test_masked_lines_are_the_lines_ipython_transforms(source: str) -> None:
    if source.startswith("x = f(1,"):  # not valid IPython at all: compare only the string lines
        assert masked_lines("s = '''\n!not an escape\n%neither\n'''\ny = 1  # why?\n") == set()
        return
    assert masked_lines(source) == ipython_lines(source)
    masker = Masker(source)
    masked = masker.mask(source)
    assert masker.unmask(masked.text) == source


def test_the_statement_after_time_stays_python() -> None:
    source = "%time model = MLP(4, nnx.Rngs(0))\n%timeit -n 10 -r 2 model(x)  # timed\n%matplotlib inline\n"
    masked = Masker(source).mask(source)
    lines = masked.text.splitlines()
    assert lines[0].startswith("model = MLP(4, nnx.Rngs(0))  # ")
    assert lines[1].startswith("model(x)  # timed  # ")
    assert lines[2].startswith("...  # ")
    assert masked.prefixes == {1: len("%time "), 2: len("%timeit -n 10 -r 2 ")}
    assert masked.residual == "%matplotlib inline"  # not analysed: names in it may still be callers


def test_cell_magics_with_python_keep_their_body_and_others_are_foreign() -> None:
    masker = Masker("")
    setup = "%%timeit -n 2 model = MLP(4, nnx.Rngs(0))\nmodel(x)\n"
    masked = masker.mask(setup)
    assert masked.text.startswith("model = MLP(4, nnx.Rngs(0))  # ") and masked.prefixes == {1: len("%%timeit -n 2 ")}
    assert masker.unmask(masked.text) == setup
    for magic in ("%%time", "%%timeit -n 2", "%%capture out", "%%prun"):
        masked = masker.mask(f"\n{magic}\nfor i in range(2):\n    !echo {{i}}\n    y = model.w.value\n")
        assert not masked.foreign and "    y = model.w.value" in masked.text
        assert masked.text.splitlines()[1].startswith("...  # ")
    for magic in ("%%bash", "%%writefile model.py", "%%html", "%%javascript"):
        masked = masker.mask(f"{magic}\nmodel = MLP(4, nnx.Rngs(0)).w.value\n")
        assert masked.foreign and masked.text == "" and masked.residual == ""


def test_a_backslash_continued_escape_is_one_escape() -> None:
    source = "!pip install \\\n    flax\nx = 1\n"
    masker = Masker(source)
    masked = masker.mask(source)
    assert len(masked.text.splitlines()) == 3 and masked.text.endswith("x = 1\n")
    assert masker.unmask(masked.text) == source
    assert TransformerManager().transform_cell(source).startswith("get_ipython().system(")


def test_what_cannot_be_masked_safely_is_refused() -> None:
    masker = Masker("")
    assert masker.mask("x = f(\n!ls)\n") is None  # not an escape inside brackets: does not parse
    assert masker.mask("print(1)?\n") is None  # IPython itself rejects this help target
    assert masker.mask("   %time x\n") is None  # an indented first line
    assert masker.escapes == {}  # nothing left behind by the refused cells


def test_a_changed_placeholder_is_refused() -> None:
    source = "%time y = f(x)\n!ls -la\n"
    masker = Masker(source)
    text = masker.mask(source).text
    statement, shell = text.splitlines()
    masker.unmask(text)  # as it came
    with pytest.raises(MaskError):  # a rewrite that made the timed statement two lines
        masker.unmask(statement.replace("f(x)", "f(\n    x)") + "\n" + shell + "\n")
    with pytest.raises(MaskError):
        masker.unmask(statement + "\n" + shell.replace("...", "pass") + "\n")
    with pytest.raises(MaskError):
        seen: dict[str, int] = {}
        masker.unmask(statement + "\n", seen)
        masker.check_all_restored(seen)


POOL = [
    "%time y = model(x)\n", "%timeit -n 3 model(x)\n", "%matplotlib inline\n", "!pip install -U flax\n",
    "files = !ls\n", "model?\n", "??nnx.Linear\n", "/print 1\n", ";print a b\n", ",print a b\n",
    "x = model.w.value\n", "for i in range(3):\n", "    !echo {i}\n", "    %time z = i\n", "    pass\n",
    "s = '''\n", "!inside a string\n", "'''\n", "f(1,\n", "  2)\n", "y = 1  # @param {type:'integer'}\n",
    "!ls \\\n", "%%time\n", "\n", "print(x?)\n", "d = {'a': [1,\n", "  %not_magic]}\n", "a.b[0]??\n",
    "t = \"x\" if a else 'y'  # c?\n", "x = a % b\n", "    y = !ls\n", "if x:\n", "    %matplotlib\n",
    "z = (1 +\n", "     !2)\n", "    u = %sx ls\n", "w = f'{a!r}'\n",
]


@given(st.lists(st.sampled_from(POOL), max_size=10), st.booleans())
def test_masking_round_trips_byte_for_byte(lines: list[str], without_last_newline: bool) -> None:
    source = "".join(lines)
    if without_last_newline:
        source = source.rstrip("\n")
    masker = Masker(source)
    masked = masker.mask(source)
    if masked is None:
        return  # left out and reported
    assert len(masked.text.splitlines()) == len(source.splitlines())
    assert masker.unmask(masked.text) == source


@given(st.lists(st.sampled_from([line for line in POOL if not line.endswith(("\\\n", "%%time\n"))]), min_size=1, max_size=8))
def test_masked_lines_agree_with_ipython_on_any_cell(lines: list[str]) -> None:
    source = "".join(lines)
    masked = Masker(source).mask(source)
    if masked is None:
        return  # not Python even masked (IPython would fail on it too, or it is indented)
    try:
        transformed = TransformerManager().transform_cell(source).splitlines()
    except SyntaxError:
        return
    assert len(transformed) == len(source.splitlines())
    ipython = {n for n, (old, new) in enumerate(zip(source.splitlines(), transformed)) if old != new}
    assert ipython == {n for n, (old, new) in enumerate(zip(source.splitlines(), masked.text.splitlines())) if old != new}


# --- a Colab notebook, migrated ---------------------------------------------------------

def source_lines(raw: str) -> set[int]:
    """Numbers of the lines of a notebook file inside the `source` of a code cell."""
    numbers, in_code, closing = set(), False, None
    for number, line in enumerate(raw.splitlines()):
        if closing is not None:
            if line == closing:
                closing = None
            else:
                numbers.add(number)
            continue
        if re.match(r'\s*"cell_type": "(\w+)"', line):
            in_code = '"code"' in line
        match = re.match(r'(\s*)"source": \[$', line)
        if match and in_code:
            closing = match.group(1) + "]"
    return numbers


ESCAPE_LINE = re.compile(r"^\s*(?:[%!?/;,]|\w+ = [!%])|\?\s*$")
TIMED = re.compile(r"\s*%{1,2}time(?:it)?\s+(?:-\w(?:\s*\d+)?\s+)*")


def test_colab_notebook_migrates_completely(tmp_path: Path) -> None:
    result, target = migrate_copy(tmp_path, COLAB)
    assert not result.failed
    (file,) = result.files
    assert file.diagnostics == []  # nothing left for a person to do
    cells = {cell["metadata"]["id"]: cell_source(cell) for cell in json.loads(target.read_text())["cells"]}
    assert "def __init__(self, din: int, dmid: int, dout: int, *, rngs: nnx.Rngs):" in cells["model"]
    assert "self.layers = nnx.List([" in cells["model"] and "self.count[...] += 1" in cells["model"]
    # inside %%time: the constructor call (a seen caller), the optimizer, the `.value` read
    assert cells["train"].startswith("%%time\nmodel = MLP(2, hidden_dim, 1, rngs=nnx.Rngs(seed))\n")
    assert "nnx.Optimizer(model, optax.adam(learning_rate), wrt=nnx.Param)" in cells["train"]
    assert "optimizer.update(model, grads)" in cells["train"] and "{model.count[...]}" in cells["train"]
    assert "print(y_pred.shape, model.head.bias.shape)" in cells["eval"]
    assert "  print(layer.kernel.shape)" in cells["capture"] and "print(out.shape, model.count[...])" in cells["loop"]
    # `%%timeit`'s setup statement on its first line is Python too
    assert cells["timeit-setup"] == ("%%timeit -n 2 -r 1 probe = MLP(2, hidden_dim, 1, rngs=nnx.Rngs(1))\n"
                                     "probe(x).block_until_ready()\nprobe.count[...]")
    # the Colab form and the non-Python cells stay as they were
    original = {cell["metadata"]["id"]: cell_source(cell) for cell in json.loads(COLAB.read_text())["cells"]}
    for untouched in ("install", "hparams", "bash", "writefile", "html", "imports"):
        assert cells[untouched] == original[untouched]
    assert not run([tmp_path], Settings(), tmp_path, write=True).changed  # idempotent


def test_colab_notebook_is_byte_identical_outside_the_migrated_code(tmp_path: Path) -> None:
    _, target = migrate_copy(tmp_path, COLAB)
    old_raw, new_raw = COLAB.read_text(encoding="utf-8"), target.read_text(encoding="utf-8")
    old_lines, new_lines = old_raw.splitlines(), new_raw.splitlines()
    old_code, new_code = source_lines(old_raw), source_lines(new_raw)
    changes = [op for op in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes()
               if op[0] != "equal"]
    assert len(changes) >= 8
    for _, i1, i2, j1, j2 in changes:
        assert set(range(i1, i2)) <= old_code and set(range(j1, j2)) <= new_code
    before, after = json.loads(old_raw), json.loads(new_raw)
    assert before["metadata"] == after["metadata"] and len(before["cells"]) == len(after["cells"])
    for old, new in zip(before["cells"], after["cells"]):
        assert {k: v for k, v in old.items() if k != "source"} == {k: v for k, v in new.items() if k != "source"}
        escapes = [line for line in cell_source(old).splitlines() if ESCAPE_LINE.search(line)]
        kept = [line for line in cell_source(new).splitlines() if ESCAPE_LINE.search(line)]
        assert len(escapes) == len(kept)
        for escape, now in zip(escapes, kept):  # a timed statement may change, its magic not
            magic = TIMED.match(escape)
            assert now == escape or (magic and now.startswith(magic.group(0)))
    assert sum(bool(ESCAPE_LINE.search(line)) for cell in before["cells"] for line in cell_source(cell).splitlines()) >= 18


def test_colab_notebook_diffs_go_cell_by_cell_with_the_magics_as_context(tmp_path: Path) -> None:
    target = tmp_path / COLAB.name
    shutil.copy(COLAB, target)
    result = run([tmp_path], Settings(), tmp_path, write=False)
    (file,) = result.files
    headers = re.findall(r"^--- a/\S*?(colab_mlp\.ipynb:cell_\d+)$", file.diff, re.MULTILINE)
    assert headers == [f"colab_mlp.ipynb:cell_{n}" for n in (6, 7, 8, 9, 10, 11, 12, 16)]
    train = file.diff.split("colab_mlp.ipynb:cell_7\n@@")[1].split("--- a/")[0]
    assert train.splitlines()[1] == " %%time"
    assert "-model = MLP(2, hidden_dim, 1, nnx.Rngs(seed))" in train
    assert " %time y_pred = model(x)" in file.diff and " !echo batch {n}" in file.diff
    assert "placeholder" not in file.diff and "nnx-ipython" not in file.diff
    # reports name the cell (1-based, counting every cell, as ruff does) and the line inside it
    timed = next(e for e in file.edits if e.cell == 7 and e.rule == "keyword-only-rngs")
    assert timed.line == 2
    shape = next(e for e in file.edits if e.cell == 8)
    assert (shape.line, shape.column) == (3, len("print(y_pred.shape, model.head.bias.value.")) and shape.rule == "value-access"
    timed_call = next(e for e in file.edits if e.cell == 11)
    assert timed_call.line == 4  # `print(out.shape, model.count.value)`, after the indented escapes
    assert target.read_bytes() == COLAB.read_bytes()  # --diff writes nothing


RUNNER = r'''
import json, sys, warnings
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.text import SList

shell = InteractiveShell.instance()
ran = []
shell.system = lambda command: ran.append(command)  # no `pip install` here
shell.getoutput = lambda command, split=True, depth=0: SList(["a.txt", "b.txt"])
shell.register_magic_function(lambda line: None, "line", "matplotlib")  # no GUI backend here
errors = []
show = shell.showtraceback
def record(*args, **kwargs):
    errors.append(repr(sys.exc_info()[1]))
    show(*args, **kwargs)
shell.showtraceback = record
shell.showsyntaxerror = lambda *args, **kwargs: errors.append("SyntaxError")
warnings.simplefilter("error", DeprecationWarning)
failures = {}
for number, cell in enumerate(json.load(open(sys.argv[1], encoding="utf-8"))["cells"], start=1):
    if cell["cell_type"] == "code":
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        outcome = shell.run_cell(source, store_history=False)
        error = outcome.error_before_exec or outcome.error_in_exec
        if error is not None or errors:
            failures[number] = errors[:1] or [repr(error)]
        errors.clear()
print("FAILURES " + json.dumps(failures))
print("SHELL " + json.dumps(ran))
'''


def run_in_ipython(notebook: Path, workdir: Path) -> tuple[dict, list]:
    """Each code cell in a real IPython shell, as a notebook kernel runs it (magics, `%%time`,
    `%%capture`, help), shell commands only recorded, DeprecationWarnings as errors."""
    env = {**os.environ, "IPYTHONDIR": str(workdir / "ipython"), "JAX_PLATFORMS": "cpu"}
    completed = subprocess.run([sys.executable, "-c", RUNNER, str(notebook)], cwd=workdir, env=env,
                               capture_output=True, text=True, timeout=600)
    lines = completed.stdout.splitlines()
    failures = json.loads(next(line for line in lines if line.startswith("FAILURES "))[9:])
    shell = json.loads(next(line for line in lines if line.startswith("SHELL "))[6:])
    return failures, shell


def test_migrated_colab_notebook_runs_on_flax_0_12_8_without_deprecations(tmp_path: Path) -> None:
    _, target = migrate_copy(tmp_path, COLAB)
    (tmp_path / "run").mkdir()
    failures, shell = run_in_ipython(target, tmp_path / "run")
    assert failures == {}
    assert shell == ["pip install -U flax", "echo batch {n}", "echo batch {n}"]  # IPython expands `{n}` later
    assert (tmp_path / "run" / "notes.py").exists()  # %%writefile ran as written
    # the same runner fails the notebook as it was: the plain list of layers, then the rest
    failures, _ = run_in_ipython(COLAB, tmp_path / "run")
    assert "ValueError" in failures["7"][0] and len(failures) >= 4


# --- the small notebook, cell numbering, cells that cannot be masked --------------------

def test_notebook_code_cells_are_migrated_and_nothing_else(tmp_path: Path) -> None:
    result, target = migrate_copy(tmp_path, NOTEBOOK)
    assert not result.failed
    before, after = json.loads(NOTEBOOK.read_text()), json.loads(target.read_text())
    assert target.read_text().endswith("}\n") and target.read_text().startswith('{\n "cells": [\n  {')
    changed = []
    for old, new in zip(before["cells"], after["cells"]):
        assert {k: v for k, v in old.items() if k != "source"} == {k: v for k, v in new.items() if k != "source"}
        if old["source"] != new["source"]:
            changed.append(old["id"])
            assert isinstance(new["source"], list) and not new["source"][-1].endswith("\n")
    assert changed == ["model", "run", "time"]
    model = "".join(after["cells"][3]["source"])
    assert "nnx.List([" in model and "self.scale[...]" in model and "*, rngs" in model
    assert after["cells"][1]["source"] == before["cells"][1]["source"]  # `!pip install`: as it was
    assert after["cells"][5]["source"] == ["%timeit model(jnp.ones((2, 4)))\n", "print(model.scale[...])"]
    assert before["metadata"] == after["metadata"] and after["nbformat"] == 4
    (file,) = result.files
    assert ":cell_4" in file.diff and ":cell_5" in file.diff and ":cell_6" in file.diff
    assert {e.cell for e in file.edits} == {4, 5, 6}
    assert file.diagnostics == []
    assert not run([tmp_path], Settings(), tmp_path, write=True).changed  # idempotent


def test_a_constructor_called_after_time_is_a_seen_caller(tmp_path: Path) -> None:
    document = json.loads(NOTEBOOK.read_text())
    document["cells"][5]["source"] = ["%time other = MLP(4, nnx.Rngs(1))"]
    target = tmp_path / "nb.ipynb"
    target.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    result = run([tmp_path], Settings(), tmp_path, write=True)
    cells = [cell_source(cell) for cell in json.loads(target.read_text())["cells"]]
    assert "def __init__(self, dim: int, *, rngs: nnx.Rngs)" in cells[3]
    assert cells[5] == "%time other = MLP(4, rngs=nnx.Rngs(1))"
    assert not result.failed and not result.diagnostics
    (call,) = [e for f in result.files for e in f.edits if e.cell == 6]
    assert (call.line, call.column) == (1, cells[5].index("MLP"))  # a position in the cell as written


def test_a_cell_that_cannot_be_masked_is_reported_and_its_callers_count(tmp_path: Path) -> None:
    document = json.loads(NOTEBOOK.read_text())
    document["cells"][5]["source"] = ["%time other = MLP(4, nnx.Rngs(1))\n", "print((other.scale.value)"]
    target = tmp_path / "nb.ipynb"
    target.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    result = run([tmp_path], Settings(), tmp_path, write=True)
    cells = [cell_source(cell) for cell in json.loads(target.read_text())["cells"]]
    assert cells[5] == "".join(document["cells"][5]["source"])  # left as it was
    assert "def __init__(self, dim: int, rngs: nnx.Rngs)" in cells[3]  # a caller nobody could read
    (note,) = [d for d in result.diagnostics if d[1].rule == "notebook"]
    assert note[1].cell == 6 and "does not parse" in note[1].message
    assert any("nb.ipynb#cell6" in d.message for _, d in result.diagnostics)


def _outside_sources(raw: str) -> str:
    """The file's text with every cell's `source` value cut out."""
    from nnx_migrate.notebook import _spans

    spans = sorted(_spans(raw).values(), key=lambda span: span.start)
    kept, at = [], 0
    for span in spans:
        kept.append(raw[at:span.start])
        at = span.end
    return "".join(kept) + raw[at:]


def test_a_notebook_with_an_unusual_layout_keeps_it(tmp_path: Path) -> None:
    # tabs, keys sorted another way, no final newline: json.dumps cannot give these bytes
    # back, so only the changed cells' sources are written into the file's text
    document = json.loads(NOTEBOOK.read_text())
    target = tmp_path / "odd.ipynb"
    target.write_text(json.dumps(document, indent="\t", sort_keys=True, separators=(",", " : ")))
    before = target.read_text()
    result = run([tmp_path], Settings(), tmp_path, write=True)
    assert not result.failed and result.changed
    after = target.read_text()
    assert _outside_sources(after) == _outside_sources(before) and not after.endswith("\n")
    assert "self.scale[...]" in after and '\n\t\t\t\t"' in after


def test_a_cell_of_an_unusual_layout_may_gain_lines(tmp_path: Path) -> None:
    # `from flax import nnx` added to a first cell of one line: the new element goes after
    # it with the separator the file uses between the elements of a list
    document = {"nbformat_minor": 5, "nbformat": 4, "metadata": {}, "cells": [
        {"source": ["from flax.nnx import Linear, Rngs"], "cell_type": "code", "metadata": {}, "outputs": [],
         "execution_count": None},
        {"source": ["m = Linear(2, 3, rngs=Rngs(0))\n", "print(list(m.iter_modules()))"], "cell_type": "code",
         "metadata": {}, "outputs": [], "execution_count": None}]}
    target = tmp_path / "grow.ipynb"
    target.write_text(json.dumps(document, indent=2))
    result = run([tmp_path], Settings(), tmp_path, write=True)
    assert not result.failed
    after = target.read_text()
    assert '"source": [\n        "from flax.nnx import Linear, Rngs\\n",\n        "from flax import nnx"\n      ],' in after
    assert [cell_source(c) for c in json.loads(after)["cells"]] == [
        "from flax.nnx import Linear, Rngs\nfrom flax import nnx", "m = Linear(2, 3, rngs=Rngs(0))\nprint(list(nnx.iter_modules(m)))"]
    assert _outside_sources(after) == _outside_sources(json.dumps(document, indent=2))


COLAB_LAYOUT = NOTEBOOKS / "colab_layout.ipynb"


def test_a_colab_layout_notebook_is_migrated_keeping_its_bytes(tmp_path: Path) -> None:
    """colab_layout.ipynb: Colab's key order (cell_type, source, metadata, ...), indent 2,
    `<` `>` `&` written as \\u003c \\u003e \\u0026: once refused ("its JSON layout would
    change on writing"), now migrated with every byte outside the changed sources kept,
    new lines encoded with the file's escapes, and a second run changes nothing."""
    result, target = migrate_copy(tmp_path, COLAB_LAYOUT)
    assert not result.failed and result.changed
    before, after = COLAB_LAYOUT.read_text(encoding="utf-8"), target.read_text(encoding="utf-8")
    assert _outside_sources(after) == _outside_sources(before)
    assert "<" not in after and ">" not in after and "&" not in after
    assert '"ok = model.head.bias.shape[0] \\u003e 0 and (1 \\u003c 2) \\u0026 True"' in after
    cells = {cell["metadata"]["id"]: cell_source(cell) for cell in json.loads(after)["cells"]}
    assert "optimizer.update(model, grads)" in cells["train"] and "*, rngs: nnx.Rngs" in cells["model"]
    old_lines, new_lines = before.splitlines(), after.splitlines()
    assert len(old_lines) == len(new_lines)  # no cell gained or lost a line here
    assert sum(a != b for a, b in zip(old_lines, new_lines)) == 16
    assert not run([tmp_path], Settings(), tmp_path, write=True).changed


def test_review_goes_cell_by_cell_naming_the_cell(tmp_path: Path) -> None:
    import pexpect

    shutil.copy(COLAB, tmp_path / COLAB.name)
    env = {**os.environ, "COLUMNS": "160", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    child = pexpect.spawn(sys.executable, ["-m", "nnx_migrate", ".", "--review"], cwd=str(tmp_path),
                          env=env, encoding="utf-8", timeout=120)
    headers = []
    while child.expect([r"Apply\? \[y\]es, \[n\]o, \[a\]ll of [-a-z, ]+, \[q\]uit: ", pexpect.EOF]) == 0:
        screen = child.before
        headers += re.findall(r"colab_mlp\.ipynb:cell \d+:\d+  \[[\w, -]*\]", screen)
        assert "nnx-ipython" not in screen
        # reject the `.value` read under `%time`'s neighbour, accept everything else
        child.sendline("n" if "model.head.bias.value.shape" in screen else "y")
    child.close()
    assert child.exitstatus == 0
    # the signature and its call inside `%%time` are one question; other rules' lines next to them are not in it
    assert {"colab_mlp.ipynb:cell 6:2  [keyword-only-rngs]", "colab_mlp.ipynb:cell 6:3  [module-containers]",
            "colab_mlp.ipynb:cell 7:2  [keyword-only-rngs]", "colab_mlp.ipynb:cell 7:3  [optimizer-api]"} <= set(headers)
    assert "colab_mlp.ipynb:cell 8:3  [value-access]" in headers
    cells = {cell["metadata"]["id"]: cell_source(cell) for cell in json.loads((tmp_path / COLAB.name).read_text())["cells"]}
    assert "print(y_pred.shape, model.head.bias.value.shape)" in cells["eval"]  # the rejected hunk
    assert cells["eval"].startswith("%time y_pred = model(x)\n%timeit -n 3 -r 1 model(x)")
    assert cells["train"].startswith("%%time\nmodel = MLP(2, hidden_dim, 1, rngs=nnx.Rngs(seed))\n")
    assert "*, rngs: nnx.Rngs" in cells["model"] and "self.count[...] += 1" in cells["model"]
    raw = (tmp_path / COLAB.name).read_text()
    assert raw.count('"outputs"') == COLAB.read_text().count('"outputs"') and raw.endswith("}\n")


def test_a_notebook_written_with_ascii_escapes_keeps_them(tmp_path: Path) -> None:
    target = tmp_path / "nb.ipynb"
    target.write_text(json.dumps(json.loads(NOTEBOOK.read_text()), indent=1, ensure_ascii=True) + "\n")
    result = run([tmp_path], Settings(), tmp_path, write=True)
    assert not result.failed and result.changed
    raw = target.read_text()
    assert raw.count("\\u2014") == 2 and "\u2014" not in raw  # in the migrated cell and in its output


def test_a_notebook_with_windows_line_endings_keeps_them(tmp_path: Path) -> None:
    target = tmp_path / "nb.ipynb"
    target.write_bytes(NOTEBOOK.read_bytes().replace(b"\n", b"\r\n"))
    result = run([tmp_path], Settings(), tmp_path, write=True)
    assert not result.failed and result.changed
    data = target.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") and b"self.scale[...]" in data


MODEL_CELL = ("import jax.numpy as jnp\nfrom flax import nnx\n\nclass M(nnx.Module):\n"
              "    def __init__(self, rngs: nnx.Rngs):\n        self.w = nnx.Param(jnp.ones(3))\n\n"
              "model = M(nnx.Rngs(0))\nx = model.w.value\n")


@given(st.lists(st.lists(st.sampled_from(POOL), max_size=6), min_size=1, max_size=4))
def test_any_cells_of_escapes_are_migrated_around_or_reported(cells: list[list[str]]) -> None:
    import tempfile

    sources = [MODEL_CELL] + ["".join(lines) for lines in cells]
    document = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                           "source": source.splitlines(keepends=True)} for source in sources],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "nb.ipynb"
        target.write_text(json.dumps(document, indent=1) + "\n")
        result = run([Path(folder)], Settings(), Path(folder), write=True)
        assert not result.failed
        after = [cell_source(cell) for cell in json.loads(target.read_text())["cells"]]
    assert "x = model.w[...]" in after[0]
    for old, new in zip(sources[1:], after[1:]):
        old_lines, new_lines = old.splitlines(), new.splitlines()
        assert len(old_lines) == len(new_lines)
        for before, now in zip(old_lines, new_lines):
            assert now == before or before.replace(".w.value", ".w[...]").replace("M(nnx.Rngs", "M(rngs=nnx.Rngs") == now


def test_a_notebook_given_alone_is_complete_for_the_classes_it_defines(tmp_path: Path) -> None:
    target = tmp_path / COLAB.name
    shutil.copy(COLAB, target)
    result = run([target], Settings(), tmp_path, write=True)  # one file, as pre-commit passes it
    assert not result.failed and not result.diagnostics
    cells = {cell["metadata"]["id"]: cell_source(cell) for cell in json.loads(target.read_text())["cells"]}
    assert "*, rngs: nnx.Rngs" in cells["model"] and "MLP(2, hidden_dim, 1, rngs=nnx.Rngs(seed))" in cells["train"]


def test_json_and_sarif_name_the_cell_and_the_position_inside_it(tmp_path: Path) -> None:
    from nnx_migrate.report import json_report, sarif_report

    shutil.copy(COLAB, tmp_path / COLAB.name)
    result = run([tmp_path], Settings(), tmp_path, write=False)
    (file,) = json.loads(json_report(result, check=True, diff=False))["files"]
    assert {(e["cell"], e["line"]) for e in file["edits"]} >= {(6, 2), (7, 2), (8, 3), (11, 4)}
    results = json.loads(sarif_report(result))["runs"][0]["results"]
    timed = next(r for r in results if r["message"]["text"].startswith("cell 8: "))
    location = timed["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("colab_mlp.ipynb")
    assert location["region"] == {"startLine": 3, "startColumn": len("print(y_pred.shape, model.head.bias.value.") + 1,
                                  "properties": {"cell": 8}}
    assert not any("fixes" in r for r in results)  # as ruff: no fixes inside a notebook's JSON


FLAX_CELL = {"cell_type": "code", "source": "from flax import nnx\nx = nnx.Param(1).value\n"}


@pytest.mark.parametrize(("cells", "fails"), [
    ([FLAX_CELL, {"cell_type": "code", "source": None}], True),
    ([FLAX_CELL, {"cell_type": "code", "source": ["x", 1]}], True),
    (["not a cell", None, FLAX_CELL], False),
])
def test_odd_cells_fail_cleanly_or_are_skipped(tmp_path: Path, cells: list, fails: bool) -> None:
    target = tmp_path / "odd.ipynb"
    target.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n")
    before = target.read_bytes()
    result = run([target], Settings(), tmp_path, write=True)
    if fails:
        assert target.read_bytes() == before
        (failed,) = result.failed
        assert "not text" in failed.error
    else:
        assert not result.failed and "nnx.Param(1).get_value()" in target.read_text()
