"""The type values the engine answers with (`VariableT`, `InstanceT`, `ContainerT`, ...), their
join, and `reveal`, the notation of `# revealed:` fixtures and `nnx-migrate explain`. No
evaluator state."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Union

from nnx_migrate import flax_api


@dataclass(frozen=True)
class VariableT:
    cls: str
    array: bool  # known to hold a jax/numpy array


@dataclass(frozen=True)
class InstanceT:
    cls: str  # qualified class name: a project class or a canonical flax.nnx one


@dataclass(frozen=True)
class ContainerT:
    element: "Type"
    mapping: bool = False  # a dict: iterating it gives keys, not elements


@dataclass(frozen=True)
class Simple:
    name: str


RNGS = Simple("Rngs")


RNG_STREAM = Simple("RngStream")


# An RngStream after nnx.eval_shape (a Dropout's `rngs`): its key and count are Variables
# holding jax.ShapeDtypeStruct, not arrays
ABSTRACT_RNG_STREAM = Simple("AbstractRngStream")


STATE = Simple("State")


ARRAY = Simple("Array")


NONE = Simple("None")


BUILTIN_VALUE = Simple("BuiltinValue")  # a list, dict, str, int...: never a Variable or Module


_BUILTIN_VALUE_TYPES = frozenset({"list", "tuple", "dict", "set", "frozenset", "str", "bytes", "int", "float",
                                  "bool", "complex"})


FLAT_STATE = Simple("FlatState")  # iterates as (path, Variable) pairs
# `with nnx.split_context() as ctx` / `nnx.merge_context(...)`: ctx.split is nnx.split, ctx.merge nnx.merge
SPLIT_CONTEXT = Simple("SplitContext")
MERGE_CONTEXT = Simple("MergeContext")


# An item of an nnx.List / nnx.Dict whose contents are not known: a Variable, a Module,
# a container or a static value. `.value` on it, with nothing looked up below, is a
# Variable's (as for an nnx.State leaf).
GRAPH_ELEMENT = Simple("GraphElement")


# the method `x op= y` calls
IN_PLACE_METHODS = {
    ast.Add: "__iadd__", ast.Sub: "__isub__", ast.Mult: "__imul__", ast.Div: "__itruediv__",
    ast.FloorDiv: "__ifloordiv__", ast.Mod: "__imod__", ast.Pow: "__ipow__", ast.MatMult: "__imatmul__",
    ast.BitAnd: "__iand__", ast.BitOr: "__ior__", ast.BitXor: "__ixor__", ast.LShift: "__ilshift__",
    ast.RShift: "__irshift__",
}


@dataclass(frozen=True)
class StateT:
    """An nnx.State whose structure is known: that of the graph node of type `node` (what
    `nnx.state(m)`, the States of `nnx.split(m)` and the gradients of `m` hold: an instance
    of an NNX class, a list, dict or tuple of them), or of a literal mapping `items`
    (`nnx.State({'a': nnx.Param(1)})`: (key, type of the item) pairs). An item is a Variable
    of the class its attribute holds, or a State of what it holds (see `state_item`).
    `STATE` is a State of unknown structure: an item there may be a leaf or a sub-State."""
    node: "Type" = None
    items: tuple = None

    @property
    def name(self) -> str:  # as Simple's, for messages
        return "State"


# State's own attributes (flax 0.10.7, 0.11.2, 0.12.8, and MutableMapping's): `state.keys`
# is the method, not the item `keys`
STATE_OWN_ATTRIBUTES = frozenset({
    "filter", "flat_state", "from_flat_path", "map", "merge", "raw_mapping", "replace_by_pure_dict", "split",
    "to_pure_dict", "clear", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values",
})


def is_state(found: "Type") -> bool:
    """An nnx.State, of known structure or not."""
    return found == STATE or isinstance(found, StateT)


@dataclass(frozen=True)
class TupleT:
    elements: tuple  # of Type, by position


@dataclass(frozen=True)
class SplitT:
    """`nnx.split(...)` (a GraphDef, then States) or `nnx.split_state(...)` (States)."""
    graphdef_first: bool
    # what was split (`nnx.merge` of its GraphDef makes one again; the States are of its
    # structure), or for States split further, that State of known structure
    node: "Type" = None
    # the States' structure where it is known beyond `node`'s (a literal list's items by
    # position: `nnx.split([linear, batch_norm])`)
    states: "Type" = None


@dataclass(frozen=True)
class GraphDefT:
    """A GraphDef of a graph node of type `node` (None: not known)."""
    node: "Type" = None


@dataclass(frozen=True)
class GradientT:
    """`nnx.grad(f, ...)` / `nnx.value_and_grad(f, ...)`: calling it gives gradients."""
    transform: str
    call: ast.Call


@dataclass(frozen=True)
class ClassT:
    """A class itself (`cls` in a classmethod): calling it makes an instance."""
    cls: str


@dataclass(frozen=True)
class FunctionT:
    node: ast.AST  # a def or lambda: calling it gives its summary's type


@dataclass(frozen=True)
class AbstractT:
    """What `nnx.eval_shape(f)` gives for an f that makes `instance`: that object with its
    arrays replaced by jax.ShapeDtypeStruct. Its Variables are Variables, but none is known
    to hold an array (`v[...]` would index a ShapeDtypeStruct); anything else is unknown.
    Not an InstanceT, so every question that does not unwrap it treats it as unknown."""
    instance: InstanceT


@dataclass(frozen=True)
class TreeT:
    """`nnx.to_tree(x)`: the pytree x (of type `tree`) with each graph node and Variable in
    it replaced by a NodeStates of it; `nnx.from_tree` of it makes graph nodes and Variables
    of the same classes again, in the same tuples, lists and dicts (flax 0.10.7, 0.11.2,
    0.12.8, also through jax.jit); its other leaves may come back as traced arrays."""
    tree: "Type" = None


# Some nnx Module, class unknown (a public function's parameter: callers elsewhere may
# pass other Modules than the project's own calls do).
ANY_MODULE = InstanceT(f"{flax_api.NNX}.Module")


Type = Union[VariableT, InstanceT, ContainerT, TupleT, SplitT, GraphDefT, GradientT, ClassT, FunctionT, AbstractT,
             StateT, TreeT, Simple, None]


def reveal(found: Type) -> str:
    """A type in the notation of `testdata/inference` and `nnx-migrate explain`:
    `nnx.Param[array]`, `main.Block`, `list[nnx.Linear]`, `unknown`."""
    if found is None:
        return "unknown"
    if isinstance(found, VariableT):
        return f"{_short(found.cls)}[array]" if found.array else _short(found.cls)
    if isinstance(found, InstanceT):
        return _short(found.cls)
    if isinstance(found, ClassT):
        return f"type[{_short(found.cls)}]"
    if isinstance(found, ContainerT):
        return f"{'dict' if found.mapping else 'list'}[{reveal(found.element)}]"
    if isinstance(found, TupleT):
        return f"tuple[{', '.join(reveal(element) for element in found.elements)}]"
    if isinstance(found, SplitT):
        return f"split[{'graphdef, ' if found.graphdef_first else ''}states of {reveal(found.node)}]"
    if isinstance(found, GraphDefT):
        return f"GraphDef[{reveal(found.node)}]"
    if isinstance(found, GradientT):
        return f"nnx.{found.transform}(...)"
    if isinstance(found, FunctionT):
        return f"def {found.node.name}" if hasattr(found.node, "name") else "lambda"
    if isinstance(found, AbstractT):
        return f"abstract[{reveal(found.instance)}]"
    if isinstance(found, TreeT):
        return f"to_tree[{reveal(found.tree)}]"
    if isinstance(found, StateT):
        if found.items is not None:
            return "State{" + ", ".join(f"{key!r}: {reveal(item)}" for key, item in found.items) + "}"
        return f"State[{reveal(found.node)}]"
    return found.name


def _short(cls: str) -> str:
    bare = flax_api.flax_name(cls)
    return f"nnx.{bare}" if bare is not None else cls


def join(types: list[Type]) -> Type:
    """The one type all bindings agree on; None bindings are ignored (Optional)."""
    types = [t for t in types if t != NONE]
    if not types:
        return None
    first = types[0]
    if all(t == first for t in types):
        return first
    if all(isinstance(t, VariableT) for t in types):
        classes = {t.cls for t in types}
        cls = first.cls if len(classes) == 1 else f"{flax_api.NNX}.Variable"
        return VariableT(cls, all(t.array for t in types))
    if all(is_state(t) for t in types):
        return STATE  # States of different structures: a State, its items of unknown depth
    return None


def state_item(found: Type, is_graph_class) -> Type:
    """What an nnx.State holds where the graph node holds something of type `found`: a
    Variable is the leaf (a Variable of that class), an NNX object, a list, dict or
    tuple a sub-State of its structure; anything else (static, or not known) unknown."""
    if isinstance(found, VariableT):
        # not known to hold an array: an item replaced through another name (a sub-State
        # shares its mapping) is not seen, and get_value() reads any Variable
        return VariableT(found.cls, False)
    if isinstance(found, InstanceT) and is_graph_class(found.cls) or isinstance(found, (ContainerT, TupleT)):
        return StateT(node=found)
    return None


def graph_node(found: Type) -> Type:
    """What `nnx.merge` makes again of a GraphDef taken from a graph node of type `found`
    (flax 0.10.7 to 0.12.12 alike): an instance of its class; a tuple, list or dict the
    same container of such (`model, optimizer = nnx.merge(*nnx.split((model, optimizer)))`),
    a Variable in it one of its class (what it holds comes from the State merged, so not
    known to be an array); anything else unknown."""
    if isinstance(found, InstanceT):
        return found
    if isinstance(found, VariableT):
        return VariableT(found.cls, False)
    if isinstance(found, TupleT):
        elements = tuple(graph_node(element) for element in found.elements)
        return TupleT(elements) if any(element is not None for element in elements) else None
    if isinstance(found, ContainerT):
        element = graph_node(found.element)
        return ContainerT(element, found.mapping) if element is not None else None
    return None


def as_container(found: Type, iterated: bool = False) -> ContainerT | None:
    """A list, dict, set or tuple type as a container of its (joined) elements; with
    `iterated`, only if iterating it gives those elements (not a dict's keys)."""
    if isinstance(found, TupleT):
        element = join_or_unknown(list(found.elements))
        return ContainerT(element) if element is not None else None
    if not isinstance(found, ContainerT) or (iterated and found.mapping):
        return None
    return found


def _at(sequence, position: int):
    """`sequence[position]` (negative: from the end), None out of range."""
    return sequence[position] if -len(sequence) <= position < len(sequence) else None


def join_or_unknown(types: list[Type]) -> Type:
    """Like `join`, but any unknown binding makes the whole unknown."""
    if not types or any(t is None for t in types):
        return None
    return join(types)


def _flax_entry_type(entry: tuple) -> Type:
    if entry[0] == "variable":
        return VariableT(f"{flax_api.NNX}.{entry[1]}", entry[2])
    if entry[0] == "rng_stream":
        return RNG_STREAM
    return InstanceT(f"{flax_api.NNX}.{entry[1]}")


def _abstract(found: Type) -> Type:
    """`found` after nnx.eval_shape (see AbstractT): a Variable no longer known to hold an
    array, an instance abstract, containers of those; an array is a ShapeDtypeStruct, an
    Rngs holds abstract keys: unknown; an RngStream abstract keys and counts."""
    if isinstance(found, VariableT):
        return VariableT(found.cls, False)
    if isinstance(found, InstanceT):
        return AbstractT(found)
    if isinstance(found, ContainerT):
        element = _abstract(found.element)
        return ContainerT(element, found.mapping) if element is not None else None
    if isinstance(found, TupleT):
        return TupleT(tuple(_abstract(element) for element in found.elements))
    if found in (RNG_STREAM, ABSTRACT_RNG_STREAM):
        return ABSTRACT_RNG_STREAM
    if isinstance(found, AbstractT) or found in (NONE, BUILTIN_VALUE):
        return found
    return None
