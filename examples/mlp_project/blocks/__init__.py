from .dense import CallCount, Dense
from .residual import ResidualBlock

__all__ = ["CallCount", "Dense", "ResidualBlock"]
