"""What every rule shares: the sites it fixes, the diagnostics it reports and the per-file
context it analyses.

This module does not import libcst (a warm, cached run never needs it); the libcst
codemod command that runs a rule standalone lives in command.py.

A rule never edits text itself. Its `analyze` walks the stdlib `ast` of a file (with the
shared `Resolver` answering "is this a Variable / Module / ...?") and returns `Site`s:
an anchor position plus a function that rewrites the libcst node found there. The
engine applies every rule's sites in one libcst pass (see rewrite.py).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from nnx_migrate import flax_api
from nnx_migrate.bindings import IMPORT, Bare
from nnx_migrate.config import Settings
from nnx_migrate.evidence import FileEvidence, for_context
from nnx_migrate.findings import Diagnostic, Edit, Site  # noqa: F401 -- rules and stages import them from here too
from nnx_migrate.index import ClassInfo, ProjectIndex, SourceFile
from nnx_migrate.resolve import Resolver, Scope, binds_an_import_or_none


class Visit:
    """A node with its parent and its scope, each worked out only if asked for (rules
    visit most nodes of a file and look closer at few)."""

    __slots__ = ("node", "_context", "_scope")

    def __init__(self, node: ast.AST, context: FileContext):
        self.node = node
        self._context = context
        self._scope = None

    @property
    def parent(self) -> ast.AST | None:
        return self._context.file.parents.get(id(self.node))

    @property
    def scope(self) -> Scope:
        if self._scope is None:
            self._scope = self._context.scope_of(self.node)
        return self._scope

    def qualified(self, node: ast.expr) -> str | None:
        """`resolver.qualified(node, self.scope)`, without working out the scope for the
        many names no import can qualify."""
        resolver = self._context.resolver
        return resolver.qualified(node, self.scope) if resolver.may_qualify(node, self._context.file) else None


@dataclass
class FileContext:
    file: SourceFile
    index: ProjectIndex
    resolver: Resolver
    settings: Settings
    _line_bytes: list[bytes] | None = field(default=None, repr=False)
    lines: list[str] | None = field(default=None, repr=False)  # with endings; see rewrite._lines
    # (module, name) imports the file's sites need (`from flax import nnx`)
    required_imports: set[tuple[str, str]] = field(default_factory=set)
    # what a traced run saw in this file (`--evidence`); asked only where static inference cannot tell
    evidence: FileEvidence | None = None
    _attribute_reads: dict[str, list[Visit]] | None = field(default=None, repr=False)  # see `attribute_reads`

    def __post_init__(self):
        if self.evidence is None:
            self.evidence = for_context(self.settings, self.file)

    @property
    def target(self) -> tuple[int, int, int]:
        return self.settings.target_version

    def visits(self, *types: type) -> list[Visit]:
        """The file's nodes of these types, in source order, each with its parent and
        (on demand) its scope. The walk was done once, by the index; this is a scan of
        the file, to make once per rule and file, never once per class or site (see
        `attribute_reads` for a table to look things up in)."""
        nodes = self.file.nodes(*types)
        self.resolver.scanned += len(nodes)
        return [Visit(node, self) for node in nodes]

    def attribute_reads(self, attr: str) -> list[Visit]:
        """The file's `<anything>.<attr>` reads (Load), in source order: one table per
        file, made on the first question."""
        if self._attribute_reads is None:
            self._attribute_reads = {}
            nodes = self.file.nodes(ast.Attribute)
            self.resolver.scanned += len(nodes)
            for node in nodes:
                if isinstance(node.ctx, ast.Load):
                    self._attribute_reads.setdefault(node.attr, []).append(Visit(node, self))
        return self._attribute_reads.get(attr, [])

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.file.parents.get(id(node))

    def scope_of(self, node: ast.AST) -> Scope:
        """The scope `node` is evaluated in (a def's own name and decorators included)."""
        return self.resolver.scope_of(node, self.file)

    def enclosing_statement(self, node: ast.AST) -> ast.stmt | None:
        while node is not None and not isinstance(node, ast.stmt):
            node = self.parent(node)
        return node

    def char_column(self, line: int, byte_column: int) -> int:
        """ast columns count UTF-8 bytes; libcst's count characters."""
        if self._line_bytes is None:
            self._line_bytes = [
                part.encode("utf-8") for part in re.split(r"\r\n|\r|\n", self.file.text)
            ]
        return len(self._line_bytes[line - 1][:byte_column].decode("utf-8", "replace"))

    def anchor(self, node: ast.AST) -> tuple[int, int]:
        """(line, character column) of the token libcst's applier anchors on."""
        if isinstance(node, ast.Attribute):
            byte_column = node.end_col_offset - len(node.attr.encode("utf-8"))
            return node.end_lineno, self.char_column(node.end_lineno, byte_column)
        if isinstance(node, ast.Assign):
            return self.anchor(node.targets[0])
        if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            return self.anchor(node.target)
        if isinstance(node, ast.Call):
            return self.anchor(node.func)
        return node.lineno, self.char_column(node.lineno, node.col_offset)

    def site(self, rule: str, node: ast.AST, node_type: str, fix, message: str, **extra) -> Site:
        line, column = self.anchor(node)
        statement = self.enclosing_statement(node)
        lines = {line}
        if statement is not None:
            lines.add(statement.lineno)
            if not hasattr(statement, "body"):  # a simple statement: its last line too
                lines.add(statement.end_lineno)
        extra.setdefault("from_evidence", self.evidence.vouches_for(node))
        return Site(rule, node_type, line, column, fix, message, lines=tuple(sorted(lines)),
                    statement=statement, **extra)

    def diagnostic(self, rule: str, node: ast.AST, message: str, advice: str, url=None) -> Diagnostic:
        line, column = node.lineno, self.char_column(node.lineno, node.col_offset)
        return Diagnostic(rule, line, column, message, advice, url)

    def left_alone(self, rule: str, node: ast.AST, why: str) -> Diagnostic:
        """A site a rule looked at and could not show to be an NNX object."""
        line, column = node.lineno, self.char_column(node.lineno, node.col_offset)
        return Diagnostic(rule, line, column, why, "run `nnx-migrate explain` on the line for the detail",
                          left_alone=True)

    def nnx_alias(self) -> str | None:
        """How this file spells `flax.nnx` at module level: an existing alias, or `nnx`
        with `from flax import nnx` added. None when `nnx` is taken by something else."""
        for statement in self.file.tree.body:
            if isinstance(statement, ast.ImportFrom) and statement.module == "flax" and not statement.level:
                for alias in statement.names:
                    if alias.name == "nnx":
                        return alias.asname or "nnx"
            elif isinstance(statement, ast.Import):
                for alias in statement.names:
                    if alias.name == "flax.nnx" and alias.asname:
                        return alias.asname
                    if alias.name in ("flax", "flax.nnx") and not alias.asname:
                        return "flax.nnx"
        module_bindings = self.resolver.module_scope(self.file).bindings
        for local, target in self.file.imports.items():
            # `try: from flax import nnx` / `except ImportError: nnx = None` (or the old path)
            bindings = module_bindings.get(local, ())
            if target == flax_api.NNX and Bare(IMPORT) in bindings and all(map(binds_an_import_or_none, bindings)):
                return local
        if "nnx" in module_bindings:
            return None
        self.required_imports.add(("flax", "nnx"))
        return "nnx"

    def class_info(self, node: ast.ClassDef) -> ClassInfo | None:
        return self.index.class_of_node(node)


class Rule:
    """A rewrite rule. Subclasses set the class attributes and implement `analyze`.

    The module docstring of a rule's module is its documentation page: it must have the
    sections "What it does", "Why", "Example", "Use instead" and "When the fix is unsafe".
    """

    name: ClassVar[str]  # kebab-case, as used by --select / --ignore
    summary: ClassVar[str]  # one line
    needed_from: ClassVar[str]  # the flax version from which the old form warns or breaks
    safety: ClassVar[str]  # "safe", or "safe; some fixes need --unsafe-fixes"
    documentation: ClassVar[str]

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        raise NotImplementedError

    def prepare(self, index: ProjectIndex, resolver: Resolver, settings: Settings) -> None:
        """Compute project-wide facts once, before files are rewritten (in parallel)."""

    def names_needed_project_wide(self, index: ProjectIndex) -> set[str]:
        """Names whose every mention the rule must see, even in files that never say
        flax or nnx (a caller of a constructor it changes). Those files are parsed too."""
        return set()


def version_at_least(context: FileContext, version: str) -> bool:
    return context.target >= flax_api.parse_version(version)


def iter_attributes(context: FileContext, names: set[str]) -> Iterator[Visit]:
    nodes = context.file.nodes(ast.Attribute)
    context.resolver.scanned += len(nodes)
    for node in nodes:
        if node.attr in names:
            yield Visit(node, context)

