"""End to end for the rules beyond the four: a flax 0.10 training script (BatchNorm,
nnx.Optimizer, a jitted train step, State methods) is migrated, runs on flax 0.12.8 with
DeprecationWarnings as errors, and prints what it printed under flax 0.10.7, within 1e-5
relative."""

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

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "train_010"
NUMBER = re.compile(r"-?\d+(?:\.\d+e[-+]\d+)?")


def test_flax_010_training_script(tmp_path: Path) -> None:
    original = tmp_path / "original"
    migrated = tmp_path / "migrated"
    shutil.copytree(SCRIPT, original)
    shutil.copytree(SCRIPT, migrated)
    result = run([migrated], Settings(), tmp_path, write=True)
    assert not result.failed and not result.diagnostics
    rules = Counter(edit.rule for f in result.changed for edit in f.edits)
    assert {"optimizer-api", "state-methods", "value-access"} <= set(rules)

    python = baseline_python("0.10.7", extra=("optax==0.2.6",))
    before = subprocess.run([str(python), "train.py"], cwd=original, capture_output=True, text=True, timeout=600)
    assert before.returncode == 0, before.stderr[-3000:]
    after = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "train.py"], cwd=migrated,
                           capture_output=True, text=True, timeout=600)
    assert after.returncode == 0, after.stderr[-3000:]

    assert NUMBER.sub("N", after.stdout) == NUMBER.sub("N", before.stdout)
    pairs = list(zip(NUMBER.findall(before.stdout), NUMBER.findall(after.stdout)))
    assert len(pairs) >= 15
    for old, new in pairs:
        assert math.isclose(float(old), float(new), rel_tol=1e-5), (old, new)

    # and the original does not run on flax 0.12.8
    broken = subprocess.run([sys.executable, "train.py"], cwd=original, capture_output=True, text=True, timeout=600)
    assert broken.returncode != 0 and "wrt" in broken.stderr
