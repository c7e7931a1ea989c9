from flax import nnx


class Attention(nnx.Module):
    def __init__(
        self,
        num_heads: int,
        features: int,  # model width
        rngs: nnx.Rngs,
        *,
        dropout: float = 0.0,
    ):
        self.proj = nnx.Linear(features, features, rngs=rngs)


def make(rngs):
    return Attention(
        8,
        64,
        rngs,  # the streams
        dropout=0.1,
    )
