"""deprecated-patterns: fixture pairs and idempotence."""

from __future__ import annotations

from pathlib import Path

from fixtures import fixture_tests, migrate_copy, single_file_cases

RULE = "deprecated-patterns"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


def reported_lines(case_name: str, tmp_path: Path) -> list[int]:
    case = next(c for c in CASES if c.stem == case_name)
    _, result = migrate_copy(case, tmp_path, RULE)
    return sorted(d.line for f in result.files for d in f.diagnostics)


def test_every_pattern_is_reported(tmp_path: Path) -> None:
    # hook, sow, jax.tree.leaves(model), a Variable in a set, a Variable as a dict key
    assert reported_lines("reports", tmp_path) == [8, 11, 16, 17, 18]


def test_near_misses_are_not_reported(tmp_path: Path) -> None:
    assert reported_lines("untouched", tmp_path) == []
