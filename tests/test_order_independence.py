"""Answers do not depend on the order questions are asked (issue 20, item 3).

Every cached evaluation goes through `Engine._memoized`, which keeps an incomplete result
of a cycle only until the cycle ends; tables (`Engine._table` and the binder's dicts) are
facts of the syntax alone. Over every rule's fixtures (testdata/*) and real code (flax
0.11.2's flax/nnx sources and tests/nnx), the questions rules ask (the type of every name,
attribute, subscript and call; the callers of every def; members replaced, run-time
stores, swapped classes, array writes, fallbacks and narrowing) are asked forwards,
backwards and shuffled, each time of a fresh Resolver, and get the same answers. The
engine's own listing of what a run keeps (`Engine`'s docstring) is checked against the
code.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import random
import re
import sys
from pathlib import Path

import pytest
from corpus import CorpusUnavailable, available

from nnx_migrate.index import ProjectIndex
from nnx_migrate.infer.engine import Engine
from nnx_migrate.resolve import Resolver

ROOT = Path(__file__).resolve().parent.parent
TESTDATA = ROOT / "testdata"
INFER = ROOT / "nnx_migrate" / "infer"
sys.path.insert(0, str(ROOT / "benchmarks"))
from suite_migration import sdist_tests  # noqa: E402


def _sources(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if not p.name.endswith(".expected.py")
                  and "expected" not in p.relative_to(folder).parts)


def _fixture_projects() -> dict[str, tuple[Path, list[Path]]]:
    """name -> (root, files): the single-file cases of each testdata folder as one project,
    each tree case's `input/` as one, and each project of a folder of projects
    (lookalikes/projects/<name>/)."""
    projects = {}
    for folder in sorted(p for p in TESTDATA.iterdir() if p.is_dir()):
        singles = sorted(p for p in folder.glob("*.py") if not p.name.endswith(".expected.py"))
        if singles:
            projects[folder.name] = (folder, singles)
        for case in sorted(p for p in folder.iterdir() if p.is_dir()):
            if (case / "input").is_dir():
                projects[f"{folder.name}/{case.name}"] = (case / "input", _sources(case / "input"))
            elif not list(case.glob("*.py")) and not (case / "pyproject.toml").exists():
                for project in sorted(p for p in case.iterdir() if p.is_dir() and _sources(p)):
                    projects[f"{folder.name}/{case.name}/{project.name}"] = (project, _sources(project))
            elif _sources(case):
                projects[f"{folder.name}/{case.name}"] = (case, _sources(case))
    return projects


FIXTURES = _fixture_projects()


def _corpus(name: str) -> tuple[Path, list[str]]:
    """(root, files asked about) of a real tree: skipped offline, a failure on CI."""
    try:
        if name == "flax 0.11.2 flax/nnx":
            return available("flax", "0.11.2") / "flax" / "nnx", [
                "module.py", "rnglib.py", "nn/linear.py", "nn/normalization.py", "training/optimizer.py",
                "bridge/module.py"]
        return sdist_tests("0.11.2"), ["module_test.py", "graph_utils_test.py", "optimizer_test.py", "rngs_test.py"]
    except CorpusUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(str(error))
        pytest.skip(str(error))


def _index(root: Path, files: list[Path]) -> ProjectIndex:
    index = ProjectIndex()
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            index.unprocessed[path] = text.encode("utf-8")  # as the pipeline keeps a file that failed
            continue
        index.add_file(path, text, tree)
    index.complete = True
    return index


def _where(node: ast.AST, file) -> tuple:
    return (str(file.path), getattr(node, "lineno", 0), getattr(node, "col_offset", 0),
            getattr(node, "end_col_offset", 0), type(node).__name__)


def _comparable(found, files):
    """An answer with the syntax nodes and scopes it holds named by position (each run parses
    anew)."""
    if isinstance(found, ast.AST):
        file = next((f for f in files if f.parents.get(id(found)) is not None or f.tree is found), None)
        return ("node", _where(found, file) if file is not None else type(found).__name__)
    if dataclasses.is_dataclass(found):
        return (type(found).__name__, *(_comparable(getattr(found, f.name), files) for f in dataclasses.fields(found)))
    if isinstance(found, (list, tuple)):
        return tuple(_comparable(item, files) for item in found)
    if hasattr(found, "bindings") and hasattr(found, "node"):  # a Scope
        return ("scope", _comparable(found.node, files))
    return found


def _questions(resolver: Resolver, index: ProjectIndex, asked: set[str] | None) -> list[tuple[tuple, object]]:
    """(key, thunk) of every question asked of the files named in `asked` (all if None)."""
    questions = []
    files = [f for f in index.files.values() if asked is None or f.path.name in asked
             or any(str(f.path).endswith(os.sep + name) for name in asked)]
    for file in files:
        for node in file.nodes(ast.Name, ast.Attribute, ast.Subscript, ast.Call):
            questions.append((("type", *_where(node, file)),
                              lambda node=node, file=file: resolver.type_of(node, resolver.scope_of(node, file))))
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                questions.append((("narrowed", *_where(node, file)), lambda node=node, file=file:
                                  resolver.narrowed_classes(node, resolver.scope_of(node, file))))
            if isinstance(node, ast.Attribute) and node.attr == "value" and isinstance(node.ctx, ast.Load):
                questions.append((("array writes", *_where(node, file)), lambda node=node, file=file:
                                  resolver.writes_keep_array(node.value, scope=resolver.scope_of(node, file))))
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                questions.append((("fallback", node.attr, str(file.path)),
                                  lambda node=node, file=file: resolver.fallback_attribute(node.attr, file)))
        for node in file.nodes(ast.FunctionDef, ast.AsyncFunctionDef):
            questions.append((("callers", *_where(node, file)), lambda node=node: resolver.callers(node)))
    classes = [info for info in index.classes.values() if asked is None or info.file in files]
    for info in classes:
        cls = info.qualname
        questions.append((("class swapped", cls), lambda cls=cls: resolver.class_swapped(cls)))
        questions.append((("stored by name", cls), lambda cls=cls: resolver.stored_by_name(cls)))
        for attr in sorted(set(info.attribute_bindings) | set(info.methods) | {"value", "iter_modules", "update"}):
            questions.append((("replaces", cls, attr), lambda cls=cls, attr=attr: resolver.replaces_member(cls, attr)))
    return questions


def _answers(root: Path, paths: list[Path], asked: set[str] | None, order: str, check_tables: bool = False) -> dict:
    index = _index(root, paths)
    resolver = Resolver(index)
    if check_tables:  # a table evaluates nothing: no memoized evaluation starts while one is built
        building = []
        table, memoized = resolver._table, resolver._memoized

        def watched_table(key, build):
            building.append(key)
            try:
                return table(key, build)
            finally:
                building.pop()

        def watched_memoized(key, *args, **kwargs):
            assert not building, f"the table {building[-1]} evaluates {key}"
            return memoized(key, *args, **kwargs)

        resolver._table, resolver._memoized = watched_table, watched_memoized
    questions = _questions(resolver, index, asked)
    if order == "backward":
        questions.reverse()
    elif order == "shuffled":
        random.Random(20).shuffle(questions)
    files = list(index.files.values())
    return {key: _comparable(ask(), files) for key, ask in questions}


def _assert_same_answers(root: Path, paths: list[Path], asked: set[str] | None = None) -> dict:
    forward = _answers(root, paths, asked, "forward", check_tables=True)
    for order in ("backward", "shuffled"):
        other = _answers(root, paths, asked, order)
        assert other.keys() == forward.keys()
        differ = [(key, forward[key], other[key]) for key in forward if other[key] != forward[key]]
        assert not differ, f"{order}: {differ[:5]}"
    return forward


@pytest.mark.parametrize("project", FIXTURES, ids=str)
def test_fixtures_get_the_same_answers_in_any_order(project: str) -> None:
    root, files = FIXTURES[project]
    _assert_same_answers(root, files)


def test_every_rule_folder_is_asked() -> None:
    rules = {p.name for p in TESTDATA.iterdir() if p.is_dir() and any(p.rglob("*.py"))}
    assert {name.split("/")[0] for name in FIXTURES} == rules


@pytest.mark.parametrize("tree", ["flax 0.11.2 flax/nnx", "flax 0.11.2 tests/nnx"])
def test_real_code_gets_the_same_answers_in_any_order(tree: str) -> None:
    root, asked = _corpus(tree)
    paths = sorted(root.rglob("*.py"))
    answers = _assert_same_answers(root, paths, set(asked))
    known = [value for key, value in answers.items() if key[0] == "type" and value is not None]
    assert len(known) > 1000, len(known)  # most names of real NNX code are typed


def test_a_cycle_gets_the_same_answers_in_any_order(tmp_path: Path) -> None:
    """Recursive definitions (a name and an attribute bound from themselves in loops), a
    private method whose callers are found by typing receivers, which reaches the method's
    own parameter, a module alias used from another file."""
    (tmp_path / "loops.py").write_text(
        "import jax.numpy as jnp\nfrom flax import nnx\nimport other\n\nP = nnx.Param\n\n\n"
        "class Block(nnx.Module):\n    def __init__(self, n):\n        self.w = P(jnp.zeros(n))\n        self.h = self.w\n"
        "        for _ in range(3):\n            self.h = self.h if _ else self.w\n\n"
        "    def _scaled(self, v):\n        return v.value if isinstance(v, P | nnx.BatchStat) else self._scaled(self.w)\n\n\n"
        "def f(block: Block, x):\n    h = block.h\n    while x:\n        h = h if x else block.w\n        x = x - 1\n"
        "    return h.value, block.h.value, block._scaled(block.w)\n")
    (tmp_path / "other.py").write_text("import loops\n\nQ = loops.P\nprint(Q(1).value, loops.f(None, 0))\n")
    paths = sorted(tmp_path.glob("*.py"))
    answers = _assert_same_answers(tmp_path, paths)
    assert any(key[0] == "type" and isinstance(value, tuple) and value[0] == "VariableT" for key, value in answers.items())


def _listing() -> str:
    tree = ast.parse((INFER / "engine.py").read_text())
    engine = next(node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Engine")
    return ast.get_docstring(engine)


def test_only_the_memo_path_writes_the_memo() -> None:
    """No part but the engine touches `_memo` or `_tables` (it calls `_memoized` / `_table`)."""
    for path in sorted(INFER.glob("*.py")):
        if path.name == "engine.py":
            continue
        text = path.read_text()
        assert not re.search(r"\._memo\b(?!ized)", text), f"{path.name} reads or writes the memo itself"
        assert not re.search(r"\._tables\b", text), f"{path.name} reads or writes the tables itself"


def test_the_engine_lists_every_kind_of_memo_key_and_table() -> None:
    listing = _listing()
    for path in sorted(INFER.glob("*.py")):
        for kind in re.findall(r"_(?:memoized|table)\(\s*\(\s*\"([^\"]+)\"", path.read_text()):
            assert f'"{kind}"' in listing, f"{path.name}: the key kind {kind!r} is not in Engine's list"
    engine = next(node for node in ast.parse((INFER / "engine.py").read_text()).body
                  if isinstance(node, ast.ClassDef) and node.name == "Engine")
    init = next(node for node in engine.body if isinstance(node, ast.FunctionDef) and node.name == "__init__")
    kept = {target.attr for node in ast.walk(init) if isinstance(node, (ast.Assign, ast.AnnAssign))
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Attribute)}
    assert {"_memo", "_tables", "_name_uses", "_scopes"} <= kept
    # every dict or table a part of Resolver keeps lives in Engine.__init__: no part keeps
    # state of its own
    resolver = next(node for node in ast.parse((INFER / "resolver.py").read_text()).body
                    if isinstance(node, ast.ClassDef) and node.name == "Resolver")
    parts = {base.id for base in resolver.bases} - {"Engine"}
    for path in sorted(INFER.glob("*.py")):
        for cls in ast.parse(path.read_text()).body:
            if not (isinstance(cls, ast.ClassDef) and cls.name in parts):
                continue
            parts.discard(cls.name)
            for node in ast.walk(cls):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self" \
                        and isinstance(node.ctx, ast.Store):
                    assert node.attr in kept | {"steps", "scanned"}, f"{path.name}:{node.lineno} keeps self.{node.attr}"
    assert not parts, f"parts of Resolver not found: {parts}"
