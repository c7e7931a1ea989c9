"""Runs testdata cases through the real pipeline (discover, index, rewrite, apply).

A case is either one file `NAME.py` (expected output `NAME.expected.py`; without one
the file must come out unchanged) or a folder with `input/` and `expected/` trees.
A first line `# nnx-migrate-test: FLAGS` passes CLI-style flags.
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

from nnx_migrate import flax_api
from nnx_migrate.config import Settings
from nnx_migrate.pipeline import RunResult, run

TESTDATA = Path(__file__).resolve().parent.parent / "testdata"
FLAGS_MARKER = "# nnx-migrate-test:"


def case_settings(first_line: str, rule: str) -> Settings:
    settings = Settings(select=[rule])
    if first_line.startswith(FLAGS_MARKER):
        words = shlex.split(first_line[len(FLAGS_MARKER):])
        while words:
            word = words.pop(0)
            if word == "--unsafe-fixes":
                settings.unsafe_fixes = True
            elif word == "--target-version":
                settings.target_version = flax_api.parse_version(words.pop(0))
            else:
                raise ValueError(f"unknown fixture flag {word}")
    return settings


def single_file_cases(rule: str) -> list[Path]:
    folder = TESTDATA / rule
    return sorted(p for p in folder.glob("*.py") if not p.name.endswith(".expected.py"))


def tree_cases(rule: str) -> list[Path]:
    folder = TESTDATA / rule
    return sorted(p for p in folder.iterdir() if (p / "input").is_dir())


def expected_path(case: Path) -> Path:
    return case.with_name(case.name[: -len(".py")] + ".expected.py")


def migrate_copy(source: Path, workdir: Path, rule: str, settings: Settings | None = None) -> tuple[Path, RunResult]:
    """Copy a file or tree into `workdir`, migrate it in place, return (copy, result)."""
    target = workdir / source.name
    if source.is_dir():
        shutil.copytree(source, target)
        first = next(iter(sorted(target.rglob("*.py")))).read_text()
    else:
        shutil.copy2(source, target)
        first = target.read_text()
    if settings is None:
        settings = case_settings(first.splitlines()[0] if first else "", rule)
    result = run([target], settings, workdir, write=True)
    return target, result
