"""For a site (`.value`, `iter_*`, a container stored on a Module, a constructor's
signature), what the engine concluded and why, as pyright's `reveal_type` shows a type: the
type of each part of the receiver, the bindings that reach it, and where it is unknown, the
first step that is unknown. A reader of the engine: rules (value-access) and
`nnx-migrate explain` (explain.py, which runs the pipeline first) ask it."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from nnx_migrate.bindings import ANNOTATED, ANNOTATION, EXPR, IMPORT, ITER, PARAM, UNKNOWN, WITH, Binding
from nnx_migrate.index import ProjectIndex, SourceFile
from nnx_migrate.resolve import STATE, AbstractT, is_state, InstanceT, Resolver, Scope, VariableT, reveal

SITE_ATTRIBUTES = frozenset({"value", "raw_value", "iter_modules", "iter_children"})
MAX_BINDINGS_SHOWN = 3


@dataclass
class Location:
    line: int
    column: int | None = None  # 1-based, as reports print it


class Explainer:
    """Answers from the same index and resolver a migration uses."""

    def __init__(self, index: ProjectIndex, resolver: Resolver):
        self.index = index
        self.resolver = resolver

    def sites(self, file: SourceFile, where: Location) -> list[ast.AST]:
        """The nodes on the line (at the column, when one is given) that a rule looks at."""
        found = []
        for node in file.nodes(ast.Attribute, ast.FunctionDef, ast.Assign, ast.AugAssign):
            if node.lineno != where.line and not (isinstance(node, ast.Assign) and node.lineno <= where.line <= node.end_lineno):
                continue
            if isinstance(node, ast.Attribute) and node.attr not in SITE_ATTRIBUTES:
                continue
            if isinstance(node, ast.FunctionDef) and node.name != "__init__":
                continue
            if isinstance(node, ast.Assign) and not _stores_a_container_on_self(node):
                continue
            if isinstance(node, ast.AugAssign) and not isinstance(node.target, (ast.Name, ast.Attribute)):
                continue
            if where.column is not None and not _spans(node, where.column - 1):
                continue
            found.append(node)
        return found

    def explain(self, file: SourceFile, node: ast.AST) -> list[str]:
        scope = self.resolver.scope_of(node, file)
        if isinstance(node, ast.Attribute):
            lines = [f"`{ast.unparse(node)}`: the receiver, part by part:", *self.parts(node.value, scope)]
            container = node.value.value if isinstance(node.value, (ast.Attribute, ast.Subscript)) else None
            if container is not None and is_state(self.resolver.type_of(container, scope)) \
                    and self.resolver.type_of(node.value, scope) == STATE:  # an item of unknown depth
                lines += [f"    {why}" for why in self.state_leaf_why(node.value, file)]
            return lines
        if isinstance(node, ast.AugAssign):  # `v += y` on a Variable itself
            return [f"`{ast.unparse(node.target)} {_OPERATORS.get(type(node.op), 'op')}= ...`: the target, part by part:",
                    *self.parts(node.target, scope)]
        if isinstance(node, ast.FunctionDef):
            owner = file.parents.get(id(node))
            info = self.index.class_of_node(owner) if isinstance(owner, ast.ClassDef) else None
            if info is None:
                return ["`__init__` outside a class"]
            kind = "an NNX Module" if self.index.is_nnx_class(info.qualname) else "not an NNX Module"
            return [f"`{info.qualname}.__init__`: {kind}"]
        target = node.targets[0]
        lines = [f"`{ast.unparse(target)} = ...`: the container stored, and its elements:"]
        lines += self.parts(node.value, scope)
        owner = self.resolver.type_of(target.value, scope)
        lines.append(f"  `{ast.unparse(target.value)}` is {reveal(owner)}"
                     + ("" if owner is None or not isinstance(owner, InstanceT) or self.index.is_nnx_class(owner.cls)
                        else " (not an NNX Module)"))
        return lines

    def parts(self, expression: ast.expr, scope: Scope) -> list[str]:
        """`a.b[0].c`: the type of `a`, `a.b`, `a.b[0]`, `a.b[0].c`, then why the first
        unknown one is unknown."""
        chain = []
        node = expression
        while True:
            chain.append(node)
            if isinstance(node, (ast.Attribute, ast.Subscript)):
                node = node.value
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                node = node.func.value
            else:
                break
        lines = []
        parts = list(reversed(chain))
        found = [self.resolver.type_of(part, scope) for part in parts]
        for position, part in enumerate(parts):
            lines.append(f"  `{ast.unparse(part)}`: {reveal(found[position])}")
            if found[position] is not None:
                continue
            outer = parts[position + 1] if position + 1 < len(parts) else None
            if isinstance(part, ast.Subscript) and isinstance(outer, ast.Attribute) and found[position + 1]:
                options = self.resolver.element_types(part, scope) or []
                lines.append(f"    it holds {', '.join(sorted({reveal(o) for o in options}))}: `.{outer.attr}` is "
                             "that of each that has one (reading it on the others raises)")
                continue
            lines += [f"    {why}" for why in self.why_unknown(part, scope)]
            if not any(later is not None for later in found[position + 1:]):
                break
        return lines

    def reason(self, receiver: ast.expr, scope: Scope, file: SourceFile) -> str:
        """Why `receiver` is not shown to be a Variable, in a few words with the place of the
        evidence (the summary's reasons; `explain` gives the detail)."""
        chain = [receiver]
        while isinstance(chain[-1], (ast.Attribute, ast.Subscript)) or (
                isinstance(chain[-1], ast.Call) and isinstance(chain[-1].func, ast.Attribute)):
            node = chain[-1]
            chain.append(node.func.value if isinstance(node, ast.Call) else node.value)
        for node in reversed(chain):
            found = self.resolver.type_of(node, scope)
            if is_state(found) and node is not receiver:
                continue
            if found is None:
                return self._short_reason(node, scope)
        if isinstance(receiver, (ast.Attribute, ast.Subscript)) and is_state(self.resolver.type_of(receiver.value, scope)) \
                and self.resolver.type_of(receiver, scope) == STATE:
            return "a State item under a name the project also binds to other things"
        return "its type is known and is no Variable"

    def _short_reason(self, node: ast.expr, scope: Scope) -> str:
        resolver = self.resolver
        if isinstance(node, ast.Name):
            found = resolver.reaching_bindings(node, scope)
            bindings = found[1] if found else []
            if len(bindings) == 1 and bindings[0].kind == PARAM:
                calls = resolver.callers(bindings[0].function)
                if calls is None:
                    return "a parameter with no annotation whose callers cannot all be seen"
                return "a parameter with no annotation and no caller" if not calls else \
                    "a parameter with no annotation whose callers pass no Variable"
            return "a name whose bindings are not shown to be Variables"
        if isinstance(node, ast.Attribute):
            owner = resolver.type_of(node.value, scope)
            owner = owner.instance if isinstance(owner, AbstractT) else owner  # nnx.eval_shape's: the same attributes
            if isinstance(owner, InstanceT):
                stores = resolver.run_time_stores(owner.cls, node.attr)
                if stores:
                    file, store = stores[0]
                    return f"attributes of its class are stored by run-time names ({file.path.name}:{store.lineno})"
                outside = [(receiver, file) for _, receiver, file in resolver.outside_stores(node.attr, owner.cls)
                           if receiver is not None]
                if outside:
                    receiver, file = outside[0]
                    return f"`.{node.attr}` is also stored from outside its class ({file.path.name}:{receiver.lineno})"
                return f"its class does not bind `.{node.attr}` to a Variable alone"
            return "an attribute of an object of unknown type"
        if isinstance(node, ast.Call):
            return "what a call returns is not known"
        if isinstance(node, ast.Subscript):
            return "an item of a container whose items are not known"
        return "its type is not shown"

    def why_unknown(self, node: ast.expr, scope: Scope) -> list[str]:
        """The first step nnx-migrate could not take, in a line or a few."""
        resolver = self.resolver
        if isinstance(node, ast.Name):
            found = resolver.reaching_bindings(node, scope)
            if found is None:
                return [f"`{node.id}` is bound nowhere nnx-migrate sees (a builtin, or a name of another module)"]
            owner, bindings = found
            shown = [self._binding(node.id, binding, owner) for binding in bindings[:MAX_BINDINGS_SHOWN]]
            more = len(bindings) - MAX_BINDINGS_SHOWN
            head = f"{len(bindings)} bindings of `{node.id}` reach here:" if len(bindings) > 1 else "reached by"
            return [head, *(f"  {line}" for line in shown)] + ([f"  and {more} more"] if more > 0 else [])
        if isinstance(node, ast.Attribute):
            owner = resolver.type_of(node.value, scope)
            owner = owner.instance if isinstance(owner, AbstractT) else owner  # nnx.eval_shape's: the same attributes
            if not isinstance(owner, InstanceT):
                return [f"`{ast.unparse(node.value)}` is {reveal(owner)}: it has no attribute types nnx-migrate knows"]
            return self._attribute_why(owner.cls, node.attr)
        if isinstance(node, ast.Call):
            return [f"what `{ast.unparse(node.func)}(...)` returns is not known (not a flax or project constructor, "
                    "and no summary of its returns)"]
        if isinstance(node, ast.Subscript):
            container = resolver.type_of(node.value, scope)
            return [f"the items of `{ast.unparse(node.value)}` ({reveal(container)}) are not known"]
        return [f"`{ast.unparse(node)}` is not an expression nnx-migrate types"]

    def state_leaf_why(self, receiver: ast.expr, file: SourceFile) -> list[str]:
        """`state['w'].value` / `state.w.value`: a leaf only under a name the project binds
        only to Variables; the first class that binds it otherwise, and why."""
        key = receiver.attr if isinstance(receiver, ast.Attribute) else (
            receiver.slice.value if isinstance(receiver, ast.Subscript) and isinstance(receiver.slice, ast.Constant) else None)
        if not isinstance(key, str):
            return ["an nnx.State item under a key that is not a constant name: not known to be a Variable"]
        found = self.resolver.fallback_attribute(key, file)
        lines = [f"in an nnx.State, `{key}` is a Variable only where the project binds `{key}` only to Variables; "
                 f"here: {reveal(found)}"]
        for info in self.resolver.classes_binding(key):
            bound = self.resolver.instance_attribute(info.qualname, key)
            if not isinstance(bound, VariableT):
                lines.append(f"  `{info.qualname}.{key}` ({info.file.path.name}:{info.node.lineno}) is {reveal(bound)}")
                lines += [f"    {why}" for why in self._attribute_why(info.qualname, key)] if bound is None else []
                break
        return lines

    def _attribute_why(self, cls: str, attr: str) -> list[str]:
        resolver = self.resolver
        stores = resolver.run_time_stores(cls, attr)
        if stores:
            file, store = stores[0]
            return [f"attributes of `{cls}` are stored under names known only at run time "
                    f"({file.path.name}:{store.lineno}): any attribute may hold anything"]
        if resolver.class_swapped(cls):
            return [f"an instance of `{cls}` may have its `__class__` replaced somewhere in the project"]
        bindings = [(value, is_annotation) for base in self.index.mro(cls)
                    for info in [self.index.lookup_class(base)] if info is not None
                    for value, _, is_annotation in info.attribute_bindings.get(attr, ())]
        group = resolver.copy_group(cls, attr)
        copies = [(copied, file) for member in group for copied, file in resolver.copies_into(cls, member)
                  if copied.attr in group and copied.attr != member]
        if copies:
            copied, file = copies[0]
            joined = ", ".join(f"`.{member}`" for member in group)
            return [f"{joined} copy one another ({file.path.name}:{copied.lineno}; `... = {ast.unparse(copied)}` "
                    f"on what may be a `{cls}`): each holds what any of them is bound to"]
        outside = [(value, receiver, file) for value, receiver, file in resolver.outside_stores(attr, cls)
                   if receiver is not None]
        if outside:
            value, receiver, file = outside[0]
            return [f"`.{attr}` is also stored from outside the class: `{ast.unparse(receiver)}.{attr} = ...` "
                    f"({file.path.name}:{receiver.lineno}; the value: {reveal(value)}), on a receiver that may be "
                    f"a `{cls}`" + (f" (and {len(outside) - 1} more)" if len(outside) > 1 else "")]
        if not bindings:
            return [f"`{cls}` binds no attribute `{attr}` that nnx-migrate can see"]
        shown = [f"`{attr}` is bound to `{ast.unparse(value)}` (line {value.lineno})"
                 + (" (annotation)" if is_annotation else "") for value, is_annotation in bindings[:MAX_BINDINGS_SHOWN]]
        return [*shown, "and not every binding agrees on one known type" if len(bindings) > 1
                else "whose type is not known"]

    def _binding(self, name: str, binding: Binding, owner: Scope) -> str:
        kind = binding.kind
        found = reveal(self.resolver.binding_type(binding, owner))
        if kind == PARAM:
            function = binding.function
            label = getattr(function, "name", "lambda")
            calls = self.resolver.callers(function)
            callers = "its callers cannot all be seen" if calls is None else (
                f"{len(calls)} caller(s) seen" if calls else "no caller in the scanned paths")
            return f"parameter `{name}` of `{label}` (no annotation; {callers}): {found}"
        if kind == ANNOTATION:
            return f"parameter `{name}` annotated `{ast.unparse(binding.annotation)}`: {found}"
        if kind in (EXPR, ANNOTATED):
            value = binding.value if kind == EXPR else (binding.value or binding.annotation)
            return f"`{name} = {ast.unparse(value)}` (line {value.lineno}): {found}"
        if kind == ITER:
            return f"a loop over `{ast.unparse(binding.iterable)}` (line {binding.iterable.lineno}): {found}"
        if kind == IMPORT:
            return f"an import that names no project class or flax object nnx-migrate knows: {found}"
        if kind == WITH:
            return f"`with {ast.unparse(binding.context)} as {name}` (line {binding.context.lineno}): {found}"
        if kind == UNKNOWN:
            return "a binding nnx-migrate does not follow (`global`/`nonlocal`, `with ... as`, `except ... as`, "\
                   "a starred target, or one made from another scope)"
        return f"a `{kind}` binding: {found}"


_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
              ast.Pow: "**", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
              ast.LShift: "<<", ast.RShift: ">>"}


def _stores_a_container_on_self(node: ast.Assign) -> bool:
    return len(node.targets) == 1 and isinstance(node.targets[0], ast.Attribute) and isinstance(
        node.value, (ast.List, ast.Tuple, ast.Dict, ast.ListComp, ast.DictComp, ast.Call))


def _spans(node: ast.AST, column: int) -> bool:
    if isinstance(node, ast.Attribute):  # the column of `.value` itself, or anywhere on the receiver
        return node.col_offset <= column < node.end_col_offset
    return node.col_offset <= column
