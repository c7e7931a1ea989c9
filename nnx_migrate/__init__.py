"""nnx-migrate: move flax NNX code from flax 0.10/0.11 idioms to flax 0.12."""

__version__ = "0.1.0"
