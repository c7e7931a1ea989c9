from flax import nnx

from .layers import Dense, Scale


class MLP(nnx.Module):
    def __init__(self, din: int, dhidden: int, dout: int, rngs: nnx.Rngs):
        self.dense1 = Dense(din, dhidden, rngs)
        self.norm = nnx.BatchNorm(dhidden, rngs=rngs)
        self.scale = Scale(dhidden)
        self.dense2 = Dense(dhidden, dout, rngs)

    def __call__(self, x):
        x = nnx.relu(self.norm(self.dense1(x)))
        return self.dense2(self.scale(x))


def describe(model: MLP) -> str:
    shape = model.dense1.w.value.shape
    return f"dense1 {shape[0]}x{shape[1]}, {model.dense1.calls.value} calls"
