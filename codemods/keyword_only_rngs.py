'''# keyword-only-rngs

## What it does
Makes `rngs` keyword-only in the constructors of NNX Modules, as flax's own layers do,
and rewrites every call site in the scanned paths that passes it (or a later parameter)
by position:

```
def __init__(self, din, dout, rngs: nnx.Rngs)    ->  def __init__(self, din, dout, *, rngs: nnx.Rngs)
Block(4, 8, rngs)                                 ->  Block(4, 8, rngs=rngs)
super().__init__(din, dout, rngs)                 ->  super().__init__(din, dout, rngs=rngs)
```

Parameters after `rngs` become keyword-only too. Call sites are found through the
project index: direct calls (also through imports in other files), subclasses that
inherit the constructor, `super().__init__(...)`, `Base.__init__(self, ...)`, `cls(...)`
in classmethods and `functools.partial(Block, ...)`. A class defined inside a function
(as test suites do) is found like a module's, through the bindings of its name that
reach each call: when a call's name may also hold something else (a second class
statement of that name, another assignment, `global`), the class keeps its signature.

A signature and all its call sites change together or not at all. The signature is left
as it is, and the reason reported with file:line, when any caller cannot be rewritten:
the class is passed around as a value (a factory, `layer_cls=Block`) or handed to a class
decorator (`@register("block")`, a registry), a call unpacks `*args`, a call site carries
`# nnx-migrate: skip`, a file that mentions the class failed to parse, or a subclass
overrides the constructor under a `cls(...)` call, or the constructor runs under a
decorator (`nnx.vmap`, `nnx.split_rngs`, `nnx.scan`, `nnx.remat`, `jax.vmap`, ...: a
transform that maps or splits its arguments by position raises "keyword arguments could
not be resolved to positions" once `rngs` comes by keyword). A run given single files
rather than folders (pre-commit passes only the staged files) cannot see every caller: there the rule
only reports, except for classes a notebook defines, which nothing can import (a notebook
run by `%run` from another one is the exception: scan both). Callers outside the scanned
paths are yours: the summary lists every signature that changed.

With `--evidence` (from `nnx-migrate trace`), a class used as a value or registered
changes after all when the traced run constructed it and every call that passed `rngs` by
position is in the scanned paths and can be rewritten: `LAYERS[kind](d, rngs)` becomes
`LAYERS[kind](d, rngs=rngs)`.

## Why
It is flax's convention (every `nnx.Linear`, `nnx.Conv`, ... takes `rngs` by keyword),
it makes argument mix-ups impossible, and it lets a signature grow new positional
parameters without breaking callers. Nothing enforces it at run time.

## Example
```python
from flax import nnx


class Block(nnx.Module):
    def __init__(self, din, dout, rngs: nnx.Rngs):
        self.linear = nnx.Linear(din, dout, rngs=rngs)

block = Block(2, 3, nnx.Rngs(0))
```

## Use instead
```python
from flax import nnx


class Block(nnx.Module):
    def __init__(self, din, dout, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(din, dout, rngs=rngs)

block = Block(2, 3, rngs=nnx.Rngs(0))
```

## When the fix is unsafe
Within the scanned paths it is not: the signature changes only with every call site. Code
outside them (another repository, a notebook) that passes `rngs` by position breaks with
a TypeError after the migration; the summary names each changed signature so you can
check such callers.

A public constructor of an installable project (one that a pyproject.toml's `[project]`
names, or a setup.py / setup.cfg: a module-level class whose module path and name have
no leading underscore, outside test, example and script folders, or a private class
whose constructor runs for such a one) is called by the project's users, whom no run
can see: it changes only with `--unsafe-fixes`, and is reported otherwise.
'''

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

import libcst as cst

from nnx_migrate.command import RuleCommand
from nnx_migrate.config import published_project
from nnx_migrate.cst_build import with_keyword
from nnx_migrate.evidence import observed_constructor_calls
from nnx_migrate.index import ClassInfo, SourceFile, dotted_name
from nnx_migrate.infer.syntax import in_annotation
from nnx_migrate.resolve import InstanceT, Scope, is_super_call
from nnx_migrate.rule import Diagnostic, FileContext, Rule, Site, Visit
from nnx_migrate.suppression import skipped_lines

NAME = "keyword-only-rngs"
PARTIAL = ("functools.partial",)
HARMLESS_DECORATORS = ("dataclass", "final", "total_ordering")


@dataclass
class CallSite:
    file: SourceFile
    call: ast.Call
    offset: int  # positional arguments before the constructor's own (`self` in Base.__init__(self, ...))


@dataclass
class Signature:
    info: ClassInfo
    init: ast.FunctionDef
    names: list[str]  # positional parameter names after `self`
    first_keyword: int  # index in `names` of `rngs`
    calls: list[CallSite] = field(default_factory=list)
    blocked: list[tuple[SourceFile, ast.AST | None, str]] = field(default_factory=list)
    cls_calls: list[tuple[SourceFile, ast.Call, str]] = field(default_factory=list)  # `cls(...)` sites
    classes: list[ClassInfo] = field(default_factory=list)  # the classes whose construction runs it


def _positional(init: ast.FunctionDef) -> list[ast.arg]:
    return [*init.args.posonlyargs, *init.args.args]


def _candidate(info: ClassInfo) -> Signature | None:
    init = info.methods.get("__init__")
    if init is None or not isinstance(init, ast.FunctionDef):
        return None
    names = [a.arg for a in init.args.args]
    if "rngs" not in names or init.args.posonlyargs and names.index("rngs") == 0:
        return None
    annotation = init.args.args[names.index("rngs")].annotation
    if annotation is not None and "Rngs" not in ast.unparse(annotation):
        return None  # annotated as something else (a numpy Generator, ...): not flax's rngs
    positional = [a.arg for a in _positional(init)][1:]
    if init.args.vararg is not None:
        return None  # `*args` already sits where `*` would go
    return Signature(info, init, positional, positional.index("rngs"))


class _Planner:
    """Finds, once per project, every signature that can change with all its callers."""

    def __init__(self, context: FileContext):
        self.context = context
        self.index = context.index
        self.resolver = context.resolver

    def plan(self) -> dict[str, Signature]:
        signatures: dict[str, Signature] = {}
        for info in self.index.classes.values():
            if self.index.is_nnx_class(info.qualname):
                signature = _candidate(info)
                if signature is not None:
                    signatures[info.qualname] = signature
        if not signatures:
            return {}
        # which constructor does calling class C run? the nearest __init__ in its MRO
        owner_of = {}
        for info in self.index.classes.values():
            for name in self.index.mro(info.qualname):
                found = self.index.lookup_class(name)
                if found is not None and "__init__" in found.methods:
                    owner_of[info.qualname] = found.qualname
                    break
        for qualname, owner in owner_of.items():
            if owner in signatures:
                signatures[owner].classes.append(self.index.classes[qualname])
        # only files that mention one of the classes (or a subclass) can call them
        names = self._spellings({qualname.rsplit(".", 1)[-1] for qualname, owner in owner_of.items() if owner in signatures})
        references: dict[int, list[ast.expr]] = {}
        for name in names | {"__init__", "cls", "type", "__class__"}:
            for node, file in self.resolver.name_uses(name):
                references.setdefault(id(file), []).append(node)
        for file in self.index.files.values():
            if id(file) in references:
                nodes = sorted(references[id(file)], key=lambda n: (n.lineno, n.col_offset))
                self._scan(file, nodes, signatures, owner_of)
        self._check_decorators(signatures, owner_of)
        for signature in signatures.values():
            for decorator in signature.init.decorator_list:
                name = dotted_name(decorator.func if isinstance(decorator, ast.Call) else decorator) or "..."
                signature.blocked.append((signature.info.file, decorator, f"`__init__` runs under the decorator "
                                          f"`{name}`, which may map or split its arguments by position"))
        for signature in list(signatures.values()):
            self._check_subclass_cls_calls(signature, signatures, owner_of)
            observed_constructor_calls(self.context, signature, CallSite)
        return signatures

    def _spellings(self, names: set[str]) -> set[str]:
        """The class names, and every name an import binds to one of them (`import Block as B`,
        re-exported under another name, renamed again): the only names a reference can end in."""
        spellings = set(names)
        renames = {(local, target.rpartition(".")[2]) for file in self.index.files.values()
                   for local, target in file.imports.items()}
        while True:
            more = {local for local, imported in renames if imported in spellings} - spellings
            if not more:
                return spellings
            spellings |= more

    def _scan(self, file: SourceFile, nodes: list[ast.expr], signatures, owner_of) -> None:
        """The file's references that may name a class of `signatures` (`nodes`: the Names
        and Attributes spelled like one, or `__init__`, or `cls`), in source order."""
        context = FileContext(file=file, index=self.index, resolver=self.resolver, settings=self.context.settings)
        skip = skipped_lines(file.text)
        for node in nodes:
            if not isinstance(node.ctx, ast.Load):
                continue
            visit = Visit(node, context)
            parent = visit.parent
            if isinstance(parent, ast.Attribute) and parent.value is node:
                # `Base.__init__(self, ...)` or `pkg.Block(...)`: looked at from the outer node
                target = self._class_of(node, visit.scope, signatures, owner_of, file) if parent.attr == "__init__" else None
                if target in signatures:
                    grand = context.parent(parent)
                    if isinstance(grand, ast.Call) and grand.func is parent:
                        self._add_call(signatures[target], file, grand, 1, skip)
                    else:
                        signatures[target].blocked.append((file, node, "`__init__` used as a value"))
                continue
            target = self._class_of(node, visit.scope, signatures, owner_of, file)
            if target is not None:
                constructor = owner_of.get(target)
                if constructor not in signatures:
                    continue
                self._reference(signatures[constructor], file, node, parent, context, skip, target)
            elif isinstance(node, ast.Attribute) and node.attr == "__init__" and isinstance(parent, ast.Call) \
                    and parent.func is node and is_super_call(node.value):
                cls = self._enclosing_class(context, node)
                if cls is None:
                    continue
                bases_owner = self._next_constructor(cls)
                if bases_owner in signatures:
                    self._add_call(signatures[bases_owner], file, parent, 0, skip)
            elif isinstance(node, ast.Name) and node.id == "cls" and isinstance(parent, ast.Call) and parent.func is node:
                cls = self._classmethod_class(context, node)
                if cls is not None and owner_of.get(cls.qualname) in signatures:
                    signature = signatures[owner_of[cls.qualname]]
                    self._add_call(signature, file, parent, 0, skip)
                    signature.cls_calls.append((file, parent, cls.qualname))
            else:
                self._dynamic_class_call(file, node, context, visit, signatures, owner_of, skip)

    def _dynamic_class_call(self, file, node, context: FileContext, visit: Visit, signatures, owner_of, skip) -> None:
        """`type(x)(...)` / `x.__class__(...)`: a constructor call of x's class, or of a
        subclass; when x's type is unknown, of any class."""
        parent = visit.parent
        if isinstance(node, ast.Name) and node.id == "type" and visit.scope.find("type") is None \
                and isinstance(parent, ast.Call) and parent.func is node and len(parent.args) == 1:
            instance, call = parent.args[0], context.parent(parent)
            if not (isinstance(call, ast.Call) and call.func is parent):
                return
        elif isinstance(node, ast.Attribute) and node.attr == "__class__" and isinstance(parent, ast.Call) \
                and parent.func is node:
            instance, call = node.value, parent
        else:
            return
        found = self.resolver.type_of(instance, visit.scope)
        if found is not None and not isinstance(found, InstanceT):
            return  # a Variable, an array, a list...: its class is none of the project's Modules
        cls = found.cls if isinstance(found, InstanceT) else None
        if cls is not None and owner_of.get(cls) in signatures:
            signature = signatures[owner_of[cls]]
            self._add_call(signature, file, call, 0, skip)
            signature.cls_calls.append((file, call, cls))  # subclasses: checked with `cls(...)` calls
            return
        # x of unknown class, or of a class whose constructor stays: any subclass's may run
        for signature in signatures.values():
            if cls is not None and cls not in self.index.mro(signature.info.qualname):
                continue
            if any(isinstance(a, ast.Starred) for a in call.args) or len(call.args) > signature.first_keyword:
                signature.blocked.append((file, call, f"`{ast.unparse(call.func)}(...)` may call this constructor "
                                          "with `rngs` by position"))

    def _class_of(self, node: ast.expr, scope: Scope, signatures, owner_of, file: SourceFile) -> str | None:
        """The one project class `node` names (a module's or one a def defines); None when
        it names none, or one of several: a name that may be a changed class or something
        else keeps that class's signature."""
        classes, other = self.resolver.classes_named(node, scope)
        if len(classes) == 1 and not other:
            return classes[0].qualname
        for info in classes:
            constructor = owner_of.get(info.qualname)
            if constructor in signatures:
                signatures[constructor].blocked.append(
                    (file, node, f"`{dotted_name(node)}` here may name `{info.node.name}` or something else"))
        return None

    def _reference(self, signature: Signature, file, node, parent, context, skip, target: str) -> None:
        """A reference to a class whose constructor is `signature`: a call, or something else."""
        if isinstance(parent, ast.Call) and parent.func is node:
            self._add_call(signature, file, parent, 0, skip)
            return
        if isinstance(parent, ast.Call) and node in parent.args and parent.args[0] is node:
            callee = self.resolver.qualified(parent.func, context.scope_of(node))
            if callee in PARTIAL:
                # partial(Block, a, b, rngs): rewrite its arguments after Block like a call's
                self._add_call(signature, file, parent, 0, skip, partial=True)
                return
        checks, scope = ("isinstance", "issubclass"), context.scope_of(node)
        if self.resolver.calls_builtin(parent, checks, scope) or isinstance(parent, ast.Tuple) \
                and self.resolver.calls_builtin(context.parent(parent), checks, scope):
            return  # `isinstance(x, Block)`, `isinstance(x, (A, Block))`
        if isinstance(parent, ast.ClassDef) and node in parent.bases:
            subclass = context.class_info(parent)
            target_info = self.index.lookup_class(target)
            if subclass is not None and any(self.index.lookup_class(base) is target_info
                                            for base in self.index.mro(subclass.qualname)):
                return  # its calls are found as the subclass's (bases may name it through a re-export)
            signature.blocked.append((file, node, f"a subclass of `{dotted_name(node)}` is not known as one"))
            return
        if in_annotation(node, file):
            return
        if isinstance(parent, (ast.ImportFrom, ast.Import)):
            return
        signature.blocked.append((file, node, f"`{dotted_name(node)}` is used as a value here, so its callers cannot all be seen"))

    def _add_call(self, signature: Signature, file, call: ast.Call, offset: int, skip, partial: bool = False) -> None:
        arguments = call.args[1:] if partial else call.args
        if any(isinstance(a, ast.Starred) for a in arguments):
            signature.blocked.append((file, call, "a call unpacks `*args` into the constructor"))
            return
        if len(arguments) - offset > len(signature.names):
            signature.blocked.append((file, call, "a call passes more positional arguments than the constructor takes"))
            return
        if call.lineno in skip or call.end_lineno in skip:
            signature.blocked.append((file, call, "a call site is marked `# nnx-migrate: skip`"))
            return
        if partial and len(arguments) - offset <= signature.first_keyword:
            signature.blocked.append((file, call, "a `partial(...)` leaves `rngs` to calls that cannot be seen"))
            return
        signature.calls.append(CallSite(file, call, offset + (1 if partial else 0)))

    def _enclosing_class(self, context: FileContext, node: ast.AST) -> ClassInfo | None:
        while node is not None and not isinstance(node, ast.ClassDef):
            node = context.parent(node)
        return context.class_info(node) if node is not None else None

    def _classmethod_class(self, context: FileContext, node: ast.AST) -> ClassInfo | None:
        function = node
        while function is not None and not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = context.parent(function)
        if function is None or "classmethod" not in {dotted_name(d) for d in function.decorator_list}:
            return None
        positional = _positional(function)
        if not positional or positional[0].arg != "cls":
            return None
        return self._enclosing_class(context, function)

    def _next_constructor(self, info: ClassInfo) -> str | None:
        for base in self.index.mro(info.qualname)[1:]:
            found = self.index.lookup_class(base)
            if found is not None and "__init__" in found.methods:
                return found.qualname
        return None

    def _check_decorators(self, signatures, owner_of) -> None:
        """`@register("dense") class Dense`: the decorator may store the class in a registry
        whose calls (`LAYERS[kind](...)`) cannot be seen."""
        for info in self.index.classes.values():
            owner = owner_of.get(info.qualname)
            if owner not in signatures:
                continue
            for decorator in info.node.decorator_list:
                name = dotted_name(decorator.func if isinstance(decorator, ast.Call) else decorator) or "..."
                if not name.endswith(HARMLESS_DECORATORS):
                    signatures[owner].blocked.append((info.file, decorator, f"`{info.node.name}` is handed to the "
                                                      f"decorator `{name}`, so its callers cannot all be seen"))

    def _check_subclass_cls_calls(self, signature: Signature, signatures, owner_of) -> None:
        """`cls(...)` / `type(self)(...)` also runs a subclass's own constructor when called
        on the subclass: neither signature may change."""
        for file, call, cls in signature.cls_calls:
            for info in self.index.classes.values():
                owner = owner_of.get(info.qualname)
                if cls in self.index.mro(info.qualname)[1:] and owner != signature.info.qualname:
                    reason = f"`{ast.unparse(call.func)}(...)` may run the constructor of subclass {info.qualname}"
                    signature.blocked.append((file, call, reason))
                    if owner in signatures and _works_on_subclass(call, signature, signatures[owner]):
                        signatures[owner].blocked.append((file, call, reason))


def _works_on_subclass(call: ast.Call, base: Signature, subclass: Signature) -> bool:
    """A call written for the base's constructor passes rngs (or a later parameter) by
    position to the subclass's too, where its rngs argument lands on the subclass's rngs:
    it works there today, and would break if only the subclass changed."""
    if any(isinstance(a, ast.Starred) for a in call.args):
        return True
    return len(call.args) > subclass.first_keyword and (
        len(call.args) <= base.first_keyword or base.first_keyword == subclass.first_keyword)


def _make_keyword_only(first: str):
    def fix(node: cst.FunctionDef) -> cst.FunctionDef:
        parameters = node.params
        names = [p.name.value for p in parameters.params]
        cut = names.index(first)
        before, after = list(parameters.params[:cut]), list(parameters.params[cut:])
        previous = before[-1] if before else (parameters.posonly_params[-1] if parameters.posonly_params else None)
        if previous is not None and isinstance(previous.comma, cst.Comma):
            star = cst.ParamStar(comma=_comma_like(previous.comma))
        else:
            star = cst.ParamStar()
        if previous is not None and not isinstance(previous.comma, cst.Comma) and before:
            before[-1] = previous.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return node.with_changes(params=parameters.with_changes(
            params=before, star_arg=star, kwonly_params=[*after, *parameters.kwonly_params]))
    return fix


def _comma_like(comma: cst.Comma) -> cst.Comma:
    """The same layout as `comma` (one line, or a new line with the same indent), without
    its trailing comment, which stays where it was."""
    after = comma.whitespace_after
    if isinstance(after, cst.ParenthesizedWhitespace):
        after = after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    return comma.with_changes(whitespace_after=after)


def _keywords_from(first_index: int, names: list[str]):
    """Arguments from `first_index` on become `name=value`, named after `names`."""
    def fix(node: cst.Call) -> cst.Call:
        args = list(node.args)
        for position in range(first_index, len(args)):
            argument = args[position]
            if argument.keyword is not None or argument.star:
                break
            args[position] = with_keyword(argument, names[position])
        return node.with_changes(args=args)
    return fix


class KeywordOnlyRngs(Rule):
    name = NAME
    summary = "`rngs` keyword-only in Module constructors, with every call site rewritten"
    needed_from = "convention"
    safety = "safe within the scanned paths; public constructors of an installable project need --unsafe-fixes"
    documentation = __doc__

    def names_needed_project_wide(self, index) -> set[str]:
        return {
            info.node.name
            for info in index.classes.values()
            if index.is_nnx_class(info.qualname) and _candidate(info) is not None
        }

    def prepare(self, index, resolver, settings) -> None:
        if NAME not in index.cache and index.files:
            first = next(iter(index.files.values()))
            context = FileContext(file=first, index=index, resolver=resolver, settings=settings)
            index.cache[NAME] = _Planner(context).plan()

    @staticmethod
    def _signatures_touching(index, plan: dict[str, Signature]) -> dict[int, list[Signature]]:
        """id(file) -> the signatures the file defines or calls, in plan order (made once
        per plan: every file asks)."""
        key = f"{NAME}:by-file"
        found = index.cache.get(key)
        if found is None:
            found = index.cache[key] = {}
            for signature in plan.values():
                for file in dict.fromkeys([signature.info.file, *(c.file for c in signature.calls)]):
                    found.setdefault(id(file), []).append(signature)
        return found

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        self.prepare(context.index, context.resolver, context.settings)
        plan = context.index.cache[NAME]
        sites: list[Site] = []
        diagnostics: list[Diagnostic] = []
        complete = context.index.complete
        for signature in self._signatures_touching(context.index, plan).get(id(context.file), ()):
            blocked = list(signature.blocked)
            blocked.extend(
                (signature.info.file, None, f"{path.name} mentions it and could not be processed")
                for path in context.index.failed_files_mentioning(signature.info.node.name)
            )
            # a class a notebook (or a docstring's examples) defines cannot be imported: its callers are there
            defined_in_session = signature.info.file.path.suffix == ".ipynb" or signature.info.file.host is not None
            if not complete and not blocked and not defined_in_session:
                blocked.append((signature.info.file, None, "only single files were given, so not every caller can be seen"))
            in_this_file = signature.info.file is context.file
            library = None if blocked else next(filter(None, map(_published_by, signature.classes)), None)
            if library is not None and not context.settings.unsafe_fixes:
                blocked.append((signature.info.file, None, f"a public constructor of the installable project "
                                f"`{library}`, whose users' calls cannot be seen (`--unsafe-fixes` changes it)"))
            if blocked:
                if in_this_file:
                    file, node, why = blocked[0]
                    where = f" ({_location(file, node)})" if node is not None else ""
                    diagnostics.append(context.diagnostic(
                        NAME, signature.init,
                        f"`{signature.info.node.name}.__init__` keeps `rngs` positional: {why}{where}",
                        "make `rngs` keyword-only by hand once every caller passes it by keyword"))
                    # and counted by reason in the summary's left-alone report
                    diagnostics.append(context.left_alone(
                        NAME, signature.init, f"`{signature.info.node.name}.__init__` left alone: {_kind_of_reason(why)}"))
                continue
            if in_this_file:
                sites.append(self._signature_site(context, signature, safe=library is None))
            for call_site in signature.calls:
                if call_site.file is context.file and _passes_positionally(call_site, signature):
                    sites.append(context.site(
                        NAME, call_site.call, "Call",
                        _call_fix(call_site, signature),
                        f"call of `{signature.info.node.name}`: `rngs` and later arguments by keyword"))
        return sites, diagnostics

    @staticmethod
    def _signature_site(context: FileContext, signature: Signature, safe: bool) -> Site:
        line, column = _def_name_position(context, signature.init)
        return Site(NAME, "FunctionDef", line, column, _make_keyword_only("rngs"),
                    f"`{signature.info.qualname}.__init__`: `rngs` and later parameters are keyword-only "
                    "(callers outside the scanned paths must pass them by keyword)", safe=safe,
                    lines=(signature.init.lineno,), announce=True, statement=signature.init,
                    from_evidence=context.evidence.vouches_for(signature.init))


_NOT_PUBLISHED_FOLDERS = frozenset({"tests", "test", "testing", "examples", "example", "scripts", "benchmarks", "docs"})


def _published_by(info: ClassInfo) -> str | None:
    """The installable project whose users may construct this class: a class of a `.py`
    module inside the project, reachable by a name with no leading underscore (not defined
    in a def, not in a test, example or script folder)."""
    file = info.file
    if file.path.suffix != ".py" or file.host is not None:
        return None
    parent = file.parents.get(id(info.node))
    while parent is not None and not isinstance(parent, ast.Module):
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        parent = file.parents.get(id(parent))
    parts = info.qualname.split(".")
    if any(part.startswith("_") and not part.endswith("__") for part in parts):
        return None
    folder = file.path.resolve().parent
    found = published_project(folder)
    if found is None:
        return None
    name, root = found
    inside = file.path.resolve().relative_to(root).with_suffix("").parts
    if any(part in _NOT_PUBLISHED_FOLDERS or part.startswith("test_") or part.endswith("_test") or part == "conftest"
           for part in inside):
        return None
    # a module of a package, or a single-module project's own file (beside pyproject.toml or in src/)
    if "." in file.module or file.is_package or folder in (root, root / "src"):
        return name
    return None


def _call_fix(call_site: CallSite, signature: Signature):
    names = [""] * call_site.offset + signature.names
    return _keywords_from(call_site.offset + signature.first_keyword, names)


def _passes_positionally(call_site: CallSite, signature: Signature) -> bool:
    return len(call_site.call.args) > call_site.offset + signature.first_keyword


def _def_name_position(context: FileContext, function: ast.FunctionDef) -> tuple[int, int]:
    """ast has no position for a function's name: find it after `def`."""
    line = function.lineno
    text = re.split(r"\r\n|\r|\n", context.file.text)[line - 1]
    start = context.char_column(line, function.col_offset)
    match = re.compile(r"(?:async\s+)?def\s+").match(text, start)
    return line, match.end() if match else start


# the kinds of reason a signature is kept, for the summary's count (the item says the detail)
_REASON_KINDS = (
    (("runs under the decorator",), "transform-wrapped constructor (a decorator may map or split its arguments)"),
    (("could not be processed",), "a file that mentions it failed"),
    (("public constructor of the installable project",), "public constructor of an installable project "
                                                           "(--unsafe-fixes changes it)"),
    (("*args", "more positional arguments", "nnx-migrate: skip"), "a call that cannot be rewritten"),
    (("may call this constructor",), "a call of a class not known may reach it with `rngs` by position"),
)


def _kind_of_reason(why: str) -> str:
    for words, kind in _REASON_KINDS:
        if any(word in why for word in words):
            return kind
    return "unseen callers"  # used as a value, handed to a decorator, a name that may be another, single files...


def _location(file: SourceFile, node: ast.AST) -> str:
    return f"{file.path.name}:{getattr(node, 'lineno', 1)}"


class KeywordOnlyRngsCommand(RuleCommand):
    """libcst codemod for the keyword-only-rngs rule (one file: it only reports)."""

    DESCRIPTION = KeywordOnlyRngs.summary
    RULE = KeywordOnlyRngs
