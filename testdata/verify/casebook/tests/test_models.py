"""The project's own tests (plain unittest, so any environment runs them): each builds its
models the way the project does, which is what `trace --record-cases` records."""

import unittest

import jax
import jax.numpy as jnp
from flax import nnx

from casebook.config import ModelConfig, Norm
from casebook.layers import Mixer, Recurrent, Residual
from casebook.model import LM, Block

CONFIG = ModelConfig(vocab_size=50, width=16, depth=2, heads=2, norm=Norm.RMS, dropout=0.1)


def inputs(*shape):
    return jnp.linspace(-1.0, 1.0, int(jnp.prod(jnp.array(shape)))).reshape(shape)


class Models(unittest.TestCase):
    def test_language_model_in_train_and_eval_mode(self):
        model = LM(CONFIG, rngs=nnx.Rngs(0, dropout=1))
        tokens = (jnp.arange(12).reshape(2, 6) * 7) % CONFIG.vocab_size
        self.assertEqual(model(tokens).shape, (2, 6, 50))
        model.eval()
        self.assertEqual(model(tokens, deterministic=True).shape, (2, 6, 50))

    def test_mixer_from_an_equation(self):
        mixer = Mixer("btd,dhk->bthk", (16, 2, 8), rngs=nnx.Rngs(1))
        self.assertEqual(mixer(inputs(2, 3, 16)).shape, (2, 3, 2, 8))

    def test_residual_around_a_given_block(self):
        block = Block(ModelConfig(vocab_size=8, width=16, depth=1, heads=2), rngs=nnx.Rngs(2))
        residual = Residual(block, 16, rngs=nnx.Rngs(3))
        self.assertEqual(residual(inputs(2, 16)).shape, (2, 16))

    def test_recurrent_steps_carry_a_state(self):
        cell = Recurrent(8, rngs=nnx.Rngs(4))
        carry = jnp.zeros((2, 8))
        for step in range(3):
            carry, out = cell(carry, inputs(2, 8) * (step + 1))
        self.assertEqual(out.shape, (2, 8))

    def test_a_jitted_step_records_nothing_of_its_trace(self):
        block = Block(CONFIG, rngs=nnx.Rngs(5))

        @nnx.jit
        def loss(model, x):
            return jnp.mean(model(x) ** 2)

        self.assertTrue(jnp.isfinite(loss(block, inputs(2, 4, 16))))
        self.assertEqual(jax.tree_util.tree_leaves(nnx.state(block, nnx.Param))[0].dtype, jnp.float32)


if __name__ == "__main__":
    unittest.main()
