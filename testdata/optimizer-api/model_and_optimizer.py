# Near-miss: nnx.ModelAndOptimizer (flax 0.11+) keeps `update(grads)` and `.model`: nothing
# to rewrite and nothing to report, also through a parameter every caller fills with one.
import optax
from flax import nnx


def train_step(model, opt, grads):
    opt.update(grads)


model = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
optimizer = nnx.ModelAndOptimizer(model, optax.sgd(0.1))
optimizer.update(nnx.grad(lambda m: (m.kernel[...] ** 2).sum())(model))
print(optimizer.model)
train_step(model, optimizer, None)


def mixed_step(model, opt, grads):
    opt.update(grads)  # reported: one caller passes an Optimizer, one a ModelAndOptimizer


mixed_step(model, optimizer, None)
mixed_step(model, nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param), None)
