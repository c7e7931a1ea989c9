"""Real NNX code in the old idioms: the `flax/nnx` sources of old flax wheels,
downloaded once (`pip download --no-deps`) and cached under the user cache directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

OLD_FLAX = ("0.10.7", "0.11.2")


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "nnx-migrate-tests"


def flax_nnx_sources(version: str) -> Path:
    """The extracted `flax/nnx` package of flax==`version` (read-only use: copy it)."""
    root = cache_dir() / f"flax-{version}"
    marker = root / ".complete"
    if marker.exists():
        return root / "flax" / "nnx"
    wheels = cache_dir() / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    wheel = next(wheels.glob(f"flax-{version}-*.whl"), None)
    if wheel is None:
        download = subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", f"flax=={version}", "-d", str(wheels)],
            capture_output=True, text=True,
        )
        wheel = next(wheels.glob(f"flax-{version}-*.whl"), None)
        if wheel is None:
            message = f"cannot download flax=={version}: {download.stderr.strip()[-500:]}"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
    with zipfile.ZipFile(wheel) as archive:
        members = [m for m in archive.namelist() if m.startswith("flax/nnx/") and m.endswith(".py")]
        archive.extractall(root, members)
    marker.touch()
    return root / "flax" / "nnx"
