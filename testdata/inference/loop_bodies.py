# The carry of nnx.fori_loop / nnx.while_loop bodies: init's type (rebuilt: arrays and Python
# scalars are traced), at each position the body is shown to give back.
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 2, rngs=rngs)
        self.scale = nnx.Param(jnp.ones((2,)))


def fori(rngs: nnx.Rngs):
    def body(i, carry):
        carry  # revealed: tuple[loop_bodies.Block, Array]
        m, x = carry
        m  # revealed: loop_bodies.Block
        m.scale  # revealed: nnx.Param[array]
        i  # revealed: unknown
        return m, x

    nnx.fori_loop(0, 3, body, (Block(rngs=rngs), jnp.ones((2,))))


def fori_new_value(rngs: nnx.Rngs):
    def body(i, carry):
        m, x, c = carry
        m  # revealed: loop_bodies.Block
        x  # revealed: unknown
        c  # revealed: unknown
        return m, m(x), c - 1.0  # the array is another, of a type not shown; the float is traced

    nnx.fori_loop(0, 3, body, (Block(rngs=rngs), jnp.ones((2,)), 3.0))


def while_loop(rngs: nnx.Rngs):
    def cond(carry):
        m, _, c = carry
        m  # revealed: loop_bodies.Block
        return c > 0

    def body(carry):
        m, (w,), c = carry
        m.linear.kernel  # revealed: nnx.Param[array]
        w  # revealed: nnx.BatchStat[array]
        return m, (w,), c - 1

    nnx.while_loop(cond, body, (Block(rngs=rngs), (nnx.BatchStat(jnp.ones(3)),), 3))


def whole_carry(rngs: nnx.Rngs):
    def body(i, block):
        block  # revealed: loop_bodies.Block
        return block

    nnx.fori_loop(0, 3, body, Block(rngs=rngs))


def rebound(rngs: nnx.Rngs):
    def body(i, carry):
        m, x = carry
        m  # revealed: loop_bodies.Block
        carry = (m, x)
        return carry

    nnx.fori_loop(0, 3, body, (Block(rngs=rngs), jnp.ones((2,))))


def second_caller(rngs: nnx.Rngs, other):
    def body(i, carry):
        m, x = carry
        m  # revealed: unknown
        return m, x

    nnx.fori_loop(0, 3, body, (Block(rngs=rngs), jnp.ones((2,))))
    body(0, other)


def two_loops(rngs: nnx.Rngs, other):
    def body(i, carry):
        m, x = carry
        m  # revealed: unknown
        return m, x

    nnx.fori_loop(0, 3, body, (Block(rngs=rngs), jnp.ones((2,))))
    nnx.fori_loop(0, 3, body, other)


def changes_type(rngs: nnx.Rngs):
    def body(i, carry):
        m, x = carry
        m  # revealed: unknown
        return nnx.Linear(2, 2, rngs=nnx.Rngs(0)), x

    nnx.fori_loop(0, 3, body, (Block(rngs=rngs), jnp.ones((2,))))


def swaps(rngs: nnx.Rngs):
    def body(i, carry):
        m, n = carry
        m  # revealed: unknown
        return n, m

    nnx.fori_loop(0, 3, body, (Block(rngs=rngs), nnx.Linear(2, 2, rngs=rngs)))


def reassigned(rngs: nnx.Rngs, flag):
    def body(i, carry):
        m, x = carry
        if flag:
            m = x
        m  # revealed: unknown
        return m, x

    nnx.fori_loop(0, 3, body, (Block(rngs=rngs), jnp.ones((2,))))


def other_return(rngs: nnx.Rngs, flag):
    def body(i, carry):
        m, x = carry
        m  # revealed: unknown
        if flag:
            return carry
        return x, m

    nnx.fori_loop(0, 3, body, (Block(rngs=rngs), jnp.ones((2,))))


def decorated(rngs: nnx.Rngs):
    @nnx.jit
    def body(i, carry):
        m, x = carry
        m  # revealed: unknown
        return m, x

    nnx.fori_loop(0, 3, body, (Block(rngs=rngs), jnp.ones((2,))))


def not_a_loop(rngs: nnx.Rngs, run):
    def body(i, carry):
        m, x = carry
        m  # revealed: unknown
        return m, x

    run(0, 3, body, (Block(rngs=rngs), jnp.ones((2,))))


def jax_loop(rngs: nnx.Rngs):
    import jax

    def body(i, carry):  # jax.lax.fori_loop: a Module is no pytree on flax 0.10 / 0.11
        m, x = carry
        m  # revealed: unknown
        return m, x

    jax.lax.fori_loop(0, 3, body, (Block(rngs=rngs), jnp.ones((2,))))


def keyword_init(rngs: nnx.Rngs):
    def body(i, carry):
        m, x = carry
        m  # revealed: unknown
        return m, x

    nnx.fori_loop(0, 3, body, init_val=(Block(rngs=rngs), jnp.ones((2,))))


def cond_with_lambda_body(rngs: nnx.Rngs):
    def cond(carry):
        m, c = carry
        m  # revealed: unknown
        return c > 0

    nnx.while_loop(cond, lambda carry: (carry[0], carry[1] - 1), (Block(rngs=rngs), 3))


def as_body_and_cond(rngs: nnx.Rngs):
    def both(carry):  # near-miss: named twice
        carry  # revealed: unknown
        return carry

    nnx.while_loop(both, both, Block(rngs=rngs))


def generator_body(rngs: nnx.Rngs):
    def body(i, carry):
        carry  # revealed: unknown
        yield carry

    nnx.fori_loop(0, 3, body, Block(rngs=rngs))


def module_level_body(i, carry):  # may be imported and called from outside the scanned paths
    m, x = carry
    m  # revealed: unknown
    return m, x


def uses_module_level_body(rngs: nnx.Rngs):
    nnx.fori_loop(0, 3, module_level_body, (Block(rngs=rngs), jnp.ones((2,))))


def module_level_whole(i, block):
    block  # revealed: nnx.Module
    return block


def uses_module_level_whole(rngs: nnx.Rngs):
    nnx.fori_loop(0, 3, module_level_whole, Block(rngs=rngs))


def test_cond_branches(flag):
    # nnx.cond merges the operands' graph nodes back and calls the branch with them
    def even(x, scale):
        x  # revealed: nnx.Variable[array]
        scale  # revealed: unknown
        x.value = x // 2

    def odd(x, scale):
        x  # revealed: nnx.Variable[array]
        x.value = 3 * x + 1

    def elsewhere(x):  # near-miss: also called directly
        x  # revealed: unknown

    def other(x):
        x  # revealed: nnx.Variable[array]

    def extra(x, y):  # near-miss: the operands are not the parameters
        x  # revealed: unknown

    x = nnx.Variable(jnp.array(8))
    nnx.cond(flag, even, odd, x, "scale")
    nnx.cond(flag, elsewhere, other, x)
    nnx.cond(flag, extra, lambda x: x, x)
    elsewhere(3)


def test_switch_branches(index, more):
    # nnx.switch does the same for each branch of its tuple or list literal
    def first(x, scale):
        x  # revealed: nnx.Variable[array]
        x.value = x // 2

    def second(x, scale):
        x  # revealed: nnx.Variable[array]

    def listed(x):
        x  # revealed: nnx.Variable[array]

    def named(x):  # near-miss: the branches are a name, which may be changed before the call
        x  # revealed: unknown

    def unpacked(x):  # near-miss: more branches unpacked into the literal
        x  # revealed: unknown

    x = nnx.Variable(jnp.array(8))
    nnx.switch(index, (first, second), x, "scale")
    nnx.switch(index, [listed, lambda x: x], x)
    branches = [named]
    nnx.switch(index, branches, x)
    nnx.switch(index, [unpacked, *more], x)
