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
from nnx_migrate.flow import BINDING_NODE_TYPES, BindingTable, FlowAnalysis, scope_local_nodes
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
    mapping: bool = False  # a dict: iterating it gives keys, not elements


@dataclass(frozen=True)
class Simple:
    name: str


RNGS = Simple("Rngs")
RNG_STREAM = Simple("RngStream")
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
class TupleT:
    elements: tuple  # of Type, by position


@dataclass(frozen=True)
class SplitT:
    """`nnx.split(...)` (a GraphDef, then States) or `nnx.split_state(...)` (States)."""
    graphdef_first: bool
    node: "Type" = None  # what was split (`nnx.merge` of its GraphDef makes one again)


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


# Some nnx Module, class unknown (a public function's parameter: callers elsewhere may
# pass other Modules than the project's own calls do).
ANY_MODULE = InstanceT(f"{flax_api.NNX}.Module")

Type = Union[VariableT, InstanceT, ContainerT, TupleT, SplitT, GraphDefT, GradientT, ClassT, FunctionT, AbstractT,
             Simple, None]

_ARRAY_METHODS = frozenset(
    {"astype", "reshape", "transpose", "sum", "mean", "max", "min", "squeeze", "ravel",
     "flatten", "copy", "clip", "swapaxes", "set", "add", "multiply", "get"}
)
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
    return None


SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp,
                ast.GeneratorExp, ast.DictComp, ast.Module)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
# a comprehension's generators bind in the comprehension's own scope (see `Scope`)
_BINDING_NODES = tuple(kind for kind in BINDING_NODE_TYPES if kind is not ast.comprehension)

# Evaluation limits, as pyright keeps them: nesting of one evaluation (beyond it the
# answer is "unknown", which is never rewritten), and steps per file (beyond it the file
# is reported and left alone).
MAX_EVALUATION_DEPTH = 120
STEPS_PER_FILE_NODE = 200
MIN_STEPS_PER_FILE = 500_000


_MISSING = object()
# container methods that add an item, and the position of the item (or iterable) added
_ADDING_METHODS = {"append": 0, "insert": 1, "add": 0, "extend": 0, "update": 0, "setdefault": 1}
# bases that define nothing a rule asks about (typing's, abc's)
_SEEN_THROUGH_BASES = frozenset({
    "object", "typing.Generic", "typing.Protocol", "typing_extensions.Protocol", "abc.ABC",
})
_CAST_FUNCTIONS = frozenset({"typing.cast", "typing_extensions.cast"})
# Decorators whose function's results have the types its body returns: jax.jit rebuilds its
# outputs from their pytree structure, so a Module, Variable, State, list or dict comes back
# as one of the same class (new objects; arrays as arrays; a Python scalar as an array,
# which is no Variable or Module either). Not for callers' arguments: inside, they are traced.
_TYPE_PRESERVING_DECORATORS = frozenset({"jax.jit"})


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


class Scope:
    """A function, lambda, comprehension, class body or module: its name bindings."""

    def __init__(self, node: ast.AST, parent: Scope | None, file: SourceFile, table: BindingTable,
                 cls: ClassInfo | None = None, binding_nodes: list[ast.AST] = ()):
        self.node = node
        self.parent = parent
        self.file = file
        self.cls = cls  # the class whose method this is
        # name -> list of binding descriptors (tuples, see `flow.BindingTable`)
        self.bindings: dict[str, list[tuple]] = {}
        self.parameters: dict[str, frozenset] = {}
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            self._collect_parameters(node)
        elif isinstance(node, _COMPREHENSIONS):
            for generator in node.generators:
                binding_nodes = [*binding_nodes, generator]
        for binding_node in binding_nodes:
            for name, binding in table.of(binding_node):
                self._add(name, binding)

    def _collect_parameters(self, node) -> None:
        arguments = node.args
        positional = [*arguments.posonlyargs, *arguments.args]
        decorators = set()
        if not isinstance(node, ast.Lambda):
            decorators = {dotted_name(d) for d in node.decorator_list}
        for position, arg in enumerate([*positional, *arguments.kwonlyargs]):
            if position == 0 and self.cls is not None and arg in positional and "classmethod" in decorators:
                binding = ("cls", self.cls.qualname)
            elif position == 0 and self.cls is not None and arg in positional and "staticmethod" not in decorators:
                binding = ("self", self.cls.qualname)
            elif getattr(arg, "annotation", None) is not None:
                binding = ("annotation", arg.annotation)
            elif arg.arg == "rngs" and self.cls is not None:
                binding = ("rngs_parameter", self.cls.qualname)
            else:
                binding = ("param", node, arg.arg)
            self._add(arg.arg, binding)
            self.parameters[arg.arg] = frozenset((binding,))
        for arg in (arguments.vararg, arguments.kwarg):
            if arg is not None:
                self._add(arg.arg, ("unknown",))
                self.parameters[arg.arg] = frozenset((("unknown",),))

    def _add(self, name: str, binding: tuple) -> None:
        self.bindings.setdefault(name, []).append(binding)

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
    """Types expressions of one project. One instance is shared by all rules of a run.

    Every (expression, scope) is evaluated at most once: results are memoized, and an
    evaluation that meets itself (a recursive definition) gets "unknown" for the inner
    occurrence, so the cost of a file is linear in its size."""

    def __init__(self, index: ProjectIndex):
        index.link_modules()  # every file is in: names through namespace packages are linked
        self.index = index
        self.bindings = BindingTable()
        self._scopes: dict[int, Scope] = {}
        self._scope_nodes: dict[int, ast.AST] = {}  # id(node) -> its nearest enclosing scope node
        self._flows: dict[int, FlowAnalysis] = {}
        self._memo: dict[tuple, object] = {}
        self._frames: list[_Frame] = []  # the evaluations in progress, outermost first
        self._on_stack: dict[tuple, int] = {}
        self._incomplete: dict[tuple, tuple[object, int]] = {}
        self._by_file: dict[tuple[int | None, str], tuple[list, list]] | None = None
        self._subclasses: dict[str, list[str]] | None = None
        self._imports_by_target: dict[str, list] | None = None
        self._star_imports: set[str] | None = None
        self._file_bindings: dict[int, dict[int, list[ast.AST]]] = {}
        self._untracked: dict[int, frozenset[str]] = {}
        self._module_functions: dict[str, ast.AST] | None = None
        self._function_files: dict[int, SourceFile] = {}
        self._name_uses: dict[str, list] | None = None
        self._callers: dict[int, list | None] = {}
        self._strings: frozenset[str] | None = None
        self._aliases: dict[int, dict[str, ast.expr]] = {}  # id(file) -> `P = nnx.Param` aliases
        self.steps = 0  # evaluation steps of the whole run, for tests that count cost
        # nodes looked at by scans and tables (rules' node lists, scopes asked for, code
        # flow's joins): work that is not evaluation, counted apart so that the step budget
        # stays as it was (tests/test_cost_growth.py)
        self.scanned = 0
        self._budget: int | None = None
        self._budget_file: SourceFile | None = None
        self._last_node: ast.AST | None = None  # where the evaluation is, for the budget's report

    # -- budget -----------------------------------------------------------------------
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

    # -- scopes -----------------------------------------------------------------------
    def module_scope(self, file: SourceFile) -> Scope:
        return self.scope_for(file.tree, None, file)

    def scope_for(self, node: ast.AST, parent: Scope | None, file: SourceFile,
                  cls: ClassInfo | None = None) -> Scope:
        scope = self._scopes.get(id(node))
        if scope is None:
            scope = Scope(node, parent, file, self.bindings, cls, self._bindings_by_scope(file).get(id(node), ()))
            self._scopes[id(node)] = scope
        return scope

    def _bindings_by_scope(self, file: SourceFile) -> dict[int, list[ast.AST]]:
        """For every scope node of a file, the nodes that bind names directly in it (a
        walrus in a comprehension binds in the enclosing function, as in Python)."""
        found = self._file_bindings.get(id(file))
        if found is None:
            found = {}
            parents = file.parents
            for node in file.nodes(*_BINDING_NODES):
                owner = parents.get(id(node))
                while owner is not None and not isinstance(owner, SCOPE_NODES) or (
                    isinstance(node, ast.NamedExpr) and isinstance(owner, _COMPREHENSIONS)
                ):
                    owner = parents.get(id(owner))
                found.setdefault(id(owner) if owner is not None else id(file.tree), []).append(node)
            self._file_bindings[id(file)] = found
        return found

    def existing_scope(self, node: ast.AST) -> Scope | None:
        return self._scopes.get(id(node))

    def method_scope(self, info: ClassInfo, method: ast.AST) -> Scope:
        """The scope of a method, for typing the attribute bindings the index found."""
        return self.scope_for(method, self.class_scope(info), info.file, info)

    def class_scope(self, info: ClassInfo) -> Scope:
        """The scope of a class body, inside the scope its `class` statement runs in (a
        def's, for a class defined in a function: its methods see the def's names)."""
        return self.scope_for(info.node, self.scope_of(info.node, info.file), info.file)

    def scope_of(self, node: ast.AST, file: SourceFile) -> Scope:
        """The scope `node` is evaluated in (a def's own name and decorators included)."""
        self.scanned += 1  # asked for most nodes a scan looks at: counts scans that rescan
        ancestor = self._scope_node(node, file)
        if isinstance(ancestor, ast.Module):
            return self.module_scope(file)
        scope = self._scopes.get(id(ancestor))
        if scope is None:
            outer = self.scope_of(ancestor, file)
            cls = None
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) \
                    and isinstance(outer.node, ast.ClassDef):
                cls = self.index.class_of_node(outer.node)
            scope = self.scope_for(ancestor, outer, file, cls)
        return scope

    def _scope_node(self, node: ast.AST, file: SourceFile) -> ast.AST:
        """The nearest ancestor of `node` that is a scope (the module's tree at the top),
        remembered for every node on the way up: rules ask this for most nodes of a file."""
        known, parents = self._scope_nodes, file.parents
        path = []
        while True:
            ancestor = known.get(id(node))
            if ancestor is not None:
                break
            path.append(id(node))
            ancestor = parents.get(id(node))
            if ancestor is None or isinstance(ancestor, SCOPE_NODES):
                ancestor = ancestor if ancestor is not None else file.tree
                break
            node = ancestor
        for key in path:
            known[key] = ancestor
        return ancestor

    def flow(self, scope: Scope) -> FlowAnalysis:
        found = self._flows.get(id(scope.node))
        if found is None:
            found = FlowAnalysis(scope.node, self.bindings, scope.parameters, self._untracked_names(scope),
                                 walrus=bool(scope.file.by_type.get(ast.NamedExpr)))
            self.steps += found.steps
            self.scanned += found.scanned
            self._flows[id(scope.node)] = found
        return found

    def _untracked_names(self, scope: Scope) -> frozenset[str]:
        """Names another scope may rebind behind this one's back (`global`/`nonlocal`
        in a nested or any function): their every binding counts."""
        file = scope.file
        found = self._untracked.get(id(file))
        if found is None:
            found = frozenset(name for node in file.nodes(ast.Global, ast.Nonlocal) for name in node.names)
            self._untracked[id(file)] = found
        return found

    def _declared_names(self, file: SourceFile) -> tuple[frozenset[str], frozenset[str]]:
        """Names declared `global`, and names declared `nonlocal`, somewhere in the file."""
        key = ("declared", id(file))
        if key not in self._memo:
            self._memo[key] = (
                frozenset(name for node in file.nodes(ast.Global) for name in node.names),
                frozenset(name for node in file.nodes(ast.Nonlocal) for name in node.names),
            )
        return self._memo[key]

    def reaching_bindings(self, node: ast.Name, scope: Scope) -> tuple[Scope, list[tuple]] | None:
        """The scope that binds the name read at `node`, and the bindings of it that may
        reach there (every binding when code flow cannot tell)."""
        owner = scope.find(node.id)
        if owner is None:
            return None
        declared = self._declared_names(owner.file)
        if node.id in (declared[0] if owner.node is owner.file.tree else declared[1]) or (
            owner.node is owner.file.tree and (
                self._stored_from_outside(owner.file, node.id) or self._module_used_as_object(owner.file))
        ):
            # `global` / `nonlocal` somewhere, `module.name = ...` from elsewhere, or the
            # module's namespace written by names (globals().update(d), setattr(module, k, v)):
            # another scope may bind it to anything
            return owner, [*owner.bindings[node.id], ("unknown",)]
        reaching = self.flow(owner).reaching.get(id(node))
        if reaching is None:
            return owner, owner.bindings[node.id]
        return owner, list(reaching)

    def classes_named(self, node: ast.expr, scope: Scope) -> tuple[list[ClassInfo], bool]:
        """The project classes a reference may name, and whether it may name something else
        too: through imports and top-level names, or for a name of a class statement in a
        def, through the bindings that reach it."""
        qualified = self.qualified(node, scope)
        if qualified is not None:
            info = self.index.lookup_class(qualified)
            return ([info], False) if info is not None else ([], True)
        if not isinstance(node, ast.Name):
            return [], True
        found = self.reaching_bindings(node, scope)
        if found is None:
            return [], True
        classes = list(dict.fromkeys(self.index.class_of_node(b[1]) for b in found[1] if b[0] == "class"))
        other = any(b[0] != "class" for b in found[1]) or any(
            info is None or self.index.classes.get(info.qualname) is not info for info in classes)
        return [info for info in classes if info is not None], other

    # -- names ------------------------------------------------------------------------
    def qualified(self, node: ast.expr, scope: Scope) -> str | None:
        """Qualified name of a dotted expression whose head is an import or a top-level
        class/function of the file (not shadowed by a local binding)."""
        name = dotted_name(node)
        if name is None:
            return None
        head = name.split(".")[0]
        if head not in scope.file.imports and head not in scope.file.top_level_names:
            alias = self._module_aliases(scope.file).get(head)
            if alias is None or scope.find(head) is not self.module_scope(scope.file):
                return None  # the file's imports cannot qualify it
            target = self._memoized(("alias", id(alias)), alias, lambda: self.qualified(alias, self.module_scope(scope.file)))
            return None if target is None else target + name[len(head):]
        owner = scope.find(head)
        if owner is not None and not (
            owner.node is scope.file.tree and all(map(binds_an_import_or_none, owner.bindings[head]))
            # an import in a def (`from flax import nnx` in a test): the file's imports of
            # the name all name one thing, or it is not in them
            or head in scope.file.imports and all(b[0] == "import" for b in owner.bindings[head])
        ):
            return None
        qualified = scope.file.qualify(name)
        return flax_api.canonical(qualified) if qualified != name or head in scope.file.imports else None

    def prepare_project_tables(self) -> None:
        """Build the project-wide tables most files' questions reach (before worker processes
        fork, so that each inherits them instead of building its own)."""
        self.name_uses("")
        self._attribute_stores("")
        self._bindings_by_file()
        self.subclasses("")
        self.stored_by_name("")
        self.class_swapped("")

    def may_qualify(self, node: ast.expr, file: SourceFile) -> bool:
        """Whether `qualified` can name `node` in some scope of `file`: a dotted name whose
        head the file imports, defines at top level or aliases. Asked before the scope is
        worked out, which most names never need."""
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name) and (
            node.id in file.imports or node.id in file.top_level_names or node.id in self._module_aliases(file))

    def _module_aliases(self, file: SourceFile) -> dict[str, ast.expr]:
        """`P = nnx.Param` at module level: names bound once, to a dotted name, that no
        `global` and no other module rebinds: they name what the dotted name names."""
        found = self._aliases.get(id(file))
        if found is None:
            found = self._aliases[id(file)] = {}  # while it is computed (stores from outside ask): no aliases
            bindings = self.module_scope(file).bindings
            declared = self._declared_names(file)[0]
            for statement in file.tree.body:
                if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                        and isinstance(statement.targets[0], ast.Name) \
                        and isinstance(statement.value, (ast.Name, ast.Attribute)) \
                        and dotted_name(statement.value) is not None:
                    alias = statement.targets[0].id
                    if len(bindings.get(alias, ())) == 1 and alias not in declared \
                            and not self._stored_from_outside(file, alias):
                        found[alias] = statement.value
        return found

    # -- types ------------------------------------------------------------------------
    def type_of(self, node: ast.expr, scope: Scope) -> Type:
        return self._memoized(("expr", id(node), id(scope)), node, lambda: self._type_of(node, scope))

    def _memoized(self, key: tuple, node: ast.AST | None, compute, unknown=None):
        """One evaluation per key. A key met again while being computed (a recursive
        definition), or past the depth limit, is `unknown` there: never rewritten.

        A result that used such a stand-in is incomplete: it is kept only until the
        evaluation it depends on finishes (as pyright keeps incomplete types), then kept
        for good if every stand-in it used was that evaluation's final answer, else
        dropped and recomputed when asked again; so the answer does not depend on which
        question was asked first (past the depth limit, "unknown" may be kept)."""
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

    def _depends_on(self, index: int) -> None:
        if self._frames:
            top = self._frames[-1]
            top.lowlink = min(top.lowlink, index)

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
        under that name (`items.append(x)`, `table[k] = v`, `self.layers.extend(more)`)."""
        if not isinstance(found, ContainerT):
            return found
        if isinstance(node, ast.Name):
            owner = scope.find(node.id)
            key = ("added items", node.id, id(owner.node) if owner is not None else None)

            def uses() -> list[tuple[ast.expr, SourceFile]]:
                found = self._name_uses_by_owner(node.id, scope.file).get(id(owner) if owner is not None else None, ())
                return [(use, scope.file) for use, _ in found]
        else:
            key = ("added items", node.attr)

            def uses() -> list[tuple[ast.expr, SourceFile]]:
                return [(use, other) for use, other in self.name_uses(node.attr) if isinstance(use, ast.Attribute)]
        added = self._memoized(key, None, lambda: self._added_items(uses()), unknown=[None])
        if not added:
            return found
        element = join_or_unknown([found.element, *added])
        return ContainerT(element, mapping=found.mapping) if element is not None else None

    def _added_items(self, uses: list[tuple[ast.expr, SourceFile]]) -> list[Type]:
        """Types of what is added to the container at each of `uses` (None: unknown)."""
        added = []
        for use, file in uses:
            parent = file.parents.get(id(use))
            if isinstance(parent, ast.Subscript) and parent.value is use and not isinstance(parent.ctx, ast.Load):
                statement = file.parents.get(id(parent))
                value = statement.value if isinstance(statement, ast.Assign) and not isinstance(parent.slice, ast.Slice) \
                    else None
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
        base = self.type_of(node.value, scope)
        if base in (STATE, ARRAY, GRAPH_ELEMENT):
            return base
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
        if isinstance(base, InstanceT) and flax_api.flax_name(base.cls) in ("List", "Dict") \
                and self._differentiated(scope):
            return GRAPH_ELEMENT  # the leaves a gradient is taken of are Variables
        return None

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
        if bindings and all(b[0] == "import" for b in bindings):
            # an imported class used as a value (`layer_cls=Block`): calling it constructs one
            qualified = self.qualified(node, scope)
            info = self.index.lookup_class(qualified) if qualified is not None else None
            return ClassT(info.qualname) if info is not None else None
        return join_or_unknown([self.binding_type(b, owner) for b in bindings])

    def binding_type(self, binding: tuple, scope: Scope) -> Type:
        return self._memoized(("binding", binding, id(scope)), None, lambda: self._binding_type(binding, scope))

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
            return RNGS if self.index.is_nnx_class(binding[1]) else None
        if kind == "iter":
            return self._element_type(binding[1], scope, None)
        if kind == "unpack":
            return self._unpacked_type(binding[1], binding[2], scope)
        if kind == "none":
            return NONE
        if kind == "with":  # `with nnx.split_context() as ctx`: what __enter__ gives
            context = binding[1]
            bare = flax_api.flax_name(self.qualified(context.func, scope) or "") if isinstance(context, ast.Call) else None
            if bare is not None and bare.startswith(("graph.", "graphlib.")):
                bare = bare.split(".", 1)[1]  # nnx.graph.merge_context (graphlib in 0.12)
            return {"split_context": SPLIT_CONTEXT, "merge_context": MERGE_CONTEXT}.get(bare)
        if kind == "narrow":
            return self._narrowed_type(binding[1], scope)
        if kind == "augmented":
            node = binding[1]
            target = self.type_of(node.target, scope)
            if target == ARRAY and (_is_number(node.value) or self.type_of(node.value, scope) == ARRAY):
                return ARRAY
            # flax's in-place operators (0.10/0.11) return the Variable itself, as does the
            # `v.set_value(...)` value-access makes of them: the name still holds it
            if isinstance(target, VariableT) and not self.may_define_before_flax(
                    target.cls, {IN_PLACE_METHODS.get(type(node.op), "__iadd__")}):
                return target
            return None
        if kind == "def":
            return FunctionT(binding[1])
        if kind == "cls":
            return ClassT(binding[1])
        if kind == "class":
            info = self.index.class_of_node(binding[1])
            # a class statement in a def is a class like any other; one a later statement
            # of the same qualified name hides is not the index's, so unknown
            return ClassT(info.qualname) if info is not None and self.index.classes.get(info.qualname) is info else None
        if kind == "param":
            return self._parameter_type(binding[1], binding[2], scope)
        return None

    def _narrowed_type(self, classes: tuple, scope: Scope) -> Type:
        """Inside `isinstance(x, C)` (or a tuple of Variable classes, or of Python's own
        value types: `isinstance(x, list | tuple)`)."""
        classes = [part for c in classes for part in _union_members(c)]
        if all(isinstance(c, ast.Name) and c.id in _BUILTIN_VALUE_TYPES and scope.find(c.id) is None for c in classes):
            return BUILTIN_VALUE
        qualified = [self.qualified(c, scope) for c in classes]
        if not qualified or None in qualified:
            return None
        if len(qualified) == 1:
            return self.class_type(qualified[0])
        if all(self.index.is_variable_class(c) for c in qualified):
            return VariableT(f"{flax_api.NNX}.Variable", False)
        return None

    def implements_value(self, cls: str) -> bool:
        """A project class in `cls`'s MRO (before flax's own) defines `value` or
        `raw_value` itself (a property, a method, a class attribute): `.value` is its."""
        return self.may_define_before_flax(cls, {"value", "raw_value"})

    def may_define_before_flax(self, cls: str, names: set[str], exactly: bool = False) -> bool:
        """`defines_before_flax`, or a class that cannot be seen (another library's mixin)
        comes before flax's in the MRO of `cls` or of a subclass and may define them.
        `exactly`: an object known to be of `cls` itself (`cls(...)` constructs one), so
        subclasses do not count."""
        return self.defines_before_flax(cls, names, exactly) \
            or any(self.unseen_base(klass, before_flax=True) for klass in self._with_subclasses(cls, exactly))

    def defines_before_flax(self, cls: str, names: set[str], exactly: bool = False) -> bool:
        """A project class of `cls`'s MRO, or of a subclass's (unless `exactly`), before
        flax's own classes, defines one of `names` as a method or class attribute."""
        key = ("defines", cls, frozenset(names), exactly)
        if key not in self._memo:
            self._memo[key] = self._defines_before_flax(cls, names, exactly)
        return self._memo[key]

    def _with_subclasses(self, cls: str, exactly: bool) -> list[str]:
        return [cls] if exactly else [cls, *self.subclasses(cls)]

    def _defines_before_flax(self, cls: str, names: set[str], exactly: bool) -> bool:
        for klass in self._with_subclasses(cls, exactly):
            for name in self.index.mro(klass):
                if flax_api.flax_name(name) is not None:
                    break
                info = self.index.lookup_class(name)
                if info is not None and names & (set(info.methods) | {
                    attr for attr, bindings in info.attribute_bindings.items()
                    if any(function is None for _, function, _ in bindings)
                }):
                    return True
        return False

    def replaces_member(self, cls: str, attr: str) -> bool:
        """`attr` on an instance of `cls` may not be what its flax class defines: a project
        class of the MRO (or a subclass) defines it or `__getattribute__`, some code stores
        `x.attr = ...` or `setattr(x, "attr", ...)` on what may be such an instance (an
        unknown receiver may), or stores attributes by run-time names on it."""
        if self.may_define_before_flax(cls, {attr, "__getattribute__"}) or self.attributes_unknown(cls, attr):
            return True
        key = ("replaces", cls, attr)
        if key not in self._memo:
            self._memo[key] = any(self._may_be_instance(self.type_of(receiver, self.scope_of(receiver, file)), cls)
                                  for receiver, file in self._member_store_receivers(attr))
        return self._memo[key]

    def _may_be_instance(self, found: Type, cls: str) -> bool:
        """Something of type `found` may be an instance of `cls` (unknown, or an item of an
        nnx.List/Dict: it may; an array, a list, a State, a Python value: it may not)."""
        if found is None or found == GRAPH_ELEMENT:
            return True
        if isinstance(found, AbstractT):
            found = found.instance  # the same object, its arrays abstract
        if not isinstance(found, (InstanceT, VariableT, ClassT)):
            return False
        return self.is_subclass(cls, found.cls) or self.is_subclass(found.cls, cls)

    def _member_store_receivers(self, attr: str) -> list[tuple[ast.expr, SourceFile]]:
        """Receivers of `x.attr = ...` / `del x.attr` / `setattr(x, "attr", ...)`."""
        return [(node.value, file) for node, file in self._attribute_stores(attr)] \
            + [(receiver, file) for receiver, _, file in self._constant_setattr_calls(attr)]

    def unseen_base(self, cls: str, before_flax: bool = False) -> bool:
        """A class of `cls`'s MRO (before flax's own, with `before_flax`) is neither flax's
        nor the project's (an imported mixin, a base computed at run time), so what it
        defines cannot be seen."""
        key = ("unseen base", cls, before_flax)
        if key not in self._memo:
            self._memo[key] = False
            for name in self.index.mro(cls):
                info = self.index.lookup_class(name)
                if name.startswith("flax.") and before_flax:
                    break
                if info is None:
                    if not (name.startswith("flax.") or name in _SEEN_THROUGH_BASES):
                        self._memo[key] = True
                    continue
                for base in info.node.bases:
                    target = base.value if isinstance(base, ast.Subscript) else base  # `Base[T]`: Base
                    if dotted_name(target) is None:
                        self._memo[key] = True
        return self._memo[key]

    def subclasses(self, cls: str) -> list[str]:
        """The project's classes that have `cls` in their MRO (not `cls` itself)."""
        if self._subclasses is None:
            self._subclasses = {}
            for name in self.index.classes:
                for base in self.index.mro(name)[1:]:
                    self._subclasses.setdefault(base, []).append(name)
        return self._subclasses.get(cls, [])

    def _self_type(self, cls: str) -> Type:
        """`self` in a method: an instance, or a Variable in a user Variable subclass
        (unless the class implements `value` itself, as flax's own Variable does)."""
        if self.index.is_variable_class(cls):
            return None if self.implements_value(cls) else VariableT(cls, False)
        return InstanceT(cls)

    def _unpacked_type(self, binding: tuple, position: int, scope: Scope) -> Type:
        if binding[0] == "iter":
            return self._element_type(binding[1], scope, position)
        if binding[0] == "unpack":
            whole = self._unpacked_type(binding[1], binding[2], scope)
        elif binding[0] == "expr":
            value = binding[1]
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
                return STATE
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

    def _attribute_type(self, node: ast.Attribute, scope: Scope) -> Type:
        qualified = self.qualified(node, scope)
        if qualified is not None:
            return None  # a module attribute or class, not an instance attribute
        narrowed = self.flow(scope).reaching.get(id(node))  # `if isinstance(self.b, C):`
        if narrowed:
            found = join_or_unknown([self.binding_type(b, scope) for b in narrowed])
            if found is not None:
                return found
        base = self.type_of(node.value, scope)
        found = self.member_type(base, node.attr)
        if found is None and isinstance(base, InstanceT) and self.index.is_nnx_class(base.cls) \
                and not self.attributes_unknown(base.cls, node.attr) \
                and not self.defines_before_flax(base.cls, {"__getattr__", "__getattribute__"}) \
                and not any(self.unseen_base(klass) for klass in [base.cls, *self.subclasses(base.cls)]):
            # a Module whose class does not say: names the project binds only to Variables
            # (or only to Modules) on its Modules. Never for a receiver not shown to be a Module.
            return self.fallback_attribute(node.attr, scope.file)
        return found

    def member_type(self, base: Type, attr: str) -> Type:
        """Type of `<something of type base>.attr`."""
        if isinstance(base, InstanceT):
            return self.instance_attribute(base.cls, attr)
        if isinstance(base, AbstractT):
            return _abstract(self.instance_attribute(base.instance.cls, attr))
        if base == RNGS:
            return None if attr in flax_api.RNGS_METHODS or attr.startswith("_") else RNG_STREAM
        if base == RNG_STREAM:
            cls = flax_api.RNG_STREAM_ATTRIBUTES.get(attr)
            return VariableT(f"{flax_api.NNX}.{cls}", True) if cls else None
        if base == STATE:
            return STATE
        if base == ARRAY:
            return ARRAY if attr in ("T", "real", "imag", "mT") else None
        if isinstance(base, VariableT) and base.array and attr in ("T", "mT", "value", "raw_value"):
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

    def _call_type(self, node: ast.Call, scope: Scope) -> Type:
        func = node.func
        qualified = self.qualified(func, scope)
        if qualified is not None:
            bare = flax_api.flax_name(qualified)
            if bare == "Rngs":
                return RNGS
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
        receiver_type = self.type_of(func.value, scope) if isinstance(func, ast.Attribute) else None
        if isinstance(func, ast.Attribute):
            if receiver_type == ARRAY and func.attr in _ARRAY_METHODS:
                return ARRAY
            if receiver_type == STATE and func.attr in flax_api.STATE_METHODS:
                return SplitT(graphdef_first=False) if len(node.args) > 1 else STATE
            if receiver_type == STATE and func.attr == "flat_state":
                return FLAT_STATE
            if (receiver_type, func.attr) in ((SPLIT_CONTEXT, "split"), (MERGE_CONTEXT, "merge")):
                # SplitContext.split(node, *filters) is what nnx.split does (nnx.split runs it);
                # MergeContext.merge(graphdef, state, *states) makes what the GraphDef was taken from
                return self._flax_function_result(func.attr, func.attr, node, scope)
            if isinstance(receiver_type, VariableT) and func.attr in ("get_value", "get_raw_value") \
                    and not node.args and not node.keywords:
                return ARRAY if receiver_type.array else None  # as `.value` reads: stable under the rewrite
            if isinstance(receiver_type, InstanceT):
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
                return found if isinstance(found, ContainerT) and found.mapping else None
            if not arguments and keywords:
                element = join_or_unknown([self.type_of(v, scope) for v in keywords.values()])
                return ContainerT(element, mapping=True) if element is not None else None
            return None
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

    def _flax_function_result(self, result: str, name: str, call: ast.Call, scope: Scope) -> Type:
        """A call of a flax.nnx function, from `flax_api.FUNCTION_RESULTS`."""
        if result == "state":
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
            return SplitT(graphdef_first=True, node=split if isinstance(split, InstanceT) else None)
        if result == "graphdef":
            node = self.type_of(call.args[0], scope) if len(call.args) == 1 and not call.keywords else None
            return GraphDefT(node if isinstance(node, InstanceT) else None)
        if result == "merge":
            graphdef = self.type_of(call.args[0], scope) if call.args else None
            return graphdef.node if isinstance(graphdef, GraphDefT) else None
        if result == "states" or (result == "filtered" and len(call.args) > 2):
            return SplitT(graphdef_first=False)
        if result == "filtered":
            return STATE
        if result == "flat_state":
            return FLAT_STATE
        if result == "same":
            return self.type_of(call.args[0], scope) if len(call.args) == 1 and not call.keywords else None
        if result == "gradient":
            return GradientT(name, call)
        return None

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
        """`nnx.grad(f)(model)`: the gradients of a Module (or State) are a State."""
        if any(k.arg in ("argnums", None) for k in transform_call.keywords) or len(transform_call.args) != 1:
            return None  # other arguments, or `**options` that may set them
        if not call.args or isinstance(call.args[0], ast.Starred):
            return None
        differentiated = self.type_of(call.args[0], scope)
        if not (differentiated == STATE or (
            isinstance(differentiated, InstanceT) and self.index.is_nnx_class(differentiated.cls)
        )):
            return None
        has_aux = _keyword(transform_call, "has_aux")
        if has_aux is not None and not (isinstance(has_aux, ast.Constant) and has_aux.value in (True, False)):
            return None
        aux = has_aux is not None and has_aux.value is True
        if transform == "grad":
            return TupleT((STATE, None)) if aux else STATE
        return TupleT((None, STATE))  # value_and_grad: (value or (value, aux), grads)

    # -- functions: summaries and parameters ------------------------------------------
    def _project_function(self, qualified: str) -> ast.AST | None:
        """The module-level def of the project that `qualified` names."""
        if self._module_functions is None:
            self._module_functions = {}
            for file in self.index.files.values():
                for statement in file.tree.body:
                    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        self._module_functions.setdefault(f"{file.module}.{statement.name}", statement)
                        self._function_files[id(statement)] = file
        return self._module_functions.get(qualified)

    def _file_of(self, function: ast.AST) -> SourceFile | None:
        found = self._function_files.get(id(function))
        if found is None:
            for file in self.index.files.values():
                self.steps += 1
                if file.parents.get(id(function)) is not None:
                    found = self._function_files[id(function)] = file
                    break
        return found

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
        key = ("escaping-names", name, id(file))
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = set()
            for owner, uses in self._name_uses_by_owner(name, file).items():
                for node, here in uses:
                    parent = file.parents.get(id(node))
                    if owner is not None and not isinstance(node.ctx, ast.Store) and (
                            not (isinstance(parent, ast.Attribute) and parent.value is node) or id(here) != owner):
                        found.add(owner)  # passed, stored, returned or captured
                        break
        return found

    def _name_uses_by_owner(self, name: str, file: SourceFile) -> dict[int | None, list[tuple[ast.Name, Scope]]]:
        """The Name nodes spelled `name` in `file` (reads and stores, in source order), by
        the scope whose variable they are (its id; None: bound nowhere), each with the scope
        it is in. Made once per name and file: asked for each variable of that name."""
        key = ("name-uses-by-owner", name, id(file))
        found = self._memo.get(key)
        if found is None:
            by_file = self._memo.get(("name-uses-by-file", name))
            if by_file is None:
                by_file = self._memo[("name-uses-by-file", name)] = {}
                uses = self.name_uses(name)
                self.scanned += len(uses)
                for node, use_file in uses:
                    if isinstance(node, ast.Name):
                        by_file.setdefault(id(use_file), []).append(node)
            found = self._memo[key] = {}
            for node in by_file.get(id(file), ()):
                here = self.scope_of(node, file)
                owner = here.find(node.id)
                found.setdefault(id(owner) if owner is not None else None, []).append((node, here))
        return found

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

    def _constant_setattr_calls(self, attr: str) -> list[tuple[ast.expr, ast.expr, SourceFile]]:
        """(receiver, value, file) of `setattr(x, "attr", v)` / `object.__setattr__(x, "attr", v)`."""
        found = []
        for node, file in self.name_uses("setattr") + self.name_uses("__setattr__"):
            call = file.parents.get(id(node))
            if isinstance(call, ast.Call) and call.func is node and len(call.args) == 3 \
                    and isinstance(call.args[1], ast.Constant) and call.args[1].value == attr:
                found.append((call.args[0], call.args[2], file))
        return found

    def _fresh_variable_name(self, node: ast.Name, scope: Scope) -> bool:
        """Every binding of the name reaching here constructs a new Variable."""
        found = self.reaching_bindings(node, scope)
        return found is not None and all(
            b[0] == "expr" and isinstance(b[1], ast.Call)
            and self.index.is_variable_class(self.qualified(b[1].func, found[0]) or "")
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
        found = self._memo.get(("value-writes-by-name",))
        if found is None:
            found = self._memo[("value-writes-by-name",)] = {}
            uses = self.name_uses("value")
            self.scanned += len(uses)
            for node, file in uses:
                target = node.value if isinstance(node, ast.Attribute) else None
                if isinstance(node.ctx, ast.Store) and target is not None:
                    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
                    found.setdefault(name, []).append((node, file))
        return found

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

    def _stored_from_outside(self, file: SourceFile, name: str) -> bool:
        """Another file assigns `module.name = ...` to this file's module-level `name`."""
        key = ("stored", id(file), name)
        if key not in self._memo:
            self._memo[key] = any(
                self.qualified(node.value, self.scope_of(node, other)) == file.module
                for node, other in self._attribute_stores(name)
            )
        return self._memo[key]

    def _attribute_stores(self, name: str) -> list[tuple[ast.Attribute, SourceFile]]:
        """`<anything>.name = ...` (or `del <anything>.name`) anywhere in the project: the
        few non-reads among `name_uses`, grouped once (common names are read thousands of
        times)."""
        key = ("attribute stores",)
        stores = self._memo.get(key)
        if stores is None:
            self.name_uses(name)  # the table they come from
            stores = self._memo[key] = {}
            for spelled, uses in self._name_uses.items():
                found = [(node, file) for node, file in uses
                         if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load)]
                if found:
                    stores[spelled] = found
        return stores.get(name, [])

    def _star_imported_modules(self) -> set[str]:
        """Last components of the modules some file star-imports (`from .m import *`)."""
        if self._star_imports is None:
            self._star_imports = set()
            for file in self.index.files.values():
                for node in file.nodes(ast.ImportFrom):
                    if any(alias.name == "*" for alias in node.names):
                        self._star_imports.add((node.module or "").rpartition(".")[2])
        return self._star_imports

    def _imported_as(self, qualified: str) -> list[tuple[SourceFile, str]]:
        """(file, local name) for every module-level import of `qualified`."""
        if self._imports_by_target is None:
            self._imports_by_target = {}
            for file in self.index.files.values():
                self._project_wide_steps(len(file.imports))
                for local, target in file.imports.items():
                    self._imports_by_target.setdefault(target, []).append((file, local))
        return self._imports_by_target.get(qualified, [])

    def name_uses(self, name: str) -> list[tuple[ast.expr, SourceFile]]:
        """Every Name or Attribute node of the project spelled `name` (`f`, `x.f`)."""
        if self._name_uses is None:
            self._name_uses = {}
            for file in self.index.files.values():
                nodes = file.nodes(ast.Name, ast.Attribute)
                self._project_wide_steps(len(nodes))
                for node in nodes:
                    named = node.id if isinstance(node, ast.Name) else node.attr
                    self._name_uses.setdefault(named, []).append((node, file))
        return self._name_uses.get(name, [])

    def function_scope(self, function: ast.AST) -> Scope | None:
        file = self._file_of(function)
        if file is None:
            return None
        outer = self.scope_of(function, file)
        cls = self.index.class_of_node(outer.node) if isinstance(outer.node, ast.ClassDef) else None
        return self.scope_for(function, outer, file, cls)

    def summary(self, function: ast.AST) -> tuple:
        """What a call of `function` returns: ("param", name) when it returns one of its
        parameters unchanged, ("type", T) otherwise (T may be unknown)."""
        return self._memoized(("summary", id(function)), None, lambda: self._compute_summary(function),
                              unknown=("type", None))

    def _compute_summary(self, function: ast.AST) -> tuple:
        scope = self.function_scope(function)
        if scope is None:
            return ("type", None)
        if isinstance(function, ast.Lambda):
            returned = [function.body]
        else:
            if function.returns is not None:
                return ("type", self.annotation_type(function.returns, scope.parent or scope))
            if isinstance(function, ast.AsyncFunctionDef) or not _decorators_keep_calls(
                    function, scope, self, also=_TYPE_PRESERVING_DECORATORS):
                return ("type", None)
            returned = []
            for node in scope_local_nodes(function.body):
                if isinstance(node, (ast.Yield, ast.YieldFrom)):
                    return ("type", None)
                if isinstance(node, ast.Return) and node.value is not None:
                    returned.append(node.value)
            if not returned:
                return ("type", None)
        forwarded = {self._forwarded_parameter(value, scope) for value in returned}
        if len(forwarded) == 1 and None not in forwarded:
            return ("param", forwarded.pop())
        return ("type", join_or_unknown([self.type_of(value, scope) for value in returned]))

    def _forwarded_parameter(self, value: ast.expr, scope: Scope) -> str | None:
        """The parameter `value` is, unchanged (directly or through a call that returns
        its argument), or None."""
        if isinstance(value, ast.Name):
            found = self.reaching_bindings(value, scope)
            if found is None or found[0] is not scope or len(found[1]) != 1:
                return None
            binding = found[1][0]
            if binding[0] == "param" and binding[1] is scope.node:
                return binding[2]
            # an annotated parameter is forwarded too: what flows through it wins over its annotation
            if binding[0] == "annotation" and scope.parameters.get(value.id) == frozenset((binding,)):
                return value.id
            return None
        if isinstance(value, ast.IfExp):
            body, orelse = self._forwarded_parameter(value.body, scope), self._forwarded_parameter(value.orelse, scope)
            return body if body is not None and body == orelse else None
        if isinstance(value, ast.Call) and value.args and not isinstance(value.args[0], ast.Starred):
            qualified = self.qualified(value.func, scope)
            if qualified in flax_api.STRUCTURE_PRESERVING_FUNCTIONS:
                return self._forwarded_parameter(value.args[0], scope)
            callee = self._callee(value.func, scope)
            if callee is not None:
                summary = self.summary(callee)
                if summary[0] == "param":
                    argument = _argument_for(callee, summary[1], value)
                    if argument is not None:
                        return self._forwarded_parameter(argument, scope)
        return None

    def _callee(self, func: ast.expr, scope: Scope) -> ast.AST | None:
        qualified = self.qualified(func, scope)
        if qualified is not None:
            return self._project_function(qualified)
        found = self.type_of(func, scope)
        return found.node if isinstance(found, FunctionT) else None

    def _call_result(self, function: ast.AST, call: ast.Call, scope: Scope) -> Type:
        summary = self.summary(function)
        if summary[0] == "type":
            return summary[1]
        argument = _argument_for(function, summary[1], call)
        if argument is not None:
            found = self.type_of(argument, scope)
            return found if found is not None else self._declared_parameter_type(function, summary[1])
        default = _default_for(function, summary[1])
        if default is not None:
            outer = self.function_scope(function)
            return self.type_of(default, outer.parent) if outer is not None and outer.parent else None
        return None

    def _declared_parameter_type(self, function: ast.AST, name: str) -> Type:
        """The annotation of `function`'s parameter `name`: what a forwarded argument is
        when nothing shows what the caller passed."""
        outer = self.function_scope(function)
        bindings = outer.parameters.get(name, frozenset()) if outer is not None else frozenset()
        for binding in bindings:
            if binding[0] == "annotation":
                return self.annotation_type(binding[1], outer)
        return None

    def _parameter_type(self, function: ast.AST, name: str, scope: Scope) -> Type:
        """A parameter without annotation: the type every caller in the project passes,
        when every caller can be seen (a nested function used only by calls)."""
        if isinstance(function, ast.Lambda):
            return self._lambda_parameter_type(function, name, scope)
        calls = self._callers_of(function, scope)
        if not calls:
            return None
        # a module-level function (or a method, through a subclass) may also be called from
        # outside the scanned paths: of what its callers pass, only the kind carries over
        # (a Variable, some Module, a State, an Rngs): `[...]` and a Module's attributes
        # depend on the caller
        method = scope.parent is not None and isinstance(scope.parent.node, ast.ClassDef)
        public = method or scope.parent is not None and scope.parent.node is scope.file.tree
        types = []
        for call, call_scope in calls:
            argument = _argument_for(function, name, call, skip_self=method)
            if argument is None:
                default = _default_for(function, name)
                if default is None:
                    return None
                types.append(self.type_of(default, scope.parent) if scope.parent else None)
            else:
                types.append(self.type_of(argument, call_scope))
            if types[-1] is None:
                return None
        found = join_or_unknown(types)
        if not public:
            return found
        if isinstance(found, VariableT):
            return VariableT(found.cls, False)
        if isinstance(found, InstanceT) and self.index.is_nnx_class(found.cls):
            return ANY_MODULE
        return found if found in (STATE, RNGS) else None

    def callers(self, function: ast.AST) -> list | None:
        """Every call of `function` in the project, or None when they cannot all be seen."""
        scope = self.function_scope(function)
        return self._callers_of(function, scope) if scope is not None else None

    def _callers_of(self, function: ast.AST, scope: Scope) -> list | None:
        """Every call of a function defined inside another function, when its name is
        used for nothing but calls (directly, or through a flax transform); else None."""
        key = id(function)
        if key in self._callers:
            return self._callers[key]
        self._callers[key] = None
        outer = scope.parent
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or outer is None:
            return None
        if outer.node is scope.file.tree:
            calls = self._module_function_callers(function, scope)
            self._callers[key] = calls
            return calls
        if isinstance(outer.node, ast.ClassDef):
            del self._callers[key]  # typing receivers may come back here: the memo tracks that
            return self._memoized(("method callers", key), None, lambda: self._method_callers(function, scope))
        if not isinstance(outer.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        if len(outer.bindings.get(function.name, ())) != 1 or not _decorators_keep_calls(
            function, outer, self, flax_api.ARGUMENT_PRESERVING_TRANSFORMS
        ):
            return None
        calls = []
        file = scope.file
        for node, other in self.name_uses(function.name):
            self.steps += 1
            if other is not file or not isinstance(node, ast.Name):
                continue
            use_scope = self.scope_of(node, file)
            if use_scope.find(node.id) is not outer:
                continue
            if isinstance(node.ctx, ast.Store):
                continue
            found = self._calls_through(node, file, use_scope)
            if found is None:
                return None  # the function escapes: callers unseen
            calls.extend(found)
        self._callers[key] = calls
        return calls

    def _module_function_callers(self, function: ast.AST, scope: Scope) -> list | None:
        """Every call of a module-level function across the project, when whole folders
        were given and every mention of it anywhere is a call."""
        outer = scope.parent
        if not self.index.complete or len(outer.bindings.get(function.name, ())) != 1 \
                or not _decorators_keep_calls(function, outer, self, flax_api.ARGUMENT_PRESERVING_TRANSFORMS):
            return None
        file = scope.file
        qualified = f"{file.module}.{function.name}" if file.module else function.name
        if self.index.failed_files_mentioning(function.name):
            return None  # a file that could not be read may call it
        for other, local in self._imported_as(qualified):
            if local != function.name:
                return None  # imported under another name: calls elsewhere go unseen here
        if file.module.rpartition(".")[2] in self._star_imported_modules():
            return None  # star-imported: its callers there use a name nnx-migrate does not follow
        if self._module_used_as_object(file) or self._fetched_by_getattr(function.name, file):
            return None  # looked up by a name computed at run time: callers unseen
        calls = []
        for node, other in self.name_uses(function.name):
            self.steps += 1
            if isinstance(node.ctx, ast.Store):
                continue
            use_scope = self.scope_of(node, other)
            resolved = self.qualified(node, use_scope)
            if resolved != qualified:
                if isinstance(node, ast.Name) and (
                    resolved is not None or use_scope.find(node.id) not in (None, outer)
                ):
                    owner = use_scope.find(node.id)
                    if owner is not None and any(b[0] == "import" for b in owner.bindings[node.id]):
                        return None  # imported inside a function: may be this one
                    continue  # another thing of the same name
                if isinstance(node, ast.Name) and use_scope.find(node.id) is None:
                    continue  # a builtin or an unbound name: not this function
                if not isinstance(node, ast.Name) and resolved is not None:
                    continue
                return None  # may be this function, reached another way
            found = self._calls_through(node, other, use_scope)
            if found is None:
                return None  # used as a value: callers unseen
            calls.extend(found)
        return calls

    def _method_callers(self, method: ast.FunctionDef, scope: Scope) -> list | None:
        """Every call of a private method (`_name`, not a dunder, no decorator) across the
        project, when whole folders were given and every mention of its name anywhere is a
        call on a receiver shown to be an instance of its class, a subclass that inherits
        it, or a base class (which may dispatch to it), or `super()`. Any other mention
        whose receiver may be such an instance (unknown type, a store, the class itself,
        its name in a string, as `getattr` would take it) leaves the callers unseen."""
        name, info = method.name, scope.cls
        if not (self.index.complete and info is not None and name.startswith("_") and not name.endswith("__")
                and not method.decorator_list and _self_name(method) is not None
                and info.methods.get(name) is method and not self.index.failed_files_mentioning(name)
                and name not in self._string_constants() and not self._fetched_by_computed_name(info.qualname)):
            return None
        calls = []
        for node, file in self.name_uses(name):
            self.steps += 1
            use_scope = self.scope_of(node, file)
            if isinstance(node, ast.Name):
                if use_scope.find(name) is self.scope_of(method, info.file):
                    return None  # the bare function, in its class body
                continue
            call = file.parents.get(id(node))
            is_call = isinstance(call, ast.Call) and call.func is node and _plain_arguments(call)
            receiver = node.value
            if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) and receiver.func.id == "super":
                if not isinstance(node.ctx, ast.Load):
                    return None
                if is_call:
                    calls.append((call, use_scope))
                    continue
                return None
            found = self.type_of(receiver, use_scope)
            if not isinstance(found, InstanceT):
                if found is None or isinstance(found, ClassT):
                    return None  # may be an instance of this class, or the unbound method
                continue  # an array, a Variable, a State...: not this method
            mro = self.index.mro(found.cls)
            if info.qualname in mro:
                owner = next((c for c in mro if name in getattr(self.index.lookup_class(c), "methods", {})), None)
                if owner != info.qualname:
                    continue  # a subclass's override
            elif found.cls not in self.index.mro(info.qualname):
                continue  # an unrelated class's method of the same name
            if not (is_call and isinstance(node.ctx, ast.Load)):
                return None
            calls.append((call, use_scope))
        return calls

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

    def _string_constants(self) -> frozenset[str]:
        """Every identifier-like string literal of the project (`getattr(m, "_scale")`)."""
        if self._strings is None:
            self._strings = frozenset(
                node.value for file in self.index.files.values() for node in file.nodes(ast.Constant)
                if isinstance(node.value, str) and node.value.isidentifier()
            )
        return self._strings

    def _module_used_as_object(self, file: SourceFile) -> bool:
        """The module's namespace is reached other than by `module.name`: the module object
        passed on or stored (`getattr(readers, name)`, `vars(readers)`, a registry),
        `readers.__dict__`, `importlib.import_module("readers")`, or `globals()` /
        `sys.modules` in the module itself."""
        key = ("module-as-object", id(file))
        if key not in self._memo:
            self._memo[key] = self._namespace_reached(file) or any(
                self._module_object_use(node, other, file)
                for name in {file.module.rpartition(".")[2]} | {local for _, local in self._imported_as(file.module)}
                for node, other in self.name_uses(name)
            )
        return self._memo[key]

    def _namespace_reached(self, file: SourceFile) -> bool:
        """`globals()`, `sys.modules` or `exec(...)` in the file, or `importlib.import_module("<it>")`."""
        if any(other is file and (isinstance(node, ast.Name) and node.id in ("globals", "exec")
                                  or dotted_name(node) == "sys.modules")
               for node, other in self.name_uses("globals") + self.name_uses("modules") + self.name_uses("exec")):
            return True
        for node, other in self.name_uses("import_module") + self.name_uses("__import__"):
            call = other.parents.get(id(node))
            if isinstance(call, ast.Call) and call.func is node and call.args \
                    and isinstance(call.args[0], ast.Constant) and call.args[0].value == file.module:
                return True
        return False

    def _module_object_use(self, node: ast.expr, other: SourceFile, file: SourceFile) -> bool:
        """`node` in `other` names the module of `file` as an object, not `module.name`."""
        if other is file or self.qualified(node, self.scope_of(node, other)) != file.module:
            return False
        parent = other.parents.get(id(node))
        return not (isinstance(parent, ast.Attribute) and parent.value is node and not parent.attr.startswith("__"))

    def _fetched_by_getattr(self, name: str, file: SourceFile) -> bool:
        """`getattr(x, "name")` where x may be the function's module."""
        for node, other in self.name_uses("getattr"):
            call = other.parents.get(id(node))
            if isinstance(call, ast.Call) and call.func is node and len(call.args) >= 2 \
                    and isinstance(call.args[1], ast.Constant) and call.args[1].value == name:
                owner = self.qualified(call.args[0], self.scope_of(call, other))
                if owner is None or owner == file.module:
                    return True
        return False

    def _calls_through(self, node: ast.expr, file: SourceFile, scope: Scope) -> list | None:
        """The calls that reach the function named at `node`: `f(...)`, `nnx.jit(f)(...)`,
        or `g = nnx.value_and_grad(f)` then `g(...)` (g used only for calls). None when
        the function may be called some other way."""
        parent = file.parents.get(id(node))
        if isinstance(parent, ast.Call) and parent.func is node:
            return [(parent, scope)] if _plain_arguments(parent) else None
        if not (
            isinstance(parent, ast.Call) and parent.args and parent.args[0] is node
            and flax_api.flax_name(self.qualified(parent.func, scope) or "") in flax_api.ARGUMENT_PRESERVING_TRANSFORMS
        ):
            return None
        holder = file.parents.get(id(parent))
        if isinstance(holder, ast.Call) and holder.func is parent:
            return [(holder, scope)] if _plain_arguments(holder) else None
        if not (isinstance(holder, ast.Assign) and len(holder.targets) == 1 and isinstance(holder.targets[0], ast.Name)):
            return None
        name = holder.targets[0].id
        owner = scope.find(name)
        if owner is None or len(owner.bindings.get(name, ())) != 1 or owner.node is file.tree \
                and any(other is not file for _, other in self.name_uses(name)):
            return None
        calls = []
        for use, other in self.name_uses(name):
            self.steps += 1
            if other is not file or not (isinstance(use, ast.Name) and isinstance(use.ctx, ast.Load)):
                continue
            use_scope = self.scope_of(use, file)
            if use_scope.find(name) is not owner:
                continue
            call = file.parents.get(id(use))
            if not (isinstance(call, ast.Call) and call.func is use and _plain_arguments(call)):
                return None
            calls.append((call, use_scope))
        return calls

    def _lambda_parameter_type(self, function: ast.Lambda, name: str, scope: Scope) -> Type:
        """`jax.tree.map(lambda v: ..., state, is_leaf=lambda x: isinstance(x, nnx.Variable))`:
        the leaves of an nnx.State stopped at Variables are Variables."""
        file = scope.file
        call = file.parents.get(id(function))
        positional = [*function.args.posonlyargs, *function.args.args]
        if not (
            isinstance(call, ast.Call) and len(call.args) == 2 and call.args[0] is function
            and len(positional) == 1 and positional[0].arg == name
        ):
            return None
        outer = scope.parent
        if outer is None or self.qualified(call.func, outer) not in flax_api.TREE_MAP_FUNCTIONS:
            return None
        return self._state_leaves(call.args[1], call, outer)

    def _state_leaves(self, tree: ast.expr, call: ast.Call, scope: Scope) -> Type:
        """The leaves of an nnx.State stopped at Variables by the call's
        `is_leaf=lambda x: isinstance(x, nnx.Variable)` (or a subclass): Variables."""
        if self.type_of(tree, scope) != STATE:
            return None
        is_leaf = _keyword(call, "is_leaf")
        if not (isinstance(is_leaf, ast.Lambda) and len(is_leaf.args.args) == 1):
            return None
        test = is_leaf.body
        leaf = is_leaf.args.args[0].arg
        if not (
            isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance"
            and len(test.args) == 2 and isinstance(test.args[0], ast.Name) and test.args[0].id == leaf
        ):
            return None
        classes = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
        qualified = [self.qualified(c, scope) for c in classes]
        if not qualified or None in qualified or not all(self.index.is_variable_class(c) for c in qualified):
            return None
        cls = qualified[0] if len(qualified) == 1 else f"{flax_api.NNX}.Variable"
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
            if call is None or _self_name(method) is None:
                return None
            self.method_scope(info, method)  # the method's scope knows its class
            summary = self.summary(method)
            if summary[0] == "type":
                return summary[1]
            argument = _argument_for(method, summary[1], call, skip_self=True)
            return self.type_of(argument, scope) if argument is not None else None
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
        return self._memoized(("attribute", cls, attr), None, lambda: join_or_unknown(
            [self._instance_attribute(klass, attr) for klass in [cls, *self.subclasses(cls)]]
            + self._stores_from_outside(attr, cls)
        ))

    def _stores_from_outside(self, attr: str, cls: str) -> list[Type]:
        """`x.attr = value` outside the class's methods, on a receiver that may be an
        instance of `cls` (an unknown one may: an alias of an instance may be anything):
        the attribute may hold those values too."""
        return [value for value, _, _ in self.outside_stores(attr, cls)]

    def outside_stores(self, attr: str, cls: str) -> list[tuple[Type, ast.expr | None, SourceFile | None]]:
        """(type of the value, receiver, file) of each store to `.attr` from outside the
        class's methods whose receiver may be an instance of `cls`."""
        stores = self._memoized(("stores", attr), None, lambda: self._compute_stores_from_outside(attr),
                                unknown=[(None, None, None, None)])
        return [(value, receiver, file) for value, receiver_type, receiver, file in stores
                if self._may_be_instance(receiver_type, cls)]

    def _compute_stores_from_outside(self, attr: str) -> list[tuple[Type, Type, ast.expr | None, SourceFile]]:
        """(type of the value, type of the receiver, receiver, file) of each store to `.attr`
        from outside."""
        def store(value_type: Type, receiver: ast.expr | None, file: SourceFile) -> tuple:
            found = self.type_of(receiver, self.scope_of(receiver, file)) if receiver is not None else None
            return value_type, found, receiver, file

        stores = []
        for value, file, receiver in self.index.foreign_attribute_stores.get(attr, ()):
            if isinstance(value, ast.AugAssign):
                continue  # `x.attr += ...` keeps x.attr
            if value is None:
                stores.append(store(None, receiver, file))  # unpacked from something not known
            elif not _only_when_not_a_variable(value, file):
                stores.append(store(self.type_of(value, self.scope_of(value, file)), receiver, file))
        # setattr(x, "attr", v), object.__setattr__(x, "attr", v), vars(x)["attr"] = v
        for receiver, value, file in self._constant_setattr_calls(attr):
            stores.append(store(self.type_of(value, self.scope_of(value, file)), receiver, file))
        for node, file in self.name_uses("vars"):
            call = file.parents.get(id(node))
            subscript = file.parents.get(id(call))
            if isinstance(subscript, ast.Subscript) and isinstance(subscript.ctx, ast.Store) \
                    and isinstance(subscript.slice, ast.Constant) and subscript.slice.value == attr:
                receiver = call.args[0] if isinstance(call, ast.Call) and len(call.args) == 1 else None
                stores.append(store(None, receiver, file))
        return stores

    def _instance_attribute(self, cls: str, attr: str) -> Type:
        if self.attributes_unknown(cls, attr) or self.defines_before_flax(cls, {"__getattribute__"}):
            return None  # any attribute (or this one) may hold anything
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
                types.append(self._property_type(info, attr))
            for value, function, is_annotation in info.attribute_bindings.get(attr, []):
                binding_scope = (
                    self.method_scope(info, function) if function is not None
                    else self.class_scope(info)
                )
                types.append(
                    self.annotation_type(value, binding_scope) if is_annotation
                    else self.type_of(value, binding_scope)
                )
        return join_or_unknown(types)

    def _property_type(self, info: ClassInfo, attr: str) -> Type:
        """`instance.attr` where the class defines `attr` with `@property` (or
        `functools.cached_property`): what the getter returns. A plain method (or anything
        else decorated) is unknown."""
        getter = None
        class_scope = self.class_scope(info)
        for statement in info.node.body:
            if isinstance(statement, ast.FunctionDef) and statement.name == attr and len(statement.decorator_list) == 1:
                decorator = statement.decorator_list[0]
                if (isinstance(decorator, ast.Name) and decorator.id == "property" and class_scope.find("property") is None) \
                        or self.qualified(decorator, class_scope) == "functools.cached_property":
                    getter = statement
        if getter is None or _self_name(getter) is None:
            return None
        scope = self.method_scope(info, getter)
        if getter.returns is not None:
            return self.annotation_type(getter.returns, scope)
        returned = []
        for node in scope_local_nodes(getter.body):
            if isinstance(node, (ast.Yield, ast.YieldFrom)):
                return None
            if isinstance(node, ast.Return):
                if node.value is None:
                    return None
                returned.append(node.value)
        return join_or_unknown([self.type_of(value, scope) for value in returned])

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

    def is_subclass(self, cls: str, base: str) -> bool:
        """`cls` is `base` or derives from it (flax's Module and Variable: any of their kind)."""
        bare = flax_api.flax_name(base)
        return base in self.index.mro(cls) or bare in ("Module", "Object", "Pytree") and self.index.is_nnx_class(cls) \
            or bare == "Variable" and self.index.is_variable_class(cls)

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

    def _is_graph_node(self, found: Type) -> bool:
        return isinstance(found, VariableT) or isinstance(found, InstanceT) and self.index.is_nnx_class(found.cls)

    def _stores_by_name(self) -> list[tuple[ast.expr, SourceFile, ast.expr | None, ast.expr | None]]:
        """(receiver, file, value stored or None when not one expression, the name's
        expression or None when not one) of the attribute stores whose names are computed
        at run time (see `stored_by_name`); `super()` stands for the enclosing method's `self`."""
        key = ("stores-by-name",)
        if key in self._memo:
            return self._memo[key]
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
        self._memo[key] = receivers
        return receivers

    def fallback_attribute(self, attr: str, file: SourceFile) -> Type:
        """The type of `<some Module>.attr` when the Module's class does not say: a Variable
        if the project binds `attr` only to Variables (a Module, or a container of Modules,
        if only to those), or if it is a name flax's layers use for their Variables and the
        project binds it to nothing else. What the file's own classes and stores show comes
        first: what a file alone shows stays shown when more files are given."""
        def compute() -> Type:
            classes, stores = self._bindings_by_file().get((id(file), attr), ((), ()))
            own = self._fallback_from(attr, classes, stores, file.flax_names_used)
            return own if own is not None else self._project_fallback(attr)

        return self._memoized(("fallback", attr, id(file)), None, compute)

    def classes_binding(self, attr: str) -> list[ClassInfo]:
        """The project's classes that bind `attr` or define it as a method."""
        return list(self._bindings_by_file().get((None, attr), ((), ()))[0])

    def _project_fallback(self, attr: str) -> Type:
        def compute() -> Type:
            classes, stores = self._bindings_by_file().get((None, attr), ((), ()))
            return self._fallback_from(attr, classes, stores, self.index.flax_names_used)

        return self._memoized(("fallback", attr, None), None, compute)

    def _bindings_by_file(self) -> dict[tuple[int | None, str], tuple[list, list]]:
        """(file id or None for the whole project, attribute) -> (classes that bind the
        attribute or define it as a method, its stores from outside), grouped once."""
        if self._by_file is None:
            grouped: dict[tuple[int | None, str], tuple[list, list]] = {}
            for info in self.index.classes.values():
                for attr in set(info.attribute_bindings) | set(info.methods):
                    for key in ((None, attr), (id(info.file), attr)):
                        grouped.setdefault(key, ([], []))[0].append(info)
            for attr, values in self.index.foreign_attribute_stores.items():
                for value, file, _ in values:
                    for key in ((None, attr), (id(file), attr)):
                        grouped.setdefault(key, ([], []))[1].append((value, file))
            self._by_file = grouped
        return self._by_file

    def _fallback_from(self, attr: str, classes, stores, flax_names_used) -> Type:
        types = [self.instance_attribute(info.qualname, attr) for info in classes]
        types += [None if value is None or isinstance(value, ast.AugAssign) else self.type_of(value, self.module_scope(file))
                  for value, file in stores]
        if types:
            joined = join_or_unknown(types)
            if isinstance(joined, VariableT):
                return joined
            if isinstance(joined, InstanceT) and self.index.is_nnx_class(joined.cls):
                return ANY_MODULE
            if (container := as_container(joined)) is not None and isinstance(container.element, InstanceT) \
                    and self.index.is_nnx_class(container.element.cls):
                return ContainerT(ANY_MODULE)
            return None
        # Attributes of the flax layers used (`kernel` only where some Linear/Conv/... is
        # used, `mean` only with BatchNorm), when nothing in the project binds the name.
        for layer in sorted(flax_names_used):
            entry = flax_api.MODULE_ATTRIBUTES.get(layer, {}).get(attr)
            if entry is not None and entry[0] == "variable":
                return _flax_entry_type(entry)
        return None


def binds_an_import_or_none(binding: tuple) -> bool:
    """A module-level binding that leaves an imported name meaning what the import says
    wherever it is used: the import itself, a def or class, or `name = None` (the
    `except ImportError: nnx = None` of an optional dependency: `None.Param` cannot run)."""
    return binding[0] in ("import", "unknown", "with", "def", "class") or (
        binding[0] == "expr" and isinstance(binding[1], ast.Constant) and binding[1].value is None)


def _abstract(found: Type) -> Type:
    """`found` after nnx.eval_shape (see AbstractT): a Variable no longer known to hold an
    array, an instance abstract, containers of those; an array is a ShapeDtypeStruct, an
    Rngs holds abstract keys: unknown."""
    if isinstance(found, VariableT):
        return VariableT(found.cls, False)
    if isinstance(found, InstanceT):
        return AbstractT(found)
    if isinstance(found, ContainerT):
        element = _abstract(found.element)
        return ContainerT(element, found.mapping) if element is not None else None
    if isinstance(found, TupleT):
        return TupleT(tuple(_abstract(element) for element in found.elements))
    if isinstance(found, AbstractT) or found in (NONE, BUILTIN_VALUE):
        return found
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


def _union_members(node: ast.expr) -> list[ast.expr]:
    """`A | B | C` -> [A, B, C] (an isinstance check's union of classes)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union_members(node.left) + _union_members(node.right)
    return [node]


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
    return InstanceT(f"{flax_api.NNX}.{entry[1]}")


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


# flax's base classes: a receiver typed only as one of these may be any Module or Variable
_GRAPH_BASES = frozenset({"Module", "Pytree", "Object", "Variable", "VariableState"})


def is_super_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


def _in_flax_package(file: SourceFile) -> bool:
    return f"{file.module}.".startswith("flax.")


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


def _init_call_value(node: ast.AST) -> ast.expr | None:
    """The value argument of `super().__init__(v, ...)` / `Base.__init__(self, v, ...)`."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__"):
        return None
    arguments = node.args if is_super_call(node.func.value) else node.args[1:]
    return arguments[0] if arguments else _keyword(node, "value")


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


def _enclosing_def(file: SourceFile, node: ast.AST) -> ast.AST | None:
    parent = file.parents.get(id(node))
    while parent is not None and not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
        parent = file.parents.get(id(parent))
    return parent


def _forwards_own_store(call: ast.Call, name: ast.expr, file: SourceFile) -> bool:
    """`object.__setattr__(self, name, value)` / `super().__setattr__(name, value)` in a
    `__setattr__` override, with its own `name`: the store `x.name = v` it handles (seen
    where it is written), not a new one."""
    function = _enclosing_def(file, call)
    if function is None or function.name != "__setattr__" or not isinstance(name, ast.Name):
        return False
    positional, _ = _parameters(function)
    return len(positional) >= 2 and positional[1].arg == name.id


def _is_ellipsis(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def _is_number(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _only_when_not_a_variable(value: ast.expr, file: SourceFile) -> bool:
    """`x.a = value` in the `else` of `if isinstance(x.a, C)` (or under `if not
    isinstance(x.a, C)`): it stores only where x.a is not a C, so a class whose `a` is
    one keeps it."""
    statement = file.parents.get(id(value))
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
        return False
    target = ast.dump(statement.targets[0], annotate_fields=False).replace("Store()", "Load()")
    child, parent = statement, file.parents.get(id(statement))
    while parent is not None and not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
        if isinstance(parent, ast.If):
            test, negated = parent.test, child in parent.orelse
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                test, negated = test.operand, not negated
            if negated and isinstance(test, ast.Call) and isinstance(test.func, ast.Name) \
                    and test.func.id == "isinstance" and len(test.args) == 2 \
                    and ast.dump(test.args[0], annotate_fields=False) == target:
                return True
        child, parent = parent, file.parents.get(id(parent))
    return False


def _decorators_keep_calls(function: ast.AST, scope: Scope, resolver: Resolver,
                           allowed: frozenset = flax_api.CALL_PRESERVING_TRANSFORMS,
                           also: frozenset = frozenset()) -> bool:
    """No decorators, or only flax transforms in `allowed` (by default those that call the
    function with the caller's arguments and return its result: `nnx.jit`, `nnx.remat`;
    also as `nnx.jit(...)` or `functools.partial(nnx.jit, ...)`), or other decorators
    named in `also` (qualified names)."""
    for decorator in function.decorator_list:
        if dotted_name(decorator) in ("classmethod", "staticmethod"):
            continue  # the method's kind, handled by the caller
        if isinstance(decorator, ast.Call):
            qualified = resolver.qualified(decorator.func, scope)
            if qualified == "functools.partial" and decorator.args:
                qualified = resolver.qualified(decorator.args[0], scope)
        else:
            qualified = resolver.qualified(decorator, scope)
        if flax_api.flax_name(qualified or "") not in allowed and qualified not in also:
            return False
    return True


def _plain_arguments(call: ast.Call) -> bool:
    """No `*args` / `**kwargs`: each argument can be matched to its parameter."""
    return not any(isinstance(a, ast.Starred) for a in call.args) and all(k.arg is not None for k in call.keywords)


def _parameters(function: ast.AST) -> tuple[list[ast.arg], list[ast.arg]]:
    arguments = function.args
    return [*arguments.posonlyargs, *arguments.args], arguments.kwonlyargs


def _self_name(method: ast.AST) -> str | None:
    decorators = {dotted_name(d) for d in method.decorator_list}
    positional, _ = _parameters(method)
    if decorators & {"staticmethod", "classmethod"} or not positional:
        return None
    return positional[0].arg


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


def _default_for(function: ast.AST, name: str) -> ast.expr | None:
    positional, keyword_only = _parameters(function)
    defaults = function.args.defaults
    offset = len(positional) - len(defaults)
    for position, parameter in enumerate(positional):
        if parameter.arg == name and position >= offset:
            return defaults[position - offset]
    for parameter, default in zip(keyword_only, function.args.kw_defaults):
        if parameter.arg == name:
            return default
    return None


def _enclosing_function_name(file: SourceFile, node: ast.AST) -> str:
    parent = file.parents.get(id(node))
    while parent is not None:
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            kind = "class" if isinstance(parent, ast.ClassDef) else "function"
            return f"{kind} `{parent.name}` (line {parent.lineno})"
        parent = file.parents.get(id(parent))
    return f"module-level code (line {getattr(node, 'lineno', '?')})"
