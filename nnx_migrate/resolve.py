"""Answers "what is this expression?" for the rules: a Variable (holding an array or
not), an instance of a Module or other class, an Rngs, an RngStream, an nnx.State, an
array, a container of one of those, or unknown.

Types come only from evidence: constructors resolved through imports to flax or to the
project's own classes, annotations, flax's documented return types, and the bindings
the index collected. Every binding of a name (or attribute) must agree, or the type is
unknown: unknown is never rewritten.


The engine lives in nnx_migrate/infer/ (one module per question, see docs/inference.md);
this module keeps the names rules, tests and benchmarks import from it."""

from __future__ import annotations

from nnx_migrate.infer.types import AbstractT, MERGE_CONTEXT, SPLIT_CONTEXT, _abstract, ANY_MODULE, ARRAY, BUILTIN_VALUE, ClassT, ContainerT, FLAT_STATE, FunctionT, GRAPH_ELEMENT, GradientT, GraphDefT, IN_PLACE_METHODS, InstanceT, NONE, RNGS, RNG_STREAM, STATE, Simple, SplitT, STATE_OWN_ATTRIBUTES, StateT, TupleT, Type, VariableT, is_state, state_item, _BUILTIN_VALUE_TYPES, _at, _flax_entry_type, _short, as_container, join, join_or_unknown, reveal  # noqa: F401
from nnx_migrate.infer.engine import AnalysisBudgetExceeded, MAX_EVALUATION_DEPTH, MIN_STEPS_PER_FILE, STEPS_PER_FILE_NODE, _Frame, _MISSING, _enclosing_function_name  # noqa: F401
from nnx_migrate.infer.syntax import _argument_for, _enclosing_def, _parameters, is_super_call  # noqa: F401
from nnx_migrate.infer.names import _decorators_keep_calls  # noqa: F401
from nnx_migrate.infer.scopes import SCOPE_NODES, Scope, _BINDING_NODES, _COMPREHENSIONS, binds_an_import_or_none  # noqa: F401
from nnx_migrate.infer.classes import _SEEN_THROUGH_BASES  # noqa: F401
from nnx_migrate.infer.dynamic import _constant_string, _forwards_own_store, _in_flax_package  # noqa: F401
from nnx_migrate.infer.array_writes import _arithmetic_on  # noqa: F401
from nnx_migrate.infer.expressions import _ADDING_METHODS, _ARRAY_ANNOTATIONS, _CONTAINER_ANNOTATIONS, _MAPPING_ANNOTATIONS, _is_ellipsis, _is_number, _union_members  # noqa: F401
from nnx_migrate.infer.calls import _ARRAY_METHODS, _CAST_FUNCTIONS, _init_call_value, _keyword  # noqa: F401
from nnx_migrate.infer.summaries import _TYPE_PRESERVING_DECORATORS, _default_for  # noqa: F401
from nnx_migrate.infer.callers import _plain_arguments  # noqa: F401
from nnx_migrate.infer.attributes import _only_when_not_a_variable  # noqa: F401
from nnx_migrate.infer.dynamic import _GRAPH_BASES, _may_name  # noqa: F401
from nnx_migrate.infer.resolver import Resolver  # noqa: F401
