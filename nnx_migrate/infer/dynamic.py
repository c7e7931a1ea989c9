"""Stores by run-time name (`setattr(self, name, v)`, `__dict__` updates) and classes swapped
at run time: where an attribute's type cannot be known."""

from __future__ import annotations

import ast

from nnx_migrate import flax_api
from nnx_migrate.index import SourceFile, dotted_name
from nnx_migrate.infer.types import ClassT, InstanceT, VariableT
from nnx_migrate.infer.syntax import _enclosing_def, _parameters, is_super_call


# flax's base classes: a receiver typed only as one of these may be any Module or Variable
_GRAPH_BASES = frozenset({"Module", "Pytree", "Object", "Variable", "VariableState"})


def _in_flax_package(file: SourceFile) -> bool:
    return f"{file.module}.".startswith("flax.")


def _may_name(name: ast.expr | None, attr: str | None) -> bool:
    """An attribute name computed at run time as `name` may be `attr` (None: any name):
    an f-string can only be one that begins and ends with its literal text
    (`f"child{i}"` is never `x`)."""
    if attr is None or not isinstance(name, ast.JoinedStr) or not name.values:
        return True
    first, last = name.values[0], name.values[-1]
    prefix = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""
    suffix = last.value if len(name.values) > 1 and isinstance(last, ast.Constant) and isinstance(last.value, str) else ""
    return len(attr) >= len(prefix) + len(suffix) and attr.startswith(prefix) and attr.endswith(suffix)


def _constant_string(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _forwards_own_store(call: ast.Call, name: ast.expr, file: SourceFile) -> bool:
    """`object.__setattr__(self, name, value)` / `super().__setattr__(name, value)` in a
    `__setattr__` override, with its own `name`: the store `x.name = v` it handles (seen
    where it is written), not a new one."""
    function = _enclosing_def(file, call)
    if function is None or function.name != "__setattr__" or not isinstance(name, ast.Name):
        return False
    positional, _ = _parameters(function)
    return len(positional) >= 2 and positional[1].arg == name.id


class Dynamic:
    """A part of `Resolver` (infer/resolver.py): the question in this module's docstring."""

    def _fetched_by_computed_name(self, cls: str) -> bool:
        """`getattr(x, <name computed at run time>)` where x is shown to be an instance of
        `cls`, of a base or a subclass, or the class: any of its methods may be fetched."""
        fetched = self._memoized(("fetched-by-name",), None, self._classes_fetched_by_name, unknown=frozenset())
        mro = self.index.mro(cls)
        return any(c in mro or cls in self.index.mro(c) for c in fetched)

    def _classes_fetched_by_name(self) -> frozenset[str]:
        classes = set()
        for node, file in self.name_uses("getattr"):
            call = file.parents.get(id(node))
            if isinstance(call, ast.Call) and call.func is node and len(call.args) >= 2 \
                    and not _constant_string(call.args[1]):
                found = self.type_of(call.args[0], self.scope_of(call, file))
                if isinstance(found, (InstanceT, ClassT)):  # an unknown receiver is not taken for every class
                    classes.add(found.cls)
        return frozenset(classes)

    def stored_by_name(self, cls: str, attr: str | None = None) -> bool:
        """Some code stores attributes on what may be an instance of `cls` (or of a class in
        its MRO) under names known only at run time: `setattr(m, name, v)`,
        `m.__setattr__(k, v)`, `m.__dict__.update(d)`, `vars(m)[k] = v`. Any attribute of
        it may then hold anything; with `attr`, only the stores whose name may be `attr`
        count (`setattr(self, f"child{i}", v)` never stores `x`)."""
        return bool(self.run_time_stores(cls, attr))

    def run_time_stores(self, cls: str, attr: str | None = None) -> list[tuple[SourceFile, ast.expr]]:
        """(file, receiver) of each store by a run-time name that makes `stored_by_name(cls,
        attr)` true: where to look (`nnx-migrate explain` names them)."""
        def compute() -> list[tuple[SourceFile, ast.expr]]:
            stores = self._memoized(("stored-by-name",), None, lambda: [
                (self._receiver_classes([store[:3]]), store) for store in self._stores_by_name()], unknown=[])
            return [(file, receiver) for classes, (receiver, file, _, name) in stores
                    if _may_name(name, attr) and any(self.is_subclass(cls, base) for base in classes)]

        return self._memoized(("run-time stores", cls, attr), None, compute, unknown=[])

    def class_swapped(self, cls: str) -> bool:
        """Some code sets `x.__class__` (or `setattr(x, "__class__", C)`) on what may be an
        instance of `cls`: it may then be of any class, a Variable's `get_value` gone too."""
        swapped = self._memoized(("class-swapped",), None, lambda: self._receiver_classes(
            [(node.value, file, None) for node, file in self._attribute_stores("__class__")]
            + [(receiver, file, None) for receiver, _, file in self._constant_setattr_calls("__class__")]),
            unknown=frozenset())
        return any(self.is_subclass(cls, base) for base in swapped)

    def attributes_unknown(self, cls: str, attr: str | None = None) -> bool:
        """Any attribute of an instance of `cls` (with `attr`: that one) may hold anything
        (see `stored_by_name`, `class_swapped`)."""
        return self.stored_by_name(cls, attr) or self.class_swapped(cls)

    def _stores_by_name(self) -> list[tuple[ast.expr, SourceFile, ast.expr | None, ast.expr | None]]:
        """(receiver, file, value stored or None when not one expression, the name's
        expression or None when not one) of the attribute stores whose names are computed
        at run time (see `stored_by_name`); `super()` stands for the enclosing method's `self`."""
        return self._table(("stores-by-name",), self._find_stores_by_name)

    def _find_stores_by_name(self) -> list[tuple[ast.expr, SourceFile, ast.expr | None, ast.expr | None]]:
        receivers = []
        for node, file in self.name_uses("setattr") + self.name_uses("__setattr__"):
            if _in_flax_package(file):
                continue  # flax's own graph code (update, sow, perturb), trusted as when it is not scanned
            call = file.parents.get(id(node))
            if not (isinstance(call, ast.Call) and call.func is node) or any(
                isinstance(a, ast.Starred) for a in call.args
            ):
                continue
            arguments = list(call.args)
            if isinstance(node, ast.Name) or dotted_name(node.value) == "object":
                receiver = arguments.pop(0) if arguments else None  # setattr(r, k, v)
            else:
                receiver = node.value  # r.__setattr__(k, v)
            if receiver is None or not arguments or _constant_string(arguments[0]) \
                    or _forwards_own_store(call, arguments[0], file):
                continue
            receivers.append((receiver, file, arguments[1] if len(arguments) == 2 else None, arguments[0]))
        for node, file in self.name_uses("__dict__") + self.name_uses("vars"):
            if _in_flax_package(file):
                continue
            holder = node if isinstance(node, ast.Attribute) else file.parents.get(id(node))
            if isinstance(node, ast.Name):
                if not (isinstance(holder, ast.Call) and holder.func is node and len(holder.args) == 1):
                    continue
                receiver = holder.args[0]
            else:
                receiver = node.value
            parent = file.parents.get(id(holder))
            updated = isinstance(parent, ast.Attribute) and parent.attr in ("update", "setdefault", "__setitem__") \
                and isinstance(file.parents.get(id(parent)), ast.Call)
            replaced = isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load)
            by_key = isinstance(parent, ast.Subscript) and parent.value is holder \
                and not isinstance(parent.ctx, ast.Load) and not _constant_string(parent.slice)
            if (updated or replaced or by_key or isinstance(parent, ast.AugAssign) and parent.target is holder) \
                    and getattr(_enclosing_def(file, holder), "name", None) != "__setstate__":  # unpickling restores its own
                receivers.append((receiver, file, None, None))
        return receivers

    def _receiver_classes(self, stores: list[tuple[ast.expr, SourceFile, ast.expr | None]]) -> frozenset[str]:
        """The classes whose instances (or subclasses') the receivers of `stores` may be."""
        classes = set()
        for receiver, file, value in stores:
            if is_super_call(receiver):
                method = _enclosing_def(file, receiver)
                owner = file.parents.get(id(method)) if method is not None else None
                info = self.index.class_of_node(owner) if isinstance(owner, ast.ClassDef) else None
                found = InstanceT(info.qualname) if info is not None else None
            else:
                found = self.type_of(receiver, self.scope_of(receiver, file))
            # an unknown receiver (a config object, a namespace) is not taken for every class
            if not isinstance(found, (VariableT, InstanceT, ClassT)):
                continue
            if flax_api.flax_name(found.cls) in _GRAPH_BASES and value is not None \
                    and self._is_graph_node(self.type_of(value, self.scope_of(value, file))):
                # `setattr(model: nnx.Module, name, nnx.Linear(...))`: surgery that puts a
                # Module (or Variable) where one was, on any Module: not every attribute of
                # every class is taken for unknown (a Variable replaced by a Module fails
                # before and after alike)
                continue
            classes.add(found.cls)
        return frozenset(classes)
