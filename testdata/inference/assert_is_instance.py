# `self.assertIsInstance(x, C)` in a test case returns only where x is a C (unittest's
# method raises otherwise): x is a C after it, as after `assert isinstance(x, C)`.
import unittest

from absl.testing import absltest
from flax import nnx


class Checks(absltest.TestCase):
    def test_narrows(self, x, y):
        self.assertIsInstance(x, nnx.Param)
        x  # revealed: nnx.Param
        self.assertIsInstance(y, (nnx.Param, nnx.BatchStat))
        y  # revealed: nnx.Variable

        def bwd(g):
            (m_g,), out_g = g
            self.assertIsInstance(m_g, nnx.State)
            m_g  # revealed: State

    def test_other_receiver(self, other):
        v = nnx.BatchStat(1)
        other.assertIsInstance(v, nnx.Param)
        v  # revealed: nnx.BatchStat


class OwnAssert(unittest.TestCase):
    def assertIsInstance(self, obj, cls, msg=None):
        pass  # does not raise

    def test_not_narrowed(self, x):
        self.assertIsInstance(x, nnx.Param)
        x  # revealed: unknown


class NotATestCase:
    def check(self, x):
        self.assertIsInstance(x, nnx.Param)
        x  # revealed: unknown
