from flax import nnx

from blocks import Dense, ResidualBlock

from .layers import Scale


class MLP(nnx.Module):
    def __init__(self, din: int, dhidden: int, dout: int, rngs: nnx.Rngs):
        self.dense1 = Dense(din, dhidden, rngs)
        self.norm = nnx.BatchNorm(dhidden, rngs=rngs)
        self.blocks = [ResidualBlock(dhidden, 2, rngs) for _ in range(2)]
        self.scale = Scale(dhidden)
        self.dense2 = Dense(dhidden, dout, rngs)

    def __call__(self, x):
        x = nnx.relu(self.norm(self.dense1(x)))
        for block in self.blocks:
            x = block(x)
        return self.dense2(self.scale(x))


def describe(model: MLP) -> str:
    shape = model.dense1.w.value.shape
    dense = [m for _, m in model.iter_modules() if isinstance(m, Dense)]
    calls = sum(int(m.calls.value) for m in dense)
    return f"dense1 {shape[0]}x{shape[1]}, {len(dense)} Dense layers, {calls} calls"
