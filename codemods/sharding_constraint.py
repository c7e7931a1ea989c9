'''# sharding-constraint

## What it does
`nnx.with_sharding_constraint` is gone from flax 0.11.2. Where the call is shown to make
exactly the call flax 0.10/0.11 made, it becomes `jax.lax.with_sharding_constraint`:

- `nnx.with_sharding_constraint(x, PartitionSpec(...), mesh=mesh)` (a `PartitionSpec`
  written there, or a name bound only to one; a mesh shown to be a `jax.sharding.Mesh`) ->
  `jax.lax.with_sharding_constraint(x, jax.sharding.NamedSharding(mesh, PartitionSpec(...)))`;
- `nnx.with_sharding_constraint(x, None)` -> `x`.

Every other call (and every other use of the name) is reported, with the options.

## Why
flax 0.10/0.11's `nnx.with_sharding_constraint(x, spec, mesh=None)` is not
`jax.lax.with_sharding_constraint`: without a `mesh` argument it does nothing unless
the legacy `with mesh:` context is active (it reads `thread_resources`, so inside
`jax.set_mesh` it does nothing either), it returns `x` for a `None` spec, and it maps over
the pytree `x` with tuples of names as leaves. `jax.lax.with_sharding_constraint`
raises where no mesh is set. With a mesh argument and a `PartitionSpec` the old function
called `jax.lax.with_sharding_constraint(x, NamedSharding(mesh, spec))` on every run: the
rewrite is that call.

## Example
```python
import jax
import numpy as np
from flax import nnx
from jax.sharding import Mesh, PartitionSpec as P

mesh = Mesh(np.array(jax.devices()).reshape(1, -1), ("data", "model"))


class Block(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(4, 8, rngs=rngs)

    def __call__(self, x):
        y = self.linear(x)
        return nnx.with_sharding_constraint(y, P("data", None), mesh=mesh)
```

## Use instead
```python
import jax
import numpy as np
from flax import nnx
from jax.sharding import Mesh, PartitionSpec as P

mesh = Mesh(np.array(jax.devices()).reshape(1, -1), ("data", "model"))


class Block(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(4, 8, rngs=rngs)

    def __call__(self, x):
        y = self.linear(x)
        return jax.lax.with_sharding_constraint(y, jax.sharding.NamedSharding(mesh, P("data", None)))
```

A call without a mesh argument is reported; what to write depends on what it meant:
`jax.lax.with_sharding_constraint(x, P(...))` where it always runs under
`jax.set_mesh(mesh)` (it raises where none is set, where the old call did nothing);
`jax.lax.with_sharding_constraint(x, NamedSharding(mesh, P(...)))` to name the mesh;
or `x if jax.sharding.get_abstract_mesh().empty else jax.lax.with_sharding_constraint(x, P(...))`
to keep the old no-op without a mesh (jax's abstract mesh is set by `jax.set_mesh`, not by
`with mesh:`). A plain tuple spec (`("data", None)`) raised `TypeError` under a mesh on
flax 0.10/0.11, so such a call only ever did nothing.

## When the fix is unsafe
Never: the new call is the one flax 0.10/0.11 made (checked on flax 0.10.7 / jax 0.6.2
and flax 0.12.8 / jax 0.10.2, 8 CPU devices, in and outside `jit`, with and without a mesh
context). It differs only where the old call raised: an `x` whose structure is not the
spec's (`ValueError: Expected dict, got PartitionSpec(...)`), where jax applies the one
spec to every leaf. A mesh with Explicit axes makes jax's constraint an assertion; the
old call did the same on the same mesh.
'''

from __future__ import annotations

import ast
import io
import tokenize

import libcst as cst

from nnx_migrate.codemods.eager_sharding import jax_module_name, mesh_kind, qualified_in
from nnx_migrate.bindings import EXPR
from nnx_migrate.command import RuleCommand
from nnx_migrate.lines import split_lines
from nnx_migrate.rule import Diagnostic, FileContext, Rule, Site

NAME = "sharding-constraint"
NEEDED_FROM = "0.11.2"
URL = "https://docs.jax.dev/en/latest/_autosummary/jax.lax.with_sharding_constraint.html"
OLD = frozenset({"flax.nnx.with_sharding_constraint", "flax.nnx.spmd.with_sharding_constraint"})
OLD_MODULES = frozenset({"flax.nnx", "flax.nnx.spmd", "flax.experimental.nnx", "flax.experimental.nnx.spmd"})
PARTITION_SPEC = frozenset({"jax.sharding.PartitionSpec", "jax.P", "jax._src.partition_spec.PartitionSpec"})
NAMED_SHARDING = "jax.sharding.NamedSharding"
PARAMETERS = ("x", "axis_resources", "mesh")

ADVICE = ("if it always runs under `jax.set_mesh(mesh)`, `jax.lax.with_sharding_constraint(x, P(...))`; "
          "to name the mesh, `jax.lax.with_sharding_constraint(x, NamedSharding(mesh, P(...)))`; to keep the old "
          "no-op without a mesh, `x if jax.sharding.get_abstract_mesh().empty else "
          "jax.lax.with_sharding_constraint(x, P(...))`")


def _arguments(call: ast.Call) -> dict[str, ast.expr] | None:
    """The call's arguments by parameter name; None for `*args` / `**kwargs` or unknown names."""
    if any(isinstance(a, ast.Starred) for a in call.args) or len(call.args) > 3:
        return None
    found = dict(zip(PARAMETERS, call.args))
    for keyword in call.keywords:
        if keyword.arg not in PARAMETERS or keyword.arg in found:
            return None
        found[keyword.arg] = keyword.value
    return found if "x" in found and "axis_resources" in found else None


def _cst_arguments(node: cst.Call) -> dict[str, cst.Arg]:
    return {arg.keyword.value if arg.keyword is not None else PARAMETERS[position]: arg
            for position, arg in enumerate(node.args)}


def _dotted(parts: list[str]) -> cst.BaseExpression:
    node: cst.BaseExpression = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def _to_named_sharding(jax_name: str, named_sharding: list[str]):
    """`f(x, spec, mesh)` -> `jax.lax.with_sharding_constraint(x, NamedSharding(mesh, spec))`,
    each argument's own text kept."""
    def fix(node: cst.Call) -> cst.Call:
        by_name = _cst_arguments(node)
        mesh = by_name["mesh"]
        sharding = cst.Call(func=_dotted(named_sharding), args=[
            cst.Arg(value=mesh.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            cst.Arg(value=by_name["axis_resources"].value)])
        args = []
        for arg in node.args:
            if arg is mesh:
                continue
            if arg is by_name["axis_resources"]:
                keyword = cst.Name("shardings") if arg.keyword is not None else None
                arg = arg.with_changes(value=sharding, keyword=keyword)
            args.append(arg)
        # the removed mesh's comma (a trailing one, or none) ends the list
        args[-1] = args[-1].with_changes(comma=node.args[-1].comma if node.args[-1] is mesh else args[-1].comma)
        return node.with_changes(func=_dotted([jax_name, "lax", "with_sharding_constraint"]), args=args)
    return fix


def _to_argument(parenthesize: bool):
    def fix(node: cst.Call) -> cst.BaseExpression:
        value = _cst_arguments(node)["x"].value
        atomic = isinstance(value, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)) or value.lpar
        return value if atomic or not parenthesize else value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return fix


def _stands_alone(parent: ast.AST | None, node: ast.expr) -> bool:
    """Any expression may replace `node` there without parentheses (a statement's value,
    an argument, an element)."""
    if isinstance(parent, (ast.Return, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.keyword)):
        return True
    if isinstance(parent, ast.Call):
        return node in parent.args
    return isinstance(parent, (ast.List, ast.Set)) or isinstance(parent, ast.Dict) and node in parent.values


def _drop_alias(local: str):
    def fix(node: cst.ImportFrom) -> cst.ImportFrom:
        kept = [a for a in node.names if (a.asname.name.value if a.asname else a.name.value) != local]
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return node.with_changes(names=kept)
    return fix


def _has_comment(context: FileContext, node: ast.AST, last: int | None = None) -> bool:
    """A comment on the node's lines (up to `last`)."""
    lines = split_lines(context.file.text)[node.lineno - 1:node.end_lineno if last is None else last]
    tokens = tokenize.generate_tokens(io.StringIO("".join(lines)).readline)
    try:
        for token in tokens:
            if token.type == tokenize.COMMENT:
                return True
    except (tokenize.TokenError, SyntaxError):
        pass  # the lines end inside brackets: every comment before that was seen
    return False


class ShardingConstraint(Rule):
    name = NAME
    summary = "`nnx.with_sharding_constraint(x, P(...), mesh=m)` -> `jax.lax.with_sharding_constraint(x, NamedSharding(m, P(...)))`; reports the rest"
    needed_from = NEEDED_FROM
    safety = "safe; reports what it cannot show"
    documentation = __doc__

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        sites: list[Site] = []
        diagnostics: list[Diagnostic] = []
        if "with_sharding_constraint" not in context.file.words:
            return sites, diagnostics
        # `from flax.nnx import with_sharding_constraint [as w]`: local name -> its import
        imported: dict[str, ast.ImportFrom] = {}
        for node in context.file.tree.body:
            if isinstance(node, ast.ImportFrom) and not node.level and node.module in OLD_MODULES:
                for alias in node.names:
                    if alias.name == "with_sharding_constraint":
                        imported[alias.asname or alias.name] = node
        rewritten: dict[str, int] = {}
        left: dict[str, int] = {}
        for visit in context.visits(ast.Name, ast.Attribute):
            node = visit.node
            spelled = node.id if isinstance(node, ast.Name) else node.attr
            if spelled not in imported and spelled != "with_sharding_constraint":
                continue
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                continue
            if qualified_in(context, node, visit.scope) not in OLD:
                continue
            parent = visit.parent
            done = False
            if isinstance(parent, ast.Call) and parent.func is node:
                done = self._call(context, visit, parent, sites, diagnostics)
            else:
                diagnostics.append(context.diagnostic(
                    NAME, node, "`nnx.with_sharding_constraint` (removed in flax 0.11.2) used as a value",
                    "call `jax.lax.with_sharding_constraint` where it is called, as this rule's page explains", URL))
            if isinstance(node, ast.Name):
                (rewritten if done else left)[node.id] = (rewritten if done else left).get(node.id, 0) + 1
        for local, statement in imported.items():
            if local in left or local not in rewritten:
                if local not in left and local not in rewritten:
                    diagnostics.append(context.diagnostic(
                        NAME, statement, f"`{local}` is imported from flax, which has no `with_sharding_constraint` "
                        "from 0.11.2", "remove the import", URL))
                continue
            if not _has_comment(context, statement):
                fix = _drop_alias(local) if len(statement.names) > 1 else lambda node: cst.RemoveFromParent()
                sites.append(context.site(NAME, statement, "ImportFrom", fix,
                                          f"import of `{local}` removed (its calls are rewritten)"))
            # else: once its calls are rewritten, the next round reports the unused import
        return sites, diagnostics

    def _call(self, context: FileContext, visit, call: ast.Call, sites, diagnostics) -> bool:
        def report(why: str) -> bool:
            diagnostics.append(context.diagnostic(
                NAME, call, f"`nnx.with_sharding_constraint` is removed in flax 0.11.2; not rewritten: {why}",
                ADVICE, URL))
            return False

        arguments = _arguments(call)
        if arguments is None:
            return report("its arguments are not spelled out")
        if call.end_lineno > call.lineno and _has_comment(context, call, call.end_lineno - 1):
            return report("it holds comments the rewrite could move; rewrite it by hand")
        spec, mesh = arguments["axis_resources"], arguments.get("mesh")
        if isinstance(spec, ast.Constant) and spec.value is None:
            fix = _to_argument(not _stands_alone(context.parent(call), call))
            sites.append(context.site(NAME, call, "Call", fix, "`nnx.with_sharding_constraint(x, None)` -> `x`"))
            return True
        if isinstance(spec, (ast.Tuple, ast.List)):
            return report("a tuple spec raised TypeError under a mesh on flax 0.10/0.11 (jax wants a PartitionSpec), "
                          "so this call only ever did nothing")
        if mesh is None or isinstance(mesh, ast.Constant) and mesh.value is None:
            return report("without a mesh argument it did nothing unless run inside a `with mesh:` block, and "
                          "`jax.lax.with_sharding_constraint` raises where no mesh is set")
        if mesh_kind(context, mesh, visit.scope) is None:
            return report("the mesh argument is not shown to be a jax Mesh (a None mesh made the old call "
                          "depend on `with mesh:`)")
        if not self._partition_spec(context, spec, visit.scope):
            return report("the spec is not shown to be a `PartitionSpec`")
        jax_name = jax_module_name(context, visit.scope)
        if jax_name is None:
            return report("the file does not `import jax`")
        named = self._named_sharding(context, visit.scope) or [jax_name, "sharding", "NamedSharding"]
        sites.append(context.site(NAME, call, "Call", _to_named_sharding(jax_name, named),
                                  "`nnx.with_sharding_constraint(x, spec, mesh)` -> "
                                  "`jax.lax.with_sharding_constraint(x, NamedSharding(mesh, spec))`"))
        return True

    @staticmethod
    def _partition_spec(context: FileContext, spec: ast.expr, scope) -> bool:
        if isinstance(spec, ast.Call):
            return qualified_in(context, spec.func, scope) in PARTITION_SPEC
        if isinstance(spec, ast.Name):
            found = context.resolver.reaching_bindings(spec, scope)
            return found is not None and bool(found[1]) and all(
                b.kind == EXPR and isinstance(b.value, ast.Call)
                and qualified_in(context, b.value.func, found[0]) in PARTITION_SPEC for b in found[1])
        return False

    @staticmethod
    def _named_sharding(context: FileContext, scope) -> list[str] | None:
        """The file's own name for jax's NamedSharding, where it reaches `scope`."""
        for local, target in context.file.imports.items():
            if target == NAMED_SHARDING and "." not in local:
                owner = scope.find(local)
                if owner is context.resolver.module_scope(context.file) and \
                        all(b == ("import",) for b in owner.bindings.get(local, ())):
                    return [local]
        return None


class ShardingConstraintCommand(RuleCommand):
    """libcst codemod for the sharding-constraint rule."""

    DESCRIPTION = ShardingConstraint.summary
    RULE = ShardingConstraint
