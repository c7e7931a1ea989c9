"""Property-based tests: arbitrary valid Python (hypothesmith, generated from the
grammar) and generated NNX-flavoured programs. The tool never crashes, leaves code
without NNX byte-identical, always produces code that parses, and is idempotent."""

from __future__ import annotations

import ast
import subprocess
import sys
import tempfile
from pathlib import Path

import hypothesmith
from hypothesis import given
from hypothesis import strategies as st

from nnx_migrate.config import Settings
from nnx_migrate.pipeline import run

PREFIX = "from flax import nnx\n"


def migrate_text(text: str, name: str = "case.py") -> tuple[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(text.encode("utf-8"))
        result = run([Path(folder)], Settings(), Path(folder), write=True)
        return path.read_bytes().decode("utf-8"), result


@given(st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node()))
def test_arbitrary_python(source: str) -> None:
    """Rules run on it (the flax import defeats the text check); without NNX objects
    nothing can be shown to be one, so the file comes back byte-identical."""
    text = PREFIX + source
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return  # hypothesmith can emit what CPython 3.11 rejects; not our input
    migrated, result = migrate_text(text)
    assert not [f for f in result.failed if "internal error" in (f.error or "")], [f.error for f in result.failed]
    if result.failed or "nnx" not in source:
        assert migrated == text
    ast.parse(migrated)
    again, _ = migrate_text(migrated)
    assert again == migrated


# -- generated NNX-flavoured programs ------------------------------------------------------

INITIALIZERS = st.sampled_from(["jnp.zeros(({d},))", "jnp.ones(({d}, {d}))", "jax.random.normal(rngs.params(), ({d},))", "0", "None"])
READS = st.sampled_from(["self.v{i}.value", "self.v{i}.value.shape", "self.v{i}.raw_value"])
WRITES = st.sampled_from(["self.v{i}.value = self.v{i}.value", "self.v{i}.value += 1", "self.v{i}.value *= 2"])


@st.composite
def nnx_program(draw) -> str:
    d = draw(st.integers(1, 4))
    variables = draw(st.lists(INITIALIZERS, min_size=1, max_size=4))
    depth = draw(st.integers(0, 3))
    container = draw(st.sampled_from(["list", "comprehension", "append", "dict", "none"]))
    rngs_first = draw(st.booleans())
    lines = [
        "import jax", "import jax.numpy as jnp", "from flax import nnx", "", "",
        "class Leaf(nnx.Module):",
        f"    def __init__(self, {'rngs: nnx.Rngs, dim: int = 2' if rngs_first else 'dim: int, rngs: nnx.Rngs'}):",
    ]
    for i, init in enumerate(variables):
        kind = "Variable" if init in ("0", "None") else "Param"
        lines.append(f"        self.v{i} = nnx.{kind}({init.format(d=d)})")
    lines += ["", "    def __call__(self, x):"]
    for i, init in enumerate(variables):
        if init in ("0", "None"):
            lines.append(f"        _ = self.v{i}.value")
            continue
        lines.append(f"        _ = {draw(READS).format(i=i)}")
        lines.append(f"        {draw(WRITES).format(i=i)}")
    lines += ["        return x", "", ""]
    make = "Leaf(rngs, 2)" if rngs_first else "Leaf(2, rngs)"
    lines += ["class Model(nnx.Module):", "    def __init__(self, rngs: nnx.Rngs):"]
    if container == "list":
        lines.append(f"        self.leaves = [{', '.join([make] * depth)}]")
    elif container == "comprehension":
        lines.append(f"        self.leaves = [{make} for _ in range({depth})]")
    elif container == "append":
        lines += ["        self.leaves = []", f"        for _ in range({depth}):", f"            self.leaves.append({make})"]
    elif container == "dict":
        lines.append("        self.leaves = {" + ", ".join(f"'l{k}': {make}" for k in range(depth)) + "}")
    else:
        lines.append(f"        self.leaves = {make}")
    leaves = {"dict": "self.leaves.values()", "none": "[self.leaves]"}.get(container, "self.leaves")
    lines += ["", "    def __call__(self, x):", f"        for leaf in {leaves}:", "            x = leaf(x)", "        return x",
              "", "    def walk(self):", "        return [p for p, _ in self.iter_modules()]", "", "",
              "def build():", "    model = Model(nnx.Rngs(0))", "    model(jnp.ones(2))", "    model.walk()",
              "    return model", ""]
    return "\n".join(lines)


@given(st.lists(nnx_program(), min_size=1, max_size=8))
def test_generated_nnx_programs_migrate_to_code_that_runs_on_flax_012(programs: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for number, program in enumerate(programs):
            (root / f"case_{number}.py").write_text(program)
        first = run([root], Settings(), root, write=True)
        assert not first.failed, [f.error for f in first.failed]
        migrated = {p.name: p.read_text() for p in root.glob("case_*.py")}
        for text in migrated.values():
            ast.parse(text)
        second = run([root], Settings(), root, write=True)
        assert not second.changed
        # every migrated program imports and builds under flax 0.12.8, in one process
        check = (
            "import importlib, sys, warnings\n"
            "warnings.simplefilter('error', DeprecationWarning)\n"
            f"sys.path.insert(0, {str(root)!r})\n"
            f"for n in range({len(programs)}):\n"
            "    importlib.import_module(f'case_{n}').build()\n"
            "print('ok')\n"
        )
        completed = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=600)
        assert completed.stdout.strip() == "ok", completed.stderr[-3000:] + "\n" + "\n\n".join(migrated.values())
