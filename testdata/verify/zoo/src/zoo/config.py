import dataclasses
import typing


@dataclasses.dataclass
class TransformerConfig:
    vocab_size: int = 32000
    hidden_size: int = 768
    num_heads: int = 12
    head_dim: int = 64
    num_layers: int = 12
    activation: str = "gelu"
    dropout_rate: float = 0.0

    @classmethod
    def tiny(cls) -> "TransformerConfig":
        return cls(vocab_size=50, hidden_size=16, num_heads=2, head_dim=8, num_layers=1)


class ConvSpec(typing.NamedTuple):
    channels: int
    kernel_size: tuple[int, int] = (3, 3)


class MLPSettings:
    def __init__(self, width: int = 1024, depth: int = 8, scale: float = 0.5):
        self.width, self.depth, self.scale = width, depth, scale
