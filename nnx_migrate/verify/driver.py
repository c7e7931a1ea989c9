"""`nnx-migrate verify`: run the original under its flax and the migrated code under the
current one, each in its own interpreter, and compare (see compare.py); with `--cases`,
also replay what `trace --record-cases` recorded under the old flax (replay.py)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnx_migrate.verify import coverage, roots
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


def judged(old: Side, new: Side, rtol: float, what: str = "original vs migrated") -> str:
    """What a comparison's two sides differ in, and how it is judged."""
    if not differences(old, new):
        return same_environment_title(new)
    return f"{what}: {', '.join(differences(old, new))}; allowed: {rtol:g} of each array's scale"


@dataclass
class RecordedGroup:
    """Recorded cases (one recorded environment) against their replay on the migrated tree."""

    recorded: Side
    migrated: Side
    comparisons: list[Comparison]
    rtol: float
    atol: float

    @property
    def exact(self) -> bool:
        return not differences(self.recorded, self.migrated)

    @property
    def title(self) -> str:
        return judged(self.recorded, self.migrated, self.rtol, "recorded by `trace --record-cases` vs migrated")


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
    recorded: list[RecordedGroup] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)  # recorded classes not under MIGRATED
    classes: dict = field(default_factory=dict)  # Module classes of the changed files: coverage.ClassLines
    through_subclass: dict[str, str] = field(default_factory=dict)  # class -> how a subclass's case ran it

    @property
    def exact(self) -> bool:
        return not differences(self.original, self.migrated)

    @property
    def title(self) -> str:
        """What the main comparison's two sides differ in, and how it is judged."""
        if self.recorded and not self.comparisons:  # --cases alone
            return self.recorded[0].title
        return judged(self.original, self.migrated, self.rtol)

    def all_comparisons(self) -> list[Comparison]:
        return self.comparisons + self.same_environment + [c for g in self.recorded for c in g.comparisons]

    def judged_classes(self) -> set[str]:
        """Classes one of whose own cases was compared (or failed as a migration)."""
        return {c.case.split(" [")[0] for c in self.across_versions()}

    def across_versions(self) -> list[Comparison]:
        """The comparisons of the migrated code with the original or the recording (not
        the same-environment ones, which judge the old code on the new flax)."""
        return self.comparisons + [c for g in self.recorded for c in g.comparisons]

    def lines_ran_in_compared_cases(self) -> dict[str, dict]:
        """case -> {file: lines executed on the migrated side}, for the cases whose numbers
        were compared and are all within the tolerance."""
        failed = {c.case for c in self.across_versions() if not c.passed}
        compared = {c.case for c in self.across_versions() if c.part != "runs"} - failed
        found = {}
        for side in [self.migrated] + [g.migrated for g in self.recorded]:
            for case, entry in side.cases.items():
                if case in compared and entry.get("lines"):
                    found[case] = entry["lines"]
        return found

    def class_counts(self) -> dict[str, int]:
        """The Module classes of the changed files by how they were checked: `failed` (a
        case of it mismatched, or its migration does not run where the other side ran),
        `within tolerance` (every case of it compared passed), `through a subclass`
        (coverage.through_subclass), `not checked`."""
        if not self.classes:
            return {}
        names = {n for n, lines in self.classes.items() if lines.file}
        verdicts: dict[str, set[bool]] = {}
        for comparison in self.across_versions():
            verdicts.setdefault(comparison.case.split(" [")[0], set()).add(comparison.passed)
        counts = {"classes": len(names), "within tolerance": 0, "failed": 0, "through a subclass": 0,
                  "not checked": 0}
        for name in names:
            if False in verdicts.get(name, ()):
                counts["failed"] += 1
            elif name in verdicts:
                counts["within tolerance"] += 1
            elif name in self.through_subclass:
                counts["through a subclass"] += 1
            else:
                counts["not checked"] += 1
        return counts

    def kind(self, case: str) -> str:
        """automatic, spec or recorded: how the case was built."""
        for side in [self.migrated] + [g.migrated for g in self.recorded]:
            if case in side.cases:
                return side.cases[case].get("kind", "automatic")
        return "automatic"

    @property
    def failed(self) -> bool:
        return any(not c.passed for c in self.all_comparisons())

    @property
    def still_deprecated(self) -> bool:
        return bool(self.deprecations) and not self.allow_deprecations

    @property
    def mismatch(self) -> bool:
        return self.failed or self.still_deprecated

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


def auto_targets(original: Path | None, migrated: Path, layout: roots.Layout,
                 classes: dict | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """NNX Module classes in files the migration changed: {case: 'module:Class'}, and
    the ones that cannot be named (with why). Module names are the project's own, from
    its import roots (`layout`). `classes`, if given, receives each such class's lines
    (coverage.class_lines: what a subclass's case must run to check it)."""
    import ast

    from nnx_migrate.index import ProjectIndex

    root = migrated if migrated.is_dir() else migrated.parent
    index = ProjectIndex()
    changed, names, originals = [], {}, {}
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
        before_text = before.read_text(encoding="utf-8", errors="replace") if before is not None and \
            before.exists() else None
        if before_text != text:
            changed.append(file)
            originals[id(file)] = before_text or ""
    targets, skipped = {}, {}
    for info in index.classes.values():
        if info.file not in changed or not index.is_nnx_class(info.qualname):
            continue
        module = names[id(info.file)]
        if "." in info.qualname[len(info.file.module) + 1:]:
            skipped[f"{module}.{info.qualname[len(info.file.module) + 1:]}"] = "a nested class"
            continue
        targets[f"{module}.{info.node.name}"] = f"{module}:{info.node.name}"
    if classes is not None:
        classes.update(coverage.class_lines(index, changed, names, originals))
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
           cases: Path | None = None, timeout: int = 900) -> Outcome | Recorded:
    if not migrated.exists():
        raise VerifyError(f"{migrated}: no such file or directory")
    if spec is not None and not spec.is_file():
        raise VerifyError(f"--spec {spec}: no such file")
    for path, option in ((record, "--record"),):
        if path is not None:
            check_output_target(path, option)
    document = read_cases(cases) if cases is not None else None
    if device:
        check_device(device, sys.executable)
    workdir = Path(tempfile.mkdtemp(prefix="nnx-migrate-verify-"))
    try:
        layout = roots.layout(migrated)
        outcome = None
        if against is not None:
            outcome = _against(migrated, against, layout, spec, rtol, atol, device, allow_deprecations,
                               matmul_precision, workdir, timeout)
        elif original is not None:
            outcome = _compare_with_original(migrated, original, layout, spec, auto, baseline_python, rtol, atol,
                                             device, allow_deprecations, matmul_precision, record, workdir, timeout)
        elif document is None:
            raise VerifyError("give --original (or --against FILE, or --cases FILE)")
        if document is not None and not isinstance(outcome, Recorded):
            outcome = _with_recorded(outcome, cases, document, layout, rtol, atol, device, allow_deprecations,
                                     matmul_precision, workdir, timeout)
        if isinstance(outcome, Outcome) and outcome.classes:
            outcome.through_subclass = coverage.through_subclass(outcome.classes, outcome.judged_classes(),
                                                                 outcome.lines_ran_in_compared_cases())
        return outcome
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _compare_with_original(migrated: Path, original: str, layout: roots.Layout, spec: Path | None, auto: bool,
                           baseline_python: str | None, rtol: float, atol: float, device: str | None,
                           allow_deprecations: bool, matmul_precision: str, record: Path | None, workdir: Path,
                           timeout: int) -> Outcome | Recorded:
    """Automatic (and spec) cases: the original tree and the migrated one, each run."""
    original_path = original_tree(original, migrated, workdir)
    new_paths, old_paths = roots.search_paths(layout, original_path, workdir)
    request: dict = {"spec": str(spec.resolve()) if spec else None, "auto": {},
                     "matmul_precision": matmul_precision}
    not_run: dict[str, str] = {}
    classes: dict = {}
    if auto or spec is None:
        targets, skipped = auto_targets(original_path, migrated, layout, classes)
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
    run_side(new, {**request, "load_state": old.state_file, "lines_of": _lines_of(classes)}, workdir, device,
             timeout)
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
        same = _compare_sides(here, alone, 0.0, 0.0, broken, report_empty=False)  # said once, above
        if broken:
            note = "not run in one environment (the original may need the old flax): " + "; ".join(
                f"{case}: {why}" for case, why in sorted(broken.items()))
    return Outcome(old, new, comparisons, same, note, not_run, _deprecations(new), allow_deprecations,
                   rtol=rtol, atol=atol, same_environment_side=here, classes=classes)


def _lines_of(classes: dict) -> list[str]:
    """The files whose executed lines the migrated side records: those of classes with
    a subclass in the project (a base is checked through its subclasses' cases)."""
    bases = {base for lines in classes.values() for base in lines.bases}
    return sorted({classes[b].file for b in bases if classes[b].file})


def _deprecations(side: Side) -> dict[str, list[str]]:
    """case -> flax DeprecationWarnings the side met (warned, or raised by a `-W error` filter)."""
    found = {}
    for case, entry in side.cases.items():
        warnings = list(entry.get("deprecations") or []) + ([entry["deprecation_error"]]
                                                            if entry.get("deprecation_error") else [])
        if warnings:
            found[case] = warnings
    return found


def read_cases(path: Path) -> dict:
    """The document of a cases file from `trace --record-cases`, or a usage error."""
    from nnx_migrate.trace.cases import read_document

    if not path.is_file():
        raise VerifyError(f"--cases {path}: no such file")
    try:
        return read_document(path)
    except ValueError as error:
        raise VerifyError(f"--cases {path}: {error}") from None


def recorded_targets(document: dict, layout: roots.Layout) -> tuple[dict, dict, list, dict]:
    """The recorded constructions of classes under MIGRATED: {case: record id}, the ones
    that cannot be rebuilt {case: why}, the recorded classes outside MIGRATED, and for a
    class of a script that was run (`__main__`) the module name of that file here."""
    modules = set(layout.modules.values())
    targets, not_run, outside, numbers, aliases = {}, {}, [], {}, {}
    for rid, record in document.get("records", {}).items():
        if record.get("dependency"):
            continue
        module, _, qualname = record["class"].partition(":")
        here = _script_module(record.get("file"), layout) if module == "__main__" else module
        dotted = f"{here or module}.{qualname}"
        if here not in modules:
            if dotted not in outside:
                outside.append(dotted)
            continue
        numbers[dotted] = numbers.get(dotted, 0) + 1
        case = f"{dotted} [recorded {numbers[dotted]}]"
        if record.get("unrecordable"):
            not_run[case] = f"cannot be rebuilt from its recording: {record['unrecordable']}"
        elif "<locals>" in qualname:
            not_run[case] = "cannot be rebuilt from its recording: the class is defined inside a function"
        else:
            targets[case] = rid
            if module == "__main__":
                aliases[case] = {"__main__": here}
    return targets, not_run, outside, aliases


def _script_module(recorded_file: str | None, layout: roots.Layout) -> str | None:
    """The module name here of the file that ran as `__main__`: the file of that name
    whose folders match the recorded path's most closely (the trees may lie elsewhere)."""
    if not recorded_file:
        return None
    parts = Path(recorded_file).parts
    best, length = None, 0
    for file, module in layout.modules.items():
        common = 0
        for mine, theirs in zip(reversed(file.parts), reversed(parts)):
            if mine != theirs:
                break
            common += 1
        if common > length:
            best, length = module, common
    return best


def _recorded_arrays(document: dict, archive: zipfile.ZipFile, targets: dict[str, str]) -> tuple[dict, set]:
    """The recorded side's arrays under the keys the runner writes, and the keys of
    arrays too large to have been recorded (the other side's are dropped)."""
    arrays, left_out = {}, set()

    def put(key: str, entry: dict) -> None:
        if "array" not in entry:
            left_out.add(key)
            left_out.add(f"{key}@{entry.get('dtype')}")
            return
        key = f"{key}@{entry['dtype']}" if entry.get("stored_as") else key
        arrays[key] = np.lib.format.read_array(io.BytesIO(archive.read(entry["array"] + ".npy")), allow_pickle=False)

    for case, rid in targets.items():
        record = document["records"][rid]
        for path, entry in record.get("state", {}).items():
            put(f"{case}/init/{path}", entry)
        for number, call in enumerate(record.get("calls", []), 1):
            for part, entries in (("outputs", call.get("outputs", {})), ("state", call.get("state_after", {})),
                                  ("grads", call.get("grads", {}))):
                for path, entry in entries.items():
                    put(f"{case}/{part}/call{number}/{path}", entry)
    return arrays, left_out


def _with_recorded(outcome: Outcome | None, cases: Path, document: dict, layout: roots.Layout, rtol: float,
                   atol: float, device: str | None, allow_deprecations: bool, matmul_precision: str, workdir: Path,
                   timeout: int) -> Outcome:
    """`--cases FILE`: each recorded construction under MIGRATED rebuilt on the migrated
    tree under this flax and run on its recorded inputs, compared with what was recorded
    (one group per environment it was recorded in)."""
    targets, not_run, outside, aliases = recorded_targets(document, layout)
    if not targets and not not_run and outside and outcome is None:
        raise VerifyError(f"--cases {cases}: none of its recorded classes is under {layout.path} "
                          f"(it has {', '.join(outside[:5])}{' ...' if len(outside) > 5 else ''})")
    paths, _ = roots.search_paths(layout, None, workdir)
    groups, deprecations = [], {}
    by_environment: dict[int, dict[str, str]] = {}
    for case, rid in targets.items():
        by_environment.setdefault(document["records"][rid].get("environment", 0), {})[case] = rid
    with zipfile.ZipFile(cases) as archive:
        for number, (environment_id, group) in enumerate(sorted(by_environment.items())):
            environment = document["environments"][environment_id]
            old = Side("recorded", environment.get("python_executable", "?"), [], flax=environment.get("flax", "?"),
                       jax=environment.get("jax", "?"), python_version=environment.get("python", "?"),
                       device=environment.get("device", "?"),
                       matmul_precision=environment.get("matmul_precision", "?"),
                       cases={case: {"status": "ok", "kind": "recorded"} for case in group})
            old.arrays, left_out = _recorded_arrays(document, archive, group)
            new = Side("migrated", sys.executable, paths)
            request = {"spec": None, "auto": {}, "matmul_precision": matmul_precision,
                       "x64": bool(environment.get("x64")),
                       "lines_of": _lines_of(outcome.classes) if outcome is not None else [],
                       "recorded": {"file": str(cases.resolve()), "cases": group,
                                    "aliases": {case: aliases[case] for case in group if case in aliases}}}
            (workdir / f"recorded-{number}").mkdir()
            run_side(new, request, workdir / f"recorded-{number}", device, timeout)
            new.arrays = {k: v for k, v in new.arrays.items() if k not in left_out}
            exact = not differences(old, new)
            comparisons = _compare_sides(old, new, 0.0 if exact else rtol, 0.0 if exact else atol, not_run)
            for case, rid in group.items():  # nothing to compare: say why no call was recorded
                why = document["records"][rid].get("calls_not_recorded")
                if why and not_run.get(case, "").startswith("built on both sides, but there is nothing"):
                    not_run[case] = f"rebuilt, but there is nothing to compare: it holds no array, and its calls " \
                                    f"were not recorded: {why}"
            groups.append(RecordedGroup(old, new, comparisons, rtol, atol))
            deprecations.update(_deprecations(new))
    if outcome is None:
        first = groups[0] if groups else None
        outcome = Outcome(first.recorded if first else Side("recorded", "?", []),
                          first.migrated if first else Side("migrated", sys.executable, paths), [], [], None, {}, {},
                          allow_deprecations, rtol=rtol, atol=atol)
    outcome.recorded, outcome.outside = groups, outside
    outcome.not_run.update(not_run)
    outcome.deprecations.update(deprecations)
    return outcome


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
    note = "not run: the original's code is not here (--against compares with a record)"
    return Outcome(old, new, comparisons, [], note if not exact else None, not_run, _deprecations(new),
                   allow_deprecations, rtol=rtol, atol=atol)


BASELINE_HINT = ' (it may need the flax it was written for: add --baseline "flax==0.11.2", or that version)'


def _cases_not_run(side: Side, not_run: dict[str, str]) -> None:
    for case, entry in side.cases.items():
        if entry.get("status") != "ok":
            not_run.setdefault(case, f"{side.label}: {entry.get('error')}")


def _compare_sides(old: Side, new: Side, rtol: float, atol: float, not_run: dict[str, str],
                   suggest_baseline: bool = False, report_empty: bool = True) -> list[Comparison]:
    failures = []
    for case in sorted(set(old.cases) | set(new.cases)):
        entries = {side.label: side.cases.get(case, {"status": "error", "error": "not run"}) for side in (old, new)}
        theirs, ours = entries[old.label], entries[new.label]
        if theirs.get("status") == "ok" and ours.get("status") != "ok" and case not in not_run \
                and case in new.cases:
            if ours.get("stage") == "rebuild":
                not_run[case] = f"cannot be rebuilt from its recording: {ours.get('error')}"
            elif not ours.get("deprecation_error"):  # that one is reported as still deprecated
                # The other side built and ran it: the migrated code does not work here.
                failures.append(Comparison(case, "runs", problems=[
                    f"the {old.label} side ran, the {new.label} side raised {ours.get('error')}"]))
            continue
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
    failed = {c.case for c in failures}
    for case, part in sorted(keys, key=lambda k: (k[0], order.index(k[1]))):
        if case in not_run or case in failed or new.cases.get(case, {}).get("deprecation_error"):
            continue
        results.append(compare(case, part, left.get((case, part), {}), right.get((case, part), {}), rtol, atol,
                               left_name="recorded run" if old.label == "recorded" else "original"))
    compared = {c.case for c in results}
    for case in sorted(set(old.cases) & set(new.cases)) if report_empty else ():  # nothing left out in silence
        if case not in compared and case not in failed and case not in not_run and all(
                side.cases[case].get("status") == "ok" for side in (old, new)):
            not_run[case] = ("built on both sides, but there is nothing to compare: it holds no array, and no "
                             "call of it was made or recorded (a class without `__call__`, or called only "
                             "under a jax transform)")
    return sorted(results + failures, key=lambda c: (c.case, order.index(c.part)))
