"""End to end: the shipped example project (two packages, all four old idioms) is
migrated, then run on flax 0.12.8 with DeprecationWarnings as errors, and prints the
same numbers as the original under flax 0.11.2 (a cached environment), within 1e-6
relative: different jax builds round differently at about 1e-7."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from nnx_migrate.config import Settings
from nnx_migrate.pipeline import run
from nnx_migrate.verify.envs import baseline_python

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mlp_project"
NUMBER = re.compile(r"-?\d+\.\d+e[-+]\d+")


def run_training(python: str, folder: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, *flags, "train.py"], cwd=folder, capture_output=True, text=True, timeout=600,
    )


def test_migrated_example_matches_the_original_across_flax_versions(tmp_path: Path) -> None:
    original = tmp_path / "original"
    migrated = tmp_path / "migrated"
    shutil.copytree(EXAMPLE, original)
    shutil.copytree(EXAMPLE, migrated)
    result = run([migrated], Settings(), tmp_path, write=True)
    assert not result.failed
    rules = Counter(edit.rule for f in result.changed for edit in f.edits)
    assert set(rules) == {"value-access", "module-containers", "keyword-only-rngs", "introspection-functions"}

    before = run_training(str(baseline_python("0.11.2")), original)
    assert before.returncode == 0, before.stderr[-3000:]
    after = run_training(sys.executable, migrated, "-W", "error::DeprecationWarning")
    assert after.returncode == 0, after.stderr[-3000:]

    assert NUMBER.sub("N", after.stdout) == NUMBER.sub("N", before.stdout)
    pairs = list(zip(NUMBER.findall(before.stdout), NUMBER.findall(after.stdout)))
    assert len(pairs) == 8
    for old, new in pairs:
        assert math.isclose(float(old), float(new), rel_tol=1e-6, abs_tol=1e-9), (old, new)
    assert "6 Dense layers, 24 calls" in after.stdout

    # the original really is broken on flax 0.12: a plain list of Modules
    broken = run_training(sys.executable, original)
    assert broken.returncode != 0 and "static attribute" in broken.stderr
    # a second run over the migrated project changes nothing
    assert not run([migrated], Settings(), tmp_path, write=False).changed
