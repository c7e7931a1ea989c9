import jax.numpy as jnp
from flax import nnx

from casebook.config import ModelConfig, Norm
from casebook.layers import Residual


class Block(nnx.Module):
    def __init__(self, cfg: ModelConfig, rngs: nnx.Rngs):
        self.up = nnx.Linear(cfg.width, 2 * cfg.width, rngs=rngs)
        self.down = nnx.Linear(2 * cfg.width, cfg.width, rngs=rngs)
        self.drop = nnx.Dropout(cfg.dropout, rngs=rngs)
        make_norm = nnx.RMSNorm if cfg.norm is Norm.RMS else nnx.LayerNorm
        self.norm = make_norm(cfg.width, rngs=rngs)

    def __call__(self, x):
        return x + self.drop(self.down(nnx.gelu(self.up(self.norm(x)))))


class LM(nnx.Module):
    """Tokens below the config's vocabulary, a stack of blocks, a BatchNorm'd head."""

    def __init__(self, cfg: ModelConfig, rngs: nnx.Rngs):
        self.embed = nnx.Embed(cfg.vocab_size, cfg.width, rngs=rngs)
        self.blocks = [Block(cfg, rngs=rngs) for _ in range(cfg.depth)]
        self.mix = Residual(Block(cfg, rngs=rngs), cfg.width, rngs=rngs)
        self.head_norm = nnx.BatchNorm(cfg.width, rngs=rngs)
        self.head = nnx.Linear(cfg.width, cfg.vocab_size, rngs=rngs)
        self.temperature = nnx.Variable(jnp.asarray(1.0))

    def __call__(self, tokens, *, deterministic: bool = False):
        x = self.embed(tokens)
        for block in self.blocks:
            x = block(x)
        x = self.mix(x)
        x = self.head_norm(x, use_running_average=deterministic)
        return self.head(x) / self.temperature.value
