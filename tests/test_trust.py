"""Never corrupt a file: interrupted runs, a rule that crashes on one file."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nnx_migrate import pipeline, registry
from nnx_migrate.config import Settings
from nnx_migrate.rule import Rule

SOURCE = '''import jax.numpy as jnp
from flax import nnx


class M{n}(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))

    def __call__(self, x):
        return x * self.w.value + self.w.value
'''


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_run_leaves_whole_files(tmp_path: Path, signum: int) -> None:
    count = 3000
    for n in range(count):
        (tmp_path / f"m{n}.py").write_text(SOURCE.format(n=n))
    process = subprocess.Popen([sys.executable, "-m", "nnx_migrate", ".", "-q"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # wait until writing has started, then interrupt
    deadline = time.time() + 120
    first = tmp_path / "m0.py"
    while time.time() < deadline and "[...]" not in first.read_text() and process.poll() is None:
        time.sleep(0.01)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=120)
    texts = [(tmp_path / f"m{n}.py").read_text() for n in range(count)]
    migrated = [t for t in texts if "[...]" in t]
    untouched = [t for n, t in enumerate(texts) if t == SOURCE.format(n=n)]
    assert len(migrated) + len(untouched) == count  # nothing half-written
    assert all(t.count("self.w[...]") == 2 and ".value" not in t for t in migrated)
    assert not [p.name for p in tmp_path.iterdir() if not p.name.endswith(".py")]  # no temporary files
    if untouched:  # interrupted while writing: it says so
        assert process.returncode == 130 and "interrupted" in stderr
    else:  # every file was written before the signal landed (or while it was reporting)
        assert process.returncode in (0, 130, -signum)


class Exploding(Rule):
    name = "exploding"
    summary = "raises on one file"
    needed_from = "0.12.0"
    safety = "safe"
    documentation = ""

    def analyze(self, context):
        if context.file.path.name == "bad.py":
            raise RuntimeError("boom")
        return [], []


def test_a_rule_that_crashes_on_one_file_does_not_stop_the_others(tmp_path: Path, monkeypatch) -> None:
    for name in ("bad.py", "good.py"):
        (tmp_path / name).write_text(SOURCE.format(n=1))
    real = registry.selected_rules
    monkeypatch.setattr(registry, "selected_rules", lambda settings: [Exploding(), *real(settings)])
    result = pipeline.run([tmp_path], Settings(), tmp_path, write=True)
    (failed,) = result.failed
    assert failed.path.name == "bad.py" and failed.error_rule == "exploding" and "boom" in failed.error
    assert "RuntimeError" in failed.traceback
    assert (tmp_path / "bad.py").read_text() == SOURCE.format(n=1)
    assert "self.w[...]" in (tmp_path / "good.py").read_text()


def test_file_changed_on_disk_is_not_overwritten(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "a.py"
    target.write_text(SOURCE.format(n=1))
    real_rewrite = pipeline._rewrite_all

    def rewrite_then_edit(*args, **kwargs):
        results = real_rewrite(*args, **kwargs)
        target.write_text(SOURCE.format(n=1) + "# edited meanwhile\n")
        return results

    monkeypatch.setattr(pipeline, "_rewrite_all", rewrite_then_edit)
    result = pipeline.run([tmp_path], Settings(), tmp_path, write=True)
    (failed,) = result.failed
    assert "changed on disk" in failed.error
    assert target.read_text().endswith("# edited meanwhile\n")
