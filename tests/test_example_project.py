"""End to end: the shipped example project, migrated, runs on flax 0.12.8 with
DeprecationWarnings as errors and prints exactly what the original prints there
(same environment, so the rewrite alone is on trial: results must be identical)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from nnx_migrate.config import Settings
from nnx_migrate.pipeline import run

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mlp_project"


def run_training(folder: Path, *warning_flags: str) -> str:
    result = subprocess.run(
        [sys.executable, *warning_flags, "train.py"], cwd=folder, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_migrated_example_runs_without_deprecations_and_matches(tmp_path: Path) -> None:
    original = tmp_path / "original"
    migrated = tmp_path / "migrated"
    shutil.copytree(EXAMPLE, original)
    shutil.copytree(EXAMPLE, migrated)
    result = run([migrated], Settings(), tmp_path, write=True)
    assert len(result.changed) == 3 and not result.failed

    before = run_training(original, "-W", "ignore::DeprecationWarning")
    after = run_training(migrated, "-W", "error::DeprecationWarning")
    assert after == before
    assert "step 2 loss" in after and "4 calls" in after
    # the original really did use deprecated forms
    deprecated = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "train.py"], cwd=original, capture_output=True, text=True,
    )
    assert deprecated.returncode != 0
