'''# module-containers

## What it does
Wraps the plain containers that hold Modules, Variables or arrays on an NNX Module or
Pytree:

| old | new |
|---|---|
| `self.layers = [Block(...) for _ in range(n)]` (list, tuple, comprehension, `list(...)`) | `self.layers = nnx.List([...])` |
| `layers = []`, `layers.append(Block(...))`, `self.layers = layers` | `self.layers = nnx.List(layers)` |
| `self.layers = []` and later `self.layers.append(Block(...))` | `self.layers = nnx.List()` |
| `self.layers = tuple(layers)` (`layers` built by appends), `list(bijections)` from `*bijections: Bijection` | `nnx.List(tuple(layers))`, `nnx.List(list(bijections))` |
| `self.blocks.append(block(...))` with `block: type[nnx.Module]` or `Callable[..., Block]` | `self.blocks = nnx.List()` |
| `self.heads = {"a": Head(...), ...}` (string keys) | `self.heads = nnx.Dict({...})` |
| `self.experts = {0: Expert(...), ...}` (other keys) | `self.experts = nnx.data({...})` |
| a wrapped list that meets `+`, `*` or `\\|` | `nnx.data([...])` (keeps the Python type) |
| `isinstance(self.layers, list)` on a wrapped list | `isinstance(self.layers, nnx.List)` |
| `self.bias = None` where `bias` is elsewhere a Param or Module | `self.bias = nnx.data(None)` |
| `self.scale = Holder(param=nnx.Param(...), ...)`, `Holder` a `@struct.dataclass`, `struct.PyTreeNode` or `NamedTuple` | `self.scale = nnx.data(Holder(...))` |
| `x: nnx.Data[T]` / `x: nnx.Static[T]` in a dataclass | `x: T = nnx.data()` / `x: T = nnx.static()` |
| `x: nnx.Data[T]` on a regular Module, `self.x = v` | `x: T`, `self.x = nnx.data(v)` (a class-level `nnx.data()` default would leave a `dataclasses.Field` there) |
| `x: nnx.Static[T] = nnx.static(...)` (the field already given) | `x: T = nnx.static(...)` |

Element types come from the project index (classes defined in other files count). Lists
of ints, strings or functions, classes declared with `pytree=False`, and classes that are
not NNX Modules/Pytrees stay untouched. Parameter paths do not change
(`('layers', 0, 'kernel')` before and after), so checkpoints stay loadable.

A jax pytree class of the project (not a Module) holding data is rewritten when it is
built right there and an argument given to a field jax flattens is shown to be a
Variable, array, Rngs or Module, or, where the engine cannot type the argument, the
field's annotation says so (`param: nnx.Variable`); literals, `struct.field(pytree_node=
False)` fields and values a factory function returns are left alone. flax 0.11 walked such
a value as it walks every attribute (its Params are state at `('scale', 'param')`); 0.12
raises at the assignment, and `nnx.data(...)` gives back 0.11's state, paths and gradients.

A container on a Module whose elements are of unknown type (a parameter with no
annotation whose callers cannot all be seen, what an unknown call returns) may hold
Modules, and then raises on 0.12: it is left alone and counted in the summary's
left-alone report, with the reason (`-v` lists each). Elements annotated as Python
scalars (`kernel_size: int | Sequence[int]`, `*names: str`) are not counted.

In every file where a container was wrapped, each place that walks modules
(`iter_modules`, `iter_children`) is reported: `nnx.List` and `nnx.Dict` are Modules
themselves on 0.12, so such walks also yield them.

## Why
From flax 0.12.0 a plain list or dict holding Modules or arrays on a Module is an error:
0.12.0-0.12.4 raise at the end of `__init__` ("Found unexpected Arrays on value of type
<class 'list'> in static attribute 'layers'"), 0.12.5+ at the assignment ("Found data on
value of type '<class 'list'>' assigned to static attribute 'layers'").

## Example
```python
import jax.numpy as jnp
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, n: int, rngs: nnx.Rngs):
        self.layers = [nnx.Linear(4, 4, rngs=rngs) for _ in range(n)]
        self.bias = None
        if n > 2:
            self.bias = nnx.Param(jnp.zeros(4))
```

## Use instead
```python
import jax.numpy as jnp
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, n: int, rngs: nnx.Rngs):
        self.layers = nnx.List([nnx.Linear(4, 4, rngs=rngs) for _ in range(n)])
        self.bias = nnx.data(None)
        if n > 2:
            self.bias = nnx.Param(jnp.zeros(4))
```

## When the fix is unsafe
`nnx.List` / `nnx.Dict` are not `list` / `dict`: `L + [x]`, `L * 2`, `D | {...}` raise
TypeError, `isinstance(x, list)` turns False, and `nnx.Dict` rejects non-string keys.
The rule looks for such uses of the attribute in the class's own file and then emits
`nnx.data(...)`, which keeps the Python type; uses in other files are not seen. With
`--target-version 0.11` every wrap is `nnx.data(...)` (nnx.List does not exist there);
below 0.11 no form works on every version, so containers are reported, not rewritten.
'''

from __future__ import annotations

import ast

import libcst as cst

from nnx_migrate.bindings import EXPR
from nnx_migrate.command import RuleCommand
from nnx_migrate.cst_build import keyword_argument
from nnx_migrate.index import dotted_name, self_parameter
from nnx_migrate.flow import is_none
from nnx_migrate.infer.explain import Explainer
from nnx_migrate.infer.queries import classify_elements as _classify, is_data as _is_data
from nnx_migrate.resolve import InstanceT, Scope, as_container
from nnx_migrate.rule import Diagnostic, FileContext, Rule, Site, version_at_least

NAME = "module-containers"
LIST_VERSION = "0.12.0"
DATA_VERSION = "0.11.0"
STATIC_VERSION = "0.12.1"
_INCOMPATIBLE_OPERATORS = (ast.Add, ast.Mult, ast.BitOr)
_GROWERS = ("append", "insert", "extend")
URL = "https://flax.readthedocs.io/en/latest/migrating/nnx_010_to_nnx_011.html"


def _wrap(alias: str, function: str):
    def fix(node: cst.Assign | cst.AnnAssign):
        value = node.value
        if isinstance(value, cst.Tuple) and not value.lpar:
            value = value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        empty = isinstance(value, (cst.List, cst.Dict)) and not value.elements and function != "data"
        call = cst.Call(func=cst.parse_expression(f"{alias}.{function}"), args=[] if empty else [cst.Arg(value)])
        return node.with_changes(value=call)
    return fix


def _field_annotation(alias: str, function: str):
    """`x: nnx.Data[T]` -> `x: T = nnx.data()`; `x: nnx.Data[T] = v` -> `... = nnx.data(default=v)`."""
    def fix(node: cst.AnnAssign) -> cst.AnnAssign:
        inner = node.annotation.annotation.slice[0].slice.value
        arguments = []
        if node.value is not None:
            arguments = [keyword_argument("default", node.value)]
        call = cst.Call(func=cst.parse_expression(f"{alias}.{function}"), args=arguments)
        return node.with_changes(annotation=node.annotation.with_changes(annotation=inner), value=call,
                                 equal=cst.AssignEqual() if node.value is None else node.equal)
    return fix


def _unwrap_annotation(node: cst.AnnAssign) -> cst.AnnAssign:
    """`x: nnx.Data[T]` -> `x: T`."""
    inner = node.annotation.annotation.slice[0].slice.value
    return node.with_changes(annotation=node.annotation.with_changes(annotation=inner))


def _replace_isinstance_class(alias: str, function: str):
    def fix(node: cst.Call) -> cst.Call:
        args = list(node.args)
        args[1] = args[1].with_changes(value=cst.parse_expression(f"{alias}.{function}"))
        return node.with_changes(args=args)
    return fix


class ModuleContainers(Rule):
    name = NAME
    summary = "plain lists/dicts of Modules on a Module -> `nnx.List` / `nnx.Dict` / `nnx.data`"
    needed_from = LIST_VERSION
    safety = "safe"
    documentation = __doc__

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        sites: list[Site] = []
        diagnostics: list[Diagnostic] = []
        self.context = context
        self._uses: dict[str, dict[str, list]] = {}  # see `_attribute_uses`
        has_list = version_at_least(context, LIST_VERSION)
        has_data = version_at_least(context, DATA_VERSION)
        # containers that may hold Modules but are not shown to: counted, in files that use nnx
        report_left_alone = bool(context.file.flax_names_used)
        self._unknown = None
        wrapped_any = False
        for info in context.index.file_classes(context.file):
            if not context.index.is_nnx_class(info.qualname) or self._pytree_false(info):
                continue
            annotated = self._annotation_sites(info, sites, diagnostics)
            assigning = {id(function) for bindings in info.attribute_bindings.values() for _, function, _ in bindings}
            for method in info.methods.values():
                if id(method) not in assigning:
                    continue  # no `self.x = ...` in it (the index saw every one)
                scope = context.resolver.method_scope(info, method)
                self_name = self_parameter(method)
                if self_name is None:
                    continue
                for node in ast.walk(method):
                    target, value = _self_assignment(node, self_name)
                    if target is None:
                        continue
                    if target in annotated:
                        if has_data and annotated[target] is not None:
                            alias = context.nnx_alias()
                            if alias is not None:
                                function = annotated[target]
                                sites.append(context.site(NAME, node, type(node).__name__, _wrap(alias, function),
                                                          f"`self.{target} = ...` -> `nnx.{function}(...)`"))
                        continue
                    self._unknown = None
                    kind, element_types = self._container_kind(value, scope, info, method, self_name, target)
                    kind, element_types = context.evidence.container(context, node, kind, element_types, diagnostics)
                    if kind is None:
                        holder = self._pytree_holding_data(value, scope) if has_data else None
                        if holder is not None:
                            alias = context.nnx_alias()
                            if alias is not None:
                                sites.append(context.site(NAME, node, type(node).__name__, _wrap(alias, "data"),
                                                          f"`self.{target} = {holder}(...)` (a pytree holding "
                                                          "data) -> `nnx.data(...)`"))
                            continue
                        if is_none(value) and has_data and self._holds_data_elsewhere(info.qualname, target):
                            alias = context.nnx_alias()
                            if alias is not None:
                                sites.append(context.site(NAME, node, type(node).__name__, _wrap(alias, "data"),
                                                          f"`self.{target} = None` -> `nnx.data(None)`"))
                        continue
                    verdict = _classify(element_types, context.index)
                    if verdict == "plain":
                        if None in element_types and report_left_alone and self._unknown is not None:
                            left = self._left_alone(target, node, kind)
                            if left is not None:
                                diagnostics.append(left)
                        continue
                    if verdict == "nested":
                        diagnostics.append(context.diagnostic(
                            NAME, node, f"`self.{target}` holds nested containers of Modules or arrays",
                            "wrap every level: `nnx.List([nnx.List([...]), ...])`", URL))
                        continue
                    if not has_data:
                        diagnostics.append(context.diagnostic(
                            NAME, node, f"`self.{target}` is a plain {kind} of Modules/arrays: an error from flax 0.12.0",
                            "no form works on both flax 0.10 and 0.12: raise --target-version to 0.11 or later", URL))
                        continue
                    alias = context.nnx_alias()
                    if alias is None:
                        diagnostics.append(context.diagnostic(
                            NAME, node, f"`self.{target}` must be wrapped, but the name `nnx` is taken in this file",
                            "import flax.nnx under some name and wrap the value by hand", URL))
                        continue
                    incompatible = self._incompatible_use(info, target)
                    if not has_list or incompatible or kind == "dict-nonstr":
                        function = "data"
                    else:
                        function = "Dict" if kind == "dict" else "List"
                    why = f" (it meets `{incompatible}`)" if incompatible and has_list else ""
                    sites.append(context.site(NAME, node, type(node).__name__, _wrap(alias, function),
                                              f"`self.{target}` -> `nnx.{function}(...)`{why}"))
                    wrapped_any = True
                    if function in ("List", "Dict"):
                        sites.extend(self._isinstance_sites(info, target, function, alias, kind))
        if wrapped_any:
            diagnostics.extend(self._module_walks())
        return sites, diagnostics

    # -- `x: nnx.Data[T]` / `x: nnx.Static[T]` -----------------------------------------
    def _annotation_sites(self, info, sites: list[Site], diagnostics: list[Diagnostic]) -> dict[str, str | None]:
        """Class-level `nnx.Data[T]` / `nnx.Static[T]` annotations. In a dataclass the
        field becomes `x: T = nnx.data()`; elsewhere the annotation becomes `x: T` and the
        attribute's assignments are wrapped (returned: attribute -> function to wrap with)."""
        context = self.context
        wrapped: dict[str, str | None] = {}
        dataclass_style = any((dotted_name(d.func if isinstance(d, ast.Call) else d) or "").endswith("dataclass")
                              for d in info.node.decorator_list)
        module_scope = context.resolver.module_scope(context.file)
        for statement in info.node.body:
            if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
                    and isinstance(statement.annotation, ast.Subscript)):
                continue
            marker = context.resolver.qualified(statement.annotation.value, module_scope)
            function = {"flax.nnx.Data": "data", "flax.nnx.Static": "static"}.get(marker or "")
            if function is None:
                continue
            name = statement.target.id
            needed = STATIC_VERSION if function == "static" else DATA_VERSION
            if not version_at_least(context, needed):
                wrapped[name] = None
                continue
            alias = context.nnx_alias()
            if alias is None:
                continue
            given = _field_call(statement.value, context.resolver, module_scope)
            if given is not None:
                # already the 0.12 field (`b: nnx.Static[int] = nnx.static(default=2)`): only
                # the annotation changes (wrapping it again would give `nnx.static(default=nnx.static(...))`)
                if given == function:
                    sites.append(context.site(NAME, statement, "AnnAssign", _unwrap_annotation,
                                              f"`{name}: nnx.{function.title()}[T]` -> `{name}: T`"))
                elif given == "field":
                    diagnostics.append(context.diagnostic(
                        NAME, statement, f"`{name}: nnx.{function.title()}[T] = dataclasses.field(...)`",
                        f"write `{name}: T = nnx.{function}(...)` with the field's options as its keywords", URL))
                else:
                    diagnostics.append(context.diagnostic(
                        NAME, statement, f"`{name}: nnx.{function.title()}[T] = nnx.{given}(...)`: the annotation "
                        "and the field disagree", f"keep one: `{name}: T = nnx.{function}(...)` or "
                        f"`{name}: T = nnx.{given}(...)`", URL))
                wrapped[name] = None
                continue
            if dataclass_style:
                sites.append(context.site(NAME, statement, "AnnAssign", _field_annotation(alias, function),
                                          f"`{name}: nnx.{function.title()}[T]` -> `{name}: T = nnx.{function}()`"))
                wrapped[name] = None  # a dataclass field: nothing assigned in methods
            else:
                if statement.value is not None:
                    diagnostics.append(context.diagnostic(
                        NAME, statement, f"`{name}: nnx.{function.title()}[T] = ...` on a class that is not a dataclass",
                        f"drop the annotation wrapper and assign `self.{name} = nnx.{function}(...)` in `__init__`", URL))
                    continue
                sites.append(context.site(NAME, statement, "AnnAssign", _unwrap_annotation,
                                          f"`{name}: nnx.{function.title()}[T]` -> `{name}: T`"))
                wrapped[name] = function
        return wrapped

    # -- what is assigned ---------------------------------------------------------------
    @staticmethod
    def _pytree_false(info) -> bool:
        value = info.keywords.get("pytree")
        return isinstance(value, ast.Constant) and value.value is False

    def _container_kind(self, value, scope: Scope, info, method, self_name: str, target: str):
        """('list' | 'dict' | 'dict-nonstr', element types), or (None, None) if not a container."""
        resolver = self.context.resolver
        if isinstance(value, (ast.List, ast.Tuple)):
            if any(isinstance(e, ast.Starred) for e in value.elts):
                return None, None
            types = [self._type(e, scope) for e in value.elts]
            if not value.elts:
                types = self._grown_types(info, target)
            return "list", types
        if isinstance(value, ast.ListComp):
            inner = resolver.scope_for(value, scope, scope.file)
            return "list", [self._type(value.elt, inner)]
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ("list", "tuple") \
                and scope.find(value.func.id) is None and len(value.args) == 1 and not value.keywords:
            argument = value.args[0]
            if isinstance(argument, (ast.ListComp, ast.GeneratorExp)):
                inner = resolver.scope_for(argument, scope, scope.file)
                return "list", [self._type(argument.elt, inner)]
            container = as_container(resolver.type_of(argument, scope), iterated=True)
            if container is not None and container.element is not None:
                return "list", [container.element]
            if isinstance(argument, ast.Name):
                starred = self._annotated_vararg(argument, scope, method)
                if starred is not None:  # `*bijections: Bijection`: a tuple of them
                    return "list", [starred]
                kind, types = self._local_list(argument.id, scope, method)  # `layers = []`, `.append(...)`
                if kind is not None:
                    return kind, types
            self._note_unknown(argument, scope)
            return "list", [None]
        if isinstance(value, ast.Dict):
            if None in value.keys:
                return None, None
            types = [self._type(v, scope) for v in value.values]
            if not value.keys:
                types = self._grown_types(info, target, dict_items=True)
                return "dict", types
            return ("dict" if all(_is_str_key(k, resolver, scope) for k in value.keys) else "dict-nonstr"), types
        if isinstance(value, ast.DictComp):
            inner = resolver.scope_for(value, scope, scope.file)
            kind = "dict" if _is_str_key(value.key, resolver, inner) else "dict-nonstr"
            return kind, [self._type(value.value, inner)]
        if isinstance(value, ast.Name):
            return self._local_list(value.id, scope, method)
        return None, None

    def _local_list(self, name: str, scope: Scope, method):
        """`xs = []; xs.append(Block()); self.layers = xs`: a local list built by appends."""
        owner = scope.find(name)
        if owner is not scope:
            return None, None
        bindings = scope.bindings[name]
        if not all(b.kind == EXPR and isinstance(b.value, (ast.List, ast.ListComp)) for b in bindings):
            return None, None
        resolver = self.context.resolver
        types = []
        for binding in bindings:
            literal = binding.value
            if isinstance(literal, ast.List):
                types.extend(self._type(e, scope) for e in literal.elts)
            else:
                inner = resolver.scope_for(literal, scope, scope.file)
                types.append(self._type(literal.elt, inner))
        types.extend(self._grown_in(method, scope, lambda n: isinstance(n, ast.Name) and n.id == name))
        return "list", types

    def _grown_types(self, info, target: str, dict_items: bool = False) -> list:
        """What any method appends to (or stores in) `self.<target>`."""
        types = []
        for method in info.methods.values():
            self_name = self_parameter(method)
            if self_name is None:
                continue
            scope = self.context.resolver.method_scope(info, method)
            types.extend(self._grown_in(
                method, scope, lambda n: _is_self_attribute(n, target, self_name), dict_items))
        return types

    def _grown_in(self, function, scope: Scope, matches, dict_items: bool = False) -> list:
        """Types of what is appended/inserted/extended into (or, for dicts, stored in) the
        container that `matches` recognises, inside `function`."""
        resolver = self.context.resolver
        types = []
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and matches(node.func.value):
                if node.func.attr == "append" and len(node.args) == 1:
                    types.append(self._type(node.args[0], scope))
                elif node.func.attr == "insert" and len(node.args) == 2:
                    types.append(self._type(node.args[1], scope))
                elif node.func.attr == "extend" and len(node.args) == 1:
                    extended = resolver.type_of(node.args[0], scope)
                    container = as_container(extended, iterated=True)
                    types.append(container.element if container is not None else None)
                    if types[-1] is None:
                        self._note_unknown(node.args[0], scope)
            elif dict_items and isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Subscript) and matches(target.value):
                        types.append(self._type(node.value, scope))
        return types

    # -- element types ------------------------------------------------------------------
    def _type(self, node: ast.expr, scope: Scope):
        """The engine's type of an element; for `block(...)` where `block` is a parameter
        annotated `type[C]` or `Callable[..., C]` (and bound nowhere else), a C. The first
        element left unknown is kept for the left-alone report."""
        found = self.context.resolver.type_of(node, scope)
        if found is None and isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            found = self._factory_result(node.func, scope)
        if found is None and not isinstance(node, (ast.Constant, ast.JoinedStr)):  # `[1, 2, 3]`: plain
            self._note_unknown(node, scope)
        return found

    def _note_unknown(self, node: ast.expr, scope: Scope) -> None:
        if self._unknown is None:
            self._unknown = (node, scope)

    def _only_parameter_binding(self, name: ast.Name, scope: Scope):
        """(owner scope, the def's ast.arg) when `name` is bound only as a parameter there."""
        found = self.context.resolver.reaching_bindings(name, scope)
        if found is None:
            return None
        owner, reaching = found  # `global` / `nonlocal` elsewhere add a binding that reaches
        if len(reaching) != 1 or not isinstance(owner.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        arguments = owner.node.args
        for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg]:
            if arg is not None and arg.arg == name.id:
                return (owner, arg) if len(owner.bindings.get(name.id, ())) == 1 else None
        return None

    def _factory_result(self, func: ast.Name, scope: Scope):
        found = self._only_parameter_binding(func, scope)
        if found is None or found[1].annotation is None or found[1] is found[0].node.args.vararg:
            return None
        owner, arg = found
        annotation = _parsed_annotation(arg.annotation)
        if not isinstance(annotation, ast.Subscript):
            return None
        resolver = self.context.resolver
        outer = resolver.qualified(annotation.value, owner) or dotted_name(annotation.value)
        arguments = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        if outer in _CLASS_ANNOTATIONS and len(arguments) == 1:
            made = arguments[0]  # type[Block]: calling it makes a Block (or a subclass)
        elif outer in _CALLABLE_ANNOTATIONS and len(arguments) == 2:
            made = arguments[1]  # Callable[..., Block]: its calls return a Block
        else:
            return None
        found = resolver.annotation_type(made, owner)
        return found if isinstance(found, InstanceT) and self.context.index.is_nnx_class(found.cls) else None

    def _annotated_vararg(self, name: ast.Name, scope: Scope, method):
        """`*bijections: Bijection` (bound nowhere else): each item is a Bijection."""
        found = self._only_parameter_binding(name, scope)
        if found is None or found[1] is not found[0].node.args.vararg or found[1].annotation is None:
            return None
        return self.context.resolver.annotation_type(found[1].annotation, found[0])

    def _left_alone(self, target: str, node: ast.stmt, kind: str):
        """`self.<target> = <container>` whose elements are not all known: reported with why."""
        context = self.context
        what = "a dict" if kind.startswith("dict") else "a list/tuple"
        element, scope = self._unknown
        parameter = self._only_parameter_binding(element, scope) if isinstance(element, ast.Name) else None
        if parameter is not None and _plain_annotation(parameter[1].annotation):
            return None  # `xs: Sequence[int]`, `*names: str`: not Modules, Variables or arrays
        subject = element.func if isinstance(element, ast.Call) else element
        why = Explainer(context.index, context.resolver).reason(subject, scope, context.file)
        why = why.replace("shown to be Variables", "shown to be Modules, Variables or arrays").replace(
            "pass no Variable", "pass no Module, Variable or array")
        return context.left_alone(NAME, node, f"`self.{target}` ({what}, element `{ast.unparse(element)}`) "
                                              f"left alone: {why}")

    # -- uses of a wrapped attribute ----------------------------------------------------
    def _attribute_uses(self, info, target: str) -> list[tuple[ast.Attribute, ast.AST | None]]:
        """(node, parent) for every `<instance of info>.target` read in this file, in
        source order. The reads of `.target` are typed once per file, and grouped by every
        class their owner is an instance of (a file of many classes asks for each)."""
        by_class = self._uses.get(target)
        if by_class is None:
            context = self.context
            by_class = self._uses[target] = {}
            for visit in context.attribute_reads(target):
                owner = context.resolver.type_of(visit.node.value, visit.scope)
                if isinstance(owner, InstanceT):
                    for cls in dict.fromkeys(context.index.mro(owner.cls)):
                        by_class.setdefault(cls, []).append((visit.node, visit.parent))
        return by_class.get(info.qualname, [])

    def _incompatible_use(self, info, target: str) -> str | None:
        for node, parent in self._attribute_uses(info, target):
            if isinstance(parent, ast.BinOp) and isinstance(parent.op, _INCOMPATIBLE_OPERATORS):
                return ast.unparse(parent)
            if isinstance(parent, ast.AugAssign) and parent.value is node and isinstance(parent.op, _INCOMPATIBLE_OPERATORS):
                return ast.unparse(parent)
            if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in ("type", "json.dumps"):
                return ast.unparse(parent)
        return None

    def _isinstance_sites(self, info, target: str, function: str, alias: str, kind: str) -> list[Site]:
        python_types = {"List": ("list", "tuple"), "Dict": ("dict",)}[function]
        sites = []
        for node, parent in self._attribute_uses(info, target):
            if (
                self.context.resolver.calls_builtin(parent, ("isinstance",), self.context.scope_of(parent))
                and len(parent.args) == 2
                and parent.args[0] is node
                and isinstance(parent.args[1], ast.Name)
                and parent.args[1].id in python_types
            ):
                sites.append(self.context.site(NAME, parent, "Call", _replace_isinstance_class(alias, function),
                                               f"`isinstance(..., {parent.args[1].id})` -> `nnx.{function}`"))
        return sites

    # -- `self.x = Holder(param=nnx.Param(...))`: a jax pytree class holding data -------
    def _pytree_holding_data(self, value: ast.expr, scope: Scope) -> str | None:
        """The class name when `value` constructs a project class that jax flattens by its
        fields (`@flax.struct.dataclass`, a `flax.struct.PyTreeNode` or `typing.NamedTuple`
        subclass; not an NNX class) and passes, to a field jax flattens, what the engine
        shows is data (a Variable, array, Rngs or Module), or what the field's annotation
        declares to be data where the engine cannot type the argument. flax 0.11 walked
        every attribute; 0.12 rejects such a value on a static attribute ("Found data on
        value of type ... assigned to static attribute"): `nnx.data(...)` keeps 0.11's
        state paths (`('scale', 'param')`)."""
        if not isinstance(value, ast.Call) or any(isinstance(a, ast.Starred) for a in value.args) \
                or any(k.arg is None for k in value.keywords):
            return None
        context = self.context
        made = context.resolver.type_of(value, scope)
        if not isinstance(made, InstanceT) or context.index.is_nnx_class(made.cls):
            return None
        info = context.index.lookup_class(made.cls)
        called = context.resolver.qualified(value.func, scope)
        if info is None or called is None or context.index.lookup_class(called) is not info:
            return None  # what a factory returns: its arguments are not the fields
        fields = self._pytree_fields(info)
        if fields is None or len(value.args) > len(fields):
            return None
        by_name = dict(fields)
        given = [(fields[i][1], a) for i, a in enumerate(value.args)]
        for keyword in value.keywords:
            if keyword.arg not in by_name:
                return None
            given.append((by_name[keyword.arg], keyword.value))
        class_scope = context.resolver.class_scope(info)
        for field_node, argument in given:
            if field_node is None:
                continue  # a field jax does not flatten (`pytree_node=False`)
            if isinstance(argument, (ast.Constant, ast.JoinedStr)):
                continue  # `param=2.0`: not data, whatever the field says
            found = context.resolver.type_of(argument, scope)
            if found is None and field_node.annotation is not None:
                found = context.resolver.annotation_type(field_node.annotation, class_scope)
            if _is_data(found, context.index):
                return info.node.name
        return None

    def _pytree_fields(self, info) -> list[tuple[str, ast.AnnAssign | None]] | None:
        """[(field name, its AnnAssign, or None where jax does not flatten it)] of a class
        jax flattens field by field, in order; None for any other class (or fields the
        class's own body does not show: a base with fields, an unreadable `pytree_node`)."""
        resolver = self.context.resolver
        module_scope = resolver.scope_of(info.node, info.file)
        decorators = {resolver.qualified(d.func if isinstance(d, ast.Call) else d, module_scope)
                      for d in info.node.decorator_list}
        bases = set(info.bases)
        if "flax.struct.dataclass" in decorators and not bases - {"object"}:
            flattened_by = "struct"
        elif bases == {"flax.struct.PyTreeNode"} and not decorators:
            flattened_by = "struct"
        elif bases == {"typing.NamedTuple"} and not decorators:
            flattened_by = "namedtuple"
        else:
            return None
        fields = []
        for statement in info.node.body:
            if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
                continue
            annotation = statement.annotation
            annotation = annotation.value if isinstance(annotation, ast.Subscript) else annotation
            if flattened_by == "struct" and resolver.qualified(annotation, module_scope) in (
                    "typing.ClassVar", "dataclasses.InitVar"):
                continue
            flattened = True
            if flattened_by == "struct" and isinstance(statement.value, ast.Call):
                called = resolver.qualified(statement.value.func, module_scope)
                if called in ("flax.struct.field", "dataclasses.field"):
                    option = next((k.value for k in statement.value.keywords if k.arg == "pytree_node"), None)
                    if option is not None:
                        if not isinstance(option, ast.Constant) or not isinstance(option.value, bool):
                            return None
                        flattened = option.value
                    elif called == "flax.struct.field" and any(k.arg is None for k in statement.value.keywords):
                        return None
            fields.append((statement.target.id, statement if flattened else None))
        return fields

    def _holds_data_elsewhere(self, cls: str, target: str) -> bool:
        types = []
        for name in self.context.index.mro(cls):
            info = self.context.index.lookup_class(name)
            if info is None:
                continue
            for value, function, is_annotation in info.attribute_bindings.get(target, []):
                if is_annotation or function is None:
                    continue
                scope = self.context.resolver.method_scope(info, function)
                types.append(self.context.resolver.type_of(value, scope))
        return any(_is_data(t, self.context.index) for t in types)

    def _module_walks(self) -> list[Diagnostic]:
        found = []
        for visit in self.context.visits(ast.Call):
            node = visit.node
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                if name in ("iter_modules", "iter_children"):
                    found.append(self.context.diagnostic(
                        NAME, node, f"`{name}` walks modules, and in this file lists/dicts became nnx.List/nnx.Dict",
                        "nnx.List and nnx.Dict are Modules on flax 0.12: the walk now also yields them; "
                        "check counts and isinstance filters", URL))
        return found


_CLASS_ANNOTATIONS = frozenset({"type", "builtins.type", "typing.Type"})
_CALLABLE_ANNOTATIONS = frozenset({"typing.Callable", "collections.abc.Callable"})
_PLAIN_ANNOTATION_NAMES = frozenset({
    "int", "float", "str", "bool", "complex", "bytes", "None", "list", "tuple", "set", "frozenset", "dict",
    "Sequence", "Iterable", "Tuple", "List", "Optional", "Union", "Set", "FrozenSet", "Collection", "Dict",
    "Mapping", "Literal", "tp", "typing", "t", "abc", "collections",
})


def _parsed_annotation(annotation: ast.expr | None) -> ast.expr | None:
    """An annotation, a string one parsed (None if it does not parse)."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            return ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return None
    return annotation


def _plain_annotation(annotation: ast.expr | None) -> bool:
    """`int | Sequence[int]`, `str`: Python scalars and their containers, no Modules,
    Variables or arrays."""
    annotation = _parsed_annotation(annotation)
    if annotation is None:
        return False
    names = [n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(annotation)
             if isinstance(n, (ast.Name, ast.Attribute))]
    constants = [n for n in ast.walk(annotation) if isinstance(n, ast.Constant)]
    return bool(names) and all(n in _PLAIN_ANNOTATION_NAMES for n in names) and all(
        c.value is None or c.value is Ellipsis or isinstance(c.value, (int, str)) for c in constants)


def _field_call(value: ast.expr | None, resolver, scope) -> str | None:
    """'data' / 'static' when `value` is already a call of `nnx.data` / `nnx.static`, or
    'field' for a `dataclasses.field(...)` (which a wrap would nest)."""
    if not isinstance(value, ast.Call):
        return None
    qualified = resolver.qualified(value.func, scope) or ""
    return {"flax.nnx.data": "data", "flax.nnx.static": "static", "dataclasses.field": "field"}.get(qualified)


def _is_str_key(key: ast.expr, resolver, scope) -> bool:
    if isinstance(key, ast.Constant):
        return isinstance(key.value, str)
    if isinstance(key, ast.JoinedStr):
        return True
    return isinstance(key, ast.Call) and isinstance(key.func, ast.Name) and key.func.id == "str" and scope.find("str") is None


def _is_self_attribute(node: ast.expr, attr: str, self_name: str) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == attr and isinstance(node.value, ast.Name) and node.value.id == self_name


def _self_assignment(node: ast.AST, self_name: str) -> tuple[str | None, ast.expr | None]:
    """`self.<target> = value` (one target) or `self.<target>: T = value`."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target = node.target
    else:
        return None, None
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == self_name:
        return target.attr, node.value
    return None, None


class ModuleContainersCommand(RuleCommand):
    """libcst codemod for the module-containers rule."""

    DESCRIPTION = ModuleContainers.summary
    RULE = ModuleContainers
