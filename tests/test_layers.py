"""The import graph of nnx_migrate has no cycle, and its layers import downwards.

Every import counts, also one inside a function (a deferred import hides a cycle, it does
not remove it); only `if TYPE_CHECKING:` imports do not. The rules (codemods/, installed
as nnx_migrate.codemods) are free of the rewrite stage: they may import the framework
(rule, findings, bindings, evidence, suppression, lines), the engine and the libcst adapter
`command`, never rewrite, the pipeline or what runs it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. A module may import modules of its own layer or of lower ones.
LAYERS: list[tuple[str, set[str]]] = [
    ("leaves", {"nnx_migrate", "flax_api", "config", "findings", "suppression", "lines", "bindings", "rulenames",
                "newer_syntax", "ipython", "notebook", "workers", "cst_build"}),
    ("project index", {"index"}),
    ("files", {"doctests", "docblocks", "apply", "discover"}),
    ("code flow", {"flow"}),
    ("engine", {"resolve", "infer"}),  # infer.* (see docs/inference.md for the map inside)
    ("rule framework", {"evidence", "rule"}),
    ("rewrite stage", {"rewrite", "file_rewrite", "command", "cache"}),
    ("rules", {"codemods"}),
    ("registry", {"registry", "ruledocs"}),
    ("runs", {"pipeline", "explain", "report", "review"}),
    ("tools", {"cli", "__main__", "trace", "verify"}),
]
RULES_MAY_NOT_IMPORT = {"rewrite", "file_rewrite", "cache", "pipeline", "explain", "report", "review", "cli",
                        "registry", "ruledocs", "doctests", "docblocks", "apply", "discover"}


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted((ROOT / "nnx_migrate").rglob("*.py")) + sorted((ROOT / "codemods").rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[:2] == ("nnx_migrate", "codemods"):  # a checkout's link to codemods/
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[0] == "codemods":
            parts.insert(0, "nnx_migrate")
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {module for module in found if module in modules and module != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _top(module: str) -> str:
    """`nnx_migrate.infer.calls` -> `infer`; `nnx_migrate.codemods.x` -> `codemods`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _layer(module: str) -> int:
    top = _top(module)
    for number, (_, members) in enumerate(LAYERS):
        if top in members:
            return number
    raise AssertionError(f"{module} is in no layer of tests/test_layers.py: add it to one")


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                connect(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_the_import_graph_has_no_cycle() -> None:
    assert _cycles(_graph()) == []


def test_layers_import_downwards() -> None:
    upward = [f"{module} ({LAYERS[_layer(module)][0]}) imports {imported} ({LAYERS[_layer(imported)][0]})"
              for module, imported_modules in sorted(_graph().items()) for imported in sorted(imported_modules)
              if _layer(imported) > _layer(module)]
    assert upward == []


def test_rules_are_free_of_the_rewrite_stage() -> None:
    found = [f"{module} imports {imported}" for module, imported_modules in sorted(_graph().items())
             if _top(module) == "codemods" for imported in sorted(imported_modules)
             if _top(imported) in RULES_MAY_NOT_IMPORT]
    assert found == []


def test_the_check_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# The parts of the evaluator (nnx_migrate/infer/, the mixins `Resolver` is made of) call
# each other through `self`: a part may call its own layer or a lower one. Expression
# evaluation, calls, summaries, callers, attributes, stores by run-time name and
# array-write safety are one mutual recursion (typing a receiver needs them all), as in
# pyright's evaluator; what is below it never calls up into it.
INFER_LAYERS = [{"engine"}, {"tables"}, {"scopes"}, {"names"}, {"classes"},
                {"expressions", "calls", "summaries", "callers", "attributes", "dynamic", "array_writes"},
                {"resolver"}]


def _self_calls() -> list[tuple[str, str, str, str]]:
    """(caller's module, method, callee's module, callee) for every `self.m` of the parts."""
    folder = ROOT / "nnx_migrate" / "infer"
    parts = set().union(*INFER_LAYERS)
    trees = {path.stem: ast.parse(path.read_text(encoding="utf-8")) for path in folder.glob("*.py") if path.stem in parts}
    home = {method.name: module for module, tree in trees.items() for cls in tree.body if isinstance(cls, ast.ClassDef)
            for method in cls.body if isinstance(method, ast.FunctionDef)}
    found = []
    for module, tree in trees.items():
        for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
            for method in (node for node in cls.body if isinstance(node, ast.FunctionDef)):
                for node in ast.walk(method):
                    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                            and node.value.id == "self" and node.attr in home:
                        found.append((module, method.name, home[node.attr], node.attr))
    return found


def _infer_layer(module: str) -> int:
    return next(number for number, members in enumerate(INFER_LAYERS) if module in members)


def test_the_parts_of_the_evaluator_call_downwards() -> None:
    calls = _self_calls()
    assert calls, "no part of the evaluator found"
    upward = sorted({f"{module}.{method} calls {callee} ({callee_module})" for module, method, callee_module, callee in calls
                     if _infer_layer(callee_module) > _infer_layer(module)})
    assert upward == []


def test_every_part_of_the_evaluator_has_a_layer() -> None:
    functions_only = {"__init__", "types", "syntax", "queries", "explain"}  # no evaluator state: plain functions
    parts = {path.stem for path in (ROOT / "nnx_migrate" / "infer").glob("*.py")} - functions_only
    assert parts == set().union(*INFER_LAYERS)
