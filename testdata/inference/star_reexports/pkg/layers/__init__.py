from .dense import *  # noqa: F403

__all__ = ["Dense", "Hidden"]
