"""Fixes to a fix-point, as ruff does: the files a run changes are analysed again, with the
project index rebuilt from their new texts, until no rule changes them. One run is then
final: a second finds nothing, over every fixture and the real corpus."""

from __future__ import annotations

import ast
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from corpus import CORPUS, available
from fixtures import TESTDATA, case_settings, expected_path, fixture_tests

from nnx_migrate import cli, pipeline, registry
from nnx_migrate.config import Settings
from nnx_migrate.resolve import Resolver, VariableT
from nnx_migrate.rule import Rule

FOLDER = "fixpoint"  # cases whose second round found more before the analysis was fixed
test_fixture, test_idempotent = fixture_tests(None, FOLDER)


# --- every fixture and the real corpus: one run is final ---------------------------------

def _cases() -> list[Path]:
    """Every case of testdata/: a file, an `input/` tree, or a project folder."""
    cases = []
    for folder in sorted(p for p in TESTDATA.iterdir() if p.is_dir()):
        for entry in sorted(folder.iterdir()):
            if entry.is_dir():
                if (entry / "input").is_dir():
                    cases.append(entry / "input")
                elif entry.name == "projects":
                    cases.extend(sorted(p for p in entry.iterdir() if p.is_dir()))
                else:
                    cases.append(entry)
            elif entry.suffix in (".py", ".ipynb", ".md", ".rst") and not entry.name.endswith(".expected.py") \
                    and entry.name != "README.md":
                cases.append(entry)
    return cases


def _copy(case: Path, workdir: Path) -> Settings:
    """The case in `workdir`, and its settings with every rule (docs pages included)."""
    if case.is_dir():
        shutil.copytree(case, workdir / case.name)
        first = next(iter(sorted((workdir / case.name).rglob("*.py"))), None)
    else:
        shutil.copy2(case, workdir)
        first = workdir / case.name if case.suffix == ".py" else None
    line = first.read_text().partition("\n")[0] if first is not None else ""
    settings = case_settings(line, None)
    settings.include_docs = True
    return settings


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.relative_to(TESTDATA).as_posix())
def test_every_fixture_with_every_rule_is_final_after_one_run(case: Path, tmp_path: Path) -> None:
    settings = _copy(case, tmp_path)
    first = pipeline.run([tmp_path], settings, tmp_path, write=True)
    assert not [f for f in first.failed if "converge" in f.error or "again" in f.error]
    second = pipeline.run([tmp_path], settings, tmp_path, write=False)
    assert [f.display for f in second.changed] == []
    assert {f.display for f in second.failed} == {f.display for f in first.failed}


@pytest.mark.parametrize("release", CORPUS, ids=lambda r: r.label.replace(" ", "-"))
def test_real_corpus_is_final_after_one_run(release, tmp_path: Path) -> None:
    tree = tmp_path / Path(release.folder).name
    shutil.copytree(available(release.dist, release.version) / release.folder, tree)
    first = pipeline.run([tree], Settings(), tmp_path, write=True, jobs=2)
    assert not [f for f in first.failed if not f.error.startswith(("syntax error", "needs Python"))], \
        [(f.display, f.error) for f in first.failed]
    assert first.changed
    second = pipeline.run([tree], Settings(), tmp_path, write=False, jobs=2)
    assert [f.display for f in second.changed] == []


# --- the two cases a second run used to find, with their analysis bug put back -------------

@pytest.fixture
def old_analysis(monkeypatch):
    """The resolver as it was: a Variable forgotten after `v += y`, and the pairs of
    `state.flat_state()` (not of `nnx.to_flat_state(state)`) of unknown type."""
    binding_type, element_type = Resolver._binding_type, Resolver._element_type

    def forgetting(self, binding, scope):
        found = binding_type(self, binding, scope)
        return None if binding.kind == "augmented" and isinstance(found, VariableT) else found

    def untyped(self, iterable, scope, position):
        method = isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute)
        return None if method and iterable.func.attr == "flat_state" else element_type(self, iterable, scope, position)

    monkeypatch.setattr(Resolver, "_binding_type", forgetting)
    monkeypatch.setattr(Resolver, "_element_type", untyped)


def _rounds(monkeypatch) -> list:
    """The `only` of every round `pipeline` runs (None: round 1, every file)."""
    calls = []
    real = pipeline._one_round

    def counting(*args, **kwargs):
        calls.append(kwargs.get("only"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_one_round", counting)
    return calls


def _edits(result) -> list[tuple]:
    return sorted((e.rule, e.line, e.column, e.message) for f in result.changed for e in f.edits)


@pytest.mark.parametrize("name", ["augmented_then_read", "flat_state_loop"])
def test_fix_point_converges_in_one_run(name: str, tmp_path: Path, monkeypatch, request) -> None:
    case = TESTDATA / FOLDER / f"{name}.py"
    (tmp_path / "fixed").mkdir()
    shutil.copy(case, tmp_path / "fixed")
    fixed = pipeline.run([tmp_path / "fixed"], Settings(), tmp_path, write=False)
    request.getfixturevalue("old_analysis")
    rounds = _rounds(monkeypatch)
    (tmp_path / "old").mkdir()
    shutil.copy(case, tmp_path / "old")
    result = pipeline.run([tmp_path / "old"], Settings(), tmp_path, write=True)
    assert (tmp_path / "old" / case.name).read_text() == expected_path(case).read_text()
    assert rounds[0] is None and len(rounds) >= 3  # later rounds found more, the last nothing
    # the second round's rewrites are reported as any other, once each, where they are in the file read
    assert _edits(result) == _edits(fixed)


# --- rules registered only here -------------------------------------------------------------

class _Renaming(Rule):
    """Renames the names of `renames` (old -> new) wherever they are read or bound."""

    summary = "test only"
    needed_from = "0.12.0"
    safety = "safe"
    documentation = ""
    renames: dict[str, str] = {}
    add_import = False

    def analyze(self, context):
        sites = []
        for visit in context.visits(ast.Name):
            new = self.renames.get(visit.node.id)
            if new is not None:
                sites.append(context.site(self.name, visit.node, "Name", lambda n, new=new: n.with_changes(value=new),
                                          f"`{visit.node.id}` -> `{new}`"))
        if sites and self.add_import:
            context.nnx_alias()  # `from flax import nnx` added above: the lines below move down
        return sites, []


class FlipFlop(_Renaming):
    name = "flip-flop"
    renames = {"flip": "flop", "flop": "flip"}


class Stepping(_Renaming):
    name = "stepping"
    renames = {"step1": "step2", "step2": "step3"}  # step3 is final: a third round finds nothing
    add_import = True


@pytest.fixture
def with_rule(monkeypatch):
    real = registry.selected_rules

    def add(rule: Rule) -> None:
        monkeypatch.setattr(registry, "selected_rules", lambda settings: [rule, *real(settings)])

    return add


MIGRATABLE = "import jax.numpy as jnp\nfrom flax import nnx\n\nw = nnx.Param(jnp.ones(3))\nprint(w.value)\n"


def _main(*arguments: str) -> int:
    with pytest.raises(SystemExit) as exit:
        cli.main([*arguments, "--no-cache", "-q"])
    return exit.value.code


@pytest.mark.parametrize("mode", ["write", "--check", "--diff"])
def test_a_rule_that_never_converges_fails_the_file_unchanged(mode, tmp_path: Path, with_rule, capsys) -> None:
    with_rule(FlipFlop())
    looping = "from flax import nnx\n\nflip = 1\nprint(flip, nnx.Param(1.0).value)\n"
    (tmp_path / "looping.py").write_text(looping)
    (tmp_path / "good.py").write_text(MIGRATABLE)
    assert _main(str(tmp_path), *([] if mode == "write" else [mode])) == 123
    assert (tmp_path / "looping.py").read_text() == looping
    assert ("w[...]" in (tmp_path / "good.py").read_text()) == (mode == "write")
    if mode == "--diff":
        shown = capsys.readouterr().out
        assert "+print(w[...])" in shown and "looping.py" not in shown
    result = pipeline.run([tmp_path], Settings(), tmp_path, write=False)
    (failed,) = result.failed
    assert failed.path.name == "looping.py" and failed.error_rule == "flip-flop" and not failed.edits
    assert "flip-flop" in failed.error and "converge" in failed.error and "unchanged" in failed.error


def test_a_file_given_up_takes_no_half_of_a_signature_plan(tmp_path: Path, with_rule) -> None:
    """Its call of a constructor whose signature changes fails in a later round: the
    signature keeps `rngs` positional, as for any file that fails."""
    with_rule(FlipFlop())
    block = "from flax import nnx\n\n\nclass Block(nnx.Module):\n    def __init__(self, din, rngs: nnx.Rngs):\n" \
            "        self.din = din\n"
    caller = "from flax import nnx\nfrom block import Block\n\nflip = Block(2, nnx.Rngs(0))\n"
    (tmp_path / "block.py").write_text(block)
    (tmp_path / "caller.py").write_text(caller)
    result = pipeline.run([tmp_path], Settings(), tmp_path, write=True)
    assert [f.path.name for f in result.failed] == ["caller.py"]
    assert (tmp_path / "block.py").read_text() == block and (tmp_path / "caller.py").read_text() == caller
    assert any("keeps `rngs` positional" in d.message and "caller.py" in d.message
               for f in result.files for d in f.diagnostics)


def test_later_rounds_are_reported_once_each_where_they_are_in_the_file(tmp_path: Path, with_rule) -> None:
    with_rule(Stepping())
    (tmp_path / "steps.py").write_text("# flax\n\nstep1 = 1\nprint(step1)\n")
    result = pipeline.run([tmp_path], Settings(select=["stepping"]), tmp_path, write=True)
    assert (tmp_path / "steps.py").read_text() == "from flax import nnx\n# flax\n\nstep3 = 1\nprint(step3)\n"
    (changed,) = result.changed
    # round 1 added the import (a line above them): round 2's are still on lines 3 and 4 of the file read
    assert [(e.line, e.column, e.message) for e in changed.edits] == [
        (1, 0, "add `from flax import nnx`"), (3, 0, "`step1` -> `step2`"), (3, 0, "`step2` -> `step3`"),
        (4, 6, "`step1` -> `step2`"), (4, 6, "`step2` -> `step3`")]
    assert changed.diff.count("\n-") == 2 and "+step3 = 1" in changed.diff


def test_check_diff_and_a_real_run_agree_after_several_rounds(tmp_path: Path, with_rule, capsys) -> None:
    with_rule(Stepping())
    (tmp_path / "steps.py").write_text("# flax\n\nstep1 = 1\n")
    assert _main(str(tmp_path), "--check") == 1
    assert _main(str(tmp_path), "--diff") == 0
    diff = capsys.readouterr().out
    assert "+from flax import nnx" in diff and "+step3 = 1" in diff and "step2" not in diff
    assert _main(str(tmp_path)) == 0
    assert (tmp_path / "steps.py").read_text() == "from flax import nnx\n# flax\n\nstep3 = 1\n"


def test_the_cache_keeps_the_final_result(tmp_path: Path, with_rule, monkeypatch) -> None:
    with_rule(Stepping())
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "steps.py").write_text("# flax\n\nstep1 = 1\n")
    settings = Settings(select=["stepping"])
    cold = pipeline.run([tmp_path / "src"], settings, tmp_path, write=False, cache_dir=tmp_path / "cache")
    rounds = _rounds(monkeypatch)
    warm = pipeline.run([tmp_path / "src"], settings, tmp_path, write=False, cache_dir=tmp_path / "cache")
    assert rounds == [] and warm.parsed == 0
    assert [f.new_text for f in warm.changed] == [f.new_text for f in cold.changed] == [
        "from flax import nnx\n# flax\n\nstep3 = 1\n"]
    assert _edits(warm) == _edits(cold) and len(warm.changed[0].edits) == 3


# --- notebooks and docstring examples take the same path ------------------------------------

def _notebook(*cells: str) -> str:
    document = {"cells": [{"cell_type": "code", "execution_count": None, "id": f"c{n}", "metadata": {},
                           "outputs": [], "source": source.splitlines(keepends=True)}
                          for n, source in enumerate(cells)],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1) + "\n"


def test_a_notebook_converges_in_one_run(tmp_path: Path, old_analysis, with_rule) -> None:
    with_rule(Stepping())
    (tmp_path / "nb.ipynb").write_text(_notebook(
        "%matplotlib inline\nfrom flax import nnx\n", "step1 = 1\n",
        "def show(m):\n    for k, v in nnx.state(m, nnx.Param).flat_state():\n        print(k, v.value)\n"))
    result = pipeline.run([tmp_path], Settings(), tmp_path, write=True)
    cells = ["".join(c["source"]) for c in json.loads((tmp_path / "nb.ipynb").read_text())["cells"]]
    assert cells == ["%matplotlib inline\nfrom flax import nnx\n", "step3 = 1\n",
                     "def show(m):\n    for k, v in nnx.to_flat_state(nnx.state(m, nnx.Param)):\n"
                     "        print(k, v.get_value())\n"]
    (changed,) = result.changed
    # positions by cell, as in the notebook read: round 2's too
    assert sorted((e.cell, e.line, e.rule) for e in changed.edits) == [
        (2, 1, "stepping"), (2, 1, "stepping"), (3, 2, "state-methods"), (3, 3, "value-access")]
    assert not pipeline.run([tmp_path], Settings(), tmp_path, write=False).changed


def test_docstring_examples_converge_in_one_run(tmp_path: Path, old_analysis) -> None:
    source = '''from flax import nnx


def show(m):
    """Prints the parameters.

    >>> from flax import nnx
    >>> for k, v in nnx.state(m, nnx.Param).flat_state():
    ...     print(k, v.value)
    >>> w = nnx.Param(1.0)
    >>> w += 1
    >>> w.value
    2.0
    """
'''
    (tmp_path / "doc.py").write_text(source)
    result = pipeline.run([tmp_path], Settings(), tmp_path, write=True)
    text = (tmp_path / "doc.py").read_text()
    assert ">>> for k, v in nnx.to_flat_state(nnx.state(m, nnx.Param)):\n    ...     print(k, v.get_value())" in text
    assert ">>> w.set_value(w.get_value() + 1)\n    >>> w.get_value()\n    2.0" in text
    assert Counter(e.rule for e in result.changed[0].edits) == {"value-access": 3, "state-methods": 1}
    assert not pipeline.run([tmp_path], Settings(), tmp_path, write=False).changed


def test_stdin_takes_the_same_path(tmp_path: Path, old_analysis) -> None:
    case = TESTDATA / FOLDER / "flat_state_loop.py"
    result = pipeline.run_stdin(case.read_bytes(), tmp_path / "x.py", Settings())
    assert result.files[0].new_text == expected_path(case).read_text()
