from flax import nnx


class X(nnx.Module):
    def __init__(self, din, dout):
        self.din, self.dout = din, dout


class B(X):
    pass


class C(nnx.Module):
    def __init__(self, din, *, rngs):
        self.din = din


class A(B, C):  # Python's MRO runs X.__init__, which takes no rngs
    pass


a = A(1, 2)
c = C(1, rngs=nnx.Rngs(0))
