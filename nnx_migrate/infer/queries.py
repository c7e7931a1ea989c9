"""The composed questions rules ask of the engine, written once (as ruff's
`analyze/typing.rs`): functions of types and tables, no evaluator state."""

from __future__ import annotations

from nnx_migrate.resolve import ARRAY, RNGS, InstanceT, VariableT, as_container


def classify_elements(types: list, index) -> str:
    """'wrap' when some element is data, 'nested' for containers of data, else 'plain'."""
    if any((c := as_container(t)) is not None and is_data(c.element, index) for t in types):
        return "nested"
    return "wrap" if any(is_data(t, index) for t in types) else "plain"


def is_data(t, index) -> bool:
    """What flax 0.12 treats as data: Variables, arrays, Rngs, Modules/Pytrees."""
    if isinstance(t, VariableT) or t in (ARRAY, RNGS):
        return True
    return isinstance(t, InstanceT) and index.is_nnx_class(t.cls)
