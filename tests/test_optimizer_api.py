"""optimizer-api: fixture pairs and idempotence."""

from __future__ import annotations

from pathlib import Path

from fixtures import fixture_tests, migrate_copy, single_file_cases

RULE = "optimizer-api"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


def reported_lines(case_name: str, tmp_path: Path) -> list[int]:
    case = next(c for c in CASES if c.stem == case_name)
    _, result = migrate_copy(case, tmp_path, RULE)
    return sorted(d.line for f in result.files for d in f.diagnostics)


def test_models_that_cannot_be_shown_are_reported(tmp_path: Path) -> None:
    # an annotated optimizer with no caller; an untyped `opt` in a file that builds Optimizers
    assert reported_lines("unknown_model", tmp_path) == [10, 14]


def test_model_and_optimizer_calls_are_not_reported(tmp_path: Path) -> None:
    # `update(grads)` on a ModelAndOptimizer is its API: only the function called with both kinds is reported
    assert reported_lines("model_and_optimizer", tmp_path) == [19]
