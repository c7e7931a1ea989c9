"""A small model zoo in flax 0.10/0.11 idioms, for the verifier's tests."""
