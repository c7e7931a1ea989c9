"""Real NNX code in the old idioms, from PyPI: the `flax/nnx` sources of old flax wheels
and old releases of NNX libraries, downloaded once (`pip download --no-deps`) and kept in
the corpus cache: $NNX_MIGRATE_CORPUS_CACHE, else `.corpus-cache/` in the repository
(gitignored; never the user's ~/.cache). The benchmarks use the same cache."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

CACHE_VARIABLE = "NNX_MIGRATE_CORPUS_CACHE"
OLD_FLAX = ("0.10.7", "0.11.2")


@dataclass(frozen=True)
class Release:
    """Old NNX code from one wheel: `folder` is where it lies inside the wheel."""
    dist: str
    version: str
    folder: str
    why: str  # how this version was chosen

    @property
    def label(self) -> str:
        return f"{self.dist} {self.version} {self.folder}"


# The real corpus: code from before flax 0.12, releases chosen by the flax pin in the wheel's metadata.
CORPUS = (
    Release("flax", "0.10.7", "flax/nnx", "the last 0.10"),
    Release("flax", "0.11.2", "flax/nnx", "the last 0.11"),
    Release("easydel", "0.1.4.1", "easydel", "pins flax==0.10.4"),
    Release("easydel", "0.2.0.2", "easydel", "pins flax==0.11.2 (0.3.0 pins 0.12.3)"),
    Release("bijx", "1.0.1", "bijx", "needs flax>=0.10.4 (1.0.2 needs 0.12.0)"),
    Release("jraphx", "0.0.3", "jraphx", "needs flax>=0.11.2 (0.0.4 needs 0.12.0)"),
    Release("google-tunix", "0.1.5", "tunix", "needs flax>=0.11.1 and runs on 0.11 (0.1.6 uses nnx.List directly)"),
)


class CorpusUnavailable(Exception):
    """The wheel could not be downloaded (no network, no such version)."""


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_VARIABLE)
    return Path(configured) if configured else Path(__file__).resolve().parent.parent / ".corpus-cache"


def wheel_sources(dist: str, version: str) -> Path:
    """A folder holding every `.py` file of the wheel of `dist==version` at its path in the
    wheel (read-only use: copy it). Raises CorpusUnavailable."""
    root = cache_dir() / f"{dist}-{version}"
    marker = root / ".complete"
    if marker.exists():
        return root
    wheels = cache_dir() / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    pattern = f"{dist.replace('-', '_')}-{version}-*.whl"
    wheel = next(wheels.glob(pattern), None)
    if wheel is None:
        download = subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
             f"{dist}=={version}", "-d", str(wheels)],
            capture_output=True, text=True,
        )
        wheel = next(wheels.glob(pattern), None)
        if wheel is None:
            raise CorpusUnavailable(f"cannot download {dist}=={version}: {download.stderr.strip()[-500:]}")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(root, [m for m in archive.namelist() if m.endswith(".py")])
    marker.touch()
    return root


def run_bounded(command: list[str], timeout: float, **options) -> subprocess.CompletedProcess | None:
    """subprocess.run with output captured as text; None when it ran past `timeout`. On a
    timeout its whole process group is killed: worker processes holding the pipes would
    otherwise keep subprocess.run waiting after the parent is gone."""
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True, **options) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return None
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def available(dist: str, version: str) -> Path:
    """`wheel_sources` for a test: skips when offline, fails on CI (where PyPI is reachable)."""
    import pytest

    try:
        return wheel_sources(dist, version)
    except CorpusUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(str(error))
        pytest.skip(str(error))


def flax_nnx_sources(version: str) -> Path:
    """The `flax/nnx` package of flax==`version` (read-only use: copy it)."""
    return available("flax", version) / "flax" / "nnx"
