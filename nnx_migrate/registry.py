"""Every rule nnx-migrate knows, in the order they run."""

from __future__ import annotations

from nnx_migrate import rulenames
from nnx_migrate.codemods.deprecated_patterns import DeprecatedPatterns
from nnx_migrate.codemods.eager_sharding import EagerSharding
from nnx_migrate.codemods.introspection import IntrospectionFunctions
from nnx_migrate.codemods.keyword_only_rngs import KeywordOnlyRngs
from nnx_migrate.codemods.layer_subclass_attributes import LayerSubclassAttributes
from nnx_migrate.codemods.module_containers import ModuleContainers
from nnx_migrate.codemods.optimizer_api import OptimizerApi
from nnx_migrate.codemods.renamed_api import RenamedApi
from nnx_migrate.codemods.renamed_attributes import RenamedAttributes
from nnx_migrate.codemods.rngs_fork_split import RngsForkSplit
from nnx_migrate.codemods.sharding_constraint import ShardingConstraint
from nnx_migrate.codemods.sharding_metadata import ShardingMetadata
from nnx_migrate.codemods.state_methods import StateMethods
from nnx_migrate.codemods.value_access import ValueAccess
from nnx_migrate.codemods.variable_metadata import VariableMetadata
from nnx_migrate.config import Settings
from nnx_migrate.rule import Rule

RULES: list[type[Rule]] = [
    # the four the project was asked for
    ValueAccess,
    ModuleContainers,
    KeywordOnlyRngs,
    IntrospectionFunctions,
    # the rest of what flax 0.10 -> 0.12 broke or deprecated
    OptimizerApi,
    StateMethods,
    RenamedApi,
    RenamedAttributes,
    RngsForkSplit,
    ShardingMetadata,
    ShardingConstraint,
    EagerSharding,
    VariableMetadata,
    LayerSubclassAttributes,
    DeprecatedPatterns,
]
RULE_NAMES = list(rulenames.RULE_NAMES)
if [rule.name for rule in RULES] != RULE_NAMES:  # pragma: no cover - caught by any test run
    raise ImportError("nnx_migrate/rulenames.py is out of date with registry.RULES")


def rule_by_name(name: str) -> type[Rule] | None:
    return next((rule for rule in RULES if rule.name == name), None)


def selected_rules(settings: Settings) -> list[Rule]:
    chosen = settings.select if settings.select is not None else RULE_NAMES
    return [rule() for rule in RULES if rule.name in chosen and rule.name not in settings.ignore]
