# flax 0.12.1-0.12.3's mode functions (removed in 0.12.4): eval_mode / train_mode become
# nnx.view calls with the attributes they set; set_mode_info becomes view_info.
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(4, 4, rngs=rngs)
        self.dropout = nnx.Dropout(0.5, rngs=rngs)
        self.norm = nnx.BatchNorm(4, rngs=rngs)

    def __call__(self, x):
        return self.dropout(self.norm(self.linear(x)))


model = Block(rngs=nnx.Rngs(0))
evaluated = nnx.eval_mode(model)
trained = nnx.train_mode(evaluated)
only_dropout = nnx.eval_mode(model, only=nnx.Dropout)
dropout_free = nnx.Sequential(nnx.Linear(4, 4, rngs=nnx.Rngs(1)))
print(nnx.eval_mode(dropout_free)(jnp.ones((2, 4))).shape)  # no Dropout or BatchNorm: no error
print(evaluated.dropout.deterministic, evaluated.norm.use_running_average)
print(trained.dropout.deterministic, trained.norm.use_running_average)
print(only_dropout.dropout.deterministic, only_dropout.norm.use_running_average)
print(jnp.sum(evaluated(jnp.ones((2, 4)))))
print("Dropout" in nnx.set_mode_info(model))
