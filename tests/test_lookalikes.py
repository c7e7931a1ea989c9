"""Look-alikes: code that resembles NNX usage but is not (Enum `.value`, argparse, ctypes,
helpers that return something else, narrowing that no longer holds, ...). Every file under
testdata/lookalikes/ goes through the whole pipeline with every rule and must come out
byte-identical, with and without --unsafe-fixes; a project folder there is run as one tree.

testdata/lookalikes/non_array_values/ holds real Variables whose value is not an array
(a tuple from `jnp.linalg.eigh`, a numpy Generator): there `.value` may only become
`get_value()`, never `[...]`; each case has its `.expected.py`.

Each case carries a `# LOOKALIKE: why` comment on the line that must stay.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fixtures import TESTDATA, expected_path, migrate_copy

from nnx_migrate.config import Settings

LOOKALIKES = TESTDATA / "lookalikes"
NON_ARRAY = LOOKALIKES / "non_array_values"
MARKER = "# LOOKALIKE:"

# file or folder name -> why it still fails, with its finding (testdata/lookalikes/README.md);
# strict: the test fails once the case passes, so the entry goes with the fix
KNOWN_WRONG: dict[str, str] = {
}


def _case_files() -> list[Path]:
    return sorted(p for p in LOOKALIKES.glob("*.py"))


def _project_folders() -> list[Path]:
    return sorted(p for p in (LOOKALIKES / "projects").iterdir() if p.is_dir())


def _non_array_cases() -> list[Path]:
    return sorted(p for p in NON_ARRAY.glob("*.py") if not p.name.endswith(".expected.py"))


def _param(path: Path):
    reason = KNOWN_WRONG.get(path.name)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(path, id=path.stem, marks=marks)


def _settings(unsafe: bool) -> Settings:
    return Settings(select=None, unsafe_fixes=unsafe)


def _assert_same_files(left: Path, right: Path) -> None:
    """Every file (scripts, notebooks) byte for byte."""
    files = sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    for relative in files:
        assert (left / relative).read_bytes() == (right / relative).read_bytes(), relative


def _parses(path: Path) -> bool:
    try:
        ast.parse(path.read_bytes())
    except SyntaxError:
        return False
    return True


def _migrate(source: Path, workdir: Path, unsafe: bool) -> Path:
    """Migrate a copy; only files that are not Python (a merge conflict) may fail."""
    out, result = migrate_copy(source, workdir, "", _settings(unsafe))
    failed = [(f.display, f.error) for f in result.failed if _parses(f.path)]
    assert not failed
    return out


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("case", [_param(p) for p in _case_files()])
def test_file_stays_byte_identical(case: Path, unsafe: bool, tmp_path: Path) -> None:
    out = _migrate(case, tmp_path, unsafe)
    assert out.read_text() == case.read_text()
    assert out.read_bytes() == case.read_bytes()


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("project", [_param(p) for p in _project_folders()])
def test_project_stays_byte_identical(project: Path, unsafe: bool, tmp_path: Path) -> None:
    out = _migrate(project, tmp_path, unsafe)
    _assert_same_files(out, project)


def test_all_files_together_stay_byte_identical(tmp_path: Path) -> None:
    """One project of every look-alike file: more context must not make any of them NNX
    (files still known to be rewritten alone are left out of the comparison)."""
    tree = tmp_path / "all"
    tree.mkdir()
    for case in _case_files():
        (tree / case.name).write_bytes(case.read_bytes())
    out, result = migrate_copy(tree, tmp_path / "run", "", _settings(unsafe=False))
    checked = [p.name for p in _case_files() if p.name not in KNOWN_WRONG]
    assert checked
    failed = [f.display for f in result.failed if Path(f.display).name in checked]
    assert not failed
    for name in checked:
        assert (out / name).read_text() == (tree / name).read_text(), name


@pytest.mark.parametrize("case", [_param(p) for p in _non_array_cases()])
def test_non_array_variables_get_exact_forms(case: Path, tmp_path: Path) -> None:
    out = _migrate(case, tmp_path, unsafe=False)
    migrated = out.read_text()
    assert migrated == expected_path(case).read_text()
    ast.parse(migrated)


def _markers(paths) -> list[tuple[Path, int]]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if MARKER in line:
                found.append((path, number))
    return found


def test_the_look_alike_set_is_large_and_every_case_says_why() -> None:
    files = [*_case_files(), *(p for d in _project_folders() for p in d.rglob("*") if p.suffix in (".py", ".ipynb"))]
    markers = _markers(files)
    assert len(markers) >= 150, len(markers)
    for path, number in markers:
        reason = path.read_text().splitlines()[number - 1].split(MARKER, 1)[1].strip()
        assert reason, f"{path.name}:{number}: a look-alike without its reason"
