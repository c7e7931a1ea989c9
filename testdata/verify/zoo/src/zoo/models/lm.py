"""A language model in the style of real model zoos: a frozen config dataclass with only
required fields, built by named factories that take arguments; sharding specs; calls
with segment ids, an attention mask and a cache."""

import dataclasses

import jax
import jax.numpy as jnp
from flax import nnx
from jax.sharding import PartitionSpec


@dataclasses.dataclass(frozen=True)
class ShardConfig:
    embed: PartitionSpec | None
    activation: PartitionSpec | None

    @classmethod
    def default(cls, use_fsdp: bool) -> "ShardConfig":
        spec = PartitionSpec("fsdp") if use_fsdp else None
        return cls(embed=spec, activation=spec)


@dataclasses.dataclass(frozen=True)
class LMConfig:
    vocab_size: int
    hidden_size: int
    num_layers: int
    num_heads: int
    head_dim: int
    rms_eps: float
    shd: ShardConfig

    @classmethod
    def lm_1b(cls, use_fsdp: bool) -> "LMConfig":
        return cls(vocab_size=1024, hidden_size=64, num_layers=4, num_heads=4, head_dim=16, rms_eps=1e-6,
                   shd=ShardConfig.default(use_fsdp))


class RMSNorm(nnx.Module):
    def __init__(self, dim: int, eps: float, rngs: nnx.Rngs):
        self.scale = nnx.Param(nnx.initializers.ones_init()(rngs.params(), (dim,)))
        self.eps = eps

    def __call__(self, x):
        return x * jax.lax.rsqrt(jnp.mean(x * x, axis=-1, keepdims=True) + self.eps) * self.scale.value


class Attention(nnx.Module):
    def __init__(self, cfg: LMConfig, rngs: nnx.Rngs):
        self.cfg = cfg
        self.qkv = nnx.Linear(cfg.hidden_size, 3 * cfg.num_heads * cfg.head_dim, use_bias=False, rngs=rngs)
        self.out = nnx.Linear(cfg.num_heads * cfg.head_dim, cfg.hidden_size, use_bias=False, rngs=rngs)

    def __call__(self, x, segment_ids, attn_mask, cache=None):
        b, t, _ = x.shape
        q, k, v = jnp.split(self.qkv(x).reshape(b, t, 3 * self.cfg.num_heads, self.cfg.head_dim), 3, axis=2)
        if attn_mask is None:
            causal = jnp.tril(jnp.ones((t, t), bool))
            attn_mask = (segment_ids[:, :, None] == segment_ids[:, None, :]) & causal
        logits = jnp.einsum("bthd,bshd->bhts", q, k) / jnp.sqrt(self.cfg.head_dim)
        logits = jnp.where(attn_mask[:, None], logits, -1e9)
        y = jnp.einsum("bhts,bshd->bthd", jax.nn.softmax(logits, axis=-1), v)
        return self.out(y.reshape(b, t, -1))


class LM(nnx.Module):
    def __init__(self, cfg: LMConfig, rngs: nnx.Rngs):
        self.embed = nnx.Embed(cfg.vocab_size, cfg.hidden_size, rngs=rngs)
        self.layers = nnx.List([Attention(cfg, rngs) for _ in range(cfg.num_layers)])
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_eps, rngs)

    def __call__(self, tokens, segment_ids, cache):
        x = self.embed(tokens)
        for layer in self.layers:
            x = x + layer(x, segment_ids, None)
        return self.embed.attend(self.norm(x))
