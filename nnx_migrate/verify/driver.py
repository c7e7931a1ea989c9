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

from nnx_migrate.verify import roots
from nnx_migrate.verify.compare import DEFAULT_ATOL, DEFAULT_RTOL, PARTS, Comparison, compare, split_keys

RUNNER = Path(__file__).with_name("runner.py")
DEVICE_UNAVAILABLE = 4  # the runner's exit status when JAX finds no device of the kind asked for


class VerifyError(Exception):
    """A usage problem (exit 2): bad paths, a git revision that does not exist, ..."""


@dataclass
class Side:
    label: str
    python: str
    paths: list[Path]
    flax: str = "?"
    jax: str = "?"
    python_version: str = "?"
    device: str = "?"
    matmul_precision: str = "?"
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    cases: dict[str, dict] = field(default_factory=dict)
    state_file: str | None = None

    @property
    def environment(self) -> dict[str, str]:
        return {"flax": self.flax, "jax": self.jax, "python": self.python_version, "device": self.device,
                "matmul precision": self.matmul_precision}

    def to_json(self) -> dict:
        return {"python": self.python, "paths": [str(p) for p in self.paths], "flax": self.flax, "jax": self.jax,
                "python_version": self.python_version, "device": self.device,
                "matmul_precision": self.matmul_precision}


def differences(old: Side, new: Side) -> list[str]:
    """What differs between the environments of two sides: `flax 0.11.2 -> 0.12.8`, ..."""
    return [f"{name} {old.environment[name]} -> {new.environment[name]}"
            for name in old.environment if old.environment[name] != new.environment[name]]


def same_environment_title(side: Side) -> str:
    return f"one environment (flax {side.flax}, jax {side.jax}, {side.device}): only the rewrite differs, must be identical"


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
    rtol: float = 0.0
    atol: float = 0.0
    same_environment_side: Side | None = None

    @property
    def exact(self) -> bool:
        return not differences(self.original, self.migrated)

    @property
    def title(self) -> str:
        """What the main comparison's two sides differ in, and how it is judged."""
        if self.exact:
            return same_environment_title(self.migrated)
        return (f"original vs migrated: {', '.join(differences(self.original, self.migrated))}; "
                f"allowed: {self.rtol:g} of each array's scale")

    @property
    def mismatch(self) -> bool:
        failed = [c for c in self.comparisons + self.same_environment if not c.passed]
        return bool(failed) or (bool(self.deprecations) and not self.allow_deprecations)

    def exit_code(self) -> int:
        if self.mismatch:
            return 1
        return 3 if self.not_run else 0


@dataclass
class Recorded:
    """`--record`: the original side's results, stored in `path` for `--against`."""

    original: Side
    path: Path
    not_run: dict[str, str]

    def exit_code(self) -> int:
        return 3 if self.not_run else 0


def check_output_target(path: Path, option: str) -> None:
    """A file that can be written, found before any work is done."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise VerifyError(f"{option} {path}: is a folder, not a file")
    if not folder.is_dir():
        raise VerifyError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise VerifyError(f"{option} {path}: not writable")


PLATFORMS = {"gpu": "cuda", "cpu": "cpu", "tpu": "tpu"}


def check_device(device: str, python: str) -> None:
    """JAX in `python` finds a `device`, or a one-line usage error."""
    env = {**os.environ, "JAX_PLATFORMS": PLATFORMS[device]}
    env.pop("PYTHONPATH", None)
    probe = subprocess.run([python, "-c", "import jax; print(jax.devices()[0].platform)"], capture_output=True,
                           text=True, env=env, timeout=300)
    if probe.returncode != 0:
        lines = [line for line in probe.stderr.splitlines() if line.strip()]
        raise VerifyError(f"--device {device}: JAX ({python}) finds no {device} device: "
                          f"{lines[-1].strip() if lines else 'no output'}")


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


def auto_targets(original: Path | None, migrated: Path, layout: roots.Layout) -> tuple[dict[str, str], dict[str, str]]:
    """NNX Module classes in files the migration changed: {case: 'module:Class'}, and
    the ones that cannot be named (with why). Module names are the project's own, from
    its import roots (`layout`)."""
    import ast

    from nnx_migrate.index import ProjectIndex

    root = migrated if migrated.is_dir() else migrated.parent
    index = ProjectIndex()
    changed, names = [], {}
    for path in sorted(layout.modules):
        relative = path.relative_to(root.resolve())
        before = (original / relative if original.is_dir() else original) if original is not None else None
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        file = index.add_file(path, text, tree)
        names[id(file)] = layout.modules[path]
        if before is None or not before.exists() or before.read_text(encoding="utf-8", errors="replace") != text:
            changed.append(file)
    targets, skipped = {}, {}
    for info in index.classes.values():
        if info.file not in changed or not index.is_nnx_class(info.qualname):
            continue
        module = names[id(info.file)]
        if "." in info.qualname[len(info.file.module) + 1:]:
            skipped[f"{module}.{info.qualname[len(info.file.module) + 1:]}"] = "a nested class"
            continue
        targets[f"{module}.{info.node.name}"] = f"{module}:{info.node.name}"
    return targets, skipped


def run_side(side: Side, request: dict, workdir: Path, device: str | None, timeout: int) -> None:
    name = side.label.replace(" ", "_")
    request = {**request, "paths": [str(p) for p in side.paths], "out": str(workdir / f"{name}.npz"),
               "report": str(workdir / f"{name}.json")}
    request_path = workdir / f"{name}.request.json"
    request_path.write_text(json.dumps(request))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if device:
        env["JAX_PLATFORMS"] = PLATFORMS[device]
    try:
        completed = subprocess.run([side.python, str(RUNNER), str(request_path)], capture_output=True, text=True,
                                   env=env, timeout=timeout, cwd=str(side.paths[0]) if side.paths else None)
    except subprocess.TimeoutExpired:
        raise VerifyError(f"the {side.label} side ran longer than {timeout} s ({side.python})") from None
    if completed.returncode == DEVICE_UNAVAILABLE:
        raise VerifyError(f"--device {device}: JAX of the {side.label} side ({side.python}) finds no such device: "
                          f"{completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else ''}")
    if completed.returncode != 0:
        raise VerifyError(f"the {side.label} side could not start ({side.python}): {completed.stderr.strip()[-1500:]}")
    report = json.loads(Path(request["report"]).read_text())
    _read_report(side, report)
    with np.load(request["out"], allow_pickle=False) as data:
        side.arrays = {k: data[k] for k in data.files}
    side.state_file = request["out"]


def _read_report(side: Side, report: dict) -> None:
    side.flax, side.jax, side.device, side.cases = report["flax"], report["jax"], report["device"], report["cases"]
    side.python_version = report.get("python", "?")
    side.matmul_precision = report.get("matmul_precision", "?")


def verify(migrated: Path, original: str | None, *, spec: Path | None, auto: bool, baseline_python: str | None,
           rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL, device: str | None, allow_deprecations: bool,
           matmul_precision: str = "highest", record: Path | None = None, against: Path | None = None,
           timeout: int = 900) -> Outcome | Recorded:
    if not migrated.exists():
        raise VerifyError(f"{migrated}: no such file or directory")
    if spec is not None and not spec.is_file():
        raise VerifyError(f"--spec {spec}: no such file")
    for path, option in ((record, "--record"),):
        if path is not None:
            check_output_target(path, option)
    if device:
        check_device(device, sys.executable)
    workdir = Path(tempfile.mkdtemp(prefix="nnx-migrate-verify-"))
    try:
        layout = roots.layout(migrated)
        if against is not None:
            return _against(migrated, against, layout, spec, rtol, atol, device, allow_deprecations,
                            matmul_precision, workdir, timeout)
        if original is None:
            raise VerifyError("give --original (or --against FILE)")
        original_path = original_tree(original, migrated, workdir)
        new_paths, old_paths = roots.search_paths(layout, original_path, workdir)
        request: dict = {"spec": str(spec.resolve()) if spec else None, "auto": {},
                         "matmul_precision": matmul_precision}
        not_run: dict[str, str] = {}
        if auto or spec is None:
            targets, skipped = auto_targets(original_path, migrated, layout)
            request["auto"] = targets
            not_run.update({name: f"not built automatically: {why}" for name, why in skipped.items()})
        python = baseline_python or sys.executable
        old = Side("original", python, old_paths)
        if baseline_python and device:
            check_device(device, baseline_python)
        run_side(old, request, workdir, device, timeout)
        if record is not None:
            _write_record(record, old, request, not_run)
            _cases_not_run(old, not_run)
            return Recorded(old, record, not_run)
        new = Side("migrated", sys.executable, new_paths)
        run_side(new, {**request, "load_state": old.state_file}, workdir, device, timeout)
        exact = not differences(old, new)
        comparisons = _compare_sides(old, new, 0.0 if exact else rtol, 0.0 if exact else atol, not_run,
                                     suggest_baseline=not baseline_python)
        same, note, here = [], None, None
        if not exact:
            here = Side("original here", sys.executable, old_paths)
            run_side(here, request, workdir, device, timeout)
            alone = Side("migrated here", sys.executable, new_paths)
            run_side(alone, request, workdir, device, timeout)
            broken: dict[str, str] = {}
            same = _compare_sides(here, alone, 0.0, 0.0, broken)
            if broken:
                note = "not run in one environment (the original may need the old flax): " + "; ".join(
                    f"{case}: {why}" for case, why in sorted(broken.items()))
        deprecations = {c: e["deprecations"] for c, e in new.cases.items() if e.get("deprecations")}
        return Outcome(old, new, comparisons, same, note, not_run, deprecations, allow_deprecations,
                       rtol=rtol, atol=atol, same_environment_side=here)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


RECORD_FORMAT = "nnx-migrate-verify-record/1"


def _write_record(path: Path, side: Side, request: dict, not_run: dict[str, str]) -> None:
    """One .npz: the original's arrays (seeds are fixed: inputs, state, outputs, gradients)
    and, under `__record__`, the versions, device, cases and what to build."""
    meta = {"format": RECORD_FORMAT, "side": side.to_json(), "cases": side.cases, "auto": request["auto"],
            "spec": Path(request["spec"]).name if request.get("spec") else None,
            "matmul_precision": request["matmul_precision"], "not_run": not_run}
    with open(path, "wb") as stream:
        np.savez_compressed(stream, __record__=np.array(json.dumps(meta)), **side.arrays)


def _read_record(path: Path, workdir: Path) -> tuple[dict, Path]:
    """The record's metadata, and its arrays as a state file for the runner."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["__record__"]))
            arrays = {k: data[k] for k in data.files if k != "__record__"}
    except (OSError, ValueError, KeyError) as error:
        raise VerifyError(f"--against {path}: not a record written by `verify --record` ({error})") from None
    if meta.get("format") != RECORD_FORMAT:
        raise VerifyError(f"--against {path}: unknown record format {meta.get('format')!r}")
    state = workdir / "recorded.npz"
    np.savez(state, **arrays)
    return meta, state


def _against(migrated: Path, record: Path, layout: roots.Layout, spec: Path | None, rtol: float, atol: float,
             device: str | None, allow_deprecations: bool, matmul_precision: str, workdir: Path,
             timeout: int) -> Outcome:
    """`--against FILE`: the migrated side here, compared with a recorded original."""
    if not record.is_file():
        raise VerifyError(f"--against {record}: no such file")
    meta, state = _read_record(record, workdir)
    if meta["spec"] and spec is None:
        raise VerifyError(f"--against {record}: it was recorded with the spec {meta['spec']}; give it with --spec")
    side = meta["side"]
    old = Side("original (recorded)", side["python"], [Path(p) for p in side["paths"]], flax=side["flax"],
               jax=side["jax"], python_version=side["python_version"], device=side["device"],
               matmul_precision=side["matmul_precision"], cases=meta["cases"])
    with np.load(state, allow_pickle=False) as data:
        old.arrays = {k: data[k] for k in data.files}
    new_paths, _ = roots.search_paths(layout, None, workdir)
    request = {"spec": str(spec.resolve()) if spec else None, "auto": meta["auto"],
               "matmul_precision": matmul_precision, "load_state": str(state)}
    new = Side("migrated", sys.executable, new_paths)
    run_side(new, request, workdir, device, timeout)
    not_run = dict(meta["not_run"])
    exact = not differences(old, new)
    comparisons = _compare_sides(old, new, 0.0 if exact else rtol, 0.0 if exact else atol, not_run)
    deprecations = {c: e["deprecations"] for c, e in new.cases.items() if e.get("deprecations")}
    note = "not run: the original's code is not here (--against compares with a record)"
    return Outcome(old, new, comparisons, [], note if not exact else None, not_run, deprecations,
                   allow_deprecations, rtol=rtol, atol=atol)


BASELINE_HINT = ' (it may need the flax it was written for: add --baseline "flax==0.11.2", or that version)'


def _cases_not_run(side: Side, not_run: dict[str, str]) -> None:
    for case, entry in side.cases.items():
        if entry.get("status") != "ok":
            not_run.setdefault(case, f"{side.label}: {entry.get('error')}")


def _compare_sides(old: Side, new: Side, rtol: float, atol: float, not_run: dict[str, str],
                   suggest_baseline: bool = False) -> list[Comparison]:
    for case in sorted(set(old.cases) | set(new.cases)):
        entries = {side.label: side.cases.get(case, {"status": "error", "error": "not run"}) for side in (old, new)}
        for side in (old, new):
            entry = entries[side.label]
            if entry.get("status") != "ok" and case not in not_run:
                why = f"{side.label}: {entry.get('error')}"
                # The original failed where the migrated ran: likely the new flax, not the case.
                if suggest_baseline and side is old and entries[new.label].get("status") == "ok":
                    why += BASELINE_HINT
                not_run[case] = why
    left, right = split_keys(old.arrays), split_keys(new.arrays)
    results = []
    order = list(PARTS)
    keys = {k for k in set(left) | set(right) if k[1] in PARTS}
    for case, part in sorted(keys, key=lambda k: (k[0], order.index(k[1]))):
        if case in not_run:
            continue
        results.append(compare(case, part, left.get((case, part), {}), right.get((case, part), {}), rtol, atol))
    return results
