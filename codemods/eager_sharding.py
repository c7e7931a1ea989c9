'''# eager-sharding

## What it does
From flax 0.12.0 a Variable with a sharding annotation (`nnx.with_partitioning(init, names)`,
`nnx.with_metadata(init, sharding=...)`, `nnx.Param(x, sharding=...)` / `out_sharding=`,
`kernel_metadata={"out_sharding": ...}`) is sharded when it is created, and creating it
raises `ValueError: An auto mesh context or metadata is required ...` unless a mesh is set.
From 0.12.2 the 0.10-era `with mesh:` block no longer sets one for flax (jax also deprecates
it): only `jax.set_mesh(mesh)` does. This rule

- rewrites, with `--unsafe-fixes`, `with mesh:` to `with jax.set_mesh(mesh):` where `mesh` is shown to be a
  `jax.sharding.Mesh` with Auto axes (built by `Mesh(devices, names)`, or with
  `axis_types` all `AxisType.Auto`), the block works with NNX objects, and nothing in it
  (or in the project's functions it calls outside `jit`) behaves differently under
  `jax.set_mesh` (see below); without the flag it reports those blocks, since
  `jax.set_mesh` also places the values it does not shard (same values, other devices);
- reports the other `with mesh:` blocks that work with NNX objects, saying why;
- reports every annotated Variable that may be created with no mesh set: one not inside
  a `jax.set_mesh(...)` block (or a `with mesh:` block, rewritten or reported), whose
  function or class is not constructed only from such blocks (traced through the
  project's calls, as the type evaluator finds them: a subclass's constructions and its
  `super().__init__(...)` count, and a class passed around, in a tuple of classes too,
  or built by a classmethod's `cls(...)` is not shown), unless it opts out
  (`eager_sharding=False`, `mesh=` on flax 0.12.1+) or the project turns eager sharding
  off.

## Why
`flax_always_shard_variable` is on from flax 0.12.0 (FLIP 4844). A model that flax 0.10/0.11
built unsharded (its annotations only metadata, applied later with
`nnx.get_partition_spec` and `jax.lax.with_sharding_constraint` under `with mesh:`) raises
on flax 0.12 before its first line of training runs; a one-device CPU run raises too.

## Example
```python
import jax
import numpy as np
from flax import nnx
from jax.sharding import Mesh

mesh = Mesh(np.array(jax.devices()).reshape(1, -1), ("data", "model"))


class Dense(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        init = nnx.with_partitioning(nnx.initializers.lecun_normal(), (None, "model"))
        self.linear = nnx.Linear(4, 8, kernel_init=init, rngs=rngs)


@nnx.jit
def create():
    return Dense(rngs=nnx.Rngs(0))


with mesh:
    model = create()
```

## Use instead
With `--unsafe-fixes`:
```python
import jax
import numpy as np
from flax import nnx
from jax.sharding import Mesh

mesh = Mesh(np.array(jax.devices()).reshape(1, -1), ("data", "model"))


class Dense(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        init = nnx.with_partitioning(nnx.initializers.lecun_normal(), (None, "model"))
        self.linear = nnx.Linear(4, 8, kernel_init=init, rngs=rngs)


@nnx.jit
def create():
    return Dense(rngs=nnx.Rngs(0))


with jax.set_mesh(mesh):
    model = create()
```

For an annotated Variable that may be created with no mesh set, the options are: create
it under `with jax.set_mesh(mesh):` (on a CPU, a one-device mesh with the same axis names
works); pass the mesh to the annotation (`nnx.with_partitioning(init, names, mesh=mesh)`,
flax 0.12.1+); keep flax 0.11's lazy annotations for this Variable
(`eager_sharding=False` in its metadata, accepted as plain metadata by 0.10/0.11 too) or
everywhere (`nnx.use_eager_sharding(False)` from 0.12.1, or
`flax.config.update('flax_always_shard_variable', False)` from 0.12.0).

## When the fix is unsafe
The rewrite is an unsafe fix (made only with `--unsafe-fixes`): values stay the same, but
where results are placed does not (the first point below), which can change memory use
and device placement on a multi-device machine. Checked on flax 0.12.8 / jax 0.10.2 with 8 CPU devices against `with mesh:` on flax
0.10.7 / jax 0.6.2 and 0.11.2 / jax 0.7.1: the values computed in the block are the
same, and so are the shardings the old code asked for (the FLIP's
`get_partition_spec` + `with_sharding_constraint` pattern gives the same specs; `jit`
with `NamedSharding`s, `with_sharding_constraint` inside `jit`, `device_put` to a
`NamedSharding`, `shard_map(mesh=...)` behave alike). What `jax.set_mesh` changes:

- results jax places on no device in particular (eager ops on unsharded inputs, `jit`
  outputs without a sharding, a model's unannotated Variables) are committed and
  replicated over the mesh instead of left on the default device (same values);
- annotated Variables are sharded as annotated when created (flax 0.12's point);
- an eager `jax.lax.with_sharding_constraint(x, PartitionSpec(...))` on an array made
  before the block raises `TypeError` (the rule then reports instead of rewriting,
  also when the project's function that does it is called from the block);
- a mesh with Explicit axes turns on sharding in types (`jax.make_mesh` gives Explicit
  axes on jax 0.10.2, Auto ones on 0.7.2): such meshes, and meshes the rule cannot trace
  to their construction, are reported, not rewritten;
- `with mesh as m:` binds `None` with `jax.set_mesh`: reported;
- annotation names must be mesh axes (or mapped by `sharding_rules` /
  `nnx.logical_axis_rules`): flax 0.12 resolves them at creation, so a logical name
  raises `Resource axis: ... is not found in mesh` where 0.10/0.11 kept it as metadata.

Below `--target-version` 0.12.0 nothing is rewritten (flax 0.11 allows jax 0.6, which
has no `jax.set_mesh`); the reports stay, since the code must also run on the newest flax.
'''

from __future__ import annotations

import ast

import libcst as cst

from nnx_migrate import flax_api
from nnx_migrate.bindings import EXPR
from nnx_migrate.command import RuleCommand
from nnx_migrate.resolve import RNGS, ClassT, FunctionT, InstanceT, VariableT, is_state
from nnx_migrate.rule import Diagnostic, FileContext, Rule, Site, version_at_least

NAME = "eager-sharding"
NEEDED_FROM = "0.12.0"
URL = "https://flax.readthedocs.io/en/latest/flip/4844-var-eager-sharding.html"

MESH_CLASSES = frozenset({"jax.sharding.Mesh", "jax._src.mesh.Mesh", "jax.interpreters.pxla.Mesh"})
MAKE_MESH = frozenset({"jax.make_mesh", "jax.sharding.make_mesh"})
AXIS_TYPE_AUTO = frozenset({"jax.sharding.AxisType.Auto", "jax._src.mesh.AxisType.Auto"})
MESH_SETTERS = frozenset({"jax.set_mesh", "jax.sharding.set_mesh", "jax.sharding.use_mesh"})
SHARDING_CONSTRAINTS = frozenset({
    "jax.lax.with_sharding_constraint", "jax.experimental.pjit.with_sharding_constraint",
    "flax.nnx.with_sharding_constraint", "flax.nnx.spmd.with_sharding_constraint",
})
NAMED_SHARDING = frozenset({"jax.sharding.NamedSharding"})
LEGACY_MESH_USERS = frozenset({"jax.experimental.pjit.pjit", "jax.experimental.maps.xmap"})
JIT = frozenset({"flax.nnx.jit", "jax.jit"})
WITH_PARTITIONING = frozenset({"flax.nnx.with_partitioning", "flax.nnx.spmd.with_partitioning"})
WITH_METADATA = frozenset({"flax.nnx.with_metadata", "flax.nnx.variablelib.with_metadata",
                           "flax.nnx.variables.with_metadata"})
EAGER_SWITCH = "flax.nnx.use_eager_sharding"
CONFIG_UPDATE = frozenset({"flax.config.update", "flax.configurations.config.update"})
SHARDING_KEYWORDS = ("sharding", "sharding_names", "out_sharding")
MAX_DEPTH = 4


def canonical(qualified: str | None) -> str | None:
    return flax_api.canonical_module(qualified) if qualified else qualified


def qualified_in(context: FileContext, node: ast.expr, scope) -> str | None:
    if not context.resolver.may_qualify(node, scope.file):
        return None
    return canonical(context.resolver.qualified(node, scope))


def _keyword(call: ast.Call, name: str, position: int | None = None) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if position is not None and len(call.args) > position and not any(
            isinstance(a, ast.Starred) for a in call.args[:position + 1]):
        return call.args[position]
    return None


def _is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _is_empty(node: ast.expr | None) -> bool:
    """A literal None or () sharding: flax shards nothing for it."""
    return isinstance(node, ast.Constant) and node.value is None or isinstance(node, ast.Tuple) and not node.elts


def _all_auto(context: FileContext, node: ast.expr, scope) -> bool:
    """`(AxisType.Auto, AxisType.Auto)` or `(AxisType.Auto,) * n`."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        node = node.left if isinstance(node.left, (ast.Tuple, ast.List)) else node.right
    return isinstance(node, (ast.Tuple, ast.List)) and bool(node.elts) and all(
        qualified_in(context, e, scope) in AXIS_TYPE_AUTO for e in node.elts)


def _constructed_mesh(context: FileContext, call: ast.Call, scope) -> str | None:
    qualified = qualified_in(context, call.func, scope)
    if qualified in MESH_CLASSES:
        axis_types = _keyword(call, "axis_types", 2)
        if axis_types is None or _all_auto(context, axis_types, scope):
            return "auto"
        return "other"
    if qualified in MAKE_MESH:
        axis_types = _keyword(call, "axis_types", 2)
        if axis_types is None:
            return "make_mesh"
        return "auto" if _all_auto(context, axis_types, scope) else "other"
    return None


def mesh_kind(context: FileContext, node: ast.expr, scope) -> str | None:
    """How the mesh a name holds was built: "auto" (a Mesh with Auto axes), "make_mesh"
    (`jax.make_mesh` without axis_types: Explicit axes on jax 0.10.2), "other"; None when
    it is not shown to be a Mesh."""
    if not isinstance(node, ast.Name):
        return None
    found = context.resolver.reaching_bindings(node, scope)
    if found is None:
        return None
    owner, bindings = found
    kinds = set()
    for binding in bindings:
        if binding.kind != EXPR or not isinstance(binding.value, ast.Call):
            return None
        kinds.add(_constructed_mesh(context, binding.value, owner))
    if not kinds or None in kinds:
        return None
    for kind in ("other", "make_mesh", "auto"):  # the least safe one decides
        if kind in kinds:
            return kind
    return None


def jax_module_name(context: FileContext, scope) -> str | None:
    """How the file names the `jax` module where `scope` reads it (`import jax [as j]`)."""
    for statement in context.file.tree.body:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.name == "jax" or alias.asname is None and alias.name.startswith("jax."):
                    local = alias.asname or "jax"  # `import jax.numpy` binds `jax` too
                    owner = scope.find(local)
                    bindings = owner.bindings.get(local, ()) if owner is not None else ()
                    if owner is context.resolver.module_scope(context.file) and all(b == ("import",) for b in bindings):
                        return local
    return None


def _set_mesh(function: list[str]):
    def fix(node: cst.CSTNode) -> cst.CSTNode:
        callee: cst.BaseExpression = cst.Name(function[0])
        for part in function[1:]:
            callee = cst.Attribute(value=callee, attr=cst.Name(part))
        return cst.Call(func=callee, args=[cst.Arg(value=node)])
    return fix


def _made_before(statements: list[ast.stmt], parents: dict, outside: set[str] | None = None):
    """Whether a name read at a node may still hold a value from before `statements`:
    not bound by an earlier statement among them (and, given `outside`, one of those names)."""
    stores = []
    for statement in statements:
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                done = node  # an assignment binds once its value is computed: at its end
                holder = parents.get(id(node))
                while holder is not None and not isinstance(holder, ast.stmt):
                    holder = parents.get(id(holder))
                if isinstance(holder, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                    done = holder
                stores.append((node.id, (done.end_lineno, done.end_col_offset)))

    def made_before(read: ast.Name) -> bool:
        if outside is not None and read.id not in outside:
            return False
        return not any(name == read.id and end <= (read.lineno, read.col_offset) for name, end in stores)
    return made_before


def _own_nodes(roots: list[ast.AST]):
    """The nodes of `roots`, not those inside nested defs, lambdas or classes."""
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        yield node
        for child in reversed(list(ast.iter_child_nodes(node))):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                stack.append(child)


def _decorated_with_jit(context: FileContext, function: ast.AST, scope) -> bool:
    for decorator in getattr(function, "decorator_list", ()):
        target = decorator
        if isinstance(decorator, ast.Call):
            # `@nnx.jit(static_argnums=...)` or `@functools.partial(jax.jit, ...)`
            head = qualified_in(context, decorator.func, scope)
            target = decorator.args[0] if head == "functools.partial" and decorator.args else decorator.func
        if qualified_in(context, target, scope) in JIT:
            return True
    return False


class _Analysis:
    """One file's questions, with what is worked out once per run kept on the index."""

    def __init__(self, context: FileContext):
        self.context = context
        self.resolver = context.resolver
        self.index = context.index
        self.cache = self.index.cache.setdefault(NAME, {"scanned": {}, "protected": {}})

    # -- what changes under jax.set_mesh ----------------------------------------------
    def blocker(self, statements: list[ast.stmt], scope) -> str | None:
        """Why `jax.set_mesh` around these statements may not do what `with mesh:` did."""
        return self._scan(list(_own_nodes(statements)), scope, made_before=_made_before(statements, scope.file.parents),
                          depth=0)

    def _scan(self, nodes, scope, made_before, depth: int) -> str | None:
        context = self.context
        for node in nodes:
            if isinstance(node, ast.Attribute) and node.attr == "thread_resources":
                return "it reads `thread_resources`, which only `with mesh:` sets"
            if not isinstance(node, ast.Call):
                continue
            inner = self.resolver.scope_of(node, scope.file)
            qualified = qualified_in(context, node.func, inner)
            if qualified in LEGACY_MESH_USERS:
                return f"it calls `{qualified}`, which reads the mesh `with mesh:` sets"
            if qualified in SHARDING_CONSTRAINTS:
                spec = _keyword(node, "shardings", 1) or _keyword(node, "axis_resources", 1)
                mesh = _keyword(node, "mesh", 2) if qualified.startswith("flax.") else None
                named = isinstance(spec, ast.Call) and qualified_in(context, spec.func, inner) in NAMED_SHARDING
                first = _keyword(node, "x", 0)
                if not named and mesh is None and isinstance(first, ast.Name) and made_before(first):
                    return (f"`with_sharding_constraint({first.id}, ...)` runs outside jit on an array made "
                            "before the block: under jax.set_mesh a PartitionSpec constraint on a one-device array "
                            "raises TypeError")
            if depth < MAX_DEPTH:
                for function in self._callees(node, inner):
                    found = self._scan_function(function, depth + 1)
                    if found:
                        return found
        return None

    def _callees(self, call: ast.Call, scope) -> list[ast.AST]:
        """The project's defs a call runs eagerly (not under jit)."""
        if isinstance(call.func, ast.Name):
            bound = self.resolver.reaching_bindings(call.func, scope)
            lambdas = [b.value for b in bound[1] if b.kind == EXPR and isinstance(b.value, ast.Lambda)] if bound else []
            if lambdas:
                return lambdas  # `f = lambda x: ...`
        found = self.resolver.type_of(call.func, scope)
        methods: list[tuple[str, str]] = []
        if isinstance(found, FunctionT):
            function = found.node
            function_scope = self.resolver.function_scope(function)
            if function_scope is None or _decorated_with_jit(self.context, function, function_scope.parent or function_scope):
                return []
            return [function]
        if isinstance(found, ClassT):
            methods = [(found.cls, "__init__")]
        elif isinstance(found, InstanceT):
            methods = [(found.cls, "__call__")]
        elif isinstance(call.func, ast.Attribute):
            owner = self.resolver.type_of(call.func.value, scope)
            if isinstance(owner, InstanceT):
                methods = [(owner.cls, call.func.attr)]
        defs = []
        for cls, method in methods:
            for klass in self.index.mro(cls):
                info = self.index.lookup_class(klass)
                if info is not None and method in info.methods:
                    defs.append(info.methods[method])
        return defs

    def _scan_function(self, function: ast.AST, depth: int) -> str | None:
        scanned = self.cache["scanned"]
        key = id(function)
        if key in scanned:
            return scanned[key]
        scanned[key] = None  # recursion: nothing new below
        scope = self.resolver.function_scope(function)
        if scope is None:
            return None
        parameters = {a.arg for a in [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]}
        body = function.body if isinstance(function.body, list) else [ast.Expr(function.body)]  # a lambda's expression
        found = self._scan(list(_own_nodes(body)), scope, made_before=_made_before(body, scope.file.parents, parameters),
                           depth=depth)
        if found and "called from the block" not in found:
            found = f"{found} (in `{getattr(function, 'name', 'lambda')}`, called from the block)"
        scanned[key] = found
        return found

    # -- NNX in a block -----------------------------------------------------------------
    def involves_nnx(self, statements: list[ast.stmt]) -> bool:
        context = self.context
        for statement in statements:
            for node in ast.walk(statement):
                if not isinstance(node, (ast.Call, ast.Name, ast.Attribute)):
                    continue
                scope = context.scope_of(node)
                if isinstance(node, ast.Call) and (qualified_in(context, node.func, scope) or "").startswith("flax.nnx."):
                    return True
                found = self.resolver.type_of(node, scope)
                if isinstance(found, VariableT) or is_state(found) or found == RNGS or (
                        isinstance(found, (InstanceT, ClassT)) and self.index.is_nnx_class(found.cls)):
                    return True
        return False

    # -- is a mesh set where this runs? -------------------------------------------------
    def mesh_context(self, item: ast.withitem, scope, file) -> bool:
        """A `with` item that sets a mesh for flax, or a legacy `with mesh:` (this rule
        rewrites or reports it), or turns eager sharding off."""
        expr = item.context_expr
        context = self.context
        if isinstance(expr, ast.Call):
            qualified = canonical(self.resolver.qualified(expr.func, scope)) if self.resolver.may_qualify(expr.func, file) else None
            return qualified in MESH_SETTERS or (qualified == EAGER_SWITCH and bool(expr.args) and _is_false(expr.args[0]))
        if isinstance(expr, (ast.Name, ast.Attribute)):
            spelled = expr.id if isinstance(expr, ast.Name) else expr.attr
            return "mesh" in spelled.lower() or (file is context.file and mesh_kind(context, expr, scope) is not None)
        return False

    def protected(self, node: ast.AST, file, depth: int = 0) -> bool:
        """Every run of `node` is inside a block that sets a mesh (lexically, or through
        each of the project's calls of the def it is in)."""
        child, parent = node, file.parents.get(id(node))
        while parent is not None:
            if isinstance(parent, (ast.With, ast.AsyncWith)) and child in parent.body:
                scope = self.resolver.scope_of(parent, file)
                if any(self.mesh_context(item, scope, file) for item in parent.items):
                    return True
            elif isinstance(parent, ast.Lambda):
                holder = file.parents.get(id(parent))
                if not (isinstance(holder, ast.Call) and parent in holder.args):
                    return False  # kept and called later, where it is not known
            elif isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return child in parent.body and self._def_protected(parent, depth)
            elif isinstance(parent, (ast.ClassDef, ast.Module)):
                return False
            child, parent = parent, file.parents.get(id(parent))
        return False

    def _def_protected(self, function: ast.AST, depth: int) -> bool:
        memo = self.cache["protected"]
        key = id(function)
        if key in memo:
            return memo[key]
        memo[key] = False  # recursion: not shown
        result = depth < MAX_DEPTH and self.index.complete and self._calls_protected(function, depth)
        memo[key] = result
        return result

    def _calls_protected(self, function: ast.AST, depth: int) -> bool:
        calls = self.resolver.calls_reaching(function)  # a class's `__init__`: its constructions
        return bool(calls) and all(self.protected(call, scope.file, depth + 1) for call, scope in calls)

    # -- annotated Variables --------------------------------------------------------------
    def annotation(self, call: ast.Call, scope) -> str | None:
        """What makes this call create a Variable sharded at creation, or None."""
        context = self.context
        qualified = qualified_in(context, call.func, scope)
        if qualified is None:
            return None
        metadata_mesh = _keyword(call, "mesh")
        if qualified in WITH_PARTITIONING:
            sharding = _keyword(call, "sharding", 1)
            metadata_mesh = _keyword(call, "mesh", 2)
            what = "`nnx.with_partitioning(...)`"
        elif qualified in WITH_METADATA or context.index.is_variable_class(qualified):
            present = [k for k in SHARDING_KEYWORDS if _keyword(call, k) is not None]
            if not present:
                return None
            if qualified not in WITH_METADATA and context.resolver.may_define_before_flax(qualified, {"__init__"}):
                return None  # its own keywords
            sharding = _keyword(call, present[0])
            what = f"`{present[0]}=` metadata"
        elif flax_api.flax_name(qualified) in flax_api.MODULE_ATTRIBUTES:
            for keyword in call.keywords:
                if keyword.arg and keyword.arg.endswith("_metadata") and isinstance(keyword.value, ast.Dict):
                    keys = [k.value for k in keyword.value.keys if isinstance(k, ast.Constant)]
                    if any(k in SHARDING_KEYWORDS for k in keys):
                        return f"`{keyword.arg}=` with a sharding"
            return None
        else:
            return None
        if sharding is None or _is_empty(sharding) or _is_false(_keyword(call, "eager_sharding")):
            return None
        if metadata_mesh is not None and not _is_empty(metadata_mesh) and version_at_least(context, "0.12.1"):
            return None  # flax 0.12.1+ shards on the mesh it is given
        return what

    def eager_sharding_off(self) -> bool:
        """The project turns eager sharding off for good (flax.config / nnx.use_eager_sharding)."""
        if "off" not in self.cache:
            self.cache["off"] = any(self._turns_off(file) for file in self.index.files.values())
        return self.cache["off"]

    def _turns_off(self, file) -> bool:
        if "flax_always_shard_variable" not in file.words and "use_eager_sharding" not in file.words:
            return False
        for node in file.nodes(ast.Call):
            if not self.resolver.may_qualify(node.func, file):
                continue
            qualified = canonical(self.resolver.qualified(node.func, self.resolver.scope_of(node, file)))
            if qualified in CONFIG_UPDATE and len(node.args) == 2 and isinstance(node.args[0], ast.Constant) \
                    and node.args[0].value == "flax_always_shard_variable" and _is_false(node.args[1]):
                return True
            if qualified == EAGER_SWITCH and node.args and _is_false(node.args[0]) \
                    and isinstance(file.parents.get(id(node)), ast.Expr):
                return True
        return False


def _may_annotate(call: ast.Call) -> bool:
    """Spelled like a sharding annotation (before anything is resolved)."""
    func = call.func
    last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    return last in ("with_partitioning", "with_metadata") or any(
        k.arg in SHARDING_KEYWORDS or (k.arg or "").endswith("_metadata") for k in call.keywords)


def _name_free(context: FileContext, name: str) -> bool:
    """No name, import, def, class or parameter of the file is spelled `name`."""
    file = context.file
    return name not in file.imports and not any(n.id == name for n in file.nodes(ast.Name)) and not any(
        n.name == name for n in file.nodes(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not any(
        a.arg == name for a in file.nodes(ast.arg))


ADVICE = ("create it under `with jax.set_mesh(mesh):` (on a CPU a one-device mesh with the same axis names "
          "works), or pass `mesh=` to the annotation (flax 0.12.1+), or add `eager_sharding=False` to its metadata, "
          "or turn eager sharding off (`nnx.use_eager_sharding(False)`, 0.12.1+; "
          "`flax.config.update('flax_always_shard_variable', False)`)")


class EagerSharding(Rule):
    name = NAME
    summary = "`with mesh:` -> `with jax.set_mesh(mesh):` around NNX code; reports annotated Variables made with no mesh"
    needed_from = NEEDED_FROM
    safety = "needs --unsafe-fixes; reports what it cannot show"
    documentation = __doc__

    def names_needed_project_wide(self, index) -> set[str]:
        # callers of the defs that create annotated Variables, also in files that never say flax
        names = set()
        for file in index.files.values():
            words = file.words
            if words.isdisjoint({"with_partitioning", "with_metadata", "sharding_names", "out_sharding"}) and not (
                    "sharding" in words and "nnx" in words):
                continue
            names.update(info.node.name for info in index.file_classes(file) if index.is_nnx_class(info.qualname))
            names.update(node.name for node in file.tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
        return names

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        sites: list[Site] = []
        diagnostics: list[Diagnostic] = []
        if not context.file.nodes(ast.With) and not context.file.nodes(ast.AsyncWith) and \
                context.file.words.isdisjoint({"with_partitioning", "with_metadata", *SHARDING_KEYWORDS}):
            return sites, diagnostics
        analysis = _Analysis(context)
        for visit in context.visits(ast.With):  # not `async with`: jax.set_mesh is no async context manager
            self._with(context, analysis, visit, sites, diagnostics)
        if analysis.eager_sharding_off():
            return sites, diagnostics
        for visit in context.visits(ast.Call):
            if not _may_annotate(visit.node):
                continue
            what = analysis.annotation(visit.node, visit.scope)
            if what is None or analysis.protected(visit.node, context.file):
                continue
            diagnostics.append(context.diagnostic(
                NAME, visit.node,
                f"{what} makes a Variable that flax 0.12 shards when it is created: it raises `ValueError: An auto "
                "mesh context or metadata is required` where no `jax.set_mesh(...)` is active (`with mesh:` does "
                "not count from 0.12.2), and this one may be created with none",
                ADVICE, URL))
        return sites, diagnostics

    def _with(self, context, analysis: _Analysis, visit, sites, diagnostics) -> None:
        node = visit.node
        legacy = [item for item in node.items
                  if isinstance(item.context_expr, (ast.Name, ast.Attribute))
                  and ("mesh" in (item.context_expr.id if isinstance(item.context_expr, ast.Name)
                                  else item.context_expr.attr).lower()
                       or mesh_kind(context, item.context_expr, visit.scope) is not None)]
        if not legacy or not analysis.involves_nnx(node.body):
            return
        for item in legacy:
            expr = item.context_expr
            spelled = ast.unparse(expr)
            kind = mesh_kind(context, expr, visit.scope)

            def report(why: str, advice: str = f"use `with jax.set_mesh({spelled}):` once that is checked") -> None:
                diagnostics.append(context.diagnostic(
                    NAME, expr, f"`with {spelled}:` around NNX code sets no mesh for flax 0.12.2+ "
                    f"(annotated Variables raise when created) and jax deprecates it; not rewritten: {why}",
                    advice, URL))

            if not version_at_least(context, NEEDED_FROM):
                report("the target flax (below 0.12.0) allows jax 0.6, which has no `jax.set_mesh`")
                continue
            if kind is None:
                report(f"`{spelled}` is not shown to be a jax Mesh built here")
                continue
            if kind == "make_mesh":
                report("`jax.make_mesh` without `axis_types` gives Explicit axes on jax 0.10.2 (Auto on 0.7.2), "
                       "and under `jax.set_mesh` Explicit axes change how arrays are sharded",
                       "pass `axis_types=(jax.sharding.AxisType.Auto,) * n` to keep the old meaning, "
                       f"then use `with jax.set_mesh({spelled}):`")
                continue
            if kind != "auto":
                report("the mesh has axes other than Auto, and under `jax.set_mesh` Explicit axes change how "
                       "arrays are sharded")
                continue
            if item.optional_vars is not None:
                report("`with jax.set_mesh(...) as name` binds None, not the mesh",
                       f"bind the mesh before the block and use `with jax.set_mesh({spelled}):`")
                continue
            why = analysis.blocker(node.body, visit.scope)
            if why:
                report(why)
                continue
            jax_name = jax_module_name(context, visit.scope)
            if jax_name is not None:
                function = [jax_name, "set_mesh"]
            elif _name_free(context, "set_mesh"):
                function = ["set_mesh"]
            else:
                report("the file binds `set_mesh` to something else and does not `import jax`")
                continue
            if not context.settings.unsafe_fixes:
                report("under `jax.set_mesh` the results it does not shard are replicated over the mesh instead of "
                       "left on the default device (same values)",
                       f"check that, then rerun with `--unsafe-fixes` to get `with {'.'.join(function)}({spelled}):`")
                continue
            if function == ["set_mesh"]:
                context.required_imports.add(("jax", "set_mesh"))
            sites.append(context.site(NAME, expr, "Name", _set_mesh(function),
                                      f"`with {spelled}:` -> `with {'.'.join(function)}({spelled}):`"))


class EagerShardingCommand(RuleCommand):
    """libcst codemod for the eager-sharding rule."""

    DESCRIPTION = EagerSharding.summary
    RULE = EagerSharding
