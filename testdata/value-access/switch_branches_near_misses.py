"""Look-alikes of switch_branches.py: branches held by a name, a branch also called
directly, a branch that takes other parameters than the operands."""
import jax.numpy as jnp
from flax import nnx


def branches_by_name(index):
    def count(x):
        x.value += 1  # `branches` may be changed before the call

    x = nnx.Variable(jnp.array(0))
    branches = [count]
    nnx.switch(index, branches, x)


def branch_called_directly(index):
    def count(x):
        x.value += 1  # `count(3)` below: x may be anything

    x = nnx.Variable(jnp.array(0))
    nnx.switch(index, (count,), x)
    count(3)


def other_parameters(index):
    def count(x, y):
        x.value += 1  # two parameters, one operand

    x = nnx.Variable(jnp.array(0))
    nnx.switch(index, (count,), x)
