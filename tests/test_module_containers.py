"""module-containers: fixture pairs, idempotence, cross-file element types, reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures import (
    assert_tree_fixture,
    fixture_tests,
    migrate_copy,
    single_file_cases,
    tree_cases,
)

RULE = "module-containers"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


@pytest.mark.parametrize("case", tree_cases(RULE), ids=lambda p: p.name)
def test_tree_fixture(case: Path, tmp_path: Path) -> None:
    assert_tree_fixture(case, tmp_path, RULE)


def test_module_walks_are_reported_where_containers_were_wrapped(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.stem == "walks")
    _, result = migrate_copy(case, tmp_path, RULE)
    (diagnostic,) = [d for f in result.files for d in f.diagnostics]
    assert diagnostic.line == 9 and "iter_modules" in diagnostic.message


def test_nested_containers_and_old_targets_are_reported(tmp_path: Path) -> None:
    source = tmp_path / "nested.py"
    source.write_text(
        "from flax import nnx\n\n\nclass M(nnx.Module):\n    def __init__(self, rngs: nnx.Rngs):\n"
        "        self.grid = [[nnx.Linear(2, 2, rngs=rngs)] for _ in range(2)]\n"
        "        self.flat = [nnx.Linear(2, 2, rngs=rngs)]\n"
    )
    (tmp_path / "out").mkdir()
    out, result = migrate_copy(source, tmp_path / "out", RULE)
    assert "self.grid = [[" in out.read_text() and "nnx.List([nnx.Linear" in out.read_text()
    assert [d.line for f in result.files for d in f.diagnostics] == [6]
    (tmp_path / "old").mkdir()
    from fixtures import case_settings
    out, result = migrate_copy(source, tmp_path / "old", RULE, case_settings("# nnx-migrate-test: --target-version 0.10", RULE))
    assert out.read_text() == source.read_text()
    assert sorted(d.line for f in result.files for d in f.diagnostics) == [6, 7]


RUN_BOTH = """
import importlib.util, sys, warnings
from flax import nnx

def load(path):
    spec = importlib.util.spec_from_file_location("case", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

original, migrated = load(sys.argv[1]), load(sys.argv[2])
try:
    original.Model(3, nnx.Rngs(0))
    print("original built")
except ValueError as error:
    print("original failed:", str(error).splitlines()[0][:60])
model = migrated.Model(3, nnx.Rngs(0))
paths = sorted(str(p) for p, _ in nnx.to_flat_state(nnx.state(model, nnx.Param)))
print("\\n".join(paths))
"""


def test_migrated_containers_build_on_flax_0_12_with_the_same_paths(tmp_path: Path) -> None:
    import subprocess
    import sys

    case = next(c for c in CASES if c.stem == "lists")
    script = tmp_path / "run.py"
    script.write_text(RUN_BOTH)
    result = subprocess.run(
        [sys.executable, str(script), str(case), str(case.with_name("lists.expected.py"))],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("original failed:")  # plain lists of Modules break on 0.12
    assert "('blocks', 0, 'linear', 'kernel')" in lines
    assert "('layers', 2, 'linear', 'bias')" in lines
    assert "('params', 0)" in lines and "('pair', 1, 'kernel')" in lines


def _old_flax_python() -> str:
    from nnx_migrate.verify.envs import BaselineError, baseline_python

    try:
        return str(baseline_python("0.11.2"))
    except BaselineError as error:
        pytest.skip(f"no flax 0.11.2 environment: {error}")


def test_factories_run_on_the_old_flax_and_migrated_on_the_new_with_deprecations_as_errors(tmp_path: Path) -> None:
    """factories.py (a `*bijections: Bijection` tuple, `tuple(layers)` of a list built by
    appends, `self.blocks.append(block())` with `block: type[nnx.Module]` or
    `Callable[..., Bijection]`): the original runs on flax 0.11.2 and raises on 0.12.8;
    the migrated file runs on 0.12.8 with DeprecationWarnings as errors, with the same
    parameter paths and values."""
    import math
    import subprocess
    import sys

    case = next(c for c in CASES if c.stem == "factories")
    old_python = _old_flax_python()
    out, result = migrate_copy(case, tmp_path, RULE)
    assert out.read_text() == case.with_name("factories.expected.py").read_text()

    def run(python: str, path: Path, *flags: str) -> subprocess.CompletedProcess:
        return subprocess.run([python, *flags, str(path)], capture_output=True, text=True, timeout=300)

    before = run(old_python, case, "-W", "ignore")
    assert before.returncode == 0, before.stderr[-2000:]
    broken = run(sys.executable, case)
    assert broken.returncode != 0 and "static attribute" in broken.stderr
    after = run(sys.executable, out, "-W", "error::DeprecationWarning")
    assert after.returncode == 0, after.stderr[-2000:]
    old_lines, new_lines = before.stdout.splitlines(), after.stdout.splitlines()
    assert len(old_lines) == len(new_lines) == 10
    for old, new in zip(old_lines, new_lines):
        old_path, _, old_value = old.rpartition(" ")
        new_path, _, new_value = new.rpartition(" ")
        assert old_path == new_path
        assert math.isclose(float(old_value), float(new_value), rel_tol=1e-6, abs_tol=1e-6), (old, new)


def test_containers_of_unknown_elements_are_left_alone_and_reported(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.stem == "factories")
    _, result = migrate_copy(case, tmp_path, RULE)
    left = [(d.line, d.message) for f in result.files for d in f.left_alone]
    assert left == [(50, "`self.blocks` (a list/tuple, element `block()`) left alone: "
                         "a parameter with no annotation and no caller"),
                    (59, "`self.blocks` (a list/tuple, element `block()`) left alone: "
                         "a name whose bindings are not shown to be Modules, Variables or arrays")]
    assert not [d for f in result.files for d in f.diagnostics]  # `*names: str`, `Sequence[int]`: plain


PYTREE_STATE = """
import importlib.util, sys
import jax, jax.numpy as jnp
from flax import nnx

spec = importlib.util.spec_from_file_location("case", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = module.Scale((2,), nnx.Rngs(0))
module.NearMisses(nnx.Rngs(0))
for path, leaf in sorted(nnx.to_flat_state(nnx.state(model)), key=lambda item: str(item[0])):
    print(path, jnp.asarray(getattr(leaf, "value", leaf)).tolist())  # 0.11: arrays, 0.12: Variables
grads = nnx.grad(lambda m: m(jnp.ones(2)).sum())(model)
print(jax.tree.leaves(grads))
"""


def test_pytree_holders_keep_their_state_on_flax_0_12(tmp_path: Path) -> None:
    """pytrees.py: a `struct.dataclass`, a `struct.PyTreeNode` and a NamedTuple holding
    Params, assigned on a Module. On flax 0.11.2 each is walked (its Params are state);
    the original raises on 0.12.8 ("Found data on value ... assigned to static
    attribute"); the migrated file (`nnx.data(...)`) runs there with the same state
    paths, values and gradients."""
    import subprocess
    import sys

    case = next(c for c in CASES if c.stem == "pytrees")
    old_python = _old_flax_python()
    out, _ = migrate_copy(case, tmp_path, RULE)
    script = tmp_path / "state.py"
    script.write_text(PYTREE_STATE)

    def run(python: str, path: Path) -> subprocess.CompletedProcess:
        return subprocess.run([python, "-W", "ignore", str(script), str(path)], capture_output=True, text=True,
                              timeout=300)

    before = run(old_python, case)
    assert before.returncode == 0, before.stderr[-2000:]
    broken = run(sys.executable, case)
    assert broken.returncode != 0 and "assigned to static attribute 'scale'" in broken.stderr
    after = run(sys.executable, out)
    assert after.returncode == 0, after.stderr[-2000:]
    assert after.stdout == before.stdout
    assert "('scale', 'param')" in after.stdout and "('pair', 'right')" in after.stdout
    assert "('tagged', 'weight')" in after.stdout and "table" not in after.stdout
