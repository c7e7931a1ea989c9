"""Runs testdata cases through the real pipeline (discover, index, rewrite, apply).

A case is either one file `NAME.py` (expected output `NAME.expected.py`; without one
the file must come out unchanged) or a folder with `input/` and `expected/` trees.
A first line `# nnx-migrate-test: FLAGS` passes CLI-style flags.
"""

from __future__ import annotations

import ast
import shlex
import shutil
from pathlib import Path

from nnx_migrate import flax_api
from nnx_migrate.config import Settings
from nnx_migrate.pipeline import RunResult, run

TESTDATA = Path(__file__).resolve().parent.parent / "testdata"
FLAGS_MARKER = "# nnx-migrate-test:"


def case_settings(first_line: str, rule: str | None) -> Settings:
    settings = Settings(select=[rule] if rule is not None else None)  # None: every rule
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
    # run on the folder, as users do: a run on single files cannot see every caller
    result = run([workdir], settings, workdir, write=True)
    return target, result


def assert_fixture(case: Path, workdir: Path, rule: str) -> None:
    """The case migrates to its expected file (or stays as it is), and the output parses."""
    out, result = migrate_copy(case, workdir, rule)
    assert not result.failed, [f.error for f in result.failed]
    expected = expected_path(case)
    want = expected.read_text() if expected.exists() else case.read_text()
    assert out.read_text() == want
    ast.parse(out.read_text())


def assert_idempotent(case: Path, workdir: Path, rule: str) -> None:
    """Migrating the migrated output changes nothing."""
    (workdir / "first").mkdir()
    (workdir / "second").mkdir()
    out, _ = migrate_copy(case, workdir / "first", rule)
    migrated = out.read_text()
    again, result = migrate_copy(out, workdir / "second", rule)
    assert again.read_text() == migrated
    assert not result.changed


def assert_tree_fixture(case: Path, workdir: Path, rule: str) -> None:
    """A multi-file case: input/ migrates to expected/, and a second run changes nothing."""
    (workdir / "first").mkdir()
    (workdir / "second").mkdir()
    out, result = migrate_copy(case / "input", workdir / "first", rule)
    assert not result.failed, [f.error for f in result.failed]
    _assert_same_tree(out, case / "expected")
    _, second = migrate_copy(out, workdir / "second", rule)
    assert not second.changed


def _assert_same_tree(left: Path, right: Path) -> None:
    left_files = sorted(p.relative_to(left) for p in left.rglob("*.py"))
    right_files = sorted(p.relative_to(right) for p in right.rglob("*.py"))
    assert left_files == right_files
    for relative in left_files:
        assert (left / relative).read_text() == (right / relative).read_text(), relative


def fixture_tests(rule: str | None, folder: str | None = None):
    """The tests every rule has: each fixture pair, and idempotence on each case.

    In a rule's test file: `test_fixture, test_idempotent = fixture_tests(RULE)`; cases that
    run every rule: `fixture_tests(None, FOLDER)`."""
    import pytest

    cases = single_file_cases(folder or rule)

    @pytest.mark.parametrize("case", cases, ids=lambda p: p.stem)
    def test_fixture(case: Path, tmp_path: Path) -> None:
        assert_fixture(case, tmp_path, rule)

    @pytest.mark.parametrize("case", cases, ids=lambda p: p.stem)
    def test_idempotent(case: Path, tmp_path: Path) -> None:
        assert_idempotent(case, tmp_path, rule)

    return test_fixture, test_idempotent


def cached_python(version: str) -> str:
    """An already built environment with flax==version (none is built here)."""
    import pytest

    from nnx_migrate.verify.envs import cache_root

    for folder in sorted(cache_root().glob(f"flax-{version}-*")):
        if (folder / ".complete").exists() and (folder / "bin" / "python").exists():
            return str(folder / "bin" / "python")
    pytest.skip(f"no flax {version} environment under {cache_root()}")
