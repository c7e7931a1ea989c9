import jax.numpy as jnp
from flax import nnx

from zoo.config import TransformerConfig


class Block(nnx.Module):
    def __init__(self, cfg: TransformerConfig, rngs: nnx.Rngs):
        self.attn = nnx.MultiHeadAttention(cfg.num_heads, cfg.hidden_size, qkv_features=cfg.num_heads * cfg.head_dim,
                                           decode=False, rngs=rngs)
        self.norm = nnx.LayerNorm(cfg.hidden_size, rngs=rngs)
        self.mlp = nnx.Linear(cfg.hidden_size, cfg.hidden_size, rngs=rngs)
        self.dropout = nnx.Dropout(cfg.dropout_rate, rngs=rngs)

    def __call__(self, x, mask=None, *, deterministic: bool = True):
        x = x + self.attn(self.norm(x), mask=mask, deterministic=deterministic)
        return x + self.dropout(nnx.gelu(self.mlp(x)), deterministic=deterministic)


class Transformer(nnx.Module):
    """A config dataclass with a factory; integer token inputs for the embedding."""

    def __init__(self, cfg: TransformerConfig, rngs: nnx.Rngs):
        self.embed = nnx.Embed(cfg.vocab_size, cfg.hidden_size, rngs=rngs)
        self.blocks = nnx.List([Block(cfg, rngs) for _ in range(cfg.num_layers)])
        self.scale = nnx.Param(jnp.ones((cfg.hidden_size,)))

    def __call__(self, tokens, *, deterministic: bool = True):
        x = self.embed(tokens)
        for block in self.blocks:
            x = block(x, deterministic=deterministic)
        return x * self.scale.value

    def count(self):
        return sum(1 for _ in self.iter_modules())
