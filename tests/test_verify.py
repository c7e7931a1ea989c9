"""The verifier: a correct migration passes; deliberately wrong ones fail, naming the
case and what differs; what cannot be built is listed with its reason."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nnx_migrate.config import Settings
from nnx_migrate.pipeline import run
from nnx_migrate.verify.envs import baseline_python

REPO = Path(__file__).resolve().parent.parent
NET = '''import jax
import jax.numpy as jnp
from flax import nnx


class Net(nnx.Module):
    def __init__(self, din: int, dout: int, rngs: nnx.Rngs):
        self.w = nnx.Param(jax.random.normal(rngs.params(), (din, dout)) * 0.5)
        self.layers = nnx.List([nnx.Linear(dout, dout, rngs=rngs) for _ in range(2)])
        self.stat = nnx.BatchStat(jnp.zeros(dout))

    def __call__(self, x):
        y = x @ self.w.value
        for layer in self.layers:
            y = layer(y)
        self.stat.value = y.mean()
        return y


class NeedsActivation(nnx.Module):
    def __init__(self, dim: int, activation, rngs: nnx.Rngs):
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
    assert result.returncode == 3, result.stdout + result.stderr  # NeedsActivation could not be built
    assert "cannot choose a value for parameter `activation`" in data["not_run"]["net.NeedsActivation"]
    parts = {c["part"] for c in data["comparisons"] if c["case"] == "net.Net"}
    assert parts == {"init", "train", "eval", "grads", "state"}
    assert all(c["passed"] and c["max_rel"] == 0.0 for c in data["comparisons"])
    assert data["migrated"]["device"].startswith("cpu") and data["migrated"]["flax"] == "0.12.8"
    assert "device cpu" in result.stdout


@pytest.mark.parametrize(
    "wrong, expected",
    [
        (("x @ self.w[...]", "x @ self.w[...] * 1.001"), "train"),
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
    assert strict.returncode == 1 and "DeprecationWarning" in strict.stdout
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
    result = verify("src", "--original", "git:HEAD", "--json", str(tmp_path / "r.json"), cwd=repo)
    data = report(result, tmp_path / "r.json")
    assert result.returncode == 3 and any(c["case"] == "net.Net" and c["passed"] for c in data["comparisons"])
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
    assert data["original"]["flax"] == "0.11.2" and data["migrated"]["flax"] == "0.12.8"
    assert {c["case"] for c in data["comparisons"]} >= {"mlp.model.MLP", "blocks.residual.ResidualBlock"}
    assert max(c["max_rel"] for c in data["comparisons"]) < 1e-5
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
