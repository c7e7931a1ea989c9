"""Array-write safety: every `.value = y` that may reach a Variable writes an array, so
`[...]` is as good as `.value` there."""

from __future__ import annotations

import ast

from nnx_migrate import flax_api
from nnx_migrate.bindings import EXPR
from nnx_migrate.index import SourceFile
from nnx_migrate.infer.types import ARRAY, InstanceT, VariableT
from nnx_migrate.infer.scopes import Scope


def _arithmetic_on(value: ast.expr, target: ast.Attribute) -> bool:
    """`value` is arithmetic (+ - * / ** @ and unary minus) with a read of `target` among
    its operands."""
    wanted = ast.dump(target, annotate_fields=False).replace("Store()", "Load()")
    arithmetic = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Pow, ast.MatMult)

    def operands(node: ast.expr) -> list[ast.expr]:
        if isinstance(node, ast.BinOp) and isinstance(node.op, arithmetic):
            return operands(node.left) + operands(node.right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return operands(node.operand)
        return [node]

    return isinstance(value, (ast.BinOp, ast.UnaryOp)) and any(
        ast.dump(operand, annotate_fields=False) == wanted for operand in operands(value))


class ArrayWrites:
    """A part of `Resolver` (infer/resolver.py): the question in this module's docstring."""

    def writes_keep_array(self, receiver: ast.expr, cls: str = f"{flax_api.NNX}.Variable",
                          scope: Scope | None = None) -> bool:
        """Every `<...>.name.value = y` in the project (name: the receiver's last name)
        writes an array, and so does every write through an alias that may be a `cls`
        Variable: a Variable made with an array may be given a tuple later, and then
        `[...]` fails where `.value` worked."""
        name = receiver.attr if isinstance(receiver, ast.Attribute) else getattr(receiver, "id", None)
        if name is None:
            return False
        if not self._memoized(("writes-keep-array", name), None, lambda: self._writes_keep_array(name), unknown=False):
            return False
        return self._unreachable_by_aliases(receiver, scope) or self._memoized(
            ("aliased-writes-keep-array", cls), None, lambda: self._aliased_writes_keep_array(cls), unknown=False)

    def _unreachable_by_aliases(self, receiver: ast.expr, scope: Scope | None) -> bool:
        """Writes through other names cannot give the Variable at `receiver` a non-array:
        a flax layer's own Variable (`linear.kernel`: flax's code reads it as an array), or
        a Variable made in this scope and used only through its name (`v.value`, never
        passed, stored or captured)."""
        if scope is None:
            return False
        if isinstance(receiver, ast.Attribute):
            owner = self.type_of(receiver.value, scope)
            return isinstance(owner, InstanceT) and flax_api.flax_name(owner.cls) is not None \
                and self.index.is_nnx_class(owner.cls)
        if not (isinstance(receiver, ast.Name) and self._fresh_variable_name(receiver, scope)):
            return False
        owner = self.reaching_bindings(receiver, scope)[0]
        return id(owner) not in self._escaping_names(receiver.id, scope.file)

    def _escaping_names(self, name: str, file: SourceFile) -> set[int]:
        """The scopes (by id) whose variable `name` some read in `file` passes, stores,
        returns or captures (anything but `name.attr` in that scope itself): aliases may
        write it. One table per name and file, not a scan of the name's uses per write."""
        def build() -> set[int]:
            found = set()
            for owner, uses in self._name_uses_by_owner(name, file).items():
                for node, here in uses:
                    parent = file.parents.get(id(node))
                    if owner is not None and not isinstance(node.ctx, ast.Store) and (
                            not (isinstance(parent, ast.Attribute) and parent.value is node) or id(here) != owner):
                        found.add(owner)  # passed, stored, returned or captured
                        break
            return found

        return self._table(("escaping-names", name, id(file)), build)

    def _name_uses_by_owner(self, name: str, file: SourceFile) -> dict[int | None, list[tuple[ast.Name, Scope]]]:
        """The Name nodes spelled `name` in `file` (reads and stores, in source order), by
        the scope whose variable they are (its id; None: bound nowhere), each with the scope
        it is in. Made once per name and file: asked for each variable of that name."""
        def by_file() -> dict[int, list[ast.Name]]:
            found: dict[int, list[ast.Name]] = {}
            uses = self.name_uses(name)
            self.scanned += len(uses)
            for node, use_file in uses:
                if isinstance(node, ast.Name):
                    found.setdefault(id(use_file), []).append(node)
            return found

        def build() -> dict[int | None, list[tuple[ast.Name, Scope]]]:
            found: dict[int | None, list[tuple[ast.Name, Scope]]] = {}
            for node in self._table(("name-uses-by-file", name), by_file).get(id(file), ()):
                here = self.scope_of(node, file)
                owner = here.find(node.id)
                found.setdefault(id(owner) if owner is not None else None, []).append((node, here))
            return found

        return self._table(("name-uses-by-owner", name, id(file)), build)

    def _aliased_writes_keep_array(self, cls: str) -> bool:
        """`alias.value = y`, `param.value = y`, `items[i].value = y` (a receiver that may be
        any existing Variable, not a fresh one bound to that name) writes an array wherever
        the receiver may be a `cls` Variable."""
        for node, file in self._attribute_stores("value"):
            receiver = node.value
            if isinstance(receiver, ast.Attribute):
                continue  # matched by its name
            scope = self.scope_of(node, file)
            if isinstance(receiver, ast.Name) and self._fresh_variable_name(receiver, scope):
                continue  # only that Variable, read through the same name
            found = self.type_of(receiver, scope)
            if isinstance(found, VariableT) and not self._related_variable_classes(found.cls, cls):
                continue
            if found is not None and not isinstance(found, VariableT):
                continue
            if not self._write_keeps_array(node, file):
                return False
        for receiver, value, file in self._constant_setattr_calls("value"):  # setattr(v, "value", y)
            scope = self.scope_of(receiver, file)
            found = self.type_of(receiver, scope)
            if (found is None or isinstance(found, VariableT) and self._related_variable_classes(found.cls, cls)) \
                    and self.type_of(value, scope) != ARRAY:
                return False
        return True

    def _fresh_variable_name(self, node: ast.Name, scope: Scope) -> bool:
        """Every binding of the name reaching here constructs a new Variable."""
        found = self.reaching_bindings(node, scope)
        return found is not None and all(
            b.kind == EXPR and isinstance(b.value, ast.Call)
            and self.index.is_variable_class(self.qualified(b.value.func, found[0]) or "")
            for b in found[1]
        )

    def _related_variable_classes(self, first: str, second: str) -> bool:
        generic = f"{flax_api.NNX}.Variable"
        return generic in (first, second) or first in self.index.mro(second) or second in self.index.mro(first)

    def _writes_keep_array(self, name: str) -> bool:
        return all(self._write_keeps_array(node, file) for node, file in self._value_writes_by_name().get(name, ()))

    def _value_writes_by_name(self) -> dict[str, list[tuple[ast.Attribute, SourceFile]]]:
        """Every `<...>.name.value = y` / `name.value = y` of the project, in order, by the
        receiver's last name: one table, not a scan of every `.value` per name asked."""
        def build() -> dict[str, list[tuple[ast.Attribute, SourceFile]]]:
            found: dict[str, list[tuple[ast.Attribute, SourceFile]]] = {}
            uses = self.name_uses("value")
            self.scanned += len(uses)
            for node, file in uses:
                target = node.value if isinstance(node, ast.Attribute) else None
                if isinstance(node.ctx, ast.Store) and target is not None:
                    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
                    found.setdefault(name, []).append((node, file))
            return found

        return self._table(("value-writes-by-name",), build)

    def _write_keeps_array(self, node: ast.Attribute, file: SourceFile) -> bool:
        """`<receiver>.value = y` writes an array: y is one, or arithmetic on the value the
        receiver held (`v.value = v.value * d + x`, like `v.value op= y`: an array or raises)."""
        statement = file.parents.get(id(node))
        if isinstance(statement, ast.AugAssign):
            return True
        value = statement.value if isinstance(statement, ast.Assign) else None
        if value is None:
            return False
        return self.type_of(value, self.scope_of(value, file)) == ARRAY or _arithmetic_on(value, node)
