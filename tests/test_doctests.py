"""Doctest examples in docstrings are migrated like code (testdata/doctests)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fixtures import TESTDATA, assert_tree_fixture, fixture_tests

from nnx_migrate import doctests, file_rewrite
from nnx_migrate.config import Settings
from nnx_migrate.pipeline import run

FOLDER = "doctests"
CASES = TESTDATA / FOLDER

test_fixture, test_idempotent = fixture_tests(None, FOLDER)


def test_a_signature_and_its_callers_in_docstrings_of_other_files_change_together(tmp_path: Path) -> None:
    assert_tree_fixture(CASES / "cross_file", tmp_path, None)


def migrate(tmp_path: Path, files: dict[str, str | bytes], **settings):
    for name, text in files.items():
        path = tmp_path / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return run([tmp_path], Settings(**settings), tmp_path, write=True)


def test_near_misses_report_only_examples_doctest_cannot_run_or_that_hold_escapes(tmp_path: Path) -> None:
    shutil.copy(CASES / "near_misses.py", tmp_path)
    result = run([tmp_path], Settings(), tmp_path, write=True)
    assert not result.changed and not result.failed
    notes = sorted((d.line, d.column, d.message.split(",")[0]) for _, d in result.diagnostics)
    assert notes == [
        (7, 2, "this docstring example does not compile"),  # `layer.kernel.value +`
        (8, 2, "this docstring example holds a backslash escape or a tab"),
        (11, 2, "this docstring example holds a backslash escape or a tab"),  # the line after a `\` continuation
        (82, 2, "this docstring's backslash escapes change the lines doctest reads"),
    ]


def test_each_docstring_with_examples_is_a_session_file_of_the_index(tmp_path: Path) -> None:
    shutil.copy(CASES / "class_and_function.py", tmp_path)
    (tmp_path / "plain.py").write_text('"""No examples here, flax."""\nfrom flax import nnx\n')
    result = run([tmp_path], Settings(), tmp_path, write=False)
    host = result.index.files[tmp_path / "class_and_function.py"]
    sessions = [file for file in result.index.files.values() if file.host is host]
    assert [d.line for d in host.docstrings] == [6, 30, 45]
    assert sessions == [d.session for d in host.docstrings]
    assert not result.index.files[tmp_path / "plain.py"].docstrings
    assert len(result.files) == 2  # sessions are not files of their own in the results


def test_a_signature_stays_when_a_docstring_calls_it_from_an_example_that_cannot_be_rewritten(tmp_path: Path) -> None:
    layers = (
        "from flax import nnx\n\n\n"
        "class Block(nnx.Module):\n"
        "  def __init__(self, din, rngs):\n"
        "    self.linear = nnx.Linear(din, din, rngs=rngs)\n"
    )
    usage = (
        '"""Escaped.\n\n'
        ">>> from flax import nnx\n"
        ">>> from layers import Block\n"
        '>>> print("\\n"); block = Block(2, nnx.Rngs(0))\n'
        '"""\n'
    )
    result = migrate(tmp_path, {"layers.py": layers, "usage.py": usage})
    assert not result.failed and not result.changed
    (note,) = [d for _, d in result.diagnostics if d.rule == "keyword-only-rngs"]
    assert "keeps `rngs` positional" in note.message and "usage.py#line5" in note.message


def test_examples_needing_an_import_they_lack_are_left_alone_and_reported(tmp_path: Path) -> None:
    net = (
        "from flax import nnx\n\n\n"
        "class Net(nnx.Module):\n"
        "  def __init__(self, *, rngs):\n"
        "    self.linear = nnx.Linear(2, 2, rngs=rngs)\n\n"
        "  def walk(self):\n"
        '    """Its modules.\n\n'
        "    >>> from net import Net\n"
        "    >>> net = Net(rngs=None)\n"
        "    >>> modules = list(net.iter_modules())\n"
        '    """\n'
    )
    result = migrate(tmp_path, {"net.py": net})
    assert not result.failed and not result.changed
    (note,) = [d for _, d in result.diagnostics if d.rule == "doctest"]
    assert (note.line, note.column) == (11, 4) and "from flax import nnx" in note.message


def test_line_endings_indentation_and_output_stay_byte_identical(tmp_path: Path) -> None:
    text = (
        'def f():\r\n    """Doc.\r\n\r\n      >>> from flax import nnx\r\n'
        "      >>> layer = nnx.Linear(2, 2, rngs=nnx.Rngs(0))\r\n"
        "      >>> if True:\r\n      ...     print(layer.kernel.value.shape)\r\n      ...\r\n      (2, 2)\r\n"
        '    """\r\n'
    )
    result = migrate(tmp_path, {"crlf.py": text})
    assert not result.failed
    assert (tmp_path / "crlf.py").read_bytes() == text.replace(
        "layer.kernel.value.shape", "layer.kernel.shape").encode()
    (edit,) = result.files[0].edits
    assert (edit.line, edit.column) == (7, 39)  # the file's own line and column (of `.shape`)


def test_docstrings_in_notebook_cells_are_migrated(tmp_path: Path) -> None:
    source = [
        "from flax import nnx\n", "%matplotlib inline\n", "def f():\n", '    """Doc.\n', "\n",
        "    >>> from flax import nnx\n", "    >>> layer = nnx.Linear(2, 2, rngs=nnx.Rngs(0))\n",
        "    >>> layer.kernel.value.shape\n", "    (2, 2)\n", '    """',
    ]
    cell = {"cell_type": "code", "execution_count": None, "id": "a", "metadata": {}, "outputs": [], "source": source}
    notebook = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"
    result = migrate(tmp_path, {"n.ipynb": notebook})
    assert not result.failed
    (cell,) = json.loads((tmp_path / "n.ipynb").read_text())["cells"]
    assert cell["source"] == [line.replace("kernel.value", "kernel") for line in source]


def test_a_docstring_that_would_not_read_back_fails_the_file_and_leaves_it_byte_identical(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_rewrite, "prompted", lambda lines, example, codes: [])  # loses the example's lines
    shutil.copy(CASES / "module_docstring.py", tmp_path)
    result = run([tmp_path], Settings(), tmp_path, write=True)
    (failed,) = result.failed
    assert "does not read back" in failed.error
    assert (tmp_path / "module_docstring.py").read_bytes() == (CASES / "module_docstring.py").read_bytes()


@pytest.mark.parametrize(("codes", "want"), [
    (["a = 1", "b = 2", ""], ["  >>> a = 1\n", "  ... b = 2\n", "  ...\n"]),  # one line changed
    (["a = (1,", "     2)"], ["  >>> a = (1,\n", "  ...      2)\n"]),  # fewer lines
    (["x", "y", "z", "w"], ["  >>> x\n", "  ... y\n", "  ... z\n", "  ... w\n"]),  # more lines
])
def test_prompted_keeps_prompts_and_untouched_lines(codes: list[str], want: list[str]) -> None:
    lines = ["  >>> a = 1\n", "  ... b = 3\n", "  ...\n"]
    example = doctests.find_examples("".join(lines))[0]
    assert example.codes == ["a = 1", "b = 3", ""]
    assert doctests.prompted(lines, example, codes) == want


def test_identical_docstrings_in_a_file_whose_code_changed_are_each_migrated(tmp_path: Path) -> None:
    doc = '  """Doc.\n\n  >>> from flax import nnx\n  >>> nnx.Linear(2, 2, rngs=nnx.Rngs(0)).kernel.value.shape\n  (2, 2)\n  """\n'
    code = "from flax import nnx\n\n\ndef f(layer: nnx.Linear):\n" + doc + "  return layer.kernel.value\n"
    text = code + "\n\n" + code.replace("def f", "def g").split("\n", 3)[3]
    result = migrate(tmp_path, {"twice.py": text})
    assert not result.failed
    migrated = (tmp_path / "twice.py").read_text()
    assert migrated.count(".kernel.shape\n  (2, 2)") == 2 and migrated.count("return layer.kernel[...]") == 2
    assert ".value" not in migrated


def test_examples_that_never_say_flax_are_analysed_only_where_they_call_what_a_rule_changes(tmp_path: Path) -> None:
    layers = (
        "from flax import nnx\n\n\n"
        "class Block(nnx.Module):\n"
        "  def __init__(self, din, rngs):\n"
        "    self.linear = nnx.Linear(din, din, rngs=rngs)\n\n\n"
        'def build():\n  """A block.\n\n  >>> from layers import Block\n  >>> block = Block(2, None)\n  """\n\n\n'
        'def unrelated():\n  """Nothing NNX here.\n\n  >>> 1 + 1\n  2\n  """\n'
    )
    result = migrate(tmp_path, {"layers.py": layers})
    assert not result.failed
    assert "  >>> block = Block(2, rngs=None)\n" in (tmp_path / "layers.py").read_text()
    build, unrelated = result.index.files[tmp_path / "layers.py"].docstrings
    assert build.session is not None and unrelated.session is None


def test_a_class_an_example_defines_gets_keyword_only_rngs_even_in_a_run_on_single_files(tmp_path: Path) -> None:
    shutil.copy(CASES / "class_and_function.py", tmp_path)
    result = run([tmp_path / "class_and_function.py"], Settings(), tmp_path, write=True)
    assert not result.failed and not [d for _, d in result.diagnostics if d.rule == "keyword-only-rngs"]
    migrated = (tmp_path / "class_and_function.py").read_text()
    assert "...   def __init__(self, *, rngs: nnx.Rngs):" in migrated and ">>> stack = Stack(rngs=nnx.Rngs(0))" in migrated


@pytest.mark.parametrize("module_binds_isinstance", [False, True])
def test_an_example_narrows_by_isinstance_only_where_its_module_leaves_it_the_builtin(
        tmp_path: Path, module_binds_isinstance: bool) -> None:
    # doctest runs an example in its module's namespace: a module-level `isinstance` is the one it calls
    example = (
        '"""\n'
        "  >>> from flax import nnx\n"
        "  >>> p = nnx.Param(1.0) if flag else 1.0\n"
        "  >>> if isinstance(p, nnx.Param):\n"
        "  ...   print(p.value)\n"
        '"""\n'
        "flag = True\n"
    )
    if module_binds_isinstance:
        example += "\n\ndef isinstance(x, cls):\n  return True\n"
    migrate(tmp_path, {"checks.py": example})
    migrated = (tmp_path / "checks.py").read_text()
    assert (migrated == example) is module_binds_isinstance
    assert ("print(p.value)" in migrated) is module_binds_isinstance
