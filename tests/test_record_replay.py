"""`trace --record-cases` and `verify --cases`: the constructions and calls of a project's
own tests, recorded under flax 0.11.2 and replayed on the migrated code under this flax
(testdata/verify/casebook: a config dataclass, a submodule argument, an einsum equation, a
carry); the encoding of arguments round-trips in this interpreter."""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import os
import shutil
import subprocess
import sys
import threading
import types
import typing
from importlib.metadata import version
from pathlib import Path

import pytest

from nnx_migrate.config import Settings
from nnx_migrate.pipeline import run
from nnx_migrate.verify.envs import BaselineError, baseline_python

REPO = Path(__file__).resolve().parent.parent
CASEBOOK = REPO / "testdata" / "verify" / "casebook"
FLAX = version("flax")
CLASSES = {"casebook.layers.Mixer", "casebook.layers.Residual", "casebook.layers.Recurrent",
           "casebook.model.Block", "casebook.model.LM"}


def _cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nnx_migrate", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900, env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})})


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """The casebook's own tests run once under flax 0.11.2 with cases recorded."""
    project = tmp_path_factory.mktemp("recorded") / "casebook"
    shutil.copytree(CASEBOOK, project)
    (project / ".git").mkdir()
    try:
        old_python = baseline_python("0.11.2")
    except BaselineError as error:  # offline, nothing cached: nothing to record under
        pytest.skip(f"no flax 0.11.2 environment can be built here: {error}")
    traced = _cli("trace", "--record-cases", "--python", str(old_python), "--",
                  "-m", "unittest", "discover", "-s", "tests", "-t", ".", cwd=project,
                  env={"PYTHONPATH": str(project / "src")})
    assert traced.returncode == 0, traced.stderr[-3000:]
    return project, project / ".nnx-migrate-cases.npz", traced


def _migrated(tmp_path: Path) -> Path:
    migrated = tmp_path / "migrated"
    shutil.copytree(CASEBOOK, migrated)
    result = run([migrated / "src"], Settings(), tmp_path, write=True)
    assert len(result.changed) == 2 and not result.failed
    return migrated


def _report(result: subprocess.CompletedProcess, path: Path) -> dict:
    assert path.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(path.read_text())


def _classes(cases) -> set[str]:
    return {case.split(" [")[0] for case in cases}


def test_the_record_holds_what_the_tests_built(recorded) -> None:
    _, cases, traced = recorded
    assert "recorded 8 construction(s) of 5 class(es) and 12 call(s)" in traced.stderr
    import zipfile

    with zipfile.ZipFile(cases) as archive:
        document = json.loads(archive.read("cases.json"))
    assert document["environments"][0]["flax"] == "0.11.2"
    records = list(document["records"].values())
    mixer = next(r for r in records if r["class"] == "casebook.layers:Mixer")
    assert mixer["args"] == ["btd,dhk->bthk", {"tuple": [16, 2, 8]}] and mixer["site"].startswith("tests/test_models.py:")
    lm = next(r for r in records if r["class"] == "casebook.model:LM")
    config = lm["args"][0]
    assert config["dataclass"] == "casebook.config:ModelConfig" and config["fields"]["norm"] == {
        "enum": "casebook.config:Norm", "name": "RMS"}
    assert set(lm["kwargs"]["rngs"]["rngs"]) == {"default", "dropout"}
    # the second call ran after model.eval(): its flags and keyword flag are recorded
    assert lm["calls"][1]["kwargs"] == {"deterministic": True}
    assert lm["calls"][1]["flags"]["blocks/0/drop"]["deterministic"] is True
    residual = next(r for r in records if r["class"] == "casebook.layers:Residual" and "test_models" in r["site"])
    inner = document["records"][residual["args"][0]["@module"]]
    assert inner["class"] == "casebook.model:Block" and inner["dependency"]
    assert set(residual["args"][0]["state"]) >= {"up/kernel", "norm/scale"}  # its state when passed
    # the Block built for the jitted step: constructed eagerly, called only under jit
    jitted = [r for r in records if r["class"] == "casebook.model:Block" and not r.get("dependency")
              and not r["calls"]]
    assert len(jitted) == 1


def test_recorded_under_the_old_flax_replayed_under_the_new(recorded, tmp_path: Path) -> None:
    project, cases, _ = recorded
    migrated = _migrated(tmp_path)
    result = _cli("verify", str(migrated / "src" / "casebook"), "--cases", str(cases), "--json",
                  str(tmp_path / "r.json"), cwd=tmp_path)
    data = _report(result, tmp_path / "r.json")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert f"flax 0.11.2 -> {FLAX}" in data["judged"] and not data["exact"]
    compared = {c["case"] for c in data["comparisons"]}
    assert _classes(compared) == CLASSES and len(compared) == 8 and not data["not_run"]
    assert {c["kind"] for c in data["comparisons"]} == {"recorded"}
    assert all(c["passed"] for c in data["comparisons"])
    assert max(c["max_rel"] for c in data["comparisons"]) < 1e-5
    parts = {c["part"] for c in data["comparisons"] if c["case"] == "casebook.model.LM [recorded 1]"}
    assert parts == {"init", "outputs", "grads", "state"}
    assert "Mixer('btd,dhk->bthk', (16, 2, 8), rngs=Rngs(default)) constructed at tests/test_models.py:" in \
        data["built"]["casebook.layers.Mixer [recorded 1]"]
    assert "(recorded) - recorded by `trace --record-cases` vs migrated" in result.stdout
    assert "8 case(s) compared (8 recorded), 0 not run" in result.stdout


def test_a_planted_change_a_renamed_class_and_a_model_that_no_longer_builds(recorded, tmp_path: Path) -> None:
    """Recorded and automatic cases together (automatic in one environment): each problem
    is reported by name, by the kind of case that can see it."""
    project, cases, _ = recorded
    migrated = _migrated(tmp_path)
    layers = migrated / "src" / "casebook" / "layers.py"
    text = layers.read_text()
    planted = {"return h, h * 0.5\n": "return h, h * 0.5005\n", "class Mixer(": "class EinsumMixer(",
               "self.norm = nnx.LayerNorm(width, rngs=rngs)":  # eager sharding: no mesh, no build on 0.12
               "self.norm = nnx.LayerNorm(width, scale_init=nnx.with_partitioning(nnx.initializers.ones_init(), "
               "('model',)), rngs=rngs)"}
    for old, new in planted.items():
        assert old in text
        text = text.replace(old, new)
    layers.write_text(text)
    result = _cli("verify", str(migrated / "src" / "casebook"), "--original", str(project / "src" / "casebook"),
                  "--cases", str(cases), "--json", str(tmp_path / "r.json"), cwd=tmp_path)
    data = _report(result, tmp_path / "r.json")
    assert result.returncode == 1
    failed = {(c["case"], c["part"]) for c in data["comparisons"] if not c["passed"]}
    assert failed == {("casebook.layers.Recurrent [recorded 1]", "outputs"),
                      ("casebook.layers.Recurrent [recorded 1]", "grads"),
                      ("casebook.layers.Residual [recorded 1]", "runs"),
                      ("casebook.layers.Residual [recorded 2]", "runs"),
                      ("casebook.model.LM [recorded 1]", "runs")}
    runs = [p for c in data["comparisons"] if c["part"] == "runs" for p in c["problems"]]
    assert all("the recorded side ran, the migrated side raised ValueError: An auto mesh context" in p for p in runs)
    assert "missing on this side: casebook.layers has no Mixer" in data["not_run"]["casebook.layers.Mixer [recorded 1]"]
    automatic = {c["case"] for c in data["comparisons"] if c["kind"] == "automatic"}
    assert automatic == {"casebook.model.Block"} and data["exact"]
    assert "(automatic) - one environment" in result.stdout and "(recorded) - recorded by" in result.stdout


SCRIPT = """\
import jax.numpy as jnp
from flax import nnx


class Big(nnx.Module):
    def __init__(self, n: int, rngs: nnx.Rngs):
        self.table = nnx.Param(jnp.ones((n, 64)))
        self.small = nnx.Linear(4, 4, rngs=rngs)

    def __call__(self, x):
        return self.small(x) + self.table[...][:1, :4]


class Wrap(nnx.Module):
    def __init__(self, inner: nnx.Module, rngs: nnx.Rngs):
        self.inner = inner
        self.out = nnx.Linear(4, 2, rngs=rngs)

    def __call__(self, x):
        return self.out(self.inner(x))


class Holder(Wrap):
    pass


if __name__ == "__main__":
    Big(1024, rngs=nnx.Rngs(0))(jnp.ones((2, 4)))
    trained = Big(2, rngs=nnx.Rngs(1))
    trained(jnp.ones((2, 4)))
    trained.small.kernel[...] = trained.small.kernel[...] * 3.0  # changed before it is passed on
    Wrap(trained, rngs=nnx.Rngs(2))(jnp.ones((2, 4)))
    swapped = Big(3, rngs=nnx.Rngs(3))
    swapped.small = nnx.LinearGeneral(4, 4, rngs=nnx.Rngs(4))  # no longer what its construction built
    Holder(swapped, rngs=nnx.Rngs(5))
"""


def test_a_script_recorded_and_replayed_in_one_environment(tmp_path: Path) -> None:
    """Recorded and replayed in this interpreter, judged exactly: a class of the script run
    as `__main__` is found by its file; a state array over the per-array limit is named,
    and the call that needs it is not recorded; a Module changed before it is passed on is
    rebuilt with the state it had then, one whose attributes were reassigned is not."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "big.py").write_text(SCRIPT)
    traced = _cli("trace", "--record-cases", "-o", "out/big.npz", "--", "big.py", cwd=tmp_path,
                  env={"NNX_MIGRATE_CASES_ARRAY_MB": "0.1"})
    assert traced.returncode == 0, traced.stderr
    # `-o FILE.npz` names the cases file; the evidence goes beside it
    assert (tmp_path / "out" / ".nnx-migrate-evidence.json").is_file() and not (tmp_path / ".nnx-migrate-cases.npz").exists()
    assert "calls not recorded: __main__.Big: state table: 256 KiB, over the 102 KiB per-array limit" in traced.stderr
    assert ("not recorded: __main__.Holder: argument `inner`: a Big whose attributes were reassigned after its "
            "construction (small): rebuilt from its construction it would not be the one passed") in traced.stderr
    # recorded at the matmul precision verify replays at (highest): nothing differs but
    # the code, judged exactly
    result = _cli("verify", "big.py", "--cases", "out/big.npz", "--json", "r.json", cwd=tmp_path)
    data = _report(result, tmp_path / "r.json")
    assert data["recorded"][0]["recorded"]["matmul_precision"] == "highest"
    assert result.returncode == 3, result.stdout + result.stderr  # Holder: not run, with why
    assert data["exact"] and all(c["max_abs"] == 0 for c in data["comparisons"])
    assert {c["case"] for c in data["comparisons"]} == {"big.Big [recorded 1]", "big.Big [recorded 2]",
                                                        "big.Big [recorded 3]", "big.Wrap [recorded 1]"}
    assert {c["part"] for c in data["comparisons"] if c["case"] == "big.Big [recorded 1]"} == {"init"}
    assert "cannot be rebuilt from its recording: argument `inner`: a Big whose attributes were reassigned" in \
        data["not_run"]["big.Holder [recorded 1]"]
    assert {c["part"] for c in data["comparisons"] if c["case"] == "big.Wrap [recorded 1]"} == {
        "init", "outputs", "grads"}


# -- the encoding, in this interpreter ----------------------------------------------------

class Mode(enum.Enum):
    FAST = 1


class Pair(typing.NamedTuple):
    a: int
    b: float = 0.5


@dataclasses.dataclass(frozen=True)
class Settings_:
    width: int
    mode: Mode
    pair: Pair
    sizes: tuple[int, ...] = (1, 2)


class Plain:
    def __init__(self, depth):
        self.depth = depth


def _round_trip(value):
    import jax
    from flax import nnx

    from nnx_migrate.trace import case_recorder as recorder
    from nnx_migrate.verify import replay, runner

    assert recorder._load_modules()
    encoded = json.loads(json.dumps(recorder._encode(value, "argument `x`", 0, {})))

    class Arrays:
        def array(self, entry):
            return recorder._arrays[entry["array"]]

    return replay.Rebuilder(runner, nnx, jax, {"records": {}}, Arrays()).value(encoded)


def test_configs_enums_functions_and_rngs_round_trip() -> None:
    import jax
    import jax.numpy as jnp
    import numpy as np
    from flax import nnx

    config = Settings_(8, Mode.FAST, Pair(3), (4, 5))
    assert _round_trip(config) == config
    plain = _round_trip(Plain(3))
    assert type(plain) is Plain and plain.depth == 3
    assert _round_trip(types.SimpleNamespace(a=[1, {"b": None}])) == types.SimpleNamespace(a=[1, {"b": None}])
    assert _round_trip(jnp.bfloat16) is jnp.bfloat16 and _round_trip(np.dtype("float16")) == np.dtype("float16")
    assert _round_trip(float("inf")) == float("inf") and _round_trip(np.float32(2.5)) == np.float32(2.5)
    assert _round_trip(nnx.gelu) is nnx.gelu and _round_trip(nnx.Linear) is nnx.Linear
    partial = _round_trip(functools.partial(nnx.Linear, use_bias=False))
    assert partial.func is nnx.Linear and partial.keywords == {"use_bias": False}
    init = _round_trip(nnx.initializers.normal(0.02))
    key = jax.random.key(0)
    assert np.array_equal(init(key, (3,)), nnx.initializers.normal(0.02)(key, (3,)))
    array = _round_trip(jnp.arange(6, dtype=jnp.bfloat16))
    assert array.dtype == jnp.bfloat16 and float(array[5]) == 5.0
    rngs = nnx.Rngs(3, dropout=4)
    rngs.dropout()
    rebuilt = _round_trip(rngs)
    assert np.array_equal(jax.random.key_data(rebuilt.dropout()), jax.random.key_data(rngs.dropout()))
    assert _round_trip(jax.sharding.PartitionSpec("data", None)) == jax.sharding.PartitionSpec("data", None)
    param = _round_trip(nnx.Param(jnp.arange(3.0)))
    assert type(param) is nnx.Param and np.array_equal(param[...], np.arange(3.0))


@pytest.mark.parametrize("value, reason", [
    (lambda x: x, "argument `x`: the function test_record_replay.<lambda>, made at run time, cannot be looked up"),
    (threading.Lock(), "argument `x`: a _thread.lock (recorded are arrays, numbers, strings"),
    ([1, {"k": object()}], "argument `x`[1]['k']: a builtins.object"),
], ids=["lambda", "a-lock", "where-in-a-container"])
def test_what_cannot_be_recorded_says_why(value, reason) -> None:
    from nnx_migrate.trace import case_recorder as recorder

    assert recorder._load_modules()
    with pytest.raises(recorder._Unrecordable) as raised:
        recorder._encode(value, "argument `x`", 0, {})
    assert str(raised.value).startswith(reason)


FLOW = """\
import jax
import jax.numpy as jnp
from flax import nnx


class Flow(nnx.Module):
    \"\"\"In a flow library's style: no __call__; forward and reverse are the entry points.\"\"\"

    def __init__(self, dim: int, rngs: nnx.Rngs):
        self.scale = nnx.Param(jnp.linspace(1.0, 2.0, dim))

    def forward(self, x, log_density):
        return x * self.scale[...] + 0.5, log_density - jnp.sum(jnp.log(self.scale[...]))

    def reverse(self, y, log_density):
        return self._undo(y), log_density + jnp.sum(jnp.log(self.scale[...]))

    def _undo(self, y):
        return (y - 0.5) / self.scale[...]

    def dim(self):  # gives no array: not a call to compare
        return self.scale.shape[0]

    def apply_to(self, fn):  # takes a function made at run time: not recordable
        return fn(self.scale[...])


class Noise(nnx.Module):
    def __init__(self, dim: int, rngs: nnx.Rngs | None = None):
        self.dim, self.rngs = dim, nnx.data(rngs)

    def sample(self, n):
        return jax.random.normal(self.rngs(), (n, self.dim))


if __name__ == "__main__":
    flow = Flow(3, rngs=nnx.Rngs(0))
    assert flow.dim() == 3
    flow.apply_to(lambda s: s * 2)
    y, log_density = flow.forward(jnp.ones((2, 3)), jnp.zeros((2,)))
    flow.reverse(y, log_density)
    noise = Noise(3)
    noise.rngs = nnx.Rngs(0)  # given after construction: rebuilt, it would have none
    noise.sample(2)
"""


def test_the_public_methods_of_a_module_without_call_are_recorded(tmp_path: Path) -> None:
    """`forward` and `reverse` recorded and replayed (a method they call is part of their
    call; one that gives no array, or takes what cannot be recorded, is passed over and
    said); a call on a Module whose attributes were reassigned since its construction is
    not recorded, and says why; a 0.1% change in a constant only `reverse` reaches fails
    that case by name."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "flow.py").write_text(FLOW)
    traced = _cli("trace", "--record-cases", "--", "flow.py", cwd=tmp_path)
    assert traced.returncode == 0, traced.stderr
    assert "recorded 2 construction(s) of 2 class(es) and 2 call(s)" in traced.stderr
    assert "calls not recorded: __main__.Flow: apply_to(): input 0: the function" in traced.stderr
    assert ("calls not recorded: __main__.Noise: its attributes were reassigned after its construction (rngs)"
            in traced.stderr)
    result = _cli("verify", "flow.py", "--cases", ".nnx-migrate-cases.npz",
                  "--json", "r.json", cwd=tmp_path)
    data = _report(result, tmp_path / "r.json")
    assert result.returncode == 3, result.stdout + result.stderr  # Noise: nothing to compare, said why
    assert {(c["case"], c["part"]) for c in data["comparisons"]} == {
        ("flow.Flow [recorded 1]", part) for part in ("init", "outputs", "grads")}
    assert data["not_run"] == {"flow.Noise [recorded 1]": (
        "rebuilt, but there is nothing to compare: it holds no array, and its calls were not recorded: its "
        "attributes were reassigned after its construction (rngs): the module rebuilt from its construction would "
        "not be the one called")}
    assert data["exact"] and all(c["max_abs"] == 0 for c in data["comparisons"])
    assert data["built"]["flow.Flow [recorded 1]"].endswith("2 recorded call(s) (of forward, reverse)")
    (tmp_path / "flow.py").write_text(FLOW.replace("(y - 0.5)", "(y - 0.5005)"))
    planted = _cli("verify", "flow.py", "--cases", ".nnx-migrate-cases.npz",
                   "--json", "r.json", cwd=tmp_path)
    data = _report(planted, tmp_path / "r.json")
    assert planted.returncode == 1
    failed = {(c["case"], c["part"]) for c in data["comparisons"] if not c["passed"]}
    assert failed == {("flow.Flow [recorded 1]", "outputs"), ("flow.Flow [recorded 1]", "grads")}
    outputs = next(c for c in data["comparisons"] if c["part"] == "outputs")
    assert all(p.startswith("call2/") for p in outputs["problems"]), outputs["problems"]  # reverse, not forward


SHARED = """
import jax.numpy as jnp
from flax import nnx


class Leaf(nnx.Module):
    def __init__(self, n: int):
        self.w = nnx.Param(jnp.ones(n))

    def __call__(self, x):
        return x * self.w


class Chain(nnx.Module):
    def __init__(self, *items):
        self.items = nnx.List(list(items))

    def __call__(self, x):
        for item in self.items:
            x = item(x)
        return x


same = Leaf(2)
Chain(Leaf(2), Leaf(2))(jnp.arange(2.0))  # two equal constructions: two Modules
Chain(same, same)(jnp.arange(2.0))  # one Module passed twice: shared
"""


def test_equal_constructions_stay_distinct_and_a_shared_module_stays_shared(tmp_path: Path) -> None:
    """Two Leafs built alike are one record; the Chain given both is rebuilt with two
    Modules (state at items/0 and items/1, as recorded), the Chain given one Leaf twice
    with one, shared (state at items/0 alone)."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "shared.py").write_text(SHARED)
    traced = _cli("trace", "--record-cases", "--", "shared.py", cwd=tmp_path)
    assert traced.returncode == 0, traced.stderr
    result = _cli("verify", "shared.py", "--cases", ".nnx-migrate-cases.npz",
                  "--json", "r.json", cwd=tmp_path)
    data = _report(result, tmp_path / "r.json")
    assert data["exact"] and not [c for c in data["comparisons"] if not c["passed"]], result.stdout
    init = {c["case"]: c["keys"] for c in data["comparisons"] if c["part"] == "init"}
    assert init == {"shared.Leaf [recorded 1]": 1, "shared.Chain [recorded 1]": 2, "shared.Chain [recorded 2]": 1}


def test_the_recorded_run_computes_at_the_pinned_matmul_precision(tmp_path: Path) -> None:
    """`trace --record-cases` pins jax_default_matmul_precision to `highest` in the traced
    run (what `verify` replays at: a GPU run's TF32 matmuls cannot look like a mismatch),
    and records it; `--matmul-precision default` keeps the program's own, and the replay
    then says the precisions differ."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "shared.py").write_text(SHARED + "import jax\nprint('precision', jax.config.jax_default_matmul_precision)\n")
    for pinned, expected in (("highest", "highest"), ("default", "None")):
        traced = _cli("trace", "--record-cases", "--matmul-precision", pinned, "--", "shared.py", cwd=tmp_path)
        assert traced.returncode == 0 and f"precision {expected}" in traced.stdout, traced.stdout + traced.stderr
        result = _cli("verify", "shared.py", "--cases", ".nnx-migrate-cases.npz", "--json", "r.json", cwd=tmp_path)
        data = _report(result, tmp_path / "r.json")
        assert data["recorded"][0]["recorded"]["matmul_precision"] == pinned
        assert data["exact"] == (pinned == "highest")
        assert ("matmul precision default -> highest" in data["judged"]) == (pinned == "default")
