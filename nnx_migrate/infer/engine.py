"""The evaluator's state: the memo (one evaluation per key; incomplete results of a cycle
kept only until the cycle's head finishes, so answers do not depend on the order questions
are asked), the evaluation stack, the step budget per file, and the tables. `_memoized` is
the one path for a cached evaluation (expressions.py's `type_of` is the entry), `_table`
for a table; `Engine`'s docstring lists everything a run keeps."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from nnx_migrate.flow import BindingTable, FlowAnalysis
from nnx_migrate.index import ProjectIndex, SourceFile

if TYPE_CHECKING:
    from nnx_migrate.infer.scopes import Scope


# Evaluation limits, as pyright keeps them: nesting of one evaluation (beyond it the
# answer is "unknown", which is never rewritten), and steps per file (beyond it the file
# is reported and left alone).
MAX_EVALUATION_DEPTH = 120


STEPS_PER_FILE_NODE = 200


MIN_STEPS_PER_FILE = 500_000


_MISSING = object()


class _Frame:
    """One evaluation in progress: the outermost in-progress evaluation it used."""

    __slots__ = ("key", "index", "lowlink", "dependents", "stood_in", "inexact")

    def __init__(self, key: tuple, index: int):
        self.key = key
        self.index = index
        self.lowlink = index
        self.dependents: list[tuple] = []  # incomplete results that used this evaluation
        self.stood_in = False  # "unknown" was used for it while it was being evaluated
        self.inexact = False  # some stand-in in its group differs from the final answer


class AnalysisBudgetExceeded(Exception):
    """Type evaluation of a file took more steps than its budget allows."""

    def __init__(self, file: SourceFile, where: str, steps: int):
        super().__init__(f"type analysis stopped after {steps} evaluation steps in {where}; file left untouched")
        self.where = where


def _enclosing_function_name(file: SourceFile, node: ast.AST) -> str:
    parent = file.parents.get(id(node))
    while parent is not None:
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            kind = "class" if isinstance(parent, ast.ClassDef) else "function"
            return f"{kind} `{parent.name}` (line {parent.lineno})"
        parent = file.parents.get(id(parent))
    return f"module-level code (line {getattr(node, 'lineno', '?')})"


class Engine:
    """The state of one run's evaluation, shared by every part of `Resolver`: the memo and
    the evaluations in progress, the step budget, and the tables. Everything a run keeps is
    here, in one of two kinds (tests/test_order_independence.py checks this list against
    the code):

    Evaluations: what the project's code means, found by typing expressions, qualifying
    names or other evaluations. Each goes through `_memoized` (cycles, incomplete results:
    the answer does not depend on the order of questions), into `_memo`, which nothing else
    writes. Its keys, by first item:
      "expr" (type_of), "binding", "added items", "state items replaced" (a State's items
      stored under its name), "literal kept" (a container literal's items unchanged),
      "strings" (the strings a name may be) (expressions.py);
      "summary", "loop use" (the one loop a def is handed to), "sole argument use"
      (summaries.py);
      "attribute", "copy group", "stores", "fallback", "replaces", "functions lack" (attributes.py); "alias", "aliases",
      "stored", "module-as-object" (names.py: qualified names, writes to a module's
      namespace from outside); "callers", "method callers",
      "constructor callers" (callers.py);
      "writes-keep-array", "aliased-writes-keep-array" (array_writes.py); "fetched-by-name",
      "stored-by-name", "run-time stores", "class-swapped" (dynamic.py).

    Tables: facts of the syntax trees and the index alone, which evaluate nothing, so the
    order of questions cannot change them; built on first use (the project-wide ones that
    most files reach before workers fork: `Resolver.prepare_project_tables`). Not
    evaluation caches. Keyed ones go through `_table` into `_tables`:
      "attribute stores" (tables.py); "declared", "shadowing bindings" (scopes.py); "defines", "unseen base"
      (classes.py: the class graph); "escaping-names", "name-uses-by-owner",
      "name-uses-by-file", "value-writes-by-name" (array_writes.py); "stores-by-name"
      (dynamic.py); "renamed imports" (expressions.py: names some `from m import x as y` renames).
    The others are the attributes below, read on hot paths: the binder's per node and per
    file, and the project-wide ones. (The index keeps its own: MRO and class kinds.)"""

    def __init__(self, index: ProjectIndex):
        index.link_modules()  # every file is in: names through namespace packages are linked
        self.index = index
        # -- evaluations --------------------------------------------------------------------
        self._memo: dict[tuple, object] = {}  # written only by `_memoized`
        self._frames: list[_Frame] = []  # the evaluations in progress, outermost first
        self._on_stack: dict[tuple, int] = {}
        self._incomplete: dict[tuple, tuple[object, int]] = {}
        # -- tables -------------------------------------------------------------------------
        self._tables: dict[tuple, object] = {}  # written only by `_table`
        # the binder (scopes.py), per node: a node's bindings, scopes, the scope a node is
        # in, code flow per scope
        self.bindings = BindingTable()
        self._scopes: dict[int, Scope] = {}
        self._scope_nodes: dict[int, ast.AST] = {}  # id(node) -> its nearest enclosing scope node
        self._flows: dict[int, FlowAnalysis] = {}
        # the binder, per file (by id): binding nodes by scope, names declared global or
        # nonlocal, names isinstance-checked by scope
        self._file_bindings: dict[int, dict[int, list[ast.AST]]] = {}
        self._untracked: dict[int, frozenset[str]] = {}
        self._checked_names: dict[int, dict[int, set[str]]] = {}  # id(file) -> id(scope node) -> names
        # project-wide (tables.py, classes.py): every use of a name, classes binding an
        # attribute and stores from outside by file, subclasses, imports by target, modules
        # star-imported, module-level functions and the file of a def, identifier strings
        self._name_uses: dict[str, list] | None = None
        self._by_file: dict[tuple[int | None, str], tuple[list, list]] | None = None
        self._subclasses: dict[str, list[str]] | None = None
        self._imports_by_target: dict[str, list] | None = None
        self._star_imports: set[str] | None = None
        self._module_functions: dict[str, ast.AST] | None = None
        self._function_files: dict[int, SourceFile] = {}
        self._strings: frozenset[str] | None = None
        # -- cost ---------------------------------------------------------------------------
        self.steps = 0  # evaluation steps of the whole run, for tests that count cost
        # nodes looked at by scans and tables (rules' node lists, scopes asked for, code
        # flow's joins): work that is not evaluation, counted apart so that the step budget
        # stays as it was (tests/test_cost_growth.py)
        self.scanned = 0
        self._budget: int | None = None
        self._budget_file: SourceFile | None = None
        self._last_node: ast.AST | None = None  # where the evaluation is, for the budget's report

    def begin_file(self, file: SourceFile) -> None:
        """Start the step budget of one file's analysis."""
        size = len(file.parents) + 1
        self._budget = self.steps + max(MIN_STEPS_PER_FILE, STEPS_PER_FILE_NODE * size)
        self._budget_file = file

    def end_file(self) -> None:
        self._budget = None
        self._budget_file = None

    def _project_wide_steps(self, count: int) -> None:
        """Steps of a one-time, project-wide table: counted, not charged to the file
        whose analysis happened to need it first."""
        self.steps += count
        if self._budget is not None:
            self._budget += count

    def _step(self, node: ast.AST | None = None) -> None:
        self.steps += 1
        if node is not None:
            self._last_node = node
        if self._budget is not None and self.steps > self._budget:
            file, node = self._budget_file, self._last_node
            inside = file is not None and node is not None and file.parents.get(id(node)) is not None
            where = _enclosing_function_name(file, node) if inside else "the file"
            self._budget = None  # report once
            raise AnalysisBudgetExceeded(file, where, self.steps)

    def _memoized(self, key: tuple, node: ast.AST | None, compute, unknown=None, counted: bool = True):
        """One evaluation per key: the one path for a cached evaluation. A key met again
        while being computed (a recursive definition), or past the depth limit, is
        `unknown` there: never rewritten (so `unknown` is the cautious answer: None for a
        type, True for "may be written from outside").

        A result that used such a stand-in is incomplete: it is kept only until the
        evaluation it depends on finishes (as pyright keeps incomplete types), then kept
        for good if every stand-in it used was that evaluation's final answer, else
        dropped and recomputed when asked again; so the answer does not depend on which
        question was asked first (past the depth limit, "unknown" may be kept).

        Computing a key is one step (at `node`, for the budget's report), unless
        `counted` is False: the questions whose own loops count their work (the call-site
        search) or that are cheap next to what they ask (namespace writes, aliases), which
        were cached apart before they came onto this path and cost what they cost then."""
        found = self._memo.get(key, _MISSING)
        if found is not _MISSING:
            return found
        frames = self._frames
        if key in self._on_stack:
            index = self._on_stack[key]
            frames[index].stood_in = True
            self._depends_on(index)
            return unknown
        if key in self._incomplete:
            result, head = self._incomplete[key]
            self._depends_on(head)
            return result
        if len(frames) >= MAX_EVALUATION_DEPTH:
            self._depends_on(0)
            return unknown
        if counted:
            self._step(node)
        frame = _Frame(key, len(frames))
        frames.append(frame)
        self._on_stack[key] = frame.index
        try:
            result = compute()
        finally:
            frames.pop()
            del self._on_stack[key]
            if not frames and frame.lowlink < frame.index:
                self._incomplete.clear()  # an evaluation abandoned midway (the step budget)
        # inexact: some evaluation used "unknown" for this one, which turned out known
        inexact = frame.inexact or (frame.stood_in and result != unknown)
        if frame.lowlink < frame.index:
            # depends on an evaluation still in progress: valid until that one ends
            self._incomplete[key] = (result, frame.lowlink)
            head = frames[frame.lowlink]
            head.dependents.append(key)
            head.dependents.extend(frame.dependents)
            head.inexact = head.inexact or inexact
            self._depends_on(frame.lowlink)
        else:
            self._memo[key] = result
            for dependent in frame.dependents:
                stored = self._incomplete.pop(dependent, None)
                if stored is not None and not inexact:
                    self._memo[dependent] = stored[0]  # every stand-in was the final answer
        return result

    def _table(self, key: tuple, build):
        """A table (see the class's list): a fact of the syntax trees and the index alone,
        built on first use by `build`, which evaluates nothing, so it cannot depend on the
        order questions are asked. Kept apart from the memo, which holds evaluations only."""
        found = self._tables.get(key, _MISSING)
        if found is _MISSING:
            found = self._tables[key] = build()
        return found

    def _depends_on(self, index: int) -> None:
        if self._frames:
            top = self._frames[-1]
            top.lowlink = min(top.lowlink, index)
