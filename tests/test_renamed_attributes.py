"""renamed-attributes: fixture pairs, idempotence, target gating, and the snippets run on
the old flax and, migrated, on the new one with DeprecationWarnings as errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fixtures import fixture_tests, migrate_copy, single_file_cases

from nnx_migrate import flax_api
from nnx_migrate.config import Settings

RULE = "renamed-attributes"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


def _case(stem: str) -> Path:
    return next(c for c in CASES if c.stem == stem)


def test_type_is_left_alone_on_the_default_target(tmp_path: Path) -> None:
    # `v.type` is silent from flax 0.12.1: only targets 0.11.0-0.12.0 rewrite it
    case = _case("type_target_0_11")
    out, result = migrate_copy(case, tmp_path, RULE, Settings(select=[RULE]))
    assert out.read_text() == case.read_text() and not result.changed


def test_pytree_names_are_not_emitted_for_0_11_0(tmp_path: Path) -> None:
    # `_pytree__state` is new in 0.11.1, `to_nnx__module` in 0.12.0
    case = _case("attributes")
    settings = Settings(select=[RULE], target_version=flax_api.parse_version("0.11.0"))
    out, _ = migrate_copy(case, tmp_path, RULE, settings)
    assert out.read_text() == case.read_text()
    (tmp_path / "b").mkdir()
    settings = Settings(select=[RULE], target_version=flax_api.parse_version("0.11.1"))
    out, _ = migrate_copy(case, tmp_path / "b", RULE, settings)
    assert "_pytree__state" in out.read_text() and "wrapped.module" in out.read_text()


def _old_python() -> str:
    from nnx_migrate.verify.envs import BaselineError, baseline_python

    try:
        return str(baseline_python("0.11.2"))
    except BaselineError as error:
        pytest.skip(f"no flax 0.11.2 environment: {error}")


def _run(python: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([python, "-W", "error::DeprecationWarning", str(path)], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("stem,warning", [("attributes", "'_object__state' is deprecated"),
                                          ("type_target_0_11", "'.type' is deprecated")])
def test_migrated_runs_without_deprecations(stem: str, warning: str, tmp_path: Path) -> None:
    """attributes.py: the original runs on 0.11.2 and warns on 0.12.8; type_target_0_11.py:
    the original warns on 0.11.2, the migrated runs there too. Migrated, each runs with
    DeprecationWarnings as errors on this environment's flax (0.12.8) and prints what the
    original printed on 0.11.2."""
    case = _case(stem)
    out, _ = migrate_copy(case, tmp_path, RULE)
    old = _old_python()
    original_new = _run(sys.executable if stem == "attributes" else old, case)
    assert original_new.returncode != 0 and warning in original_new.stderr
    before = subprocess.run([old, "-W", "ignore", str(case)], capture_output=True, text=True, timeout=300)
    assert before.returncode == 0, before.stderr[-2000:]
    for python in (sys.executable, old):
        after = _run(python, out)
        if python == old and stem == "attributes":
            continue  # to_nnx__module is new in 0.12.0
        assert after.returncode == 0, after.stderr[-2000:]
        assert after.stdout == before.stdout and after.stdout


def test_to_variable_runs_migrated_as_on_0_10(tmp_path) -> None:
    """to_variable.py raises AttributeError on flax 0.12.8 as written (0.10's
    VariableState.to_variable); migrated (`copy()`) it runs here with DeprecationWarnings as
    errors, a new Param with the value and metadata, as the original prints on 0.10.7
    (checked by hand, as the migrated file on 0.11.2 and 0.12.12)."""
    case = _case("to_variable")
    out, _ = migrate_copy(case, Path(tmp_path), "renamed-attributes")
    broken = subprocess.run([sys.executable, str(case)], capture_output=True, text=True, timeout=300)
    assert broken.returncode != 0 and "no attribute 'to_variable'" in broken.stderr
    after = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", str(out)], capture_output=True, text=True,
                           timeout=300)
    assert after.returncode == 0, after.stderr[-2000:]
    assert after.stdout.splitlines() == ["Param False [0. 1. 2.] w Param", "Param", "record"]


def test_to_variable_of_a_state_item_is_reported(tmp_path) -> None:
    case = _case("to_variable_leaf")
    out, result = migrate_copy(case, Path(tmp_path), "renamed-attributes")
    assert out.read_text() == case.read_text()
    assert [d.line for f in result.files for d in f.diagnostics] == [6]
