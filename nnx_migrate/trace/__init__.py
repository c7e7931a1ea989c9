"""`nnx-migrate trace`: run a command with the recorder installed, merge what every Python
process of it recorded, and write the evidence file the migration can use (`--evidence`);
with `--record-cases`, also the constructions and calls `verify --cases` replays (cases.py).

The recorder (recorder.py) is copied as `sitecustomize.py` into a fresh folder put first
on PYTHONPATH, so every interpreter the command starts (subprocesses, pytest-xdist
workers) records too, whatever environment it runs in; case_recorder.py goes beside it.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nnx_migrate.evidence import merge, relocate
from nnx_migrate.trace.cases import CasesSummary, merge_cases, summary_lines

TRACE_DIR_VARIABLE = "NNX_MIGRATE_TRACE_DIR"
RECORD_CASES_VARIABLE = "NNX_MIGRATE_RECORD_CASES"
# the matmul precision the recorded run computes at (`verify` replays at `highest`)
CASES_PRECISION_VARIABLE = "NNX_MIGRATE_CASES_MATMUL_PRECISION"
DEFAULT_CASES_FILE = ".nnx-migrate-cases.npz"


@dataclass
class TraceResult:
    returncode: int
    processes: int  # fragments written
    files: int
    sites: int
    output: Path
    flax_versions: list[str]
    changed_during_run: list[str]
    cases: CasesSummary | None = None  # with --record-cases


def command_line(command: list[str], python: str | None) -> list[str]:
    """With `--python`, COMMAND is a script or `-m module` for that interpreter."""
    if python is not None:
        return [python, *command]
    if command and command[0].endswith(".py"):
        return [sys.executable, *command]
    return list(command)


def run_trace(command: list[str], output: Path, python: str | None = None, cwd: Path | None = None,
              cases: Path | None = None, matmul_precision: str = "highest") -> TraceResult:
    """Run `command` (list form, no shell) recording, then write the merged evidence to
    `output` (and, given `cases`, the recorded cases there, computed at `matmul_precision`:
    pinned, as `verify` pins it, so a GPU run's TF32 matmuls cannot look like a mismatch;
    `default` leaves the program's own)."""
    if cases is not None and (cases.is_dir() or not os.access(_existing_folder(cases), os.W_OK)):
        raise TraceError(f"--cases {cases}: not a file that can be written")
    work = Path(tempfile.mkdtemp(prefix="nnx-migrate-trace-"))
    try:
        site = work / "site"
        fragments = work / "fragments"
        site.mkdir()
        fragments.mkdir()
        package = resources.files("nnx_migrate.trace")
        (site / "sitecustomize.py").write_text(package.joinpath("recorder.py").read_text(encoding="utf-8"),
                                               encoding="utf-8")
        env = dict(os.environ)
        if cases is not None:
            (site / "_nnx_migrate_case_recorder.py").write_text(
                package.joinpath("case_recorder.py").read_text(encoding="utf-8"), encoding="utf-8")
            env[RECORD_CASES_VARIABLE] = "1"
            env[CASES_PRECISION_VARIABLE] = matmul_precision
        env["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [env.get("PYTHONPATH")])])
        env[TRACE_DIR_VARIABLE] = str(fragments)
        try:
            completed = subprocess.run(command_line(command, python), env=env, cwd=cwd)
            returncode = completed.returncode
        except OSError as error:
            raise TraceError(f"cannot run {shlex.join(command)}: {error.strerror or error}") from error
        documents = []
        for fragment in sorted(fragments.glob("fragment-*.json")):
            try:
                documents.append(json.loads(fragment.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue  # a process killed while writing: its events are lost
        merged = merge(documents)
        _write(output, relocate(merged, output.resolve().parent, absolute=False))
        recorded = None
        if cases is not None:
            recorded = merge_cases(sorted(fragments.glob("cases-*.zip")), cases, relative_to=(cwd or Path.cwd()).resolve())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return TraceResult(
        returncode=returncode,
        processes=len(documents),
        files=len(merged["files"]),
        sites=sum(len(entry["sites"]) for entry in merged["files"].values()),
        output=output,
        flax_versions=sorted({run["flax"] for run in merged["runs"] if run.get("flax")}),
        changed_during_run=merged["changed_during_run"],
        cases=recorded,
    )


class TraceError(Exception):
    """The command could not be started."""


def _existing_folder(path: Path) -> Path:
    folder = path.resolve().parent
    while not folder.exists():
        folder = folder.parent
    return folder


def cases_lines(result: TraceResult, target: Path | None) -> list[str]:
    """The summary lines of `--record-cases` (none without it)."""
    return summary_lines(result.cases) if target is not None and result.cases is not None else []


def _write(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, path)
