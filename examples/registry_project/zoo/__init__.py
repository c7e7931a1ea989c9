"""A model zoo in the flax 0.11 style whose layers come from a registry: see ../README.md."""
