"""renamed-api: fixture pairs and idempotence."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures import assert_fixture, assert_idempotent, migrate_copy, single_file_cases

RULE = "renamed-api"
CASES = single_file_cases(RULE)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_fixture(case: Path, tmp_path: Path) -> None:
    assert_fixture(case, tmp_path, RULE)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_idempotent(case: Path, tmp_path: Path) -> None:
    assert_idempotent(case, tmp_path, RULE)


def reported_lines(case_name: str, tmp_path: Path) -> list[int]:
    case = next(c for c in CASES if c.stem == case_name)
    _, result = migrate_copy(case, tmp_path, RULE)
    return sorted(d.line for f in result.files for d in f.diagnostics)
