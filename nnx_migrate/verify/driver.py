"""`nnx-migrate verify`: run the original under its flax and the migrated code under the
current one, each in its own interpreter, and compare (see compare.py)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnx_migrate.verify.compare import PARTS, Comparison, compare, split_keys

RUNNER = Path(__file__).with_name("runner.py")


class VerifyError(Exception):
    """A usage problem (exit 2): bad paths, a git revision that does not exist, ..."""


@dataclass
class Side:
    label: str
    python: str
    root: Path
    flax: str = "?"
    jax: str = "?"
    device: str = "?"
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    cases: dict[str, dict] = field(default_factory=dict)
    state_file: str | None = None


@dataclass
class Outcome:
    original: Side
    migrated: Side
    comparisons: list[Comparison]
    same_environment: list[Comparison]
    same_environment_note: str | None
    not_run: dict[str, str]  # case -> why
    deprecations: dict[str, list[str]]  # case -> flax DeprecationWarnings on the migrated side
    allow_deprecations: bool

    @property
    def mismatch(self) -> bool:
        failed = [c for c in self.comparisons + self.same_environment if not c.passed]
        return bool(failed) or (bool(self.deprecations) and not self.allow_deprecations)

    def exit_code(self) -> int:
        if self.mismatch:
            return 1
        return 3 if self.not_run else 0


def original_tree(original: str, migrated: Path, workdir: Path) -> Path:
    """The original code as a folder: a path, or `git:REV` (the migrated path at REV)."""
    if not original.startswith("git:"):
        path = Path(original)
        if not path.exists():
            raise VerifyError(f"--original {original}: no such file or directory")
        return path
    revision = original[len("git:"):] or "HEAD"
    where = migrated if migrated.is_dir() else migrated.parent
    top = subprocess.run(["git", "-C", str(where), "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    if top.returncode != 0:
        raise VerifyError(f"{migrated} is not inside a git repository: {top.stderr.strip()}")
    top_path = Path(top.stdout.strip())
    archive = subprocess.run(["git", "-C", str(top_path), "archive", "--format=tar", revision], capture_output=True)
    if archive.returncode != 0:
        raise VerifyError(f"cannot read {revision} from git: {archive.stderr.decode(errors='replace').strip()}")
    target = workdir / "original"
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data") if sys.version_info >= (3, 12) else tar.extractall(target)
    return target / migrated.resolve().relative_to(top_path)


def auto_targets(original: Path, migrated: Path) -> tuple[dict[str, str], dict[str, str]]:
    """NNX Module classes in files the migration changed: {case: 'module:Class'}, and
    the ones that cannot be named (with why)."""
    import ast

    from nnx_migrate.index import ProjectIndex

    root = migrated if migrated.is_dir() else migrated.parent
    files = sorted(root.rglob("*.py")) if migrated.is_dir() else [migrated]
    index = ProjectIndex()
    changed = []
    for path in files:
        relative = path.relative_to(root)
        before = (original / relative) if original.is_dir() else original
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        file = index.add_file(path, text, tree)
        if not before.exists() or before.read_text(encoding="utf-8", errors="replace") != text:
            changed.append(file)
    targets, skipped = {}, {}
    for info in index.classes.values():
        if info.file not in changed or not index.is_nnx_class(info.qualname):
            continue
        if "." in info.qualname[len(info.file.module) + 1:]:
            skipped[info.qualname] = "a nested class"
            continue
        targets[info.qualname] = f"{info.file.module}:{info.node.name}"
    return targets, skipped


def run_side(side: Side, request: dict, workdir: Path, device: str | None, timeout: int) -> None:
    name = side.label.replace(" ", "_")
    request = {**request, "root": str(side.root.resolve()), "out": str(workdir / f"{name}.npz"),
               "report": str(workdir / f"{name}.json")}
    request_path = workdir / f"{name}.request.json"
    request_path.write_text(json.dumps(request))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if device:
        env["JAX_PLATFORMS"] = {"gpu": "cuda", "cpu": "cpu", "tpu": "tpu"}[device]
    completed = subprocess.run([side.python, str(RUNNER), str(request_path)], capture_output=True, text=True,
                               env=env, timeout=timeout, cwd=str(side.root.resolve()))
    if completed.returncode != 0:
        raise VerifyError(f"the {side.label} side could not start ({side.python}): {completed.stderr.strip()[-1500:]}")
    report = json.loads(Path(request["report"]).read_text())
    side.flax, side.jax, side.device, side.cases = report["flax"], report["jax"], report["device"], report["cases"]
    with np.load(request["out"], allow_pickle=False) as data:
        side.arrays = {k: data[k] for k in data.files}
    side.state_file = request["out"]


def verify(migrated: Path, original: str, *, spec: Path | None, auto: bool, baseline_python: str | None,
           rtol: float, atol: float, device: str | None, allow_deprecations: bool, timeout: int = 900) -> Outcome:
    if not migrated.exists():
        raise VerifyError(f"{migrated}: no such file or directory")
    workdir = Path(tempfile.mkdtemp(prefix="nnx-migrate-verify-"))
    try:
        original_root = original_tree(original, migrated, workdir)
        migrated_root = migrated if migrated.is_dir() else migrated.parent
        original_root = original_root if original_root.is_dir() else original_root.parent
        request: dict = {"spec": str(spec.resolve()) if spec else None, "auto": {}}
        not_run: dict[str, str] = {}
        if auto or spec is None:
            targets, skipped = auto_targets(original_root, migrated)
            request["auto"] = targets
            not_run.update({name: f"not built automatically: {why}" for name, why in skipped.items()})
        python = baseline_python or sys.executable
        old = Side("original", python, original_root)
        new = Side("migrated", sys.executable, migrated_root)
        run_side(old, request, workdir, device, timeout)
        run_side(new, {**request, "load_state": old.state_file}, workdir, device, timeout)
        comparisons = _compare_sides(old, new, rtol, atol, not_run)
        same, note = [], None
        if baseline_python and os.path.abspath(baseline_python) != os.path.abspath(sys.executable):
            here = Side("original here", sys.executable, original_root)
            run_side(here, request, workdir, device, timeout)
            alone = Side("migrated here", sys.executable, migrated_root)
            run_side(alone, request, workdir, device, timeout)
            broken: dict[str, str] = {}
            same = _compare_sides(here, alone, 0.0, 0.0, broken)
            if broken:
                note = "not run in one environment (the original may need the old flax): " + "; ".join(
                    f"{case}: {why}" for case, why in sorted(broken.items()))
        deprecations = {c: e["deprecations"] for c, e in new.cases.items() if e.get("deprecations")}
        return Outcome(old, new, comparisons, same, note, not_run, deprecations, allow_deprecations)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _compare_sides(old: Side, new: Side, rtol: float, atol: float, not_run: dict[str, str]) -> list[Comparison]:
    for case in sorted(set(old.cases) | set(new.cases)):
        for side in (old, new):
            entry = side.cases.get(case, {"status": "error", "error": "not run"})
            if entry.get("status") != "ok":
                not_run[case] = f"{side.label}: {entry.get('error')}"
    left, right = split_keys(old.arrays), split_keys(new.arrays)
    results = []
    order = list(PARTS)
    for case, part in sorted(set(left) | set(right), key=lambda k: (k[0], order.index(k[1]))):
        if case in not_run:
            continue
        results.append(compare(case, part, left.get((case, part), {}), right.get((case, part), {}), rtol, atol))
    return results
