"""Which Module classes of the changed files a comparison exercised, by the lines that ran.

A class no case of its own compares (an abstract base: nothing builds it, or its methods
raise NotImplementedError) is still checked when a compared case of a subclass ran its
code on the migrated side: the runner records the lines executed in the changed files
during each case (`request["lines_of"]`), and a base counts as "checked through a
subclass" when, in compared cases of its subclasses, at least one line of its own methods
ran and every statement of its methods that the migration changed ran. Statements of the
class body outside methods run at import, in every case.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ClassLines:
    file: str  # the migrated file, resolved
    methods: dict[str, tuple[int, int]]  # own method -> (first, last line of its body)
    changed: list[tuple[int, int]]  # statements of its methods the migration changed: line ranges
    bases: set[str] = field(default_factory=set)  # the project classes in its MRO (dotted), itself excluded


def class_lines(index, changed_files: list, names: dict[int, str], originals: dict[int, str]) -> dict[str, ClassLines]:
    """{dotted class name: ClassLines} for the NNX Module classes of the changed files
    (`names`: id(file) -> module name; `originals`: id(file) -> the original text)."""
    dotted = {}
    for info in index.classes.values():
        module = names.get(id(info.file))
        if module is not None and "." not in info.qualname[len(info.file.module) + 1:]:
            dotted[info.qualname] = f"{module}.{info.node.name}"
    found = {}
    for info in index.classes.values():
        if info.file not in changed_files or info.qualname not in dotted or not index.is_nnx_class(info.qualname):
            continue
        lines = _changed_lines(originals.get(id(info.file), ""), info.file.text)
        methods, changed = {}, []
        for statement in info.node.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.body:
                methods[statement.name] = (statement.body[0].lineno, statement.end_lineno)
                changed.extend(_statements_of(statement, lines))
        found[dotted[info.qualname]] = ClassLines(str(Path(info.file.path).resolve()), methods, changed)
    for info in index.classes.values():
        name = dotted.get(info.qualname)
        if name is None:
            continue
        for base in index.mro(info.qualname)[1:]:
            if base in dotted and dotted[base] in found:
                found.setdefault(name, ClassLines("", {}, [])).bases.add(dotted[base])
    return found


def _changed_lines(before: str, after: str) -> set[int]:
    """Lines of `after` (1-based) that differ from `before`."""
    changed = set()
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    for tag, _, _, first, last in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            changed.update(range(first + 1, last + 1))
    return changed


def _statements_of(function: ast.AST, lines: set[int]) -> list[tuple[int, int]]:
    """The line ranges of the innermost statements holding each changed line of a
    function (a compound statement by its header: `if x.value:` up to its body)."""
    ranges = set()
    for line in sorted(lines):
        if not function.lineno <= line <= function.end_lineno:
            continue
        innermost = None
        for node in ast.walk(function):
            if isinstance(node, ast.stmt) and node is not function and node.lineno <= line <= node.end_lineno:
                if innermost is None or node.lineno >= innermost.lineno and node.end_lineno <= innermost.end_lineno:
                    innermost = node
        if innermost is None:
            continue  # the def line itself (a decorator, a signature)
        body = getattr(innermost, "body", None)
        end = body[0].lineno - 1 if isinstance(body, list) and body and body[0].lineno > line else innermost.end_lineno
        ranges.add((innermost.lineno, max(end, innermost.lineno)))
    return sorted(ranges)


def through_subclass(classes: dict[str, ClassLines], judged: set[str], compared_cases: dict[str, dict]) -> dict:
    """{base: why} for each class of `classes` not in `judged` whose code ran, as the
    module docstring says, in the compared cases of its subclasses (`compared_cases`:
    case -> {file: [lines ran]} on the migrated side)."""
    found = {}
    for name, lines in sorted(classes.items()):
        if name in judged or not lines.file or not lines.methods:
            continue
        ran_in, methods_ran, ran = [], set(), set()
        for case, executed in sorted(compared_cases.items()):
            owner = classes.get(case.split(" [")[0])
            if owner is None or name not in owner.bases:
                continue
            mine = set(executed.get(lines.file, ()))
            hit = {m for m, (first, last) in lines.methods.items() if any(first <= n <= last for n in mine)}
            if hit:
                ran_in.append(case)
                methods_ran |= hit
                ran |= mine
        if not ran_in:
            continue
        missed = [r for r in lines.changed if not any(r[0] <= n <= r[1] for n in ran)]
        if missed:
            continue
        changed = f"; its {len(lines.changed)} changed statement(s) ran" if lines.changed else \
            "; the migration changed none of its lines"
        found[name] = (f"its {', '.join(f'`{m}`' for m in sorted(methods_ran))} ran in "
                       f"{', '.join(ran_in[:3])}{f' and {len(ran_in) - 3} more' if len(ran_in) > 3 else ''}"
                       f"{changed}")
    return found
