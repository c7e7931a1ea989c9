"""The type evaluator: what an expression is. See docs/inference.md for the map."""
