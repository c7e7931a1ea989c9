"""Answers "what is this expression?" for the rules: a Variable (holding an array or
not), an instance of a Module or other class, an Rngs, an RngStream, an nnx.State, an
array, a container of one of those, or unknown.

Types come only from evidence: constructors resolved through imports to flax or to the
project's own classes, annotations, flax's documented return types, and the bindings
the index collected. Every binding of a name (or attribute) must agree, or the type is
unknown: unknown is never rewritten.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Union

from nnx_migrate import flax_api
from nnx_migrate.index import ClassInfo, ProjectIndex, SourceFile, dotted_name


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


@dataclass(frozen=True)
class Simple:
    name: str


RNGS = Simple("Rngs")
RNG_STREAM = Simple("RngStream")
STATE = Simple("State")
ARRAY = Simple("Array")
NONE = Simple("None")
GRAPHDEF = Simple("GraphDef")
FLAT_STATE = Simple("FlatState")  # iterates as (path, Variable) pairs

Type = Union[VariableT, InstanceT, ContainerT, Simple, None]

_ARRAY_METHODS = frozenset(
    {"astype", "reshape", "transpose", "sum", "mean", "max", "min", "squeeze", "ravel",
     "flatten", "copy", "clip", "swapaxes", "set", "add", "multiply", "get"}
)
_ARRAY_ANNOTATIONS = frozenset(
    {"jax.Array", "jax.numpy.ndarray", "numpy.ndarray", "jax.typing.ArrayLike", "chex.Array",
     "jaxtyping.Array", "flax.typing.Array"}
)
_CONTAINER_ANNOTATIONS = frozenset(
    {"list", "tuple", "dict", "typing.List", "typing.Tuple", "typing.Sequence",
     "typing.Dict", "typing.Mapping", "collections.abc.Sequence", "collections.abc.Mapping"}
)


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
    return None


SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp,
                ast.GeneratorExp, ast.DictComp, ast.Module)
_BINDING_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign, ast.AugAssign,
                  ast.For, ast.AsyncFor, ast.NamedExpr, ast.With, ast.AsyncWith, ast.ExceptHandler, ast.Import,
                  ast.ImportFrom, ast.Global, ast.Nonlocal, ast.MatchAs, ast.MatchStar, ast.MatchMapping)


class Scope:
    """A function, lambda, comprehension, class body or module: its name bindings."""

    def __init__(self, node: ast.AST, parent: Scope | None, file: SourceFile,
                 cls: ClassInfo | None = None, binding_nodes: list[ast.AST] = ()):
        self.node = node
        self.parent = parent
        self.file = file
        self.cls = cls  # the class whose method this is
        # name -> list of binding descriptors (tuples, see `_bind_node`)
        self.bindings: dict[str, list[tuple]] = {}
        self._collect(binding_nodes)

    # -- collection -------------------------------------------------------------------
    def _collect(self, binding_nodes) -> None:
        node = self.node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            self._collect_parameters(node)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            for generator in node.generators:
                self._bind_target(generator.target, ("iter", generator.iter))
            return
        for binding in binding_nodes:
            self._bind_node(binding)

    def _collect_parameters(self, node) -> None:
        arguments = node.args
        positional = [*arguments.posonlyargs, *arguments.args]
        decorators = set()
        if not isinstance(node, ast.Lambda):
            decorators = {dotted_name(d) for d in node.decorator_list}
        for position, arg in enumerate([*positional, *arguments.kwonlyargs]):
            if position == 0 and self.cls is not None and arg in positional and not (
                decorators & {"staticmethod", "classmethod"}
            ):
                self._add(arg.arg, ("self", self.cls.qualname))
            elif getattr(arg, "annotation", None) is not None:
                self._add(arg.arg, ("annotation", arg.annotation))
            elif arg.arg == "rngs" and self.cls is not None:
                self._add(arg.arg, ("rngs_parameter",))
            else:
                self._add(arg.arg, ("unknown",))
        for arg in (arguments.vararg, arguments.kwarg):
            if arg is not None:
                self._add(arg.arg, ("unknown",))

    def _add(self, name: str, binding: tuple) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def _bind_target(self, target: ast.expr, binding: tuple) -> None:
        if isinstance(target, ast.Name):
            self._add(target.id, binding)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for position, element in enumerate(target.elts):
                if isinstance(element, ast.Starred):
                    self._bind_target(element.value, ("unknown",))
                else:
                    self._bind_target(element, ("unpack", binding, position))
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, ("unknown",))

    def _bind_node(self, node: ast.AST) -> None:
        """Record the names one statement (or clause) binds in this scope."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self._add(node.name, ("unknown",))
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                self._bind_target(target, ("expr", node.value))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            self._add(node.target.id, ("annotated", node.annotation, node.value))
        elif isinstance(node, ast.AugAssign):
            self._bind_target(node.target, ("unknown",))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self._bind_target(node.target, ("iter", node.iter))
        elif isinstance(node, ast.NamedExpr):
            self._bind_target(node.target, ("expr", node.value))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    self._bind_target(item.optional_vars, ("unknown",))
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self._add(node.name, ("unknown",))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                self._add((alias.asname or alias.name).split(".")[0], ("import",))
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                self._add(name, ("unknown",))
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            self._add(node.name, ("unknown",))
        elif isinstance(node, ast.MatchMapping) and node.rest:
            self._add(node.rest, ("unknown",))

    # -- lookup -----------------------------------------------------------------------
    def find(self, name: str) -> Scope | None:
        """The scope that binds `name`, by Python's rules (class bodies are skipped)."""
        scope: Scope | None = self
        first = True
        while scope is not None:
            if name in scope.bindings and (first or not isinstance(scope.node, ast.ClassDef)):
                return scope
            first = False
            scope = scope.parent
        return None


class Resolver:
    """Types expressions of one project. One instance is shared by all rules of a run."""

    def __init__(self, index: ProjectIndex):
        self.index = index
        self._scopes: dict[int, Scope] = {}
        self._in_progress: set = set()
        self._attribute_cache: dict[tuple[str, str], Type] = {}
        self._fallback: dict[str, VariableT] | None = None
        self._file_bindings: dict[int, dict[int, list[ast.AST]]] = {}

    # -- scopes -----------------------------------------------------------------------
    def module_scope(self, file: SourceFile) -> Scope:
        return self.scope_for(file.tree, None, file)

    def scope_for(self, node: ast.AST, parent: Scope | None, file: SourceFile,
                  cls: ClassInfo | None = None) -> Scope:
        scope = self._scopes.get(id(node))
        if scope is None:
            scope = Scope(node, parent, file, cls, self._bindings_by_scope(file).get(id(node), ()))
            self._scopes[id(node)] = scope
        return scope

    def _bindings_by_scope(self, file: SourceFile) -> dict[int, list[ast.AST]]:
        """For every scope node of a file, the nodes that bind names directly in it."""
        found = self._file_bindings.get(id(file))
        if found is None:
            found = {}
            parents = file.parents
            for node in file.nodes(*_BINDING_NODES):
                owner = parents.get(id(node))
                while owner is not None and not isinstance(owner, SCOPE_NODES):
                    owner = parents.get(id(owner))
                found.setdefault(id(owner) if owner is not None else id(file.tree), []).append(node)
            self._file_bindings[id(file)] = found
        return found

    def existing_scope(self, node: ast.AST) -> Scope | None:
        return self._scopes.get(id(node))

    def method_scope(self, info: ClassInfo, method: ast.AST) -> Scope:
        """The scope of a method, for typing the attribute bindings the index found."""
        module = self.module_scope(info.file)
        class_scope = self.scope_for(info.node, module, info.file)
        return self.scope_for(method, class_scope, info.file, info)

    # -- names ------------------------------------------------------------------------
    def qualified(self, node: ast.expr, scope: Scope) -> str | None:
        """Qualified name of a dotted expression whose head is an import or a top-level
        class/function of the file (not shadowed by a local binding)."""
        name = dotted_name(node)
        if name is None:
            return None
        head = name.split(".")[0]
        owner = scope.find(head)
        if owner is not None and not (
            owner.node is scope.file.tree
            and all(b[0] in ("import", "unknown") for b in owner.bindings[head])
        ):
            return None
        qualified = scope.file.qualify(name)
        return flax_api.canonical(qualified) if qualified != name or head in scope.file.imports else None

    # -- types ------------------------------------------------------------------------
    def type_of(self, node: ast.expr, scope: Scope) -> Type:
        key = (id(node), id(scope))
        if key in self._in_progress:
            return None
        self._in_progress.add(key)
        try:
            return self._type_of(node, scope)
        finally:
            self._in_progress.discard(key)

    def _type_of(self, node: ast.expr, scope: Scope) -> Type:
        if isinstance(node, ast.Constant):
            if node.value is None:
                return NONE
            return None
        if isinstance(node, ast.Name):
            return self._name_type(node.id, scope)
        if isinstance(node, ast.Attribute):
            return self._attribute_type(node, scope)
        if isinstance(node, ast.Subscript):
            base = self.type_of(node.value, scope)
            if base == STATE:
                return STATE
            if base == ARRAY:
                return ARRAY
            if isinstance(base, ContainerT):
                return base.element
            if isinstance(base, VariableT) and base.array and _is_ellipsis(node.slice):
                return ARRAY
            return None
        if isinstance(node, ast.Call):
            return self._call_type(node, scope)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            elements = [e for e in node.elts if not isinstance(e, ast.Starred)]
            if not elements or len(elements) != len(node.elts):
                return None
            element = join([self.type_of(e, scope) for e in elements])
            return ContainerT(element) if element is not None else None
        if isinstance(node, ast.Dict):
            if not node.values or None in node.keys:
                return None
            element = join([self.type_of(v, scope) for v in node.values])
            return ContainerT(element) if element is not None else None
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)):
            inner = self.scope_for(node, scope, scope.file, None)
            element = self.type_of(node.value if isinstance(node, ast.DictComp) else node.elt, inner)
            return ContainerT(element) if element is not None else None
        if isinstance(node, ast.IfExp):
            return join([self.type_of(node.body, scope), self.type_of(node.orelse, scope)])
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

    def _name_type(self, name: str, scope: Scope) -> Type:
        owner = scope.find(name)
        if owner is None:
            return None
        return join_or_unknown([self._binding_type(b, owner) for b in owner.bindings[name]])

    def _binding_type(self, binding: tuple, scope: Scope) -> Type:
        kind = binding[0]
        if kind == "expr":
            return self.type_of(binding[1], scope)
        if kind == "self":
            return self._self_type(binding[1])
        if kind == "annotation":
            return self.annotation_type(binding[1], scope)
        if kind == "annotated":
            declared = self.annotation_type(binding[1], scope)
            if declared is not None or binding[2] is None:
                return declared
            return self.type_of(binding[2], scope)
        if kind == "rngs_parameter":
            return RNGS
        if kind == "iter":
            return self._element_type(binding[1], scope, None)
        if kind == "unpack":
            return self._unpacked_type(binding[1], binding[2], scope)
        return None

    def _self_type(self, cls: str) -> Type:
        """`self` in a method: an instance, or a Variable in a user Variable subclass
        (unless the class implements `value` itself, as flax's own Variable does)."""
        if self.index.is_variable_class(cls):
            implements_value = any(
                (info := self.index.lookup_class(name)) is not None and "value" in info.methods
                for name in self.index.mro(cls)
            )
            return None if implements_value else VariableT(cls, False)
        return InstanceT(cls)

    def _unpacked_type(self, binding: tuple, position: int, scope: Scope) -> Type:
        if binding[0] == "iter":
            return self._element_type(binding[1], scope, position)
        if binding[0] != "expr":
            return None
        value = binding[1]
        if isinstance(value, (ast.Tuple, ast.List)) and position < len(value.elts):
            if any(isinstance(e, ast.Starred) for e in value.elts):
                return None
            return self.type_of(value.elts[position], scope)
        if isinstance(value, ast.Call):
            bare = flax_api.flax_name(self.qualified(value.func, scope) or "")
            if bare in flax_api.SPLIT_FUNCTIONS:
                return GRAPHDEF if position == 0 else STATE
            if bare in ("split_state", "filter_state"):
                return STATE
            if isinstance(value.func, ast.Attribute) and value.func.attr in ("split", "filter") \
                    and self.type_of(value.func.value, scope) == STATE:
                return STATE
        return None

    def _element_type(self, iterable: ast.expr, scope: Scope, position: int | None) -> Type:
        """Type of `x` in `for x in iterable` (or of the position-th item when unpacking)."""
        if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name):
            builtin = iterable.func.id if scope.find(iterable.func.id) is None else None
            if builtin == "enumerate" and iterable.args and position == 1:
                return self._element_type(iterable.args[0], scope, None)
            if builtin == "zip" and position is not None and position < len(iterable.args):
                return self._element_type(iterable.args[position], scope, None)
            if builtin in ("reversed", "list", "tuple", "sorted") and iterable.args and position is None:
                return self._element_type(iterable.args[0], scope, None)
            return None
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
        if position == 1 and self.type_of(iterable, scope) == FLAT_STATE:
            return VariableT(f"{flax_api.NNX}.Variable", False)
        if position is not None:
            return None
        container = self.type_of(iterable, scope)
        return container.element if isinstance(container, ContainerT) else None

    def _attribute_type(self, node: ast.Attribute, scope: Scope) -> Type:
        qualified = self.qualified(node, scope)
        if qualified is not None:
            return None  # a module attribute or class, not an instance attribute
        base = self.type_of(node.value, scope)
        found = self.member_type(base, node.attr)
        if found is None and base is None and self._root_is_instance(node.value, scope):
            return self.fallback_attributes().get(node.attr)
        return found

    def member_type(self, base: Type, attr: str) -> Type:
        """Type of `<something of type base>.attr`."""
        if isinstance(base, InstanceT):
            return self.instance_attribute(base.cls, attr)
        if base == RNGS:
            return None if attr in flax_api.RNGS_METHODS or attr.startswith("_") else RNG_STREAM
        if base == RNG_STREAM:
            cls = flax_api.RNG_STREAM_ATTRIBUTES.get(attr)
            return VariableT(f"{flax_api.NNX}.{cls}", True) if cls else None
        if base == STATE:
            return STATE
        if base == ARRAY:
            return ARRAY if attr in ("T", "real", "imag", "mT") else None
        if isinstance(base, VariableT) and base.array and attr in ("T", "mT"):
            return ARRAY
        return None

    def class_type(self, qualified: str) -> Type:
        """The type of an instance of the class named `qualified` (from `isinstance`)."""
        bare = flax_api.flax_name(qualified)
        if bare in ("Rngs", "RngStream", "State"):
            return {"Rngs": RNGS, "RngStream": RNG_STREAM, "State": STATE}[bare]
        if self.index.is_variable_class(qualified):
            return VariableT(qualified, False)
        if self.index.is_nnx_class(qualified) or self.index.lookup_class(qualified):
            return InstanceT(qualified)
        return None

    def _root_is_instance(self, node: ast.expr, scope: Scope) -> bool:
        """The chain starts at a name bound in the file (not an imported module/class)."""
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        if isinstance(node, ast.Call):
            return False
        if not isinstance(node, ast.Name):
            return False
        owner = scope.find(node.id)
        return owner is not None and not any(
            b[0] == "import" for b in owner.bindings[node.id]
        )

    def _call_type(self, node: ast.Call, scope: Scope) -> Type:
        func = node.func
        qualified = self.qualified(func, scope)
        if qualified is not None:
            bare = flax_api.flax_name(qualified)
            if bare == "Rngs":
                return RNGS
            if bare in flax_api.STATE_FUNCTIONS:
                return STATE
            if bare == "to_flat_state":
                return FLAT_STATE
            if bare in ("List", "Dict", "data") and len(node.args) == 1 and not node.keywords:
                wrapped = self.type_of(node.args[0], scope)
                if isinstance(wrapped, ContainerT) or bare == "data":
                    return wrapped  # iterating or indexing sees the same elements
            if self.index.is_variable_class(qualified):
                value = node.args[0] if node.args else _keyword(node, "value")
                array = value is not None and self.type_of(value, scope) == ARRAY
                return VariableT(qualified, array)
            if self.index.is_nnx_class(qualified) or self.index.lookup_class(qualified):
                return InstanceT(qualified)
            if qualified.startswith(flax_api.ARRAY_MODULES):
                last = qualified.rsplit(".", 1)[-1]
                return None if last in flax_api.NON_ARRAY_FUNCTIONS else ARRAY
            if qualified.startswith(flax_api.INITIALIZER_MODULES):
                last = qualified.rsplit(".", 1)[-1]
                return ARRAY if last in flax_api.DIRECT_INITIALIZERS else None
            return self._function_return_type(qualified)
        if isinstance(func, ast.Call):
            inner = self.qualified(func.func, scope)
            if inner is not None and inner.startswith(flax_api.INITIALIZER_MODULES):
                return ARRAY
        receiver_type = self.type_of(func.value, scope) if isinstance(func, ast.Attribute) else None
        if isinstance(func, ast.Attribute):
            if receiver_type == ARRAY and func.attr in _ARRAY_METHODS:
                return ARRAY
            if receiver_type == STATE and func.attr in flax_api.STATE_METHODS:
                return STATE
            if receiver_type == STATE and func.attr == "flat_state":
                return FLAT_STATE
            if isinstance(receiver_type, InstanceT):
                return self._method_return_type(receiver_type.cls, func.attr)
        callee_type = self.type_of(func, scope)
        if callee_type in (RNGS, RNG_STREAM):
            return ARRAY  # a PRNG key
        # Flax's convention: `kernel_init(key, shape, dtype)` returns the array.
        name = dotted_name(func)
        if name and name.rsplit(".", 1)[-1].endswith("init") and len(node.args) >= 2:
            return ARRAY
        return None

    def _function_return_type(self, qualified: str) -> Type:
        module, _, name = qualified.rpartition(".")
        for file in self.index.files.values():
            if file.module != module:
                continue
            for statement in file.tree.body:
                if (
                    isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and statement.name == name
                    and statement.returns is not None
                ):
                    return self.annotation_type(statement.returns, self.module_scope(file))
        return None

    def _method_return_type(self, cls: str, method_name: str) -> Type:
        for name in self.index.mro(cls):
            info = self.index.lookup_class(name)
            if info is None or method_name not in info.methods:
                continue
            method = info.methods[method_name]
            if method.returns is None:
                return None
            return self.annotation_type(method.returns, self.method_scope(info, method))
        return None

    # -- annotations ------------------------------------------------------------------
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
            if outer in ("typing.Optional",):
                return self.annotation_type(arguments[0], scope)
            if outer in ("typing.Union",):
                return join([self.annotation_type(a, scope) for a in arguments])
            if outer in _CONTAINER_ANNOTATIONS:
                element = self.annotation_type(arguments[-1], scope)
                return ContainerT(element) if element is not None else None
            if outer and self.index.is_variable_class(outer):
                return VariableT(outer, self.annotation_type(arguments[0], scope) == ARRAY)
            return None
        qualified = self.qualified(node, scope)
        if qualified is None:
            return None
        if qualified in _ARRAY_ANNOTATIONS:
            return ARRAY
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

    # -- attributes of classes --------------------------------------------------------
    def instance_attribute(self, cls: str, attr: str) -> Type:
        """Type of `<instance of cls>.attr`, joined over every class in its MRO that binds it."""
        key = (cls, attr)
        if key in self._attribute_cache:
            return self._attribute_cache[key]
        self._attribute_cache[key] = None  # cycle guard
        types: list[Type] = []
        for name in self.index.mro(cls):
            bare = flax_api.flax_name(name)
            if bare is not None:
                entry = flax_api.MODULE_ATTRIBUTES.get(bare, {}).get(attr)
                if entry is not None:
                    types.append(_flax_entry_type(entry))
                continue
            info = self.index.lookup_class(name)
            if info is None:
                continue
            if attr in info.methods:
                types.append(None)
            for value, function, is_annotation in info.attribute_bindings.get(attr, []):
                binding_scope = (
                    self.method_scope(info, function) if function is not None
                    else self.scope_for(info.node, self.module_scope(info.file), info.file)
                )
                types.append(
                    self.annotation_type(value, binding_scope) if is_annotation
                    else self.type_of(value, binding_scope)
                )
        result = join_or_unknown(types)
        self._attribute_cache[key] = result
        return result

    def fallback_attributes(self) -> dict[str, VariableT]:
        """Attribute names bound only to Variables anywhere in the project (plus the
        names flax's layers use for theirs, unless the project binds them otherwise)."""
        if self._fallback is not None:
            return self._fallback
        self._fallback = {}
        per_name: dict[str, list[Type]] = {}
        for info in self.index.classes.values():
            for attr in set(info.attribute_bindings) | set(info.methods):
                per_name.setdefault(attr, []).append(self.instance_attribute(info.qualname, attr))
        for attr, stores in self.index.foreign_attribute_stores.items():
            for value, file in stores:
                per_name.setdefault(attr, []).append(
                    None if value is None else self.type_of(value, self.module_scope(file))
                )
        fallback: dict[str, VariableT] = {}
        for attr, types in per_name.items():
            joined = join_or_unknown(types)
            if isinstance(joined, VariableT):
                fallback[attr] = joined
        # Attributes of the flax layers the project uses (`kernel` only where some
        # Linear/Conv/... is used, `mean` only with BatchNorm), unless bound otherwise.
        for layer in self.index.flax_names_used:
            for attr, entry in flax_api.MODULE_ATTRIBUTES.get(layer, {}).items():
                if entry[0] == "variable" and attr not in per_name:
                    fallback[attr] = _flax_entry_type(entry)
        self._fallback = fallback
        return fallback


def join_or_unknown(types: list[Type]) -> Type:
    """Like `join`, but any unknown binding makes the whole unknown."""
    if not types or any(t is None for t in types):
        return None
    return join(types)


def _flax_entry_type(entry: tuple) -> Type:
    if entry[0] == "variable":
        return VariableT(f"{flax_api.NNX}.{entry[1]}", entry[2])
    return InstanceT(f"{flax_api.NNX}.{entry[1]}")


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _is_ellipsis(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def _is_number(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)
