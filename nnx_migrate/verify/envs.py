"""Cached virtual environments holding an older flax, for running original code where it
is valid. Built once (with uv when it is installed, else venv + pip) under the user cache
directory and reused; never imports jax or flax itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

# The jax release each flax runs with: (first flax, last flax, jax, oldest Python).
# Checked by installing each pair on Python 3.11, 3.12 and 3.13 (uv, CPU jaxlib) and
# running a Linear + BatchNorm forward and gradient; an unpinned resolve picks the newest
# jax, which old flax does not import (flax 0.12.8 and 0.12.9 fail on jax 0.11.2 and
# later: `jax.experimental.hijax` has no `HiPrimitive`). Flax 0.12.9+ needs Python 3.12+.
JAX_FOR_FLAX = (
    ("0.10.0", "0.10.99", "0.6.2", (3, 10)),
    ("0.11.0", "0.11.99", "0.7.1", (3, 11)),
    ("0.12.0", "0.12.0", "0.7.2", (3, 11)),
    ("0.12.1", "0.12.8", "0.10.2", (3, 11)),
    ("0.12.9", "0.12.9", "0.11.1", (3, 12)),
    ("0.12.10", "0.12.11", "0.11.2", (3, 12)),
    ("0.12.12", "0.12.12", "0.12.0.1", (3, 12)),
)
CUDA_EXTRA = "cuda12"  # `jax[cuda12]`: the CUDA plugin wheels for the pinned jax


class BaselineError(RuntimeError):
    """The baseline environment could not be created."""


def cache_root() -> Path:
    from nnx_migrate.cache import cache_home

    return cache_home() / "envs"


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def pin_for(flax_version: str) -> tuple[str, tuple[int, int]] | None:
    """(jax version, oldest Python) for a flax release, or None if not in the table."""
    release = _release(flax_version)
    for first, last, jax, python in JAX_FOR_FLAX:
        if _release(first) <= release <= _release(last):
            return jax, python
    return None


def requirements_for(flax_version: str, extra: tuple[str, ...] = (), device: str | None = None) -> list[str]:
    """pip requirements for a baseline: flax and the jax it runs with (the CUDA build for
    `device="gpu"`), then the project's own extras."""
    pin = pin_for(flax_version)
    pins = [f"flax=={flax_version}"]
    jax = "jax" if device != "gpu" else f"jax[{CUDA_EXTRA}]"
    if pin:
        pins += [f"{jax}=={pin[0]}", f"jaxlib=={pin[0]}"]
    elif device == "gpu":
        pins.append(jax)
    return pins + list(extra)


def baseline_python(flax_version: str, extra: tuple[str, ...] = (), device: str | None = None) -> Path:
    """The interpreter of a cached environment with flax==`flax_version` (created once)."""
    requirements = requirements_for(flax_version, extra, device)
    interpreter = _interpreter_for(flax_version)
    name = "-".join(r.replace("==", "-").replace("/", "_").replace("[", "-").replace("]", "") for r in requirements)
    if interpreter != sys.executable:
        name += "-py" + _python_version(interpreter)
    target = cache_root() / name
    python = target / "bin" / "python"
    if (target / ".complete").exists() and python.exists():
        return python
    # A venv records its own path, so it is built in place; `.complete` marks success,
    # and a half-built one (interrupted) is rebuilt next time.
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    _create(target, requirements, interpreter)
    (target / ".complete").touch()
    return python


def _interpreter_for(flax_version: str) -> str:
    """This Python, or where the flax release needs a newer one, a newer one found on
    PATH or under pyenv."""
    pin = pin_for(flax_version)
    oldest = pin[1] if pin else (3, 10)
    if sys.version_info[:2] >= oldest:
        return sys.executable
    wanted = [f"{major}.{minor}" for major, minor in ((3, 12), (3, 13), (3, 14)) if (major, minor) >= oldest]
    for version in wanted:
        found = shutil.which(f"python{version}")
        if found:
            return found
        pyenv = sorted((Path.home() / ".pyenv" / "versions").glob(f"{version}.*/bin/python"))
        if pyenv:
            return str(pyenv[-1])
    raise BaselineError(f"flax {flax_version} needs Python {oldest[0]}.{oldest[1]} or later, and this is "
                        f"{sys.version_info[0]}.{sys.version_info[1]} with none newer on PATH: "
                        "pass --baseline-python with such an interpreter")


def _python_version(interpreter: str) -> str:
    result = subprocess.run([interpreter, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                            capture_output=True, text=True)
    return result.stdout.strip() or "unknown"


def _create(folder: Path, requirements: list[str], interpreter: str = sys.executable) -> None:
    uv = shutil.which("uv") or _uv_beside_python()
    if uv:
        commands = [
            [uv, "venv", "-q", "--python", interpreter, str(folder)],
            [uv, "pip", "install", "-q", "--python", str(folder / "bin" / "python"), *requirements],
        ]
    else:
        commands = [
            [interpreter, "-m", "venv", str(folder)],
            [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", *requirements],
        ]
    for command in commands:
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise BaselineError(f"{' '.join(command[:3])} failed: {result.stderr.strip()[-2000:]}")


def _uv_beside_python() -> str | None:
    candidate = Path(sys.executable).parent / "uv"
    return str(candidate) if candidate.exists() else None
