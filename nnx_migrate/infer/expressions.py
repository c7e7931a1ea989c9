"""Expression evaluation: the type of a name (from the bindings that reach it), a subscript,
an unpacked target, an iterated element, an annotation. Calls (calls.py), attributes
(attributes.py) and function summaries (summaries.py) are its mutual recursion."""

from __future__ import annotations

import ast

from nnx_migrate import flax_api
from nnx_migrate.bindings import (
    ANNOTATED, ANNOTATION, AUGMENTED, CLASS, CLS, DEF, EXPR, IMPORT, ITER, NARROW, PARAM, RNGS_PARAMETER, SELF, UNPACK, WITH,
    Binding,
)
from nnx_migrate.bindings import NONE as NONE_KIND
from nnx_migrate.index import SourceFile, dotted_name
from nnx_migrate.infer.types import (
    ARRAY, as_container, _at, BUILTIN_VALUE, _BUILTIN_VALUE_TYPES, ClassT, ContainerT, FLAT_STATE, FunctionT,
    GRAPH_ELEMENT, GraphDefT, IN_PLACE_METHODS, InstanceT, join, join_or_unknown, MERGE_CONTEXT, NONE, RNG_STREAM,
    is_state, RNGS, SPLIT_CONTEXT, SplitT, STATE, StateT, state_item, TupleT, Type, VariableT,
)
from nnx_migrate.infer.scopes import _COMPREHENSIONS, Scope
from nnx_migrate.infer.syntax import arguments_by_parameter


_ARRAY_ANNOTATIONS = frozenset(  # not ArrayLike: Python scalars are ArrayLike
    {"jax.Array", "jax.numpy.ndarray", "numpy.ndarray", "chex.Array", "jaxtyping.Array", "flax.typing.Array"}
)


_MAPPING_ANNOTATIONS = frozenset(
    {"dict", "typing.Dict", "typing.Mapping", "typing.MutableMapping", "collections.abc.Mapping",
     "collections.abc.MutableMapping"}
)


_CONTAINER_ANNOTATIONS = _MAPPING_ANNOTATIONS | {
    "list", "tuple", "set", "frozenset", "typing.List", "typing.Tuple", "typing.Sequence", "typing.Set",
    "typing.Iterable", "typing.Iterator", "typing.Collection", "collections.abc.Sequence",
    "collections.abc.Iterable", "collections.abc.Iterator", "collections.abc.Collection",
}


# container methods that add an item, and the position of the item (or iterable) added
_ADDING_METHODS = {"append": 0, "insert": 1, "add": 0, "extend": 0, "update": 0, "setdefault": 1}


def _union_members(node: ast.expr) -> list[ast.expr]:
    """`A | B | C` -> [A, B, C] (an isinstance check's union of classes)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union_members(node.left) + _union_members(node.right)
    return [node]


# packages whose TestCase classes keep unittest's assertIsInstance
_TEST_CASE_ROOTS = frozenset({"unittest", "absl", "jax", "chex", "tensorflow", "flax"})


# at most this many strings are followed for one expression (`getattr(m, f"{a}{b}")`)
_MAX_STRINGS = 32


def _is_ellipsis(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def _strings_tested(test: ast.expr, name: str) -> set[str] | None:
    """The strings that make `test` true where `name` is a str: `name == "f"`,
    `name in ("a", "b")`; None for any other test."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, ast.Name)
            and test.left.id == name and isinstance(test.ops[0], (ast.Eq, ast.In))):
        return None
    right = test.comparators[0]
    values = right.elts if isinstance(test.ops[0], ast.In) and isinstance(right, (ast.Tuple, ast.List, ast.Set)) \
        else [right] if isinstance(test.ops[0], ast.Eq) else None
    if values is None or not all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in values):
        return None
    return {v.value for v in values}


def _within(file: SourceFile, node: ast.AST, ancestor: ast.AST) -> bool:
    while node is not None:
        if node is ancestor:
            return True
        node = file.parents.get(id(node))
    return False


# the key of `state[k]` when k is not a constant
_COMPUTED_KEY = object()


# methods that put items into a mapping
_REPLACING_METHODS = frozenset({"update", "setdefault", "__setitem__"})


def _replaces_items(use: ast.expr, file: SourceFile) -> bool:
    """`use` (a State) has items stored in it or below it: `use[k] = v`, `use.a = v`,
    `use['a']['w'] = v` (a sub-State shares its mapping), `use.update(d)`; not a write of
    an item's value (`use['a'].value = v`; were `use['a']` the sub-State of a Module with
    an attribute `value`, such as MultiHeadAttention, it would replace that item: not
    followed)."""
    node, parent = use, file.parents.get(id(use))
    while isinstance(parent, (ast.Subscript, ast.Attribute)) and parent.value is node:
        if not isinstance(parent.ctx, ast.Load):
            # `state.a.value = 3` writes the leaf's value, it replaces no item
            return not (isinstance(parent, ast.Attribute) and parent.attr in ("value", "raw_value") and node is not use)
        if isinstance(parent, ast.Attribute) and parent.attr in _REPLACING_METHODS:
            call = file.parents.get(id(parent))
            if isinstance(call, ast.Call) and call.func is parent:
                return True
        node, parent = parent, file.parents.get(id(parent))
    return False


# methods that change a list's or dict's items (or their order)
_MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "remove", "pop", "popitem", "clear", "sort", "reverse", "update", "setdefault",
    "__setitem__", "__delitem__", "__iadd__", "__imul__", "__ior__",
})


# builtins that read a container and keep no reference to it
_READING_BUILTINS = ("len", "isinstance", "id", "type")


def _constant_key(node: ast.expr):
    """The key of `x[k]` when k is a str or int literal (`-1` too), else _COMPUTED_KEY."""
    if isinstance(node, ast.Constant) and type(node.value) in (str, int):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value
    return _COMPUTED_KEY


def _literal_item(literal: ast.expr, key) -> ast.expr | None:
    """The item expression of a container literal (`[a, b]`, `(a, b)`, `{'k': v}`,
    `dict(k=v)`, see `_container_literal`) at a constant key; None when it holds none."""
    if isinstance(literal, (ast.List, ast.Tuple)):
        return _at(literal.elts, key) if type(key) is int else None
    if isinstance(literal, ast.Call):
        literal = literal.args[0] if literal.args else ast.Dict(
            keys=[ast.Constant(k.arg) for k in literal.keywords], values=[k.value for k in literal.keywords])
    for item_key, value in zip(literal.keys, literal.values):
        written = _constant_key(item_key)
        if type(written) is type(key) and written == key:
            return value
    return None


def _is_number(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _own_item(value: ast.expr | None, container: ast.expr, target: ast.Subscript) -> bool:
    """`value` reads an item of the same container that the store `target` writes into:
    the same name, or the same attribute chain of a name (`model.blocks`), read in that
    statement, with keys that run no code (which could rebind the name between)."""
    if not (isinstance(value, ast.Subscript) and not isinstance(value.slice, ast.Slice)):
        return False
    chain = container
    while isinstance(chain, ast.Attribute):
        chain = chain.value
    keys = [node for key in (value.slice, target.slice) for node in ast.walk(key)]
    return isinstance(chain, ast.Name) and ast.dump(value.value) == ast.dump(container) \
        and all(isinstance(node, (ast.Constant, ast.Name, ast.Load, ast.UnaryOp, ast.USub)) for node in keys)


class Expressions:
    """A part of `Resolver` (infer/resolver.py): the question in this module's docstring."""

    def _type_of(self, node: ast.expr, scope: Scope) -> Type:
        if isinstance(node, ast.Constant):
            if node.value is None:
                return NONE
            return None
        if isinstance(node, ast.Name):
            return self._with_added_items(node, scope, self._name_type(node, scope))
        if isinstance(node, ast.Attribute):
            return self._with_added_items(node, scope, self._attribute_type(node, scope))
        if isinstance(node, ast.Subscript):
            return self._subscript_type(node, scope)
        if isinstance(node, ast.Call):
            return self._call_type(node, scope)
        if isinstance(node, ast.Tuple) and node.elts and not any(isinstance(e, ast.Starred) for e in node.elts):
            return TupleT(tuple(self.type_of(e, scope) for e in node.elts))
        if isinstance(node, (ast.List, ast.Set)):
            elements = [e for e in node.elts if not isinstance(e, ast.Starred)]
            if not elements or len(elements) != len(node.elts):
                return None
            element = join([self.type_of(e, scope) for e in elements])
            return ContainerT(element) if element is not None else None
        if isinstance(node, ast.Dict):
            if not node.values or None in node.keys:
                return None
            element = join([self.type_of(v, scope) for v in node.values])
            return ContainerT(element, mapping=True) if element is not None else None
        if isinstance(node, _COMPREHENSIONS):
            inner = self.scope_for(node, scope, scope.file, None)
            element = self.type_of(node.value if isinstance(node, ast.DictComp) else node.elt, inner)
            return ContainerT(element, mapping=isinstance(node, ast.DictComp)) if element is not None else None
        if isinstance(node, ast.IfExp):
            return join([self.type_of(node.body, scope), self.type_of(node.orelse, scope)])
        if isinstance(node, ast.NamedExpr):
            return self.type_of(node.value, scope)
        if isinstance(node, ast.BinOp):
            left, right = self.type_of(node.left, scope), self.type_of(node.right, scope)
            if ARRAY in (left, right) and all(
                t == ARRAY or _is_number(n) for t, n in ((left, node.left), (right, node.right))
            ):
                return ARRAY
            return None
        if isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.Not):
            return ARRAY if self.type_of(node.operand, scope) == ARRAY else None
        return None

    def _with_added_items(self, node: ast.Name | ast.Attribute, scope: Scope, found: Type) -> Type:
        """A list/dict/set held by a name (or an attribute) also holds what is added to it
        under that name (`items.append(x)`, `table[k] = v`, `self.layers.extend(more)`).
        A State of known structure whose items are replaced under that name (`state['w'] =
        v`, `state['a']['w'] = v`, `state.update(d)`) is a State of unknown structure."""
        if isinstance(found, StateT):
            if isinstance(node, ast.Attribute) and is_state(self.type_of(node.value, scope)):
                return found  # `state.b` of a State: stores below it are the State's own (its name's uses)
            return STATE if self._state_items_replaced(node, scope) else found
        if not isinstance(found, ContainerT):
            return found
        added = self.items_added(node, scope)
        if not added:
            return found
        element = join_or_unknown([found.element, *added])
        return ContainerT(element, mapping=found.mapping) if element is not None else None

    def items_added(self, node: ast.Name | ast.Attribute, scope: Scope) -> list[Type]:
        """The types of what is added to the container held by `node` under its name (see
        `_with_added_items`), None for each not known."""
        name, uses = self._uses_under_name(node, scope)
        return self._memoized(("added items", *name), None, lambda: self._added_items(uses()), unknown=[None])

    def _state_items_replaced(self, node: ast.Name | ast.Attribute, scope: Scope) -> bool:
        name, uses = self._uses_under_name(node, scope)
        return self._memoized(("state items replaced", *name), None,
                              lambda: any(_replaces_items(use, file) for use, file in uses()), unknown=True)

    def _uses_under_name(self, node: ast.Name | ast.Attribute, scope: Scope):
        """What names the object `node` holds (the memo key's part) and a function giving
        every use of that name: the uses of the variable of `node`'s scope that binds it,
        or, for an attribute, every `.attr` in the project."""
        if isinstance(node, ast.Name):
            owner = scope.find(node.id)

            def uses() -> list[tuple[ast.expr, SourceFile]]:
                found = self._name_uses_by_owner(node.id, scope.file).get(id(owner) if owner is not None else None, ())
                return [(use, scope.file) for use, _ in found]
            return (node.id, id(owner.node) if owner is not None else None), uses

        def uses() -> list[tuple[ast.expr, SourceFile]]:
            return [(use, other) for use, other in self.name_uses(node.attr) if isinstance(use, ast.Attribute)]
        return (node.attr,), uses

    def _added_items(self, uses: list[tuple[ast.expr, SourceFile]]) -> list[Type]:
        """Types of what is added to the container at each of `uses` (None: unknown)."""
        added = []
        for use, file in uses:
            parent = file.parents.get(id(use))
            if isinstance(parent, ast.Subscript) and parent.value is use and not isinstance(parent.ctx, ast.Load):
                statement = file.parents.get(id(parent))
                value = statement.value if isinstance(statement, ast.Assign) and not isinstance(parent.slice, ast.Slice) \
                    else None
                if _own_item(value, use, parent):
                    continue  # `xs[1] = xs[3]`: one of its own elements, already among them
                added.append(self.type_of(value, self.scope_of(value, file)) if value is not None else None)
                continue
            call = file.parents.get(id(parent))
            if not (isinstance(parent, ast.Attribute) and parent.value is use and parent.attr in _ADDING_METHODS
                    and isinstance(call, ast.Call) and call.func is parent):
                continue
            position = _ADDING_METHODS[parent.attr]
            argument = call.args[position] if len(call.args) > position else None
            if argument is None or isinstance(argument, ast.Starred) or call.keywords:
                added.append(None)
                continue
            found = self.type_of(argument, self.scope_of(argument, file))
            if parent.attr in ("extend", "update"):
                found = getattr(as_container(found), "element", None)
            added.append(found)
        return added

    def _subscript_type(self, node: ast.Subscript, scope: Scope) -> Type:
        key = _constant_key(node.slice)
        literal = self._kept_literal(node.value, scope) if key is not _COMPUTED_KEY else None
        if literal is not None:
            # `g[0]['b']` of `g = [a, 3, a, nnx.Param(4)]`: the item at that position or key
            item = _literal_item(literal, key)
            return self.type_of(item, self.scope_of(item, scope.file)) if item is not None else None
        base = self.type_of(node.value, scope)
        if isinstance(base, StateT):
            if isinstance(node.slice, ast.Slice):
                return None
            key = node.slice.value if isinstance(node.slice, ast.Constant) else _COMPUTED_KEY
            return self.state_member(base, key, scope)
        if base in (STATE, ARRAY, GRAPH_ELEMENT):
            return base
        if base == FLAT_STATE and type(key) is int:
            return TupleT((None, VariableT(f"{flax_api.NNX}.Variable", False)))  # a (path, Variable) pair
        if isinstance(base, ContainerT):
            if isinstance(node.slice, ast.Slice):
                return None if base.mapping else base  # `xs[1:]` is a list of the same elements
            return base.element
        if base == RNGS and not isinstance(node.slice, ast.Slice):
            return RNG_STREAM  # `rngs["params"]` is the stream, as `rngs.params` is
        if isinstance(base, TupleT):
            index = node.slice
            if isinstance(index, ast.Constant) and type(index.value) is int and -len(base.elements) <= index.value < len(base.elements):
                return base.elements[index.value]
            return None
        if isinstance(base, VariableT) and base.array and _is_ellipsis(node.slice):
            return ARRAY
        if isinstance(base, InstanceT) and type(key) is str and self.is_typed_dict(base.cls):
            return self.typed_dict_item(base.cls, key)  # `d['foo']` of a `d: FooDict`
        if isinstance(base, InstanceT) and flax_api.flax_name(base.cls) in ("List", "Dict") \
                and self._differentiated(scope):
            return GRAPH_ELEMENT  # the leaves a gradient is taken of are Variables
        return None

    def _kept_literal(self, node: ast.expr, scope: Scope) -> ast.expr | None:
        """The list or dict literal (`[...]`, `{...}`, `dict(k=v)`) that `node` is, where its
        items cannot have changed: a name bound once, by `name = <literal>` alone, to which
        no other binding reaches, no other file reads, and whose every use only reads items
        by constant keys (`_reads_items_only`); or a constant-key item of such a literal
        that is itself a literal. None otherwise."""
        if isinstance(node, ast.Subscript):
            key = _constant_key(node.slice)
            outer = self._kept_literal(node.value, scope) if key is not _COMPUTED_KEY else None
            item = _literal_item(outer, key) if outer is not None else None
            return item if item is not None and self._container_literal(item, scope) else None
        if not isinstance(node, ast.Name):
            return None
        found = self.reaching_bindings(node, scope)
        if found is None:
            return None
        owner, reaching = found
        bindings = owner.bindings.get(node.id, [])
        if len(bindings) != 1 or len(reaching) != 1 or reaching[0] is not bindings[0] or bindings[0].kind != EXPR:
            return None
        literal = bindings[0].value
        statement = owner.file.parents.get(id(literal))
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name) and self._container_literal(literal, owner)):
            return None  # `a = b = [...]` or a walrus binds another name to it too
        if isinstance(owner.node, ast.ClassDef):
            return None  # a class attribute: methods store into it as `self.g`, no use of the name
        name, uses = self._uses_under_name(node, scope)

        def kept() -> bool:
            elsewhere = self._module_name_uses_elsewhere(owner, node.id)
            return elsewhere is not None and all(
                use is statement.targets[0] or self._reads_items_only(use, file, literal)
                for use, file in [*uses(), *elsewhere])
        return literal if self._memoized(("literal kept", *name), None, kept, unknown=False) else None

    def _module_name_uses_elsewhere(self, owner: Scope, name: str) -> list[tuple[ast.expr, SourceFile]] | None:
        """The uses in other files of the module-level `name` that `owner` binds (`TABLE` after
        `from mod import TABLE`, `mod.TABLE`), so that a whole run keeps what the file alone
        keeps where they only read it; None when some use cannot be seen: the namespace is
        reached by run-time names, or an import renames it (`import ... as T`)."""
        file = owner.file
        if owner.node is not file.tree:
            return []
        if self.module_namespace_reached(file):
            return None
        renamed = self._table(("renamed imports",), lambda: frozenset(
            alias.name for other in self.index.files.values() for statement in other.nodes(ast.ImportFrom)
            for alias in statement.names if alias.asname not in (None, alias.name)))
        if name in renamed:
            return None
        qualified = f"{file.module}.{name}"
        return [(use, other) for use, other in self.name_uses(name)
                if other is not file and self.qualified(use, self.scope_of(use, other)) == qualified]

    def literal_state(self, node: ast.expr, scope: Scope) -> Type:
        """The State that `nnx.state(node)` (or a split of it) makes where `node` is a
        list or dict literal, or a name of one whose items are kept (`_kept_literal`): keyed
        by position or key, each item as `state_item` says (flax 0.10.7 to 0.12.12); else
        None."""
        literal = node if self._container_literal(node, scope) else self._kept_literal(node, scope)
        if literal is None:
            return None
        literal_scope = self.scope_of(literal, scope.file)
        if isinstance(literal, ast.List):
            return StateT(node=TupleT(tuple(self.type_of(e, literal_scope) for e in literal.elts)))
        if isinstance(literal, ast.Call):
            pairs = [(k.arg, k.value) for k in literal.keywords] if not literal.args \
                else list(zip(map(_constant_key, literal.args[0].keys), literal.args[0].values))
        else:
            pairs = list(zip(map(_constant_key, literal.keys), literal.values))
        return StateT(items=tuple((key, state_item(self.type_of(value, literal_scope), self.index.is_nnx_class))
                                  for key, value in pairs))

    def _container_literal(self, node: ast.expr, scope: Scope) -> bool:
        """`[a, b]`, `{'k': v}` (str or int keys, each once) or the builtin `dict(k=v)` /
        `dict({'k': v})`."""
        if isinstance(node, ast.List):
            return not any(isinstance(e, ast.Starred) for e in node.elts)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" \
                and scope.find("dict") is None:
            if not node.args:
                return all(k.arg is not None for k in node.keywords)
            return len(node.args) == 1 and not node.keywords and isinstance(node.args[0], ast.Dict) \
                and self._container_literal(node.args[0], scope)
        if isinstance(node, ast.Dict):
            keys = [_constant_key(k) if k is not None else _COMPUTED_KEY for k in node.keys]
            return _COMPUTED_KEY not in keys and len({(type(k), k) for k in keys}) == len(keys)
        return False

    def _reads_items_only(self, use: ast.Name | ast.Attribute, file: SourceFile, literal: ast.expr) -> bool:
        """`use` (of a name bound to the container `literal`) changes no item of it or of a
        literal inside it: it reads items by constant keys (`g[0]['b']`), and what it ends
        at is a Variable or Module written in the literal (used in any way), or is compared
        or dropped (an expression statement), has an attribute read that is no mutating
        method (`g[0].value`), is given to a builtin or a jax.tree function that only reads
        it, or is taken apart by nnx.split, nnx.state, nnx.graphdef or nnx.graph.flatten
        (each leaves it as it was: checked on flax 0.10.7 to 0.12.12). Passing the
        container (or a container in it) anywhere else, storing or deleting by any key, or
        reading by a computed key may change it."""
        if not isinstance(use.ctx, ast.Load):
            return False
        end, parent, item = use, file.parents.get(id(use)), literal
        while isinstance(parent, ast.Subscript) and parent.value is end:
            key = _constant_key(parent.slice)
            if not isinstance(parent.ctx, ast.Load) or key is _COMPUTED_KEY:
                return False
            item = _literal_item(item, key) if item is not None and self._container_literal(item, self.scope_of(
                item, file)) else None
            end, parent = parent, file.parents.get(id(parent))
        if end is not use and item is not None and not self._container_literal(item, self.scope_of(item, file)) \
                and isinstance(self.type_of(item, self.scope_of(item, file)), (VariableT, InstanceT)):
            return True  # not a container: whatever is done with it leaves the literal's items
        if isinstance(parent, ast.Attribute) and parent.value is end:
            return parent.attr not in _MUTATING_METHODS
        if isinstance(parent, (ast.Compare, ast.Expr)):
            return True  # compared, or its value dropped
        if not (isinstance(parent, ast.Call) and end in parent.args):
            return False
        scope = self.scope_of(parent, file)
        called = self.qualified(parent.func, scope) or ""
        if end is parent.args[0] and flax_api.flax_name(called) in flax_api.STRUCTURE_READERS:
            return True  # taken apart (nnx.split, nnx.state, ...: each leaves the structure as it was)
        if self._passed_to_reader(parent, end, scope, file, item):
            return True
        if parent.keywords and not (  # stopped at Variables: f gets no container of it
                [k.arg for k in parent.keywords] == ["is_leaf"] and self.variable_leaf(parent, scope) is not None):
            return False
        return self.calls_builtin(parent, _READING_BUILTINS, scope) or called in flax_api.TREE_LEAVES_FUNCTIONS \
            or called in flax_api.TREE_MAP_FUNCTIONS and end is not parent.args[0]

    def _passed_to_reader(self, call: ast.Call, argument: ast.expr, scope: Scope, file: SourceFile,
                          literal: ast.expr | None) -> bool:
        """`call` is of a def of this file, undecorated or under nnx.jit / nnx.grad (which
        leave a structure the function does not change as it was: checked on flax 0.10.7 to
        0.12.12), whose parameter for `argument` is bound by the call alone and whose every
        use reads items only (`_reads_items_only`, `literal` being what it holds)."""
        callee = self.type_of(call.func, scope)
        function = callee.node if isinstance(callee, FunctionT) else None
        if not isinstance(function, ast.FunctionDef) or file.parents.get(id(function)) is None:
            return False  # not a def, or one of another file
        outer = self.scope_of(function, file)
        for decorator in function.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            bare = flax_api.flax_name(self.qualified(target, outer) or "")
            if bare not in flax_api.CALL_PRESERVING_TRANSFORMS and bare not in flax_api.GRADIENT_TRANSFORMS:
                return False
        parameter = next((name for name, passed in arguments_by_parameter(function, call).items()
                          if passed is argument), None)
        inner = self.function_scope(function)
        if parameter is None or inner is None or len(inner.bindings.get(parameter, [])) != 1 \
                or self.declared_elsewhere(inner, parameter):
            return False
        uses = self._name_uses_by_owner(parameter, file).get(id(inner), ())
        return self._memoized(("literal kept", id(function), parameter, id(literal)), None, lambda: all(
            self._reads_items_only(use, file, literal) for use, _ in uses), unknown=False)

    def state_member(self, state: StateT, key, scope: Scope) -> Type:
        """`state[key]` (or `state.key`) of a State of known structure; `key` a constant, or
        `_COMPUTED_KEY`. A key the structure does not hold raises before and after alike;
        a static attribute (an int, a string) is no item."""
        if state.items is not None:
            return dict(state.items).get(key) if key is not _COMPUTED_KEY else None
        node = state.node
        if isinstance(node, InstanceT):
            found = self.attribute_of(node, key, scope) if isinstance(key, str) else None
        elif isinstance(node, ContainerT):
            found = node.element  # any key names an element
        elif isinstance(node, TupleT) and type(key) is int:
            found = _at(node.elements, key)
        else:
            found = None
        # where the node's attribute is not known, the item is as in any State: a leaf
        # or a sub-State (STATE, which value-access reads by the names the project binds)
        return STATE if found is None else state_item(found, self.index.is_nnx_class)

    def state_of(self, node: Type) -> Type:
        """The State `nnx.state` (or a split, or a gradient) makes of a graph node of type
        `node`: of its structure for an instance of an NNX class or a tuple, list or dict
        (items by position or key, as flax 0.10.7 to 0.12.12 all key them), else of unknown
        structure."""
        if isinstance(node, InstanceT) and self.index.is_nnx_class(node.cls) or isinstance(node, (TupleT, ContainerT)):
            return StateT(node=node)
        return node if isinstance(node, StateT) else STATE

    def _differentiated(self, scope: Scope) -> bool:
        """`scope` is a function under `@nnx.grad` / `@nnx.value_and_grad`."""
        function = scope.node
        while not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope = scope.parent
            if scope is None:
                return False
            function = scope.node
        for decorator in function.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if flax_api.flax_name(self.qualified(target, scope.parent or scope) or "") in flax_api.GRADIENT_TRANSFORMS:
                return True
        return False

    def _name_type(self, node: ast.Name, scope: Scope) -> Type:
        found = self.reaching_bindings(node, scope)
        if found is None:
            return None
        owner, bindings = found
        if bindings and all(b.kind == IMPORT for b in bindings):
            # an imported class used as a value (`layer_cls=Block`): calling it constructs one
            qualified = self.qualified(node, scope)
            info = self.index.lookup_class(qualified) if qualified is not None else None
            return ClassT(info.qualname) if info is not None else None
        types = [self.binding_type(b, owner) for b in bindings]
        if None in types:
            # `grads: nnx.State` declared before `grads, aux = f(...)`: the declaration is
            # the author's claim for every binding of the name, where nothing else shows one
            declared = self._declared_type(node.id, owner)
            if declared is not None:
                types = [declared if found is None else found for found in types]
        return join_or_unknown(types)

    def _declared_type(self, name: str, owner: Scope) -> Type:
        """The type of `name: T` statements without a value in the scope (all agreeing),
        None where there is none."""
        declarations = [b.annotation for b in owner.bindings.get(name, ()) if b.kind == ANNOTATED and b.value is None]
        if not declarations or isinstance(owner.node, ast.ClassDef):
            return None  # a class body's `x: T` declares the instances' attribute
        return join_or_unknown([self.annotation_type(annotation, owner) for annotation in declarations])

    def string_values(self, node: ast.expr, scope: Scope) -> frozenset[str] | None:
        """The strings `node` may be, when they are few and all known: a literal, an
        f-string of such parts, a name bound only to them (`for name in ("kernel", "bias")`,
        `name = "w"`); None otherwise."""
        return self._memoized(("strings", id(node), id(scope)), node, lambda: self._string_values(node, scope))

    def _string_values(self, node: ast.expr, scope: Scope) -> frozenset[str] | None:
        if isinstance(node, ast.Constant):
            return frozenset((node.value,)) if isinstance(node.value, str) else None
        if isinstance(node, ast.JoinedStr):
            found = {""}
            for part in node.values:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    pieces = {part.value}
                elif isinstance(part, ast.FormattedValue) and part.conversion == -1 and part.format_spec is None:
                    pieces = self.string_values(part.value, scope)  # str(s) is s for a str
                    if pieces is None:
                        return None
                else:
                    return None
                found = {head + piece for head in found for piece in pieces}
                if len(found) > _MAX_STRINGS:
                    return None
            return frozenset(found)
        if not isinstance(node, ast.Name):
            return None
        reached = self.reaching_bindings(node, scope)
        if reached is None or not reached[1]:
            return None
        owner, bindings = reached
        found = set()
        for binding in bindings:
            if binding.kind == ITER and isinstance(binding.iterable, (ast.Tuple, ast.List, ast.Set)):
                elements = binding.iterable.elts
                if not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in elements):
                    return None
                found.update(e.value for e in elements)
            elif binding.kind == EXPR:
                values = self.string_values(binding.value, owner)
                if values is None:
                    return None
                found.update(values)
            else:
                return None
            if len(found) > _MAX_STRINGS:
                return None
        return frozenset(self._compared_strings(node, scope, bindings, found))

    def _compared_strings(self, node: ast.Name, scope: Scope, bindings: list, found: set[str]) -> set[str]:
        """`found` less what the `if name == "f":` / `if name in (...)` around the read
        excludes, where no binding of the name is made inside that `if`."""
        file = scope.file
        made = [b.iterable if b.kind == ITER else b.value for b in bindings]
        child, parent = node, file.parents.get(id(node))
        while parent is not None and parent is not scope.node:
            if isinstance(parent, (ast.If, ast.IfExp)) and child is not parent.test:
                allowed = _strings_tested(parent.test, node.id)
                if allowed is not None and not any(_within(file, value, parent) for value in made):
                    in_body = child in parent.body if isinstance(parent, ast.If) else child is parent.body
                    found = found & allowed if in_body else found - allowed
            child, parent = parent, file.parents.get(id(parent))
        return found

    def binding_type(self, binding: Binding, scope: Scope) -> Type:
        return self._memoized(("binding", binding, id(scope)), None, lambda: self._binding_type(binding, scope))

    def _binding_type(self, binding: Binding, scope: Scope) -> Type:
        kind = binding.kind
        if kind == EXPR:
            return self.type_of(binding.value, scope)
        if kind == SELF:
            return self._self_type(binding.cls)
        if kind == ANNOTATION:
            return self.annotation_type(binding.annotation, scope)
        if kind == ANNOTATED:
            declared = self.annotation_type(binding.annotation, scope)
            if declared is not None or binding.value is None:
                return declared
            return self.type_of(binding.value, scope)
        if kind == RNGS_PARAMETER:
            return RNGS if self.index.is_nnx_class(binding.cls) else None
        if kind == ITER:
            return self._element_type(binding.iterable, scope, None)
        if kind == UNPACK:
            return self._unpacked_type(binding.whole, binding.position, scope)
        if kind == NONE_KIND:
            return NONE
        if kind == WITH:  # `with nnx.split_context() as ctx`: what __enter__ gives
            context = binding.context
            bare = flax_api.flax_name(self.qualified(context.func, scope) or "") if isinstance(context, ast.Call) else None
            if bare is not None and bare.startswith(("graph.", "graphlib.")):
                bare = bare.split(".", 1)[1]  # nnx.graph.merge_context (graphlib in 0.12)
            return {"split_context": SPLIT_CONTEXT, "merge_context": MERGE_CONTEXT}.get(bare)
        if kind == NARROW:
            if not self._narrowing_holds(binding.classes, scope):
                # not unittest's assertIsInstance: the bindings that reached the call
                return join_or_unknown([self.binding_type(b, scope) for b in binding.before]) \
                    if binding.before else None
            return self._narrowed_type(binding.classes, scope)
        if kind == AUGMENTED:
            node = binding.node
            target = self.type_of(node.target, scope)
            if target == ARRAY and (_is_number(node.value) or self.type_of(node.value, scope) == ARRAY):
                return ARRAY
            # flax's in-place operators (0.10/0.11) return the Variable itself, as does the
            # `v.set_value(...)` value-access makes of them: the name still holds it
            if isinstance(target, VariableT) and not self.may_define_before_flax(
                    target.cls, {IN_PLACE_METHODS.get(type(node.op), "__iadd__")}):
                return target
            return None
        if kind == DEF:
            return FunctionT(binding.node)
        if kind == CLS:
            return ClassT(binding.cls)
        if kind == CLASS:
            info = self.index.class_of_node(binding.node)
            # a class statement in a def is a class like any other; one a later statement
            # of the same qualified name hides is not the index's, so unknown
            return ClassT(info.qualname) if info is not None and self.index.classes.get(info.qualname) is info else None
        if kind == PARAM:
            return self._parameter_type(binding.function, binding.name, scope)
        return None

    def _narrowing_holds(self, classes: tuple, scope: Scope) -> bool:
        """A narrowing made by `self.assertIsInstance(x, C)` (flow.py) holds where `self` is
        a test case whose `assertIsInstance` is unittest's (it raises unless isinstance(x,
        C)): its class derives from unittest's, absl's or jax's TestCase and no project
        class of its MRO defines the method. Any other narrowing (`isinstance`) holds."""
        if not classes:
            return True
        file = scope.file
        call = file.parents.get(id(classes[0]))
        if isinstance(call, ast.Tuple):
            call = file.parents.get(id(call))
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr == "assertIsInstance"):
            return True
        case = self.type_of(call.func.value, self.scope_of(call, file))
        if not isinstance(case, InstanceT):
            return False
        mro = self.index.mro(case.cls)
        for name in mro:
            info = self.index.lookup_class(name)
            if info is not None and "assertIsInstance" in info.methods:
                return False
        return any(name.rsplit(".", 1)[-1].endswith("TestCase") and name.split(".")[0] in _TEST_CASE_ROOTS
                   for name in mro)

    def _narrowed_type(self, classes: tuple, scope: Scope) -> Type:
        """Inside `isinstance(x, C)` (or a tuple of Variable classes, or of Python's own
        value types: `isinstance(x, list | tuple)`), the classes named where the check is
        (a lambda's or a comprehension's check of an enclosing scope's name)."""
        scope = self.scope_of(classes[0], scope.file) if classes else scope
        members = [part for c in classes for part in _union_members(c)]
        if all(isinstance(c, ast.Name) and c.id in _BUILTIN_VALUE_TYPES and scope.find(c.id) is None for c in members):
            return BUILTIN_VALUE
        qualified = self._checked_classes(classes, scope)
        if qualified is None:
            return None
        if len(qualified) == 1:
            return self.class_type(qualified[0])
        if all(self.index.is_variable_class(c) for c in qualified):
            return VariableT(f"{flax_api.NNX}.Variable", False)
        return None

    def _checked_classes(self, classes: tuple, scope: Scope) -> list[str] | None:
        """The qualified names of an isinstance check's classes (a tuple or `A | B` union of
        them), named where the check is; None when one of them cannot be named."""
        scope = self.scope_of(classes[0], scope.file) if classes else scope
        qualified = [self.qualified(part, scope) for c in classes for part in _union_members(c)]
        return None if not qualified or None in qualified else qualified

    def narrowed_classes(self, node: ast.Name, scope: Scope) -> list[str]:
        """The classes the read `node` was checked against, when every binding that reaches
        it is an `isinstance` (or `type(x) is C`) check, as `if`, `and`, `a if test else b`
        and comprehension filters narrow it: x is one of them. [] when not so narrowed. For
        rules that need several classes (`isinstance(m, (nnx.Linear, nnx.Conv))`), which
        `type_of` cannot say unless they are all Variables."""
        found = self.reaching_bindings(node, scope)
        if not found or not found[1] or any(b.kind != NARROW or not self._narrowing_holds(b.classes, scope)
                                            for b in found[1]):
            return []
        classes: list[str] = []
        for binding in found[1]:
            qualified = self._checked_classes(binding.classes, scope)
            if qualified is None:
                return []
            classes.extend(qualified)
        return list(dict.fromkeys(classes))

    def _unpacked_type(self, binding: Binding, position: int, scope: Scope) -> Type:
        if binding.kind == ITER:
            return self._element_type(binding.iterable, scope, position)
        if binding.kind == UNPACK:
            whole = self._unpacked_type(binding.whole, binding.position, scope)
        elif binding.kind == EXPR:
            value = binding.value
            if isinstance(value, (ast.Tuple, ast.List)):
                if any(isinstance(e, ast.Starred) for e in value.elts):
                    return None
                element = _at(value.elts, position)
                return self.type_of(element, scope) if element is not None else None
            whole = self.type_of(value, scope)
        else:
            return None
        if isinstance(whole, TupleT):
            return _at(whole.elements, position)
        if isinstance(whole, ContainerT) and not whole.mapping:
            return whole.element  # every element of a list of known elements is one
        if isinstance(whole, SplitT):
            if not whole.graphdef_first or position > 0 or position == -1:
                return whole.states if whole.states is not None else self.state_of(whole.node)
            # the GraphDef comes first; from the end, how many States follow is not known
            return GraphDefT(whole.node) if position == 0 else None
        return None

    def _element_type(self, iterable: ast.expr, scope: Scope, position: int | None) -> Type:
        """Type of `x` in `for x in iterable` (or of the position-th item when unpacking)."""
        if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name):
            builtin = iterable.func.id if scope.find(iterable.func.id) is None else None
            if builtin == "enumerate" and iterable.args and position == 1:
                return self._element_type(iterable.args[0], scope, None)
            if builtin == "zip" and position is not None and _at(iterable.args, position) is not None:
                return self._element_type(iterable.args[position], scope, None)
            if builtin in ("reversed", "list", "tuple", "sorted") and iterable.args and position is None:
                return self._element_type(iterable.args[0], scope, None)
            return None
        if position == 1 and self.type_of(iterable, scope) == FLAT_STATE:  # `state.flat_state()` too
            return VariableT(f"{flax_api.NNX}.Variable", False)
        if (
            isinstance(iterable, ast.Call)
            and isinstance(iterable.func, ast.Attribute)
            and not iterable.args
        ):
            container = self.type_of(iterable.func.value, scope)
            if isinstance(container, ContainerT):
                if iterable.func.attr == "values" and position is None:
                    return container.element
                if iterable.func.attr == "items" and position == 1:
                    return container.element
            return None
        container = as_container(self.type_of(iterable, scope), iterated=True)
        if container is None:
            return None
        if position is None:
            return container.element
        if isinstance(container.element, TupleT):
            return _at(container.element.elements, position)
        return None

    def annotation_type(self, node: ast.expr, scope: Scope) -> Type:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                node = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return join([self.annotation_type(node.left, scope), self.annotation_type(node.right, scope)])
        if isinstance(node, ast.Constant) and node.value is None:
            return NONE
        if isinstance(node, ast.Subscript):
            outer = self.qualified(node.value, scope) or dotted_name(node.value)
            arguments = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if outer in ("typing.Optional", "typing.Annotated", "typing_extensions.Annotated") \
                    or flax_api.flax_name(outer or "") in ("Data", "Static"):
                # `Annotated[X, meta]` is an X; flax's `nnx.Data[X]` / `nnx.Static[X]` are
                # `Annotated[X, tag]` (pytreelib) marking how an X attribute is treated
                return self.annotation_type(arguments[0], scope)
            if outer in ("typing.Union",):
                return join([self.annotation_type(a, scope) for a in arguments])
            if outer in _CONTAINER_ANNOTATIONS:
                last = arguments[-1]
                if _is_ellipsis(last) and len(arguments) == 2:  # tuple[X, ...]
                    last = arguments[0]
                element = self.annotation_type(last, scope)
                mapping = outer in _MAPPING_ANNOTATIONS
                return ContainerT(element, mapping=mapping) if element is not None else None
            if outer and self.index.is_variable_class(outer):
                return VariableT(outer, self.annotation_type(arguments[0], scope) == ARRAY)
            if flax_api.flax_name(outer or "") == "GraphDef" and len(arguments) == 1:
                # `graphdef: nnx.GraphDef[Foo]`: what nnx.merge makes of it is a Foo (or unknown)
                node = self.annotation_type(arguments[0], scope)
                return GraphDefT(node if isinstance(node, InstanceT) else None)
            return None
        qualified = self.qualified(node, scope)
        if qualified is None and isinstance(node, ast.Name):
            # a class statement in a def (`def step(m: Foo)` beside `class Foo`): the class
            # whose binding alone reaches the name, as for a call of it
            classes, other = self.classes_named(node, scope)
            qualified = classes[0].qualname if len(classes) == 1 and not other else None
        if qualified is None:
            return None
        if qualified in _ARRAY_ANNOTATIONS:
            return ARRAY
        qualified = self.index.canonical_class(qualified)
        bare = flax_api.flax_name(qualified)
        if bare == "Rngs":
            return RNGS
        if bare == "RngStream":
            return RNG_STREAM
        if bare == "State":
            return STATE
        if self.index.is_variable_class(qualified):
            return VariableT(qualified, False)
        if self.index.is_nnx_class(qualified) or self.index.lookup_class(qualified):
            return InstanceT(qualified)
        return None

    def type_of(self, node: ast.expr, scope: Scope) -> Type:
        return self._memoized(("expr", id(node), id(scope)), node, lambda: self._type_of(node, scope))
