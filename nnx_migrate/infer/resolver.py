"""`Resolver`: the one object rules ask "what is this expression?". It is composed of the
parts of the evaluator, one question each (see docs/inference.md for the map); the state
they share (memo, caches, step budget) is `engine.Engine`'s."""

from __future__ import annotations

from nnx_migrate.infer.engine import Engine
from nnx_migrate.infer.scopes import Scopes
from nnx_migrate.infer.names import Names
from nnx_migrate.infer.tables import Tables
from nnx_migrate.infer.classes import Classes
from nnx_migrate.infer.dynamic import Dynamic
from nnx_migrate.infer.array_writes import ArrayWrites
from nnx_migrate.infer.expressions import Expressions
from nnx_migrate.infer.calls import Calls
from nnx_migrate.infer.summaries import Summaries
from nnx_migrate.infer.callers import Callers
from nnx_migrate.infer.attributes import Attributes


class Resolver(Attributes, Callers, Summaries, Calls, Expressions, ArrayWrites, Dynamic, Classes, Tables, Names, Scopes, Engine):
    """Types expressions of one project. One instance is shared by all rules of a run.

    Every (expression, scope) is evaluated at most once: results are memoized, and an
    evaluation that meets itself (a recursive definition) gets "unknown" for the inner
    occurrence, so the cost of a file is linear in its size."""

    def prepare_project_tables(self) -> None:
        """Build the project-wide tables most files' questions reach (before worker processes
        fork, so that each inherits them instead of building its own)."""
        self.name_uses("")
        self._attribute_stores("")
        self._bindings_by_file()
        self.subclasses("")
        self.stored_by_name("")
        self.class_swapped("")
