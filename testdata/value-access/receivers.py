import jax
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 3, rngs=rngs)
        self.norm = nnx.BatchNorm(3, rngs=rngs)
        self.gain = nnx.Param(jnp.ones((3,)))


class Model(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.blocks = [Block(rngs) for _ in range(2)]
        self.head = Block(rngs)


def scale(block: Block, p: nnx.Param, rngs: nnx.Rngs):
    v = nnx.Variable(jnp.zeros(3))
    print(block.gain.value, p.value, v.value)
    print(block.linear.kernel.value, block.norm.mean.value)
    print(rngs.params.key.value, rngs.default.count.value)


def walk(model: Model):
    for block in model.blocks:
        print(block.gain.value)
    for i, block in enumerate(model.blocks):
        print(i, block.norm.var.value)
    print(model.blocks[0].linear.bias.value)


def states(model: Model):
    state = nnx.state(model)
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    print(state['head']['gain'].value, params.head.gain.value)
    print(rest['head']['norm']['mean'].value)


model = Model(nnx.Rngs(0))
print(model.head.linear.kernel.value.shape)


def generic(tree):
    leaves = [x.value for x in tree if isinstance(x, nnx.Variable)]
    mapped = jax.tree.map(lambda x: x.value if isinstance(x, nnx.Param) else x, tree)
    for node in tree:
        if isinstance(node, nnx.BatchStat) and node.value is not None:
            node.value = None
        if isinstance(node, int):
            print(node.value)
    return leaves, mapped


def keys(streams):
    for key in streams:
        if isinstance(key, nnx.RngStream):
            key = key.key.value
    return streams


def stats(leaves):
    return [v.value for v in leaves if isinstance(v, (nnx.BatchStat, nnx.Param))]
