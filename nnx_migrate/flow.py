"""Code flow: which bindings of a name reach each place it is read.

One pass over a scope's statements (a function, lambda, class body or module), keeping
for every name the set of bindings that may reach the current point, as pyright's
code-flow graph and ruff's semantic model do: `x = f(); x = g(x); x.value` types the
last `x` from `g(x)` alone, and a use after `if isinstance(x, C): x = other()` sees the
new binding, not the narrowed one.

Bindings are those of bindings.py: the ones `BindingTable` gives (shared with
`infer.scopes.Scope`), plus a `Narrow` inside `isinstance(x, C)` and `type(x) is C`
checks, and `NONE_BINDING` inside `x is None` (`x is not None` drops the
bindings to None). Loops take
one pass: every binding made anywhere in a loop may reach its head (an over-approximation
that needs no fixpoint iteration, so nesting depth never multiplies the cost).

Names the pass cannot follow (declared `global`/`nonlocal`, bound inside a nested
function with `nonlocal`, or read before any binding in this scope) get no entry, and
the resolver falls back to every binding of the name.
"""

from __future__ import annotations

import ast

from nnx_migrate.bindings import (
    ANNOTATED, AUGMENTED, CLASS, DEF, EXPR, IMPORT, ITER, NARROW, NONE_BINDING, UNKNOWN, UNPACK, WITH, Annotated,
    Augmented, Bare, Binding, Class, Def, Expr, Iter, Narrow, Unpack, With,
)
from nnx_migrate.index import child_nodes, dotted_name

# Scopes of their own: their bodies are separate flows (comprehensions run at once, so
# names they read from the enclosing scope are recorded at that point).
_DEFERRED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)

# The nodes `BindingTable` finds bindings in (`_compute`'s cases).
BINDING_NODE_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign, ast.AugAssign,
                       ast.For, ast.AsyncFor, ast.comprehension, ast.NamedExpr, ast.With, ast.AsyncWith,
                       ast.ExceptHandler, ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.MatchAs,
                       ast.MatchStar, ast.MatchMapping)
State = dict  # name -> frozenset[Binding] (and _CHAINS -> chain -> bindings); None for an unreachable point
# The key of a state's narrowed attribute chains (`isinstance(self.b, C)`: "self.b" ->
# bindings), kept apart from the names so that forgetting them all (at any call) is one step.
_CHAINS = "."


def _is_at_or_below(chain: str, prefix: str) -> bool:
    return chain == prefix or chain.startswith(prefix + ".")


def target_bindings(target: ast.expr, binding: Binding) -> list[tuple[str, Binding]]:
    """(name, binding) pairs for an assignment target; unpacking keeps positions."""
    if isinstance(target, ast.Name):
        return [(target.id, binding)]
    if isinstance(target, (ast.Tuple, ast.List)):
        found = []
        starred = False
        for position, element in enumerate(target.elts):
            if isinstance(element, ast.Starred):
                starred = True
                found.extend(target_bindings(element.value, Bare(UNKNOWN)))
            elif starred:  # after `*rest`: counted from the end (`*_, last = xs`: position -1)
                found.extend(target_bindings(element, Unpack(UNPACK, binding, position - len(target.elts))))
            else:
                found.extend(target_bindings(element, Unpack(UNPACK, binding, position)))
        return found
    if isinstance(target, ast.Starred):
        return target_bindings(target.value, Bare(UNKNOWN))
    return []


class BindingTable:
    """The binding descriptors of each binding node, made once so that the flow pass and
    the scopes share them (the resolver memoizes binding types by identity)."""

    def __init__(self) -> None:
        self._by_node: dict[int, list[tuple[str, Binding]]] = {}

    def of(self, node: ast.AST) -> list[tuple[str, Binding]]:
        if not isinstance(node, BINDING_NODE_TYPES):
            return []  # most nodes the flow pass asks about bind nothing
        found = self._by_node.get(id(node))
        if found is None:
            found = self._compute(node)
            self._by_node[id(node)] = found
        return found

    @staticmethod
    def _compute(node: ast.AST) -> list[tuple[str, Binding]]:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return [(node.name, Def(DEF, node))]
        if isinstance(node, ast.ClassDef):
            return [(node.name, Class(CLASS, node))]
        if isinstance(node, ast.Assign):
            return [pair for target in node.targets for pair in target_bindings(target, Expr(EXPR, node.value))]
        if isinstance(node, ast.AnnAssign):
            if isinstance(node.target, ast.Name):
                return [(node.target.id, Annotated(ANNOTATED, node.annotation, node.value))]
            return []
        if isinstance(node, ast.AugAssign):
            return target_bindings(node.target, Augmented(AUGMENTED, node))
        if isinstance(node, (ast.For, ast.AsyncFor)):
            return target_bindings(node.target, Iter(ITER, node.iter))
        if isinstance(node, ast.comprehension):
            return target_bindings(node.target, Iter(ITER, node.iter))
        if isinstance(node, ast.NamedExpr):
            return target_bindings(node.target, Expr(EXPR, node.value))
        if isinstance(node, (ast.With, ast.AsyncWith)):
            return [pair for item in node.items if item.optional_vars is not None
                    for pair in target_bindings(item.optional_vars, With(WITH, item.context_expr))]
        if isinstance(node, ast.ExceptHandler):
            return [(node.name, Bare(UNKNOWN))] if node.name else []
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return [((alias.asname or alias.name).split(".")[0], Bare(IMPORT)) for alias in node.names
                    if alias.name != "*"]
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            return [(name, Bare(UNKNOWN)) for name in node.names]
        if isinstance(node, (ast.MatchAs, ast.MatchStar)):
            return [(node.name, Bare(UNKNOWN))] if node.name else []
        if isinstance(node, ast.MatchMapping):
            return [(node.rest, Bare(UNKNOWN))] if node.rest else []
        return []


# Builtins that cannot reassign an attribute of the objects they are given; narrowing and
# purity hold only where the name is the builtin (`Resolver.shadowed_builtins`).
PURE_BUILTINS = frozenset({"isinstance", "issubclass", "hasattr", "len", "print", "type", "id", "str", "repr"})


def is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _binds_none(binding: Binding) -> bool:
    return binding == NONE_BINDING or binding.kind == EXPR and is_none(binding.value)


def _is_builtin_call(call: ast.Call, name: str, arguments: int, shadowed: frozenset[str]) -> bool:
    """`name(a, ...)` with that many positional arguments and no keywords, `name` being
    the builtin (not in `shadowed`)."""
    return isinstance(call.func, ast.Name) and call.func.id == name and name not in shadowed \
        and len(call.args) == arguments and not call.keywords and not any(isinstance(a, ast.Starred) for a in call.args)


def _may_narrow(test: ast.expr, shadowed: frozenset[str]) -> bool:
    """`test` is, or joins with `and` / `or` / `not`, a check `_narrowed` narrows by:
    `isinstance(x, C)`, `type(x) is C`, `x is None`."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _may_narrow(test.operand, shadowed)
    if isinstance(test, ast.BoolOp):
        return any(_may_narrow(value, shadowed) for value in test.values)
    if isinstance(test, ast.Call):
        return _is_builtin_call(test, "isinstance", 2, shadowed)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        if isinstance(test.ops[0], (ast.Is, ast.IsNot)) and isinstance(test.left, ast.Name) \
                and is_none(test.comparators[0]):
            return True
        return isinstance(test.ops[0], (ast.Is, ast.Eq)) and isinstance(test.left, ast.Call) \
            and _is_builtin_call(test.left, "type", 1, shadowed)
    return False


def scope_local_nodes(nodes):
    """Nodes under `nodes`, not entering nested functions, lambdas or classes."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _DEFERRED_SCOPES):
            continue
        stack.extend(reversed(child_nodes(node)))


class FlowAnalysis:
    """Reaching bindings for the name reads of one scope."""

    def __init__(self, scope_node: ast.AST, table: BindingTable, parameters: State | None = None,
                 untracked: frozenset[str] = frozenset(), walrus: bool = True,
                 shadowed: frozenset[str] = frozenset()):
        self.table = table
        self.shadowed = shadowed  # PURE_BUILTINS that may not be the builtins here
        self.walrus = walrus  # False: the file has no `:=`, no test can rebind what it narrows
        self.untracked = set(untracked)
        # id(Name node) -> bindings that may reach it
        self.reaching: dict[int, frozenset] = {}
        self.steps = 0
        # names looked at by joins: with `steps`, the pass's cost, which must not grow with
        # the number of names a scope binds
        self.scanned = 0
        # every name (or _CHAINS) written in any state of this pass, in order: states that
        # parted at a point can differ only in what was written after it (see `_join`)
        self._written: list[str] = []
        self._loops: list[tuple[list, list]] = []  # (break states, continue states)
        self._bindings_cache: dict[int, dict[str, frozenset]] = {}
        entry = dict(parameters or {})
        if isinstance(scope_node, ast.Lambda):
            self._expression(scope_node.body, entry)
        elif isinstance(scope_node, _COMPREHENSIONS):
            self._comprehension(scope_node, entry)
        else:
            self._block(scope_node.body, entry)

    # -- states -----------------------------------------------------------------------
    # Every write to a state goes through these, so that `_written` logs it.
    def _set(self, state: State, name: str, bindings: frozenset) -> None:
        state[name] = bindings
        self._written.append(name)

    def _set_chains(self, state: State, chains: dict) -> None:
        """`_CHAINS` -> a new mapping (never changed once in a state: copies share it)."""
        if chains:
            state[_CHAINS] = dict(chains)
        elif state.pop(_CHAINS, None) is None:
            return
        self._written.append(_CHAINS)

    def _forget_all_chains(self, state: State) -> None:
        if state.pop(_CHAINS, None) is not None:
            self._written.append(_CHAINS)

    def _forget_chains(self, state: State, prefix: str) -> None:
        """Drop the narrowing of attribute chains at or below `prefix` (`a` or `a.b`)."""
        chains = state.get(_CHAINS)
        if chains and any(_is_at_or_below(k, prefix) for k in chains):
            self._set_chains(state, {k: v for k, v in chains.items() if not _is_at_or_below(k, prefix)})

    def _join(self, since: int, *states: State | None) -> State | None:
        """The bindings that may reach a point after the paths ending in `states`, which
        parted at `since` (a position in `_written`): a name written on none of them since
        then is as it was on all, so only the names written since are looked at, however
        many the scope binds."""
        live = [s for s in states if s is not None]
        if not live:
            return None
        joined = dict(live[0])
        if len(live) == 1:
            return joined
        written = set(self._written[since:])
        self.scanned += len(written)
        for name in written:
            if name == _CHAINS:
                maps = [s.get(_CHAINS) for s in live]
                common = set(maps[0]).intersection(*maps[1:]) if None not in maps else ()
                # an attribute chain narrowed on one path only is forgotten
                self._set_chains(joined, {chain: frozenset().union(*(m[chain] for m in maps)) for chain in common})
            elif any(name in s for s in live):
                # a name bound on one path only: unbound on the other, which fails at run time
                joined[name] = frozenset().union(*(s.get(name, frozenset()) for s in live))
        return joined

    # -- statements -------------------------------------------------------------------
    def _block(self, statements: list[ast.stmt], state: State | None) -> State | None:
        for statement in statements:
            if state is None:
                break  # unreachable code: no reads recorded, the fallback applies
            state = self._statement(statement, state)
        return state

    def _bind(self, node: ast.AST, state: State) -> State:
        for name, binding in self.table.of(node):
            self._set(state, name, frozenset((binding,)))
            self._forget_chains(state, name)
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else (
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        for target in targets:
            for element in (target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]):
                if isinstance(element, (ast.Attribute, ast.Subscript, ast.Starred)):
                    self._forget_all_chains(state)  # through an alias, any chain may be this one
        return state

    def _statement(self, node: ast.stmt, state: State) -> State | None:
        self.steps += 1
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for decorator in node.decorator_list:
                self._expression(decorator, state)
            if isinstance(node, ast.ClassDef):
                for expression in [*node.bases, *(k.value for k in node.keywords)]:
                    self._expression(expression, state)
            else:
                for default in [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]:
                    self._expression(default, state)
            return self._bind(node, state)
        if isinstance(node, ast.Assign):
            self._expression(node.value, state)
            for target in node.targets:
                self._target_reads(target, state)
            return self._bind(node, state)
        if isinstance(node, ast.AnnAssign):
            if node.value is None:
                return state
            self._expression(node.value, state)
            self._target_reads(node.target, state)
            return self._bind(node, state)
        if isinstance(node, ast.AugAssign):
            self._expression(node.value, state)
            if isinstance(node.target, ast.Name):
                self._read(node.target, state)  # `x += y` reads x first
            else:
                self._target_reads(node.target, state)
            return self._bind(node, state)
        if isinstance(node, (ast.Return, ast.Raise)):
            for child in child_nodes(node):
                self._expression(child, state)
            return None
        if isinstance(node, (ast.Break, ast.Continue)):
            if self._loops:
                self._loops[-1][0 if isinstance(node, ast.Break) else 1].append(state)
            return None
        since = len(self._written)  # where the paths of a compound statement part
        if isinstance(node, ast.If):
            self._expression(node.test, state)
            body = self._block(node.body, self._narrowed(node.test, state, True))
            orelse = self._block(node.orelse, self._narrowed(node.test, state, False))
            return self._join(since, body, orelse)
        if isinstance(node, (ast.For, ast.AsyncFor)):
            self._expression(node.iter, state)
            return self._loop(node, state, lambda s: self._bind(node, s))
        if isinstance(node, ast.While):
            return self._loop(node, state, None)
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self._expression(item.context_expr, state)
            return self._block(node.body, self._bind(node, state))
        if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            entry = dict(state)
            body = self._block(node.body, dict(state))
            # a handler may start after any statement of the body
            handler_entry = self._join(since, entry, body, self._bindings_under(node.body, entry))
            ends = [self._block(node.orelse, body)]
            for handler in node.handlers:
                start = dict(handler_entry)
                if handler.type is not None:
                    self._expression(handler.type, start)
                ends.append(self._block(handler.body, self._bind(handler, start)))
            after = self._join(since, *ends)
            if node.finalbody:
                final_entry = self._join(since, after, handler_entry)
                end = self._block(node.finalbody, final_entry)
                return None if after is None else end
            return after
        if isinstance(node, ast.Match):
            self._expression(node.subject, state)
            ends = [state]
            for case in node.cases:
                start = dict(state)
                for pattern in ast.walk(case.pattern):
                    if isinstance(pattern, ast.expr):
                        self._expression(pattern, start)
                    self._bind(pattern, start)
                if case.guard is not None:
                    self._expression(case.guard, start)
                ends.append(self._block(case.body, start))
            return self._join(since, *ends)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return self._bind(node, state)
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            self.untracked.update(node.names)
            return state
        if isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self._set(state, target.id, frozenset())
                else:
                    self._target_reads(target, state)
            return self._bind(node, state)
        if isinstance(node, ast.Assert):
            self._expression(node.test, state)
            if node.msg is not None:
                self._expression(node.msg, state)
            return self._narrowed(node.test, state, True)
        for child in child_nodes(node):  # Expr, Pass, ...
            if isinstance(child, ast.expr):
                self._expression(child, state)
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                and call.func.attr == "assertIsInstance" and len(call.args) == 2 \
                and not any(isinstance(a, ast.Starred) for a in call.args):
            # `self.assertIsInstance(x, C)` returns only where x is a C: a narrowing the
            # evaluator keeps only where the method is unittest's (expressions.py)
            classes = call.args[1].elts if isinstance(call.args[1], ast.Tuple) else [call.args[1]]
            self._narrow(call.args[0], classes, state, set())
        return state

    def _loop(self, node, state: State, bind_target) -> State | None:
        """One pass: the head sees the entry bindings and every binding in the loop."""
        since = len(self._written)
        head = self._join(since, state, self._bindings_under(node.body, state))
        if bind_target is not None:
            head = self._join(since, head, bind_target(dict(state)))
        if isinstance(node, ast.While):
            self._expression(node.test, head)
        self._loops.append(([], []))
        start = dict(head)
        if bind_target is not None:
            start = bind_target(start)
        elif isinstance(node, ast.While):
            start = self._narrowed(node.test, start, True)
        end = self._block(node.body, start)
        breaks, continues = self._loops.pop()
        exhausted = self._join(since, head, end, *continues)
        if isinstance(node, ast.While) and exhausted is not None:
            exhausted = self._narrowed(node.test, exhausted, False)
        after_else = self._block(node.orelse, exhausted) if exhausted is not None else None
        return self._join(since, after_else, *breaks)

    def _bindings_under(self, statements: list[ast.stmt], base: State) -> State:
        """`base`, with every binding made anywhere in `statements` added to its name."""
        merged = dict(base)
        self._forget_all_chains(merged)  # any call in a loop may reassign
        for statement in statements:
            for name, bindings in self._bindings_in(statement).items():
                self._set(merged, name, merged.get(name, frozenset()) | bindings)
        return merged

    def _bindings_in(self, node: ast.AST) -> dict[str, frozenset]:
        """Every binding made in `node` and below (not in nested scopes), computed once
        per node so that nested loops reuse their inner loops' sets."""
        found = self._bindings_cache.get(id(node))
        if found is not None:
            return found
        self.steps += 1
        collected: dict[str, set] = {}
        for name, binding in self.table.of(node):
            collected.setdefault(name, set()).add(binding)
        if not isinstance(node, _DEFERRED_SCOPES):
            for child in child_nodes(node):
                for name, bindings in self._bindings_in(child).items():
                    collected.setdefault(name, set()).update(bindings)
        found = {name: frozenset(bindings) for name, bindings in collected.items()}
        self._bindings_cache[id(node)] = found
        return found

    # -- narrowing --------------------------------------------------------------------
    def _narrowed(self, test: ast.expr, state: State, when_true: bool) -> State:
        """The state where `test` is known true (or false): `isinstance(x, C)` narrows x,
        unless the test itself rebinds x (`isinstance(v, C) and (v := f(v))`)."""
        rebound = {name for node in ast.walk(test) if isinstance(node, ast.NamedExpr)
                   for name, _ in self.table.of(node)} if self.walrus else set()
        return self._narrowed_except(test, dict(state), when_true, rebound)

    def _narrowed_except(self, test: ast.expr, state: State, when_true: bool, rebound) -> State:
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return self._narrowed_except(test.operand, state, not when_true, rebound)
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) and when_true:
            for value in test.values:
                state = self._narrowed_except(value, state, True, rebound)
            return state
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) and not when_true:
            for value in test.values:
                state = self._narrowed_except(value, state, False, rebound)
            return state
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.IsNot)) \
                and isinstance(test.left, ast.Name) and is_none(test.comparators[0]):
            self._narrow_none(test.left, state, rebound, is_none=isinstance(test.ops[0], ast.Is) == when_true)
            return state
        if not when_true:
            return state
        if isinstance(test, ast.Call) and _is_builtin_call(test, "isinstance", 2, self.shadowed):
            classes = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
            self._narrow(test.args[0], classes, state, rebound)
        elif isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.Eq)) \
                and isinstance(test.left, ast.Call) and _is_builtin_call(test.left, "type", 1, self.shadowed):
            self._narrow(test.left.args[0], [test.comparators[0]], state, rebound)  # `type(x) is C`
        return state

    def _narrow_none(self, name: ast.Name, state: State, rebound, is_none: bool) -> None:
        """`x is None` holds: x is None; it does not: x is what its other bindings make it."""
        if name.id in self.untracked or name.id in rebound or name.id not in state:
            return
        if is_none:
            self._set(state, name.id, frozenset((NONE_BINDING,)))
        else:
            self._set(state, name.id, frozenset(b for b in state[name.id] if not _binds_none(b)))

    def _narrow(self, subject: ast.expr, classes: list[ast.expr], state: State, rebound) -> None:
        if isinstance(subject, ast.Name) and subject.id not in self.untracked and subject.id not in rebound:
            self._set(state, subject.id, frozenset((Narrow(NARROW, tuple(classes), state.get(subject.id)),)))
        elif isinstance(subject, ast.Attribute):
            # `isinstance(self.bias, nnx.Param)`: the chain, until it or its head is rebound
            chain = dotted_name(subject)
            if chain is not None and chain.split(".")[0] not in self.untracked | rebound:
                narrowed = frozenset((Narrow(NARROW, tuple(classes), None),))
                self._set_chains(state, {**state.get(_CHAINS, {}), chain: narrowed})

    # -- expressions ------------------------------------------------------------------
    def _read(self, name: ast.Name, state: State) -> None:
        if name.id in self.untracked or name.id not in state:
            return
        self.reaching[id(name)] = state[name.id]

    def _target_reads(self, target: ast.expr, state: State) -> None:
        """Reads inside an assignment target (`a.b[i] = ...` reads a and i)."""
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._target_reads(element, state)
        elif isinstance(target, ast.Starred):
            self._target_reads(target.value, state)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            self._expression(target, state)

    def _expression(self, node: ast.expr, state: State) -> None:
        """Record reads in evaluation order; walrus targets bind once the expression is
        done, and reads of a walrus-bound name inside it see both bindings. Inside the
        expression, `isinstance` checks narrow names as `if` does: the body of
        `a if test else b` (and `b`), the operands of `and` / `or` after the test."""
        walrus: list[ast.NamedExpr] = []
        reads: list[tuple[ast.Name, State]] = []
        written = len(self._written)
        calls_anything = self._walk(node, state, walrus, reads)
        del self._written[written:]  # the narrowed states of sub-expressions: no join looks at them
        walrus_names: dict[str, set] = {}
        for expression in walrus:
            for name, binding in self.table.of(expression):
                walrus_names.setdefault(name, set()).add(binding)
        for name, seen in reads:
            if name.id in walrus_names and name.id not in self.untracked:
                self.reaching[id(name)] = seen.get(name.id, frozenset()) | frozenset(walrus_names[name.id])
            else:
                self._read(name, seen)
        for name, bindings in walrus_names.items():
            self._set(state, name, frozenset(bindings))
            self._forget_chains(state, name)
        if calls_anything:
            self._forget_all_chains(state)

    def _walk(self, node: ast.expr, state: State, walrus: list, reads: list) -> bool:
        """`_expression`'s walk of `node`, whose reads see `state`: collects the reads and
        walrus expressions; whether some call in it may reassign an attribute."""
        calls_anything = False
        stack = [node]
        while stack:
            current = stack.pop()
            self.steps += 1
            if isinstance(current, ast.Call) and not (
                isinstance(current.func, ast.Name) and current.func.id in PURE_BUILTINS
                and current.func.id not in self.shadowed
            ):
                calls_anything = True  # it may reassign any attribute
            if isinstance(current, ast.Name):
                if isinstance(current.ctx, ast.Load):
                    reads.append((current, state))
                continue
            if isinstance(current, ast.Attribute) and isinstance(current.ctx, ast.Load):
                chains = state.get(_CHAINS)
                chain = dotted_name(current) if chains else None
                if chain is not None and chain in chains:
                    self.reaching[id(current)] = chains[chain]
            if isinstance(current, ast.NamedExpr):
                walrus.append(current)
                stack.append(current.value)
                continue
            if isinstance(current, ast.Lambda):
                stack.extend(d for d in [*current.args.defaults, *current.args.kw_defaults] if d is not None)
                continue
            if isinstance(current, (ast.IfExp, ast.BoolOp)) and self._narrows_inside(current):
                if isinstance(current, ast.IfExp):
                    calls_anything |= self._walk(current.test, state, walrus, reads)
                    calls_anything |= self._walk(current.body, self._narrowed_names(current.test, state, True),
                                                 walrus, reads)
                    calls_anything |= self._walk(current.orelse, self._narrowed_names(current.test, state, False),
                                                 walrus, reads)
                    continue
                stack.append(current.op)  # walked as any child is (it costs a step)
                seen, when_true = state, isinstance(current.op, ast.And)
                for value in current.values:
                    calls_anything |= self._walk(value, seen, walrus, reads)
                    if _may_narrow(value, self.shadowed):
                        seen = self._narrowed_names(value, seen, when_true)
                continue
            if isinstance(current, _COMPREHENSIONS):
                # the first iterable is evaluated here; the rest of a list, set or dict
                # comprehension runs at once, so its reads of this scope's names see this
                # point (a generator runs when consumed: its reads see every binding)
                stack.append(current.generators[0].iter)
                if isinstance(current, ast.GeneratorExp):
                    continue
                # names any (nested) comprehension binds: left to that comprehension's flow
                bound = {
                    name
                    for inner in scope_local_nodes([current]) if isinstance(inner, ast.comprehension)
                    for name, _ in target_bindings(inner.target, Bare(UNKNOWN))
                }
                for inner in scope_local_nodes([current]):
                    if inner is current or inner is current.generators[0].iter:
                        continue
                    if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load) and inner.id not in bound:
                        reads.append((inner, state))
                    elif isinstance(inner, ast.NamedExpr):
                        walrus.append(inner)
                continue
            stack.extend(child_nodes(current))
        return calls_anything

    def _narrows_inside(self, node: ast.IfExp | ast.BoolOp) -> bool:
        """A test in `node` narrows what comes after it, and no walrus in it may rebind
        what the test checked."""
        tests = [node.test] if isinstance(node, ast.IfExp) else node.values[:-1]
        return any(_may_narrow(test, self.shadowed) for test in tests) and not (
            self.walrus and any(isinstance(inner, ast.NamedExpr) for inner in ast.walk(node)))

    def _narrowed_names(self, test: ast.expr, state: State, when_true: bool) -> State:
        """The state of a sub-expression where `test` is known true (or false): names
        narrowed, as `_narrowed` does; attribute chains as they were (a call between
        the test and the read may reassign them)."""
        narrowed = self._narrowed(test, state, when_true)
        chains = state.get(_CHAINS)
        if chains is None:
            narrowed.pop(_CHAINS, None)
        else:
            narrowed[_CHAINS] = chains
        return narrowed

    def _comprehension(self, node, state: State) -> None:
        """A comprehension's own flow: its generator targets, then the element (its first
        iterable belongs to the enclosing scope)."""
        for generator in node.generators:
            if generator is not node.generators[0]:
                self._expression(generator.iter, state)
            self._bind(generator, state)
            for condition in generator.ifs:
                self._expression(condition, state)
                state = self._narrowed(condition, state, True)
        for element in ([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]):
            self._expression(element, state)
