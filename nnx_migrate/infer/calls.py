"""Call results: constructors (flax's and the project's classes), builtins and container
methods, flax's API (`flax_api.FUNCTION_RESULTS`), gradients, classmethods, methods' returns."""

from __future__ import annotations

import ast

from nnx_migrate import flax_api
from nnx_migrate.flow import scope_local_nodes
from nnx_migrate.index import dotted_name, self_parameter
from nnx_migrate.infer.types import (
    _abstract, ARRAY, ClassT, ContainerT, FLAT_STATE, FunctionT, GradientT, GraphDefT, graph_node, InstanceT,
    join_or_unknown, is_state, MERGE_CONTEXT, RNG_STREAM, RNGS, SPLIT_CONTEXT, SplitT, STATE, StateT, TreeT, TupleT,
    Type, VariableT,
)
from nnx_migrate.infer.syntax import _argument_for, is_super_call, _parameters
from nnx_migrate.infer.scopes import Scope


_ARRAY_METHODS = frozenset(
    {"astype", "reshape", "transpose", "sum", "mean", "max", "min", "squeeze", "ravel",
     "flatten", "copy", "clip", "swapaxes", "set", "add", "multiply", "get"}
)


_CAST_FUNCTIONS = frozenset({"typing.cast", "typing_extensions.cast"})


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _init_call_value(node: ast.AST) -> ast.expr | None:
    """The value argument of `super().__init__(v, ...)` / `Base.__init__(self, v, ...)`."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__"):
        return None
    arguments = node.args if is_super_call(node.func.value) else node.args[1:]
    return arguments[0] if arguments else _keyword(node, "value")


class Calls:
    """A part of `Resolver` (infer/resolver.py): the question in this module's docstring."""

    def _self_type(self, cls: str) -> Type:
        """`self` in a method: an instance, or a Variable in a user Variable subclass
        (unless the class implements `value` itself, as flax's own Variable does)."""
        if self.index.is_variable_class(cls):
            return None if self.implements_value(cls) else VariableT(cls, False)
        return InstanceT(cls)

    def class_type(self, qualified: str) -> Type:
        """The type of an instance of the class named `qualified` (from `isinstance`)."""
        qualified = self.index.canonical_class(qualified)
        bare = flax_api.flax_name(qualified)
        if bare in ("Rngs", "RngStream", "State"):
            return {"Rngs": RNGS, "RngStream": RNG_STREAM, "State": STATE}[bare]
        if self.index.is_variable_class(qualified):
            return VariableT(qualified, False)
        if self.index.is_nnx_class(qualified) or self.index.lookup_class(qualified):
            return InstanceT(qualified)
        return None

    def _call_type(self, node: ast.Call, scope: Scope) -> Type:
        func = node.func
        qualified = self.qualified(func, scope)
        if qualified is not None:
            bare = flax_api.flax_name(qualified)
            if bare == "Rngs":
                return RNGS
            if bare == "State":
                return self._state_literal(node, scope)
            if bare == "eval_shape":
                return self._eval_shape_result(node, scope)
            result = flax_api.FUNCTION_RESULTS.get(bare)
            if result is not None:
                return self._flax_function_result(result, bare, node, scope)
            if bare in ("List", "Dict", "data") and len(node.args) == 1 and not node.keywords:
                wrapped = self.type_of(node.args[0], scope)
                if isinstance(wrapped, ContainerT) or bare == "data":
                    return wrapped  # iterating or indexing sees the same elements
            constructed = self._construct(qualified, node, scope)
            if constructed is not None:
                return constructed
            if qualified in flax_api.TREE_MAP_FUNCTIONS:
                return self._tree_map_result(node, scope)
            if qualified in flax_api.TREE_LEAVES_FUNCTIONS and len(node.args) == 1:
                leaf = self._state_leaves(node.args[0], node, scope)
                return ContainerT(leaf) if leaf is not None else None
            if qualified in _CAST_FUNCTIONS and len(node.args) == 2 and not node.keywords:
                return self.annotation_type(node.args[0], scope)  # the author's declaration, as an annotation is
            if qualified in flax_api.STRUCTURE_PRESERVING_FUNCTIONS:
                # a pytree function of a Variable gives back a Variable
                found = self.type_of(node.args[0], scope) if node.args else None
                return found if isinstance(found, VariableT) else None
            if qualified.startswith(flax_api.ARRAY_MODULES):
                last = qualified.rsplit(".", 1)[-1]
                return ARRAY if last in flax_api.ARRAY_FUNCTIONS and last not in flax_api.NON_ARRAY_FUNCTIONS else None
            if qualified.startswith(flax_api.INITIALIZER_MODULES):
                last = qualified.rsplit(".", 1)[-1]
                return ARRAY if last in flax_api.DIRECT_INITIALIZERS else None
            function = self._project_function(qualified)
            if function is not None:
                return self._call_result(function, node, scope)
            return self._class_method_result(qualified, node, scope)
        if isinstance(func, ast.Name) and scope.find(func.id) is None:
            return self._builtin_call_type(func.id, node, scope)
        if isinstance(func, ast.Call):
            inner = self.qualified(func.func, scope)
            if inner is not None and inner.startswith(flax_api.INITIALIZER_MODULES):
                return ARRAY
            transform = flax_api.flax_name(inner) if inner is not None else None
            if transform in flax_api.GRADIENT_TRANSFORMS:
                return self._gradient_result(transform, func, node, scope)
            rebuilt = transform in flax_api.RESULT_REBUILDING_TRANSFORMS
            if rebuilt or transform in flax_api.CALL_PRESERVING_TRANSFORMS or inner == "jax.jit":
                return self._transformed_result(rebuilt, func, node, scope)
        receiver_type = self.type_of(func.value, scope) if isinstance(func, ast.Attribute) else None
        if isinstance(func, ast.Attribute):
            if receiver_type == ARRAY and func.attr in _ARRAY_METHODS:
                return ARRAY
            if is_state(receiver_type) and func.attr in flax_api.STATE_METHODS:
                return self._filtered_states(receiver_type, func.attr, node)
            if is_state(receiver_type) and func.attr == "flat_state":
                return FLAT_STATE
            if (receiver_type, func.attr) in ((SPLIT_CONTEXT, "split"), (MERGE_CONTEXT, "merge")):
                # SplitContext.split(node, *filters) is what nnx.split does (nnx.split runs it);
                # MergeContext.merge(graphdef, state, *states) makes what the GraphDef was taken from
                return self._flax_function_result(func.attr, func.attr, node, scope)
            if isinstance(receiver_type, VariableT) and func.attr in ("get_value", "get_raw_value") \
                    and not node.args and not node.keywords:
                return ARRAY if receiver_type.array else None  # as `.value` reads: stable under the rewrite
            if receiver_type in (RNGS, RNG_STREAM) and func.attr == "fork" and not node.args \
                    and all(k.arg == "split" for k in node.keywords):
                # a new Rngs of the same streams / a stream of the same tag (flax 0.10.7-0.12.8)
                return receiver_type
            if isinstance(receiver_type, InstanceT):
                if not any(func.attr in getattr(self.index.lookup_class(klass), "methods", {})
                           for klass in self.index.mro(receiver_type.cls)):
                    attribute = self.type_of(func, scope)
                    if isinstance(attribute, ClassT):  # `self._Toy()`: a class its class body defines
                        return self._construct(attribute.cls, node, scope)
                return self._method_return_type(receiver_type.cls, func.attr, node, scope)
            if isinstance(receiver_type, ContainerT):
                return self._container_method_type(receiver_type, func.attr, node, scope)
        callee_type = self.type_of(func, scope)
        if callee_type in (RNGS, RNG_STREAM):
            return ARRAY  # a PRNG key
        if isinstance(callee_type, FunctionT):
            return self._call_result(callee_type.node, node, scope)
        if isinstance(callee_type, ClassT):
            return self._construct(callee_type.cls, node, scope)
        if isinstance(callee_type, GradientT):
            return self._gradient_result(callee_type.transform, callee_type.call, node, scope)
        # Flax's convention: `kernel_init(key, shape, dtype)` returns the array.
        name = dotted_name(func)
        if name and name.rsplit(".", 1)[-1].endswith(flax_api.INITIALIZER_ATTRIBUTE_SUFFIXES) and len(node.args) >= 2:
            return ARRAY
        return None

    def _builtin_call_type(self, name: str, call: ast.Call, scope: Scope) -> Type:
        """`list(xs)`, `sorted(xs, key=f)`, `dict(w=a)`, `max(xs, key=f)`, ... of known
        elements (`name` is not bound in the code, so it is Python's builtin)."""
        arguments, keywords = call.args, {k.arg: k.value for k in call.keywords}
        if any(isinstance(a, ast.Starred) for a in arguments) or None in keywords:
            return None
        if name in ("list", "tuple", "sorted", "reversed", "set", "frozenset") and len(arguments) == 1 \
                and set(keywords) <= ({"key", "reverse"} if name == "sorted" else set()):
            element = self._element_type(arguments[0], scope, None)
            return ContainerT(element) if element is not None else None
        if name == "dict":
            if len(arguments) == 1 and not keywords:
                found = self.type_of(arguments[0], scope)
                if found == FLAT_STATE:  # its (path, Variable) pairs, by path
                    return ContainerT(VariableT(f"{flax_api.NNX}.Variable", False), mapping=True)
                return found if isinstance(found, ContainerT) and found.mapping else None
            if not arguments and keywords:
                element = join_or_unknown([self.type_of(v, scope) for v in keywords.values()])
                return ContainerT(element, mapping=True) if element is not None else None
            return None
        if name == "getattr" and len(arguments) in (2, 3) and not keywords:
            # `getattr(m, "w")` is `m.w`; with a name among known strings (`for n in ("kernel",
            # "bias"): getattr(layer, n)`), one of those attributes; a missing one raises alike
            names = self.string_values(arguments[1], scope)
            if not names:
                return None
            base = self.type_of(arguments[0], scope)
            found = [self.attribute_of(base, attr, scope) for attr in sorted(names)]
            return join_or_unknown(found + [self.type_of(a, scope) for a in arguments[2:]])
        if name in ("max", "min") and arguments and set(keywords) <= {"key"}:
            if len(arguments) == 1:
                return self._element_type(arguments[0], scope, None)
            return join_or_unknown([self.type_of(a, scope) for a in arguments])
        return None

    def _container_method_type(self, container: ContainerT, method: str, call: ast.Call, scope: Scope) -> Type:
        """`d.get(k)`, `d.get(k, default)`, `d.setdefault(k, v)`, `xs.pop()`, `xs.copy()`
        on a list or dict of known elements (a missing key's None fails the same way
        whatever `.value` becomes)."""
        arguments = call.args
        if call.keywords or any(isinstance(a, ast.Starred) for a in arguments):
            return None
        if method == "copy" and not arguments:
            return container
        if method == "pop" and len(arguments) <= (2 if container.mapping else 1):
            extra = arguments[1:] if container.mapping else []
        elif container.mapping and method == "get" and 1 <= len(arguments) <= 2:
            extra = arguments[1:]
        elif container.mapping and method == "setdefault" and len(arguments) == 2:
            extra = arguments[1:]
        else:
            return None
        return join_or_unknown([container.element, *(self.type_of(a, scope) for a in extra)])

    def _state_literal(self, call: ast.Call, scope: Scope) -> Type:
        """`nnx.State({'a': nnx.Param(1), 'b': {'c': ...}})`: a State of those items (a
        nested dict is a sub-State, as `State.__getitem__` wraps it); of any other mapping, a
        State of unknown structure."""
        if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], ast.Dict):
            return STATE
        return self._literal_items(call.args[0], scope)

    def _literal_items(self, mapping: ast.Dict, scope: Scope) -> Type:
        items = []
        for key, value in zip(mapping.keys, mapping.values):
            if not isinstance(key, ast.Constant) or type(key.value) not in (str, int):
                return STATE  # `**other`, or a key computed at run time
            if isinstance(value, ast.Dict):
                item = self._literal_items(value, scope)
            else:
                found = self.type_of(value, scope)
                item = VariableT(found.cls, False) if isinstance(found, VariableT) else None
            items.append((key.value, item))
        if len({key for key, _ in items}) != len(items):
            return STATE  # a repeated key: the last one wins, kept simple
        return StateT(items=tuple(items))

    def _filtered_states(self, state: Type, method: str, call: ast.Call) -> Type:
        """`state.filter(f)`, `state.split(f, g)` / `nnx.filter_state(state, f)`,
        `nnx.split_state(state, f, g)`: one filter keeps the structure (a selection of its
        leaves), several give a tuple of such States; `merge` and `map` give a State of
        unknown structure."""
        if method in ("merge", "map"):
            return STATE
        filters = call.args[1:] if method == "filter_state" else call.args
        if any(isinstance(a, ast.Starred) for a in filters):
            return None  # one State or several
        if len(filters) > 1:
            return SplitT(graphdef_first=False, node=state if isinstance(state, StateT) else None)
        return state if isinstance(state, StateT) else STATE

    def _flax_function_result(self, result: str, name: str, call: ast.Call, scope: Scope) -> Type:
        """A call of a flax.nnx function, from `flax_api.FUNCTION_RESULTS`."""
        if result == "state":
            if name in ("state", "pop", "variables") and 1 <= len(call.args) <= 2 and not call.keywords \
                    and not any(isinstance(a, ast.Starred) for a in call.args):
                # of one graph node, with at most one filter: a State of its structure
                literal = self.literal_state(call.args[0], scope) if name == "state" else None
                return literal if literal is not None else self.state_of(self.type_of(call.args[0], scope))
            return STATE
        if result == "split":
            split = self.type_of(call.args[0], scope) if call.args else None
            if isinstance(split, VariableT):
                # split alone, a Variable is its own state; with filters, the one it matches
                # is the Variable and the others are empty States
                if any(isinstance(a, ast.Starred) for a in call.args) or call.keywords:
                    return None
                filters = len(call.args) - 1
                return TupleT((GraphDefT(None), split)) if filters == 0 else TupleT((GraphDefT(None), *[None] * filters))
            states = self.literal_state(call.args[0], scope) if call.args else None
            return SplitT(graphdef_first=True, node=graph_node(split), states=states)
        if result == "graphdef":
            node = self.type_of(call.args[0], scope) if len(call.args) == 1 and not call.keywords else None
            return GraphDefT(graph_node(node))
        if result == "merge":
            if call.args and isinstance(call.args[0], ast.Starred):
                # `nnx.merge(*nnx.split(m))`: the GraphDef comes first in what a split gives
                split = self.type_of(call.args[0].value, scope)
                return split.node if isinstance(split, SplitT) and split.graphdef_first else None
            graphdef = self.type_of(call.args[0], scope) if call.args else None
            return graphdef.node if isinstance(graphdef, GraphDefT) else None
        if result in ("states", "filtered"):
            state = self.type_of(call.args[0], scope) if call.args else None
            return self._filtered_states(state, "filter_state", call) if is_state(state) \
                else SplitT(graphdef_first=False) if result == "states" or len(call.args) > 2 else STATE
        if result == "flat_state":
            return FLAT_STATE
        if result == "flattened":
            return TupleT((GraphDefT(None), FLAT_STATE))
        if result == "same":
            return self.type_of(call.args[0], scope) if len(call.args) == 1 and not call.keywords else None
        if result == "gradient":
            return GradientT(name, call)
        if result in ("to_tree", "from_tree") and len(call.args) == 1 and not isinstance(call.args[0], ast.Starred) \
                and all(keyword.arg in flax_api.TREE_KEYWORDS for keyword in call.keywords):
            tree = self.type_of(call.args[0], scope)
            if result == "to_tree":
                return TreeT(tree)
            return self._graph_nodes_of(tree.tree) if isinstance(tree, TreeT) else None
        return None

    def _graph_nodes_of(self, tree: Type) -> Type:
        """What `nnx.from_tree(nnx.to_tree(x))` gives for an x of type `tree`: its graph nodes
        and Variables as they are, in the same tuples, lists and dicts; other leaves unknown."""
        if isinstance(tree, VariableT) or isinstance(tree, InstanceT) and self.index.is_nnx_class(tree.cls):
            return tree
        if isinstance(tree, TupleT):
            return TupleT(tuple(self._graph_nodes_of(element) for element in tree.elements))
        if isinstance(tree, ContainerT):
            return ContainerT(self._graph_nodes_of(tree.element), tree.mapping)
        return None

    def _transformed_result(self, rebuilt: bool, transform_call: ast.Call, call: ast.Call, scope: Scope) -> Type:
        """`nnx.vmap(f, in_axes=0)(x)`, `nnx.jit(f)(m)`: what the project function (or lambda) f
        returns for these arguments, which the transform hands it in the same places; with
        `rebuilt`, as `nnx.vmap` / `nnx.pmap` / `nnx.scan` give it back (`_rebuilt`)."""
        arguments = transform_call.args
        if len(arguments) != 1 or isinstance(arguments[0], ast.Starred) \
                or any(k.arg is None for k in transform_call.keywords):
            return None
        target = arguments[0]
        function = target if isinstance(target, ast.Lambda) else self._callee(target, scope)
        if function is None:
            return None
        found = self._call_result(function, call, scope)
        return self._rebuilt(found) if rebuilt else found

    def _eval_shape_result(self, call: ast.Call, scope: Scope) -> Type:
        """`nnx.eval_shape(f, *args)`: what f returns, with abstract arrays (f a lambda or a
        def whose returns give one type whatever its arguments)."""
        if not call.args or any(isinstance(a, ast.Starred) for a in call.args):
            return None
        first = call.args[0]
        function = first if isinstance(first, ast.Lambda) else getattr(self.type_of(first, scope), "node", None)
        if not isinstance(function, (ast.Lambda, ast.FunctionDef)):
            return None
        summary = self.summary(function)
        return _abstract(summary[1]) if summary[0] == "type" else None

    def _construct(self, cls: str, call: ast.Call, scope: Scope) -> Type:
        """`C(...)`: a Variable (holding an array when its value is one) or an instance."""
        cls = self.index.canonical_class(cls)
        if self.index.is_variable_class(cls):
            value = call.args[0] if call.args else _keyword(call, "value")
            array = value is not None and self.type_of(value, scope) == ARRAY and self._init_keeps_value(cls)
            return VariableT(cls, array)
        if self.index.is_nnx_class(cls) or self.index.lookup_class(cls):
            return InstanceT(cls)
        return None

    def _init_keeps_value(self, cls: str) -> bool:
        """The constructor that `cls(value, ...)` runs hands `value` to flax's unchanged: no
        project `__init__` in the MRO, or one that passes its first parameter on as it is
        (`super().__init__(value, **metadata)`) and never rebinds it."""
        for name in self.index.mro(cls):
            info = self.index.lookup_class(name)
            if flax_api.flax_name(name) is not None or info is None:
                return True
            init = info.methods.get("__init__")
            if init is None:
                continue
            positional, _ = _parameters(init)
            if len(positional) < 2:
                return False
            value = positional[1].arg
            forwarded = False
            for node in scope_local_nodes(init.body):
                if isinstance(node, ast.Name) and node.id == value and not isinstance(node.ctx, ast.Load):
                    return False
                passed = _init_call_value(node)
                forwarded = forwarded or isinstance(passed, ast.Name) and passed.id == value
            return forwarded
        return True

    def _class_method_result(self, qualified: str, call: ast.Call, scope: Scope) -> Type:
        """`C.factory(...)`: a class- or staticmethod's summary; what `cls(...)` makes in
        the defining class is made by the class it was called on."""
        owner, _, method_name = qualified.rpartition(".")
        if self.index.lookup_class(owner) is None:
            return None
        for name in self.index.mro(owner):
            info = self.index.lookup_class(name)
            if info is None or method_name not in info.methods:
                continue
            method = info.methods[method_name]
            decorators = {dotted_name(d) for d in method.decorator_list}
            if not decorators & {"classmethod", "staticmethod"}:
                return None
            self.method_scope(info, method)
            summary = self.summary(method)
            if summary[0] == "param":
                argument = _argument_for(method, summary[1], call, skip_self="classmethod" in decorators)
                return self.type_of(argument, scope) if argument is not None else None
            found = summary[1]
            if name != owner and found is not None and found == self._construct(name, call, scope):
                return self._construct(owner, call, scope)
            return found
        return None

    def _gradient_result(self, transform: str, transform_call: ast.Call, call: ast.Call, scope: Scope) -> Type:
        """`nnx.grad(f)(model)`: the gradients of a Module (or State) are a State of its
        structure; with `argnums=k` or `nnx.DiffState(k, filter)`, of the k-th argument, and
        with a tuple of those, a tuple of such States."""
        if any(k.arg is None for k in transform_call.keywords) or len(transform_call.args) != 1:
            return None  # other arguments, or `**options` that may set them
        positions = self._argnums(_keyword(transform_call, "argnums"), scope)
        if positions is None:
            return None
        highest = max(positions) if isinstance(positions, tuple) else positions
        if any(isinstance(a, ast.Starred) for a in call.args[:highest + 1]):
            return None

        def gradients(position: int) -> Type:
            differentiated = self.type_of(call.args[position], scope) if position < len(call.args) else None
            if is_state(differentiated) or (
                    isinstance(differentiated, InstanceT) and self.index.is_nnx_class(differentiated.cls)):
                return self.state_of(differentiated)  # the gradients have its structure
            return None

        if isinstance(positions, tuple):
            grads = TupleT(tuple(gradients(p) for p in positions))
        else:
            grads = gradients(positions)
            if grads is None:
                return None
        has_aux = _keyword(transform_call, "has_aux")
        if has_aux is not None and not (isinstance(has_aux, ast.Constant) and has_aux.value in (True, False)):
            return None
        aux = has_aux is not None and has_aux.value is True
        if transform == "grad":
            return TupleT((grads, None)) if aux else grads
        return TupleT((None, grads))  # value_and_grad: (value or (value, aux), grads)

    def _argnums(self, node: ast.expr | None, scope: Scope) -> int | tuple[int, ...] | None:
        """The positions an `argnums=` of nnx.grad names: 0 when absent, `k`,
        `nnx.DiffState(k, filter)`, or a tuple of those; None when not known."""
        if node is None:
            return 0
        if isinstance(node, ast.Tuple):
            found = tuple(self._argnums(element, scope) for element in node.elts)
            return found if found and all(type(p) is int for p in found) else None
        if isinstance(node, ast.Call) and flax_api.flax_name(self.qualified(node.func, scope) or "") == "DiffState" \
                and node.args and not any(isinstance(a, ast.Starred) for a in node.args):
            node = node.args[0]
        if isinstance(node, ast.Constant) and type(node.value) is int and node.value >= 0:
            return node.value
        return None

    def _tree_map_result(self, call: ast.Call, scope: Scope) -> Type:
        """`jax.tree.map(f, v, *rest)` of a Variable, no `is_leaf`: a Variable of v's class
        (a pytree node in flax 0.10.7 to 0.12.12, registered by Variable.__init_subclass__,
        its metadata kept), holding whatever f returns. Not of a Module: a leaf in 0.10.7."""
        if len(call.args) < 2 or call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
            return None
        tree = self.type_of(call.args[1], scope)
        if not isinstance(tree, VariableT) or self.may_define_before_flax(tree.cls, {"__init_subclass__"}):
            return None
        return VariableT(tree.cls, False)

    def _state_leaves(self, tree: ast.expr, call: ast.Call, scope: Scope) -> Type:
        """The leaves of an nnx.State stopped at Variables by the call's
        `is_leaf=lambda x: isinstance(x, nnx.Variable)` (or a subclass): Variables."""
        if not is_state(self.type_of(tree, scope)):
            return None
        return self.variable_leaf(call, scope)

    def variable_leaf(self, call: ast.Call, scope: Scope) -> Type:
        """The Variable a jax.tree call's `is_leaf=lambda x: isinstance(x, nnx.Variable)` (or
        a subclass, or a tuple of them) stops at; None for any other `is_leaf`."""
        is_leaf = _keyword(call, "is_leaf")
        if not (isinstance(is_leaf, ast.Lambda) and len(is_leaf.args.args) == 1):
            return None
        test = is_leaf.body
        leaf = is_leaf.args.args[0].arg
        if not (
            isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance"
            and "isinstance" not in self.shadowed_builtins(self.function_scope(is_leaf) or scope) and len(test.args) == 2 and isinstance(test.args[0], ast.Name) and test.args[0].id == leaf
        ):
            return None
        classes = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
        qualified = [self.qualified(c, scope) for c in classes]
        if not qualified or None in qualified or not all(self.index.is_variable_class(c) for c in qualified):
            return None
        cls = self.index.canonical_class(qualified[0]) if len(qualified) == 1 else f"{flax_api.NNX}.Variable"
        return VariableT(cls, False)

    def _method_return_type(self, cls: str, method_name: str, call: ast.Call | None = None,
                            scope: Scope | None = None) -> Type:
        """What `<instance of cls>.method(...)` returns: every subclass's override agrees."""
        return join_or_unknown([self._class_method_return_type(klass, method_name, call, scope)
                                for klass in [cls, *self.subclasses(cls)]])

    def _class_method_return_type(self, cls: str, method_name: str, call: ast.Call | None,
                                  scope: Scope | None) -> Type:
        for name in self.index.mro(cls):
            info = self.index.lookup_class(name)
            if info is None or method_name not in info.methods:
                continue
            method = info.methods[method_name]
            if method.returns is not None:
                return self.annotation_type(method.returns, self.method_scope(info, method))
            if call is None or self_parameter(method) is None:
                return None
            self.method_scope(info, method)  # the method's scope knows its class
            summary = self.summary(method)
            if summary[0] == "type":
                return summary[1]
            argument = _argument_for(method, summary[1], call, skip_self=True)
            return self.type_of(argument, scope) if argument is not None else None
        return None
