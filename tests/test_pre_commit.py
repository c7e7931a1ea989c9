"""The hooks in .pre-commit-hooks.yaml, run by pre-commit itself on a sample repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MODEL = '''import jax.numpy as jnp
from flax import nnx


class M(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))

    def __call__(self, x):
        return x * self.w.value
'''


def test_pre_commit_try_repo(tmp_path: Path) -> None:
    if not (REPO / ".git").exists():
        pytest.skip("pre-commit try-repo needs this checkout to be a git repository")
    sample = tmp_path / "sample"
    sample.mkdir()
    (sample / "model.py").write_text(MODEL)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "sample"]):
        subprocess.run([*git, *command], cwd=sample, check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def try_repo(hook: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--all-files"],
                              cwd=sample, env=env, capture_output=True, text=True, timeout=900)

    check = try_repo("nnx-migrate-check")
    assert check.returncode == 1, check.stdout[-3000:] + check.stderr[-2000:]
    assert "Failed" in check.stdout and "self.w[...]" in check.stdout
    assert (sample / "model.py").read_text() == MODEL
    fix = try_repo("nnx-migrate")
    assert fix.returncode == 1 and "files were modified by this hook" in fix.stdout, fix.stdout[-3000:]
    assert "return x * self.w[...]" in (sample / "model.py").read_text()
    assert try_repo("nnx-migrate-check").returncode == 0
