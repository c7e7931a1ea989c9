"""The verifier: a correct migration passes; deliberately wrong ones fail, naming the
case and what differs; what cannot be built is listed with its reason."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from nnx_migrate.config import Settings
from nnx_migrate.pipeline import run
from nnx_migrate.verify.envs import BaselineError
from nnx_migrate.verify.envs import baseline_python as _baseline_python


def baseline_python(flax_version: str) -> Path:
    """The cached old-flax environment (built from PyPI on a fresh machine); a test that
    needs one skips, saying why, where none can be built (offline, nothing cached)."""
    try:
        return _baseline_python(flax_version)
    except BaselineError as error:
        pytest.skip(f"no flax {flax_version} environment can be built here: {error}")


REPO = Path(__file__).resolve().parent.parent
FLAX = version("flax")  # the migrated side's: 0.12.8 on Python 3.11, the newest on 3.12+
NET = '''import jax
import jax.numpy as jnp
from compare import SCALE  # a project module named like one of the verifier's own
from flax import nnx


class Net(nnx.Module):
    def __init__(self, din: int, dout: int, rngs: nnx.Rngs):
        self.w = nnx.Param(jax.random.normal(rngs.params(), (din, dout)) * 0.5)
        self.layers = nnx.List([nnx.Linear(dout, dout, rngs=rngs) for _ in range(2)])
        self.stat = nnx.BatchStat(jnp.zeros(dout))

    def __call__(self, x):
        y = x @ self.w.value * SCALE
        for layer in self.layers:
            y = layer(y)
        self.stat.value = y.mean()
        return y


class NeedsEquation(nnx.Module):
    def __init__(self, dim: int, equation: str, rngs: nnx.Rngs):
        self.linear = nnx.Linear(dim, dim, rngs=rngs)
'''


def verify(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nnx_migrate", "verify", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600, env=_env())


def _env():
    import os
    return {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    original, migrated = tmp_path / "original", tmp_path / "migrated"
    original.mkdir()
    (original / "net.py").write_text(NET)
    (original / "compare.py").write_text("SCALE = 1.0\n")
    shutil.copytree(original, migrated)
    run([migrated], Settings(), tmp_path, write=True)
    return original, migrated


def report(result: subprocess.CompletedProcess, path: Path) -> dict:
    assert path.exists(), result.stderr
    return json.loads(path.read_text())


def test_correct_migration_passes_and_lists_what_it_cannot_build(pair, tmp_path: Path) -> None:
    original, migrated = pair
    result = verify(str(migrated), "--original", str(original), "--json", str(tmp_path / "r.json"), cwd=tmp_path)
    data = report(result, tmp_path / "r.json")
    assert result.returncode == 3, result.stdout + result.stderr  # NeedsEquation could not be built
    assert "cannot choose a value for parameter `equation` of NeedsEquation" in data["not_run"]["net.NeedsEquation"]
    parts = {c["part"] for c in data["comparisons"] if c["case"] == "net.Net"}
    assert parts == {"init", "train", "eval", "grads", "state"}
    assert all(c["passed"] and c["max_rel"] == 0.0 for c in data["comparisons"])
    assert data["migrated"]["device"].startswith("cpu") and data["migrated"]["flax"] == FLAX
    assert "device cpu" in result.stdout
    # one interpreter on both sides: the rewrite alone is on trial, judged exactly
    assert data["exact"] and "only the rewrite differs, must be identical" in result.stdout
    assert data["original"]["matmul_precision"] == data["migrated"]["matmul_precision"] == "highest"


@pytest.mark.parametrize(
    "wrong, expected",
    [
        (("x @ self.w[...] * SCALE", "x @ self.w[...] * SCALE * 1.001"), "train"),
        (("self.stat.set_value(y.mean())", "self.stat[...] = y.mean()"), "state"),
        (("for _ in range(2)", "for _ in range(1)"), "only in the original"),
        (("self.w = nnx.Param(", "self.weight = nnx.Param("), "only in the original"),
    ],
    ids=["changed-constant", "broadcasting-write", "dropped-list-element", "renamed-parameter"],
)
def test_wrong_migrations_fail(pair, tmp_path: Path, wrong, expected) -> None:
    original, migrated = pair
    source = (migrated / "net.py").read_text()
    old, new = wrong
    assert old in source
    text = source.replace(old, new)
    if "self.weight" in text:
        text = text.replace("self.w[...]", "self.weight[...]")
    (migrated / "net.py").write_text(text)
    result = verify(str(migrated), "--original", str(original), "--json", str(tmp_path / "r.json"), cwd=tmp_path)
    data = report(result, tmp_path / "r.json")
    assert result.returncode == 1
    failed = [c for c in data["comparisons"] if not c["passed"]]
    assert failed and all(c["case"] == "net.Net" for c in failed)
    assert any(expected == c["part"] or any(expected in p for p in c["problems"]) for c in failed), failed
    assert "FAIL" in result.stdout and "net.Net" in result.stdout


def test_deprecations_on_the_migrated_side_fail(pair, tmp_path: Path) -> None:
    original, migrated = pair
    (migrated / "net.py").write_text((migrated / "net.py").read_text().replace("x @ self.w[...]", "x @ self.w.value"))
    args = (str(migrated), "--original", str(original), "--spec", str(tmp_path / "spec.py"))
    (tmp_path / "spec.py").write_text(
        "import jax.numpy as jnp\nfrom flax import nnx\nfrom net import Net\n\n\n"
        "def case_net():\n    return Net(3, 4, rngs=nnx.Rngs(0)), (jnp.ones((2, 3)),)\n"
    )
    strict = verify(*args, cwd=tmp_path)
    line = next(n for n, text in enumerate((migrated / "net.py").read_text().splitlines(), 1) if ".w.value" in text)
    # where to act, and a verdict that says what failed: the numbers match
    assert strict.returncode == 1 and f"still deprecated: net.py:{line}, '.value' access is now deprecated" in strict.stdout
    assert "still deprecated: the numbers match" in strict.stdout and "mismatch" not in strict.stdout
    assert verify(*args, "--allow-deprecations", cwd=tmp_path).returncode == 0


def test_original_from_git(pair, tmp_path: Path) -> None:
    original, _ = pair
    repo = tmp_path / "repo"
    shutil.copytree(original, repo / "src")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "original"], cwd=repo, check=True)
    run([repo / "src"], Settings(), repo, write=True)
    result = verify("src", "--original", "git:HEAD", "--json", str(tmp_path / "r.json"), "--matmul-precision", "default",
                    cwd=repo)
    data = report(result, tmp_path / "r.json")
    assert result.returncode == 3 and any(c["case"] == "net.Net" and c["passed"] for c in data["comparisons"])
    assert data["migrated"]["matmul_precision"] == "default"
    assert verify("src", "--original", "git:no-such-rev", cwd=repo).returncode == 2


def test_example_project_across_flax_versions(tmp_path: Path) -> None:
    original, migrated = tmp_path / "original", tmp_path / "migrated"
    shutil.copytree(REPO / "examples" / "mlp_project", original)
    shutil.copytree(original, migrated)
    run([migrated], Settings(), tmp_path, write=True)
    python = str(baseline_python("0.11.2"))
    result = verify(str(migrated), "--original", str(original), "--baseline-python", python,
                    "--json", str(tmp_path / "r.json"), cwd=tmp_path)
    data = report(result, tmp_path / "r.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert data["original"]["flax"] == "0.11.2" and data["migrated"]["flax"] == FLAX
    assert {c["case"] for c in data["comparisons"]} >= {"mlp.model.MLP", "blocks.residual.ResidualBlock"}
    assert all(c["passed"] for c in data["comparisons"])
    # outputs agree to float32 noise; a gradient that is only rounding (the bias before the
    # BatchNorm) passes on the scale of the other gradients
    assert max(c["max_rel"] for c in data["comparisons"] if c["part"] in ("train", "eval")) < 1e-5
    # the same-environment comparison ran where the original still works under 0.12.8
    assert {c["case"] for c in data["same_environment"]} == {"blocks.dense.Dense", "mlp.layers.Scale"}
    assert all(c["passed"] for c in data["same_environment"])


def test_verifier_does_not_import_libcst() -> None:
    """The lent GPU machine has no package index: the verifier's path stays libcst-free."""
    code = ("import sys; import nnx_migrate.cli; from nnx_migrate.verify import driver, render, runner; "
            "print('libcst' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_a_wrong_migration_is_caught_across_flax_versions(tmp_path: Path) -> None:
    """The example project, migrated, then one ResidualBlock layer dropped by hand: the
    original under flax 0.11.2 and the migrated code under 0.12.8 disagree on the paths."""
    original, migrated = tmp_path / "original", tmp_path / "migrated"
    shutil.copytree(REPO / "examples" / "mlp_project", original)
    shutil.copytree(original, migrated)
    run([migrated], Settings(), tmp_path, write=True)
    residual = migrated / "blocks" / "residual.py"
    residual.write_text(residual.read_text().replace("self.layers = nnx.List(layers)", "self.layers = nnx.List(layers[:-1])"))
    result = verify(str(migrated), "--original", str(original), "--baseline-python", str(baseline_python("0.11.2")),
                    "--json", str(tmp_path / "r.json"), cwd=tmp_path)
    data = report(result, tmp_path / "r.json")
    assert result.returncode == 1
    failed = {c["case"] for c in data["comparisons"] if not c["passed"]}
    assert failed == {"blocks.residual.ResidualBlock", "mlp.model.MLP"}
    problems = [p for c in data["comparisons"] if not c["passed"] for p in c["problems"]]
    assert any("only in the original" in p and "layers/1" in p for p in problems)


ZOO = REPO / "testdata" / "verify" / "zoo"


@pytest.fixture
def zoo(tmp_path: Path) -> tuple[Path, Path]:
    """The model zoo (src layout, configs, factories, submodules), migrated by the tool."""
    original, migrated = tmp_path / "original", tmp_path / "migrated"
    shutil.copytree(ZOO, original)
    shutil.copytree(ZOO, migrated)
    result = run([migrated], Settings(), tmp_path, write=True)
    assert len(result.changed) == 4 and not result.failed
    return original, migrated


def test_a_model_zoo_verified_from_its_package_folder(zoo, tmp_path: Path) -> None:
    """Every changed class is built (config dataclass via its factory, NamedTuple and plain
    configs shrunk, a Module parameter built first, a string choice from the class body,
    int tokens for the embedding) and compared exactly in one environment."""
    original, migrated = zoo
    result = verify(str(migrated / "src" / "zoo"), "--original", str(original / "src" / "zoo"),
                    "--json", str(tmp_path / "r.json"), cwd=tmp_path)
    data = report(result, tmp_path / "r.json")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    cases = {c["case"] for c in data["comparisons"]}
    assert cases == {f"zoo.models.layers.{n}" for n in ("Gated", "ConvStack", "Tower", "Head")} | {
        "zoo.models.transformer.Block", "zoo.models.transformer.Transformer", "zoo.models.lm.RMSNorm",
        "zoo.models.lm.Attention", "zoo.models.lm.LM", "zoo.models.vision.Block", "zoo.models.vision.Net"}
    assert data["exact"] and all(c["max_abs"] == 0.0 for c in data["comparisons"])
    built = data["built"]
    assert "TransformerConfig.tiny()" in built["zoo.models.transformer.Transformer"]
    assert "int32[2, 8]" in built["zoo.models.transformer.Transformer"]
    assert "settings=MLPSettings(width=8" in built["zoo.models.layers.Tower"]
    assert "act='silu'" in built["zoo.models.layers.Gated"] and "trunk=Gated(...)" in built["zoo.models.layers.Head"]
    # a factory taking arguments, its result shrunk; a raw jax key and a train flag in the call
    assert "VisionConfig.net_tiny_224(num_classes=8), shrunk" in built["zoo.models.vision.Net"]
    assert "float32[2, 8, 8, 3]" in built["zoo.models.vision.Net"]


def test_a_changed_constant_is_caught_by_name_with_the_original_elsewhere(zoo, tmp_path: Path) -> None:
    """A 0.1% change in one constant, verifying a package subfolder against an original
    kept under another name (its package is mirrored so module names still match)."""
    original, migrated = zoo
    shutil.copytree(original / "src" / "zoo" / "models", tmp_path / "models_before")
    layers = migrated / "src" / "zoo" / "models" / "layers.py"
    text = layers.read_text()
    assert "return gate * b * 0.5\n" in text
    layers.write_text(text.replace("return gate * b * 0.5\n", "return gate * b * 0.5005\n"))
    result = verify(str(migrated / "src" / "zoo" / "models"), "--original", str(tmp_path / "models_before"),
                    "--json", str(tmp_path / "r.json"), cwd=tmp_path)
    data = report(result, tmp_path / "r.json")
    assert result.returncode == 1
    failed = {c["case"] for c in data["comparisons"] if not c["passed"]}
    assert failed == {"zoo.models.layers.Gated", "zoo.models.layers.Head"}
    assert len({c["case"] for c in data["comparisons"]}) == 11 and not data["not_run"]


def test_a_package_subfolder_and_a_hint_when_the_original_needs_old_flax(tmp_path: Path) -> None:
    original, migrated = tmp_path / "original", tmp_path / "migrated"
    shutil.copytree(REPO / "examples" / "mlp_project", original)
    shutil.copytree(original, migrated)
    run([migrated], Settings(), tmp_path, write=True)
    result = verify(str(migrated / "blocks"), "--original", str(original / "blocks"),
                    "--json", str(tmp_path / "r.json"), cwd=tmp_path)
    data = report(result, tmp_path / "r.json")
    assert result.returncode == 3, result.stdout + result.stderr
    assert [c["case"] for c in data["comparisons"]][0] == "blocks.dense.Dense"
    why = data["not_run"]["blocks.residual.ResidualBlock"]
    assert why.startswith("original: ") and "static attribute 'layers'" in why and '--baseline "flax==' in why


def test_record_on_one_environment_and_compare_on_another(tmp_path: Path) -> None:
    """The original recorded under flax 0.11.2, compared with the migrated code under
    this flax from the record alone; then a wrong migration against the same record."""
    original, migrated = tmp_path / "original", tmp_path / "migrated"
    shutil.copytree(REPO / "examples" / "mlp_project", original)
    shutil.copytree(original, migrated)
    run([migrated], Settings(), tmp_path, write=True)
    record = tmp_path / "original.npz"
    recorded = verify(str(migrated), "--original", str(original), "--baseline-python", str(baseline_python("0.11.2")),
                      "--record", str(record), cwd=tmp_path)
    assert recorded.returncode == 0 and record.exists(), recorded.stdout + recorded.stderr
    shutil.rmtree(original)  # the other machine has only the migrated code and the record
    result = verify(str(migrated), "--against", str(record), "--json", str(tmp_path / "r.json"), cwd=tmp_path)
    data = report(result, tmp_path / "r.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert data["original"]["flax"] == "0.11.2" and data["migrated"]["flax"] == FLAX
    assert f"flax 0.11.2 -> {FLAX}" in data["judged"] and len({c["case"] for c in data["comparisons"]}) == 4
    scale = migrated / "mlp" / "layers.py"
    text = scale.read_text()
    assert "return x * self.gain[...]" in text
    scale.write_text(text.replace("return x * self.gain[...]", "return x * self.gain[...] * 1.001"))
    wrong = verify(str(migrated), "--against", str(record), "--json", str(tmp_path / "r.json"), cwd=tmp_path)
    failed = {c["case"] for c in report(wrong, tmp_path / "r.json")["comparisons"] if not c["passed"]}
    assert wrong.returncode == 1 and failed == {"mlp.layers.Scale", "mlp.model.MLP"}


@pytest.mark.parametrize(
    "args, message",
    [
        (("--json", "no/such/folder/r.json"), "--json no/such/folder/r.json: the folder no/such/folder does not exist"),
        (("--json", "."), "--json .: is a folder"),
        (("--device", "tpu"), "--device tpu: JAX"),
        (("--record", "a.npz", "--against", "b.npz"), "give --record or --against, not both"),
        (("--against", "garbage.npz"), "--against garbage.npz: not a record"),
        (("--baseline", "jax==0.4"), '--baseline takes "flax==VERSION"'),
    ],
    ids=["json-folder-missing", "json-is-a-folder", "absent-device", "record-and-against", "bad-record", "bad-baseline"],
)
def test_usage_errors_are_one_line_before_any_work(pair, tmp_path: Path, args, message) -> None:
    original, migrated = pair
    (tmp_path / "garbage.npz").write_text("not an archive")
    extra = () if "--against" in args else ("--original", str(original))
    result = verify(str(migrated), *extra, *args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
