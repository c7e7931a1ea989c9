"""What the rules find and the stages after them carry: a `Site` to rewrite, the `Edit`
it became, a `Diagnostic` for a person. A leaf module: rules, evidence, the rewrite stage,
reports, the cache and the workers all use these, and it imports none of them."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # libcst is imported only where files are rewritten
    import libcst as cst


@dataclass
class Site:
    """One rewrite: the libcst node of type `node_type` anchored at (line, column)."""

    rule: str
    node_type: str
    line: int
    column: int  # 0-based, in characters, like libcst's PositionProvider
    fix: Callable[[cst.CSTNode], cst.CSTNode]
    message: str
    safe: bool = True
    exact_write: bool = False  # a write kept as get/set_value where `[...]` is not proven safe
    lines: tuple[int, ...] = ()  # lines whose `# nnx-migrate: skip` suppresses this site
    announce: bool = False  # listed in the summary (e.g. a changed public signature)
    statement: ast.stmt | None = None  # the statement holding the site: what libcst parses
    from_evidence: bool = False  # shown by a traced run (`--evidence`), not by static inference

    def as_edit(self) -> Edit:
        return Edit(self.rule, self.line, self.column, self.message, self.safe, self.exact_write, self.announce,
                    from_evidence=self.from_evidence)


@dataclass(frozen=True)
class Edit:
    """A rewrite that was made: what reports, the cache and worker processes carry."""

    rule: str
    line: int
    column: int
    message: str
    safe: bool = True
    exact_write: bool = False
    announce: bool = False
    cell: int | None = None  # in a notebook: the cell (1-based, as ruff counts), `line` being inside it
    from_evidence: bool = False


@dataclass
class Diagnostic:
    """Something a person must look at: the tool did not (or could not) rewrite it."""

    rule: str
    line: int
    column: int
    message: str
    advice: str
    url: str | None = None
    cell: int | None = None  # in a notebook: the cell (1-based, as ruff counts), `line` being inside it
    # not an item to fix by hand but a site left alone for want of evidence, with why in
    # `message`: counted in the summary, listed with -v (`nnx-migrate explain` gives the detail)
    left_alone: bool = False
