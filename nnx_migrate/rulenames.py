"""The rule names, without importing the rules (and libcst): what a warm, cached run and
option validation need. registry.py checks that it matches the rules themselves."""

RULE_NAMES = (
    "value-access",
    "module-containers",
    "keyword-only-rngs",
    "introspection-functions",
    "optimizer-api",
    "state-methods",
    "renamed-api",
    "renamed-attributes",
    "rngs-fork-split",
    "sharding-metadata",
    "sharding-constraint",
    "eager-sharding",
    "variable-metadata",
    "layer-subclass-attributes",
    "deprecated-patterns",
)
