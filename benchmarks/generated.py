"""Generated NNX files of several shapes and sizes, for measuring how cost grows.

    from generated import SHAPES, generate, write_few_nnx_tree
    text = generate("classes", 10_000)        # about 10,000 lines of that shape

Shapes (each a repetition of one unit until the file has the lines asked for):

- `classes`: many small Module classes, each with Params and Variables read and written
  through `.value`, a list and a dict of Modules, a list grown by `append`, an
  `isinstance(self.layers, list)` check, a `None` attribute that is elsewhere a Param,
  a Module built from the previous class, and a function outside the class using it;
  every fifth class takes `rngs` positionally (a keyword-only-rngs signature, called
  from the next class).
- `functions`: many top-level functions building and reading Variables and Modules.
- `long_function`: one function whose body is the whole file (a long training script
  in one `def`): names rebound over and over, `.value` reads, lists of Modules.
- `nested`: one function holding blocks nested 12 deep (if / for / with / try / while /
  closures), reading names bound at every level.

`with_syntax_error(text)` puts a syntax error on the last line. `write_few_nnx_tree`
writes a repository in which few files are NNX code (the rest never mention it).
"""

from __future__ import annotations

import re
from pathlib import Path

HEADER = '''import jax
import jax.numpy as jnp
from flax import nnx


'''

SHAPES = ("classes", "functions", "long_function", "nested")


def _class_unit(i: int) -> str:
    previous = f"Block{i - 1}(4, rngs=rngs)" if i % 5 != 1 else f"Block{i - 1}(4, rngs)"
    inner = previous if i else "nnx.Linear(4, 4, rngs=rngs)"
    rngs = "rngs" if i % 5 == 0 else "*, rngs: nnx.Rngs"
    return f'''class Block{i}(nnx.Module):
    def __init__(self, din: int, {rngs}):
        self.linear = nnx.Linear(din, 4, rngs=rngs)
        self.layers = [nnx.Linear(4, 4, rngs=rngs) for _ in range(2)]
        self.heads = {{"a": nnx.Linear(4, 2, rngs=rngs), "b": nnx.Linear(4, 2, rngs=rngs)}}
        self.extra = []
        self.extra.append(nnx.Linear(4, 4, rngs=rngs))
        self.inner = {inner}
        self.count = nnx.Variable(jnp.zeros(()))
        self.scale = nnx.Param(jnp.ones((4,)))
        self.bias = None
        if din > 2:
            self.bias = nnx.Param(jnp.zeros((4,)))

    def __call__(self, x):
        self.count.value += 1
        y = self.linear(x) * self.scale.value
        if isinstance(self.layers, list):
            for layer in self.layers:
                y = layer(y)
        for head in self.heads.values():
            y = y + head(y).sum()
        return self.inner(y) + self.extra[0](y)

    def reset(self):
        self.scale.value = jnp.ones((4,))
        return self.count.value


def use_block{i}(model: Block{i}, x):
    total = len(model.layers) + len(model.extra)
    return model(x) * total + model.scale.value.sum()


'''


def _function_unit(i: int) -> str:
    return f'''def step{i}(model, x, rngs: nnx.Rngs):
    layer = nnx.Linear(4, 4, rngs=rngs)
    weight = nnx.Param(jnp.ones((4, 4)))
    stat = nnx.BatchStat(jnp.zeros((4,)))
    layers = [nnx.Linear(4, 4, rngs=rngs) for _ in range(3)]
    y = layer(x) @ weight.value
    for other in layers:
        y = other(y) + other.kernel.value.sum()
    stat.value = stat.value + y.mean()
    state = nnx.state(layer)
    if isinstance(weight, nnx.Param):
        weight.value = weight.value * 2
    return y, stat.value, state


'''


def _long_unit(i: int) -> str:
    return f'''    layer = nnx.Linear(4, 4, rngs=rngs)
    weight = nnx.Param(jnp.ones((4, 4)))
    y = layer(x) @ weight.value
    stack = [nnx.Linear(4, 4, rngs=rngs) for _ in range(2)]
    for block in stack:
        y = block(y) + block.kernel.value.sum()
    if y.sum() > {i}:
        weight = nnx.BatchStat(jnp.zeros((4, 4)))
    total{i} = weight.value.sum() + y.mean()
    weight.value = weight.value + total{i}
    x = y
'''


def _nested_unit(i: int) -> str:
    return f'''    p{i} = nnx.Param(jnp.ones((4,)))
    if flag:
        a{i} = p{i}.value
        for j in range(3):
            b{i} = nnx.Variable(a{i} + j)
            with jax.named_scope("s"):
                c{i} = b{i}.value * p{i}.value
                try:
                    while c{i}.sum() > 0:
                        def inner{i}(z):
                            d = nnx.Param(z)
                            if z is not None:
                                for k in range(2):
                                    e = d.value + p{i}.value
                                    if k:
                                        with jax.named_scope("t"):
                                            q = nnx.Linear(4, 4, rngs=rngs)
                                            if e.sum() > 0:
                                                e = q(e) + q.kernel.value.sum()
                                                d.value = e
                                return d.value
                        c{i} = inner{i}(c{i}) - b{i}.value
                        break
                except ValueError:
                    b{i}.value = c{i}
    x = x + p{i}.value
'''


_UNITS = {"classes": _class_unit, "functions": _function_unit, "long_function": _long_unit, "nested": _nested_unit}
_OPENERS = {
    "long_function": "def train(x, rngs: nnx.Rngs):\n",
    "nested": "def nested(x, flag, rngs: nnx.Rngs):\n",
}
_CLOSERS = {"long_function": "    return x\n", "nested": "    return x\n"}


def generate(shape: str, lines: int) -> str:
    """A file of about `lines` lines (at least one unit) of the given shape."""
    unit = _UNITS[shape]
    parts = [HEADER, _OPENERS.get(shape, "")]
    count = HEADER.count("\n") + parts[1].count("\n")
    i = 0
    while count < lines or i == 0:
        text = unit(i)
        parts.append(text)
        count += text.count("\n")
        i += 1
    parts.append(_CLOSERS.get(shape, ""))
    return "".join(parts)


def with_syntax_error(text: str) -> str:
    """`text` with a line that does not parse at its end."""
    return text + "def broken(:\n"


def _plain_unit(i: int) -> str:
    """Code that never mentions flax: a class and functions with common names."""
    return f'''class Helper{i}:
    def __init__(self, size, values=None):
        self.size = size
        self.values = list(values or [])
        self.layers = []

    def add(self, item):
        self.layers.append(item)
        return len(self.layers)

    @property
    def value(self):
        return sum(self.values) / max(1, self.size)


def compute_{i}(items, scale=1.0):
    total = 0.0
    for index, item in enumerate(items):
        if isinstance(item, (int, float)):
            total += item * scale
        elif isinstance(item, list):
            total += compute_{i}(item, scale / 2)
    return {{"total": total, "count": len(items)}}


'''


# the plain unit's words that the NNX classes of `generate("classes")` also bind
_SHARED_WORDS = re.compile(r"\b(size|values|layers|value|scale|total|count)\b")


def write_few_nnx_tree(root: Path, plain_files: int = 1000, nnx_files: int = 24,
                       plain_lines: int = 120, nnx_lines: int = 200, shared_names: bool = True) -> tuple[int, int]:
    """A package under `root`: `plain_files` modules that never mention flax and
    `nnx_files` NNX modules of the `classes` shape. Returns (lines of plain code, lines
    of NNX code). Without `shared_names`, the plain modules name no attribute the NNX
    classes bind (such a module may store one, so it is parsed)."""
    package = root / "project"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    plain = nnx = 0
    for n in range(plain_files):
        folder = package / f"util{n // 100}"
        folder.mkdir(exist_ok=True)
        (folder / "__init__.py").write_text("")
        parts, count, i = ["import math\nimport os\n\n\n"], 4, 0
        while count < plain_lines:
            unit = _plain_unit(i) if shared_names else _SHARED_WORDS.sub(r"plain_\1", _plain_unit(i))
            parts.append(unit)
            count += unit.count("\n")
            i += 1
        (folder / f"helpers{n}.py").write_text("".join(parts))
        plain += count
    models = package / "models"
    models.mkdir(exist_ok=True)
    (models / "__init__.py").write_text("")
    for n in range(nnx_files):
        text = generate("classes", nnx_lines)
        (models / f"model{n}.py").write_text(text)
        nnx += text.count("\n")
    return plain, nnx
