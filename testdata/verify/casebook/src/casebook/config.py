import dataclasses
import enum


class Norm(enum.Enum):
    LAYER = "layer"
    RMS = "rms"


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Every field required: sizes that must agree with the data (the vocabulary of a tokenizer)."""

    vocab_size: int
    width: int
    depth: int
    heads: int
    norm: Norm = Norm.LAYER
    dropout: float = 0.0
