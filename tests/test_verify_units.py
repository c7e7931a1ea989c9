"""The verifier's parts that run no model: import roots as Python finds them, verdicts
relative to each array's scale, the baseline pin table, and the automatic builder's
choices (run in this interpreter's flax)."""

from __future__ import annotations

import ast
import dataclasses
import os
import shutil
import subprocess
import sys
import typing
from pathlib import Path

import numpy as np
import pytest

from nnx_migrate.verify import roots
from nnx_migrate.verify.compare import DEFAULT_ATOL, DEFAULT_RTOL, compare
from nnx_migrate.verify.envs import JAX_FOR_FLAX, pin_for, requirements_for

ZOO = Path(__file__).resolve().parent.parent / "testdata" / "verify" / "zoo"


# -- import roots ---------------------------------------------------------------------

def test_src_layout_from_the_package_folder() -> None:
    layout = roots.layout(ZOO / "src" / "zoo")
    assert layout.roots == [(ZOO / "src").resolve()]
    assert layout.module_for(ZOO / "src" / "zoo" / "models" / "layers.py") == "zoo.models.layers"
    assert layout.module_for(ZOO / "src" / "zoo" / "__init__.py") == "zoo"


def test_a_package_subfolder_and_the_repository_root_give_the_same_names() -> None:
    sub = roots.layout(ZOO / "src" / "zoo" / "models")
    top = roots.layout(ZOO)
    file = ZOO / "src" / "zoo" / "models" / "transformer.py"
    assert sub.module_for(file) == top.module_for(file) == "zoo.models.transformer"
    assert (ZOO / "src").resolve() in sub.roots and ZOO.resolve() in top.extra_roots


def test_namespace_package_under_a_declared_root(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.setuptools]\npackage-dir = {"" = "lib"}\n')
    (tmp_path / "lib" / "ns" / "inner").mkdir(parents=True)  # no __init__.py anywhere
    (tmp_path / "lib" / "ns" / "inner" / "layer.py").write_text("x = 1\n")
    layout = roots.layout(tmp_path / "lib" / "ns")
    assert layout.module_for(tmp_path / "lib" / "ns" / "inner" / "layer.py") == "ns.inner.layer"
    assert layout.roots == [(tmp_path / "lib").resolve()]


def test_original_roots_line_up_with_the_migrated_ones(tmp_path: Path) -> None:
    for side in ("before", "after"):
        shutil.copytree(ZOO, tmp_path / side)
    layout = roots.layout(tmp_path / "after" / "src" / "zoo")
    new, old = roots.search_paths(layout, tmp_path / "before" / "src" / "zoo", tmp_path / "work")
    assert new[0] == (tmp_path / "after" / "src").resolve()
    assert old[0] == (tmp_path / "before" / "src").resolve()
    assert len(new) == len(old)


def test_an_original_under_another_name_is_mirrored(tmp_path: Path) -> None:
    """`--original /elsewhere/models_before` for `src/zoo/models`: the original side sees
    the same module names (`zoo.models.layers`) with the original's files."""
    shutil.copytree(ZOO, tmp_path / "after")
    shutil.copytree(ZOO / "src" / "zoo" / "models", tmp_path / "models_before")
    (tmp_path / "models_before" / "marker.py").write_text("ORIGINAL = True\n")
    layout = roots.layout(tmp_path / "after" / "src" / "zoo" / "models")
    _, old = roots.search_paths(layout, tmp_path / "models_before", tmp_path / "work")
    mirror = old[0]
    assert (mirror / "zoo" / "models" / "marker.py").read_text() == "ORIGINAL = True\n"
    assert (mirror / "zoo" / "config.py").exists()  # the rest of the package is there too


# -- verdicts -------------------------------------------------------------------------

def _judge(original: dict, migrated: dict, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL):
    return compare("case", "grads", original, migrated, rtol, atol)


def test_a_near_zero_element_of_a_large_gradient_passes() -> None:
    """Element-wise relative error fails this; the array's scale does not."""
    original = np.array([2.0, -1.5, 3e-6], dtype=np.float32)
    migrated = original.copy()
    migrated[2] = 0.0  # 3e-6 absolute: rounding at the array's scale, 100% element-wise
    result = _judge({"w": original}, {"w": migrated})
    assert result.passed, result.problems
    assert result.max_rel == pytest.approx(3e-6 / 2.0, rel=1e-3)


def test_an_array_that_is_only_rounding_passes_beside_large_ones() -> None:
    """The gradient of a bias before a BatchNorm: mathematically zero, 2.3e-5 of noise on
    one side where the other gradients reach 20 (measured on the example project)."""
    result = _judge({"b": np.array([2.29e-5, 0.0]), "w": np.array([19.9, -3.0])},
                    {"b": np.array([0.0, 0.0]), "w": np.array([19.9, -3.0])})
    assert result.passed, result.problems


def test_a_tenth_of_a_percent_change_fails_by_name() -> None:
    original = np.linspace(-1, 1, 50, dtype=np.float32)
    result = _judge({"out": original, "other": original}, {"out": original * 1.001, "other": original})
    assert not result.passed
    assert len(result.problems) == 1 and result.problems[0].startswith("out: differs by")


def test_one_environment_is_exact() -> None:
    original = np.array([1.0, 2.0], dtype=np.float32)
    nudged = np.nextafter(original, np.float32(3))
    assert not _judge({"w": original}, {"w": nudged}, rtol=0.0, atol=0.0).passed
    assert _judge({"w": original}, {"w": original.copy()}, rtol=0.0, atol=0.0).passed


def test_nan_in_one_side_only_fails() -> None:
    assert not _judge({"w": np.array([np.nan, 1.0])}, {"w": np.array([0.0, 1.0])}).passed
    assert _judge({"w": np.array([np.nan, 1.0])}, {"w": np.array([np.nan, 1.0])}).passed


def test_integers_are_exact_and_only_floats_set_a_parts_scale() -> None:
    """RNG key data (uint32, ~4e9) beside a float kernel: a 0.1% change of the kernel is
    not hidden under the keys' magnitude, and a different key or count is a difference."""
    original = {"rngs/key": np.array([4_000_000_000, 7], np.uint32), "kernel": np.linspace(-1, 1, 8)}
    changed = {"rngs/key": np.array([4_000_000_000, 8], np.uint32), "kernel": original["kernel"] * 1.001}
    result = _judge(original, changed)
    assert "rngs/key: values differ (1 of 2 elements)" in result.problems
    assert any(p.startswith("kernel: differs by") for p in result.problems), result.problems


def test_a_migrated_side_that_raises_where_the_other_ran_is_a_failed_migration() -> None:
    """Not "not run": the other side built and ran the case. What the recording names and
    this tree lacks is not run, with why; a DeprecationWarning raised as an error is left
    to the deprecation report."""
    from nnx_migrate.verify.driver import Side, _compare_sides

    ok = {"status": "ok"}
    old = Side("recorded", "py", [], cases={"built": ok, "renamed": ok, "strict": ok, "guess": {
        "status": "error", "error": "cannot choose a value"}})
    new = Side("migrated", "py", [], cases={
        "built": {"status": "error", "error": "ValueError: An auto mesh context or metadata is required"},
        "renamed": {"status": "error", "stage": "rebuild", "error": "m.Mixer is missing on this side"},
        "strict": {"status": "error", "error": "DeprecationWarning: x", "deprecation_error": "m.py:3: x"},
        "guess": {"status": "error", "error": "cannot choose a value"}})
    not_run: dict[str, str] = {}
    results = _compare_sides(old, new, 0.0, 0.0, not_run)
    assert [(c.case, c.part) for c in results] == [("built", "runs")]
    assert results[0].problems == ["the recorded side ran, the migrated side raised ValueError: An auto mesh "
                                   "context or metadata is required"]
    assert not_run == {"renamed": "cannot be rebuilt from its recording: m.Mixer is missing on this side",
                       "guess": "recorded: cannot choose a value"}


def test_a_case_with_nothing_to_compare_is_said_not_left_out_in_silence() -> None:
    """Built on both sides, no array held and no call made (an abstract base without
    `__call__`): listed as not run with why, beside a case that was compared."""
    from nnx_migrate.verify.driver import Side, _compare_sides

    ok = {"status": "ok"}
    old = Side("original", "py", [], cases={"m.Empty": ok, "m.Full": ok})
    new = Side("migrated", "py", [], cases={"m.Empty": ok, "m.Full": ok})
    old.arrays = {"m.Full/init/w": np.ones(2)}
    new.arrays = {"m.Full/init/w": np.ones(2)}
    not_run: dict[str, str] = {}
    results = _compare_sides(old, new, 0.0, 0.0, not_run)
    assert [(c.case, c.part, c.passed) for c in results] == [("m.Full", "init", True)]
    assert list(not_run) == ["m.Empty"] and not_run["m.Empty"].startswith(
        "built on both sides, but there is nothing to compare: it holds no array")
    quiet: dict[str, str] = {}
    _compare_sides(old, new, 0.0, 0.0, quiet, report_empty=False)  # the same-environment pass says it once
    assert quiet == {}


# -- baseline pins --------------------------------------------------------------------

def test_pins_pair_each_flax_with_a_jax_and_the_cuda_build_for_gpus() -> None:
    assert requirements_for("0.11.2") == ["flax==0.11.2", "jax==0.7.1", "jaxlib==0.7.1"]
    assert requirements_for("0.12.10", device="gpu")[:2] == ["flax==0.12.10", "jax[cuda12]==0.11.2"]
    assert requirements_for("0.12.8", ("optax==0.2.6",))[-1] == "optax==0.2.6"
    assert pin_for("0.12.9") == ("0.11.1", (3, 12)) and pin_for("0.10.4")[0] == "0.6.2"
    assert pin_for("0.99.0") is None and requirements_for("0.99.0") == ["flax==0.99.0"]


PYTHONS = ("3.11", "3.12", "3.13")
THIS_PYTHON = "%d.%d" % sys.version_info[:2]


@pytest.mark.parametrize("python", PYTHONS)
def test_every_pin_resolves_on_each_python(python: str, tmp_path: Path) -> None:
    """Each pinned pair, and its CUDA build, resolves from the package index on the
    Pythons it supports (the flax 0.12.9+ rows need 3.12+ and must not resolve on 3.11).
    A resolve takes ~10 s on 3.12+ here: other Pythons than this one, and the CUDA builds,
    only with NNX_MIGRATE_ALL_PYTHONS=1 (see docs/verify.md)."""
    everything = bool(os.environ.get("NNX_MIGRATE_ALL_PYTHONS"))
    if python != THIS_PYTHON and not everything:
        pytest.skip(f"Python {python}: set NNX_MIGRATE_ALL_PYTHONS=1 to resolve the pins there too")
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    for first, _last, jax, oldest in JAX_FOR_FLAX:
        for device in (None, "gpu") if everything else (None,):
            requirements = tmp_path / "requirements.in"
            requirements.write_text("\n".join(requirements_for(first, device=device)) + "\n")
            result = subprocess.run(
                [uv, "pip", "compile", "-q", "--no-header", "--python-version", python,
                 "--python-platform", "x86_64-manylinux_2_28", str(requirements)],
                capture_output=True, text=True, timeout=300,
            )
            supported = tuple(int(p) for p in python.split(".")) >= oldest
            if "Failed to fetch" in result.stderr or "dns error" in result.stderr:
                pytest.skip(f"no package index: {result.stderr.strip()[-200:]}")
            assert (result.returncode == 0) == supported, (first, device, result.stderr[-500:])
            if supported:
                assert f"jax=={jax}" in result.stdout.replace("jax[cuda12]", "jax"), (first, result.stdout)


# -- the automatic builder ------------------------------------------------------------

def _autocase():
    from nnx_migrate.verify import autocase
    return autocase


@dataclasses.dataclass
class _Config:
    hidden_size: int = 768
    num_heads: int = 12
    mode: str = "fast"


class _Settings(typing.NamedTuple):
    width: int
    depth: int = 24


def test_config_fields_are_shrunk_by_name_and_choices_come_from_the_class() -> None:
    import jax
    from flax import nnx

    class Attention(nnx.Module):
        def __init__(self, cfg: _Config, settings: _Settings, kind: str, *, rngs: nnx.Rngs):
            assert kind in ("rope", "alibi")
            self.q = nnx.Linear(cfg.hidden_size, cfg.num_heads * 4, rngs=rngs)
            self.depth = settings.depth

        def __call__(self, x, mask=None, *, deterministic: bool, rngs: nnx.Rngs | None = None):
            assert mask is None and rngs is not None and deterministic is False
            return self.q(x)

    case = _autocase().build(nnx, jax, Attention)
    assert case.module.q.in_features == 8 and case.module.q.out_features == 2 * 4 and case.module.depth == 2
    assert "kind='rope'" in case.described and "float32[2, 8]" in case.described
    assert case.call_kwargs(True)["deterministic"] is False and case.call_kwargs(False)["deterministic"] is True


def test_what_cannot_be_built_gets_one_reason() -> None:
    import jax
    from flax import nnx

    class Einsum(nnx.Module):
        def __init__(self, einsum_str: str, *, rngs: nnx.Rngs):
            self.einsum_str = einsum_str

    with pytest.raises(_autocase().CannotBuild, match="parameter `einsum_str` of Einsum"):
        _autocase().build(nnx, jax, Einsum)


def test_an_unannotated_required_parameter_is_chosen_by_its_name() -> None:
    """Its annotation is `inspect.Parameter.empty`, a class: never a config to build."""
    import jax
    from flax import nnx

    class BlockGroup(nnx.Module):
        def __init__(self, blocks, dim, rngs):
            self.blocks = blocks
            self.linear = nnx.Linear(dim, dim, rngs=rngs)

        def __call__(self, x):
            return self.linear(x)

    case = _autocase().build(nnx, jax, BlockGroup)
    assert case.described.startswith("BlockGroup(blocks=2, dim=8, rngs=nnx.Rngs(0))") and case.module.blocks == 2


def test_reasons_end_at_a_sentence() -> None:
    message = "Found data on the attribute. " + "Consider one of these options: 1. Wrap it. " * 40
    text = _autocase().reason(ValueError(message), limit=200)
    assert text.startswith("ValueError: Found data") and text.endswith(".") and len(text) < 220
    assert not text.endswith("1.")


def test_low_precision_dtypes_become_float32_and_bfloat16_arrays_keep_their_name() -> None:
    """bfloat16 rounding would drown a 0.1% change: automatic cases build in float32; an
    array that stays bfloat16 is stored as float32 under a key naming its dtype."""
    import jax
    import jax.numpy as jnp
    from flax import nnx

    from nnx_migrate.verify import runner

    class Half(nnx.Module):
        def __init__(self, dim: int, *, dtype=jnp.bfloat16, rngs: nnx.Rngs):
            self.lin = nnx.Linear(dim, dim, dtype=dtype, param_dtype=dtype, rngs=rngs)

        def __call__(self, x):
            return self.lin(x)

    case = _autocase().build(nnx, jax, Half)
    assert case.module.lin.kernel[...].dtype == jnp.float32 and "dtype=float32" in case.described
    results: dict = {}
    runner._store(results, "c/init/k", jax, jnp.ones(2, jnp.bfloat16))
    assert list(results) == ["c/init/k@bfloat16"] and results["c/init/k@bfloat16"].dtype == np.float32


BASE_BEFORE = '''from flax import nnx


class Base(nnx.Module):
    def forward(self, x):
        y = self.fwd(x)
        return y * self.gain.value

    def fwd(self, x):
        raise NotImplementedError


class Untouched(nnx.Module):
    def describe(self):
        return "plain"


class Scale(Base):
    def __init__(self):
        self.gain = nnx.Param(2.0)

    def fwd(self, x):
        return x
'''


def _class_lines(tmp_path):
    from nnx_migrate.index import ProjectIndex
    from nnx_migrate.verify import coverage

    after = BASE_BEFORE.replace("self.gain.value", "self.gain[...]")
    path = tmp_path / "flows.py"
    path.write_text(after)
    index = ProjectIndex()
    file = index.add_file(path, after, ast.parse(after))
    return coverage, coverage.class_lines(index, [file], {id(file): "flows"}, {id(file): BASE_BEFORE}), str(path.resolve())


def test_a_base_is_checked_through_a_subclass_only_where_its_changed_lines_ran(tmp_path: Path) -> None:
    """Base's changed statement (line 7) must have run in a compared case of a subclass;
    a class with no subclass case, or whose changed line did not run, is not counted."""
    coverage, classes, path = _class_lines(tmp_path)
    assert classes["flows.Base"].changed == [(7, 7)] and classes["flows.Base"].methods == {"forward": (6, 7), "fwd": (10, 10)}
    assert classes["flows.Scale"].bases == {"flows.Base"} and not classes["flows.Untouched"].changed
    ran = {"flows.Scale [recorded 1]": {path: [6, 7, 23]}}
    found = coverage.through_subclass(classes, {"flows.Scale"}, ran)
    assert list(found) == ["flows.Base"] and "`forward` ran in flows.Scale [recorded 1]" in found["flows.Base"]
    assert "its 1 changed statement(s) ran" in found["flows.Base"]
    # the changed line did not run (the forward raised before it, say): not counted
    assert coverage.through_subclass(classes, {"flows.Scale"}, {"flows.Scale [recorded 1]": {path: [6, 23]}}) == {}
    # lines of Base that ran in a case of a class that is not its subclass: not counted
    assert coverage.through_subclass(classes, set(), {"flows.Untouched": {path: [6, 7]}}) == {}


def test_the_runner_records_the_lines_run_in_the_files_asked_for(tmp_path: Path) -> None:
    import importlib.util

    from nnx_migrate.verify import runner

    module_path = tmp_path / "traced_module.py"
    module_path.write_text("def f(x):\n    y = x + 1\n    return y\n")
    spec = importlib.util.spec_from_file_location("traced_module", module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    entry = {}
    with runner._LinesRan([str(module_path.resolve())], entry):
        module.f(1)
    assert entry["lines"] == {str(module_path.resolve()): [2, 3]}
    untraced = {}
    with runner._LinesRan([], untraced):
        module.f(1)
    assert "lines" not in untraced


def test_automatic_float_inputs_lie_in_minus_one_one_and_do_not_sum_to_zero() -> None:
    """A symmetric input makes the gradient of a shift or bias a sum that cancels to
    rounding (bijx's `Shift`: a false mismatch); the inputs stay in [-1, 1]."""
    import jax

    from nnx_migrate.verify import autocase

    for shape in ((2, 8), (4,), (2, 3, 5)):
        x = np.asarray(autocase._make_input(jax, shape, "float32", None, None))
        assert x.shape == shape and x.min() >= -1 and x.max() <= 1
        assert abs(x.sum()) > 0.05 * np.abs(x).sum()


def test_loading_state_keeps_a_numpy_int64_array_numpy() -> None:
    """A Variable holding a NumPy int64 array (bijx's `Const(orbits)`), set to the other
    side's values: it stays NumPy int64, as on the side that did not load (jnp.asarray
    would make it int32 with x64 off: a false mismatch)."""
    import jax
    from flax import nnx

    from nnx_migrate.verify import runner

    class Holder(nnx.Module):
        def __init__(self):
            self.orbits = nnx.Variable(np.arange(3, dtype=np.int64))

    holder = Holder()
    runner._load_values(nnx, jax, holder, {"orbits": np.array([2, 1, 0], dtype=np.int64)})
    value = runner._leaf_value(holder.orbits)
    assert isinstance(value, np.ndarray) and value.dtype == np.int64 and value.tolist() == [2, 1, 0]
