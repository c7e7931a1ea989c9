from .model import MLP

__all__ = ["MLP"]
