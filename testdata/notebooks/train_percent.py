# ---
# jupyter:
#   jupytext:
#     text_representation:
#       format_name: percent
# ---

# %%
# !pip install -U flax
# %matplotlib inline
import jax.numpy as jnp
from flax import nnx

# %% [markdown]
# A model built for flax 0.10: `.value` here is prose.

# %%
class MLP(nnx.Module):
    def __init__(self, dim: int, rngs: nnx.Rngs):
        self.layers = [nnx.Linear(dim, dim, rngs=rngs)]
        self.scale = nnx.Param(jnp.ones((dim,)))

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x * self.scale.value

# %%
# %time model = MLP(4, nnx.Rngs(0))
print(model.scale.value)

# %%
%%time
y = model(jnp.ones((1, 4)))
!echo done
