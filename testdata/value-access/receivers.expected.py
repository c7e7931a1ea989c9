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
    print(block.gain[...], p.get_value(), v[...])
    print(block.linear.kernel[...], block.norm.mean[...])
    print(rngs.params.key[...], rngs.default.count[...])


def walk(model: Model):
    for block in model.blocks:
        print(block.gain[...])
    for i, block in enumerate(model.blocks):
        print(i, block.norm.var[...])
    print(model.blocks[0].linear.bias[...])


def states(model: Model):
    state = nnx.state(model)
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    print(state['head']['gain'].get_value(), params.head.gain.get_value())
    print(rest['head']['norm']['mean'].get_value())


model = Model(nnx.Rngs(0))
print(model.head.linear.kernel.shape)


def generic(tree):
    leaves = [x.get_value() for x in tree if isinstance(x, nnx.Variable)]
    mapped = jax.tree.map(lambda x: x.get_value() if isinstance(x, nnx.Param) else x, tree)
    for node in tree:
        if isinstance(node, nnx.BatchStat) and node.get_value() is not None:
            node.set_value(None)
        if isinstance(node, int):
            print(node.value)
    return leaves, mapped


def keys(streams):
    for key in streams:
        if isinstance(key, nnx.RngStream):
            key = key.key[...]
    return streams


def stats(leaves):
    return [v.get_value() for v in leaves if isinstance(v, (nnx.BatchStat, nnx.Param))]
