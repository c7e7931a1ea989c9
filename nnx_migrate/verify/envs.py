"""Cached virtual environments holding an older flax, for running original code where it
is valid. Built once (with uv when it is installed, else venv + pip) under the user cache
directory and reused; never imports jax or flax itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

# jax releases that import and run with each flax line (Python 3.11, checked by hand).
JAX_FOR_FLAX = {"0.10": "0.6.2", "0.11": "0.7.1", "0.12.0": "0.7.2"}


class BaselineError(RuntimeError):
    """The baseline environment could not be created."""


def cache_root() -> Path:
    from nnx_migrate.cache import cache_home

    return cache_home() / "envs"


def requirements_for(flax_version: str, extra: tuple[str, ...] = ()) -> list[str]:
    minor = ".".join(flax_version.split(".")[:2])
    jax = JAX_FOR_FLAX.get(flax_version) or JAX_FOR_FLAX.get(minor)
    pins = [f"flax=={flax_version}"]
    if jax:
        pins += [f"jax=={jax}", f"jaxlib=={jax}"]
    return pins + list(extra)


def baseline_python(flax_version: str, extra: tuple[str, ...] = ()) -> Path:
    """The interpreter of a cached environment with flax==`flax_version` (created once)."""
    requirements = requirements_for(flax_version, extra)
    name = "-".join(r.replace("==", "-").replace("/", "_") for r in requirements)
    target = cache_root() / name
    python = target / "bin" / "python"
    if (target / ".complete").exists() and python.exists():
        return python
    # A venv records its own path, so it is built in place; `.complete` marks success,
    # and a half-built one (interrupted) is rebuilt next time.
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    _create(target, requirements)
    (target / ".complete").touch()
    return python


def _create(folder: Path, requirements: list[str]) -> None:
    uv = shutil.which("uv") or _uv_beside_python()
    if uv:
        commands = [
            [uv, "venv", "-q", "--python", sys.executable, str(folder)],
            [uv, "pip", "install", "-q", "--python", str(folder / "bin" / "python"), *requirements],
        ]
    else:
        commands = [
            [sys.executable, "-m", "venv", str(folder)],
            [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", *requirements],
        ]
    for command in commands:
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise BaselineError(f"{' '.join(command[:3])} failed: {result.stderr.strip()[-2000:]}")


def _uv_beside_python() -> str | None:
    candidate = Path(sys.executable).parent / "uv"
    return str(candidate) if candidate.exists() else None
