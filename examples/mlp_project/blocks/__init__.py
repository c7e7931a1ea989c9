from .residual import ResidualBlock

__all__ = ["ResidualBlock"]
