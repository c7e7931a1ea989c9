"""`nnx-migrate trace`: run a command with the recorder installed, merge what every Python
process of it recorded, and write the evidence file the migration can use (`--evidence`).

The recorder (recorder.py) is copied as `sitecustomize.py` into a fresh folder put first
on PYTHONPATH, so every interpreter the command starts (subprocesses, pytest-xdist
workers) records too, whatever environment it runs in.
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

TRACE_DIR_VARIABLE = "NNX_MIGRATE_TRACE_DIR"


@dataclass
class TraceResult:
    returncode: int
    processes: int  # fragments written
    files: int
    sites: int
    output: Path
    flax_versions: list[str]
    changed_during_run: list[str]


def command_line(command: list[str], python: str | None) -> list[str]:
    """With `--python`, COMMAND is a script or `-m module` for that interpreter."""
    if python is not None:
        return [python, *command]
    if command and command[0].endswith(".py"):
        return [sys.executable, *command]
    return list(command)


def run_trace(command: list[str], output: Path, python: str | None = None, cwd: Path | None = None) -> TraceResult:
    """Run `command` (list form, no shell) recording, then write the merged evidence to `output`."""
    work = Path(tempfile.mkdtemp(prefix="nnx-migrate-trace-"))
    try:
        site = work / "site"
        fragments = work / "fragments"
        site.mkdir()
        fragments.mkdir()
        source = resources.files("nnx_migrate.trace").joinpath("recorder.py").read_text(encoding="utf-8")
        (site / "sitecustomize.py").write_text(source, encoding="utf-8")
        env = dict(os.environ)
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
    )


class TraceError(Exception):
    """The command could not be started."""


def _write(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, path)
