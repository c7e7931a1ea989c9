"""Facts of the syntax tree that need no evaluator state: keywords and arguments of a call,
parameters, defaults, literal forms, the enclosing def."""

from __future__ import annotations

import ast

from nnx_migrate.flow import scope_local_nodes
from nnx_migrate.index import SourceFile


def is_super_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


def _enclosing_def(file: SourceFile, node: ast.AST) -> ast.AST | None:
    parent = file.parents.get(id(node))
    while parent is not None and not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
        parent = file.parents.get(id(parent))
    return parent


def _parameters(function: ast.AST) -> tuple[list[ast.arg], list[ast.arg]]:
    arguments = function.args
    return [*arguments.posonlyargs, *arguments.args], arguments.kwonlyargs


def arguments_by_parameter(function: ast.AST, call: ast.Call, skip_self: bool = False) -> dict[str, ast.expr]:
    """Every parameter of `function` that `call` passes an argument for (positional or
    keyword-only), with that argument, as `_argument_for` matches each: the one argument
    binder. `skip_self`: a method called on an instance (`self._step(...)`)."""
    positional, keyword_only = _parameters(function)
    names = [p.arg for p in [*(positional[1:] if skip_self else positional), *keyword_only]]
    found = {name: _argument_for(function, name, call, skip_self) for name in names}
    return {name: argument for name, argument in found.items() if argument is not None}


def _argument_for(function: ast.AST, name: str, call: ast.Call, skip_self: bool = False) -> ast.expr | None:
    """The argument expression a call passes for parameter `name` (None: not passed, or
    not knowable because of `*args` / `**kwargs`)."""
    positional, keyword_only = _parameters(function)
    if skip_self:
        positional = positional[1:]
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    names = [p.arg for p in positional]
    if name in names:
        position = names.index(name)
        arguments = call.args
        if any(isinstance(a, ast.Starred) for a in arguments[: position + 1]):
            return None
        if position < len(arguments):
            return arguments[position]
    return None


def returned_values(function: ast.AST) -> list[ast.expr] | None:
    """The values a def's `return` statements give (its own, not nested defs'); None for a
    generator or where a bare `return` gives None."""
    returned = []
    for node in scope_local_nodes(function.body):
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return None
        if isinstance(node, ast.Return):
            if node.value is None:
                return None
            returned.append(node.value)
    return returned


def in_annotation(node: ast.AST, file: SourceFile) -> bool:
    """`node` is (part of) a parameter, return or variable annotation."""
    child, parent = node, file.parents.get(id(node))
    while parent is not None and not isinstance(parent, ast.stmt):
        if isinstance(parent, ast.arg) and child is parent.annotation:
            return True
        child, parent = parent, file.parents.get(id(parent))
    return isinstance(parent, ast.AnnAssign) and child is parent.annotation or \
        isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)) and child is parent.returns
