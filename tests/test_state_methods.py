"""state-methods: fixture pairs and idempotence."""

from __future__ import annotations

from pathlib import Path

from fixtures import fixture_tests, migrate_copy, single_file_cases

RULE = "state-methods"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


def reported_lines(case_name: str, tmp_path: Path) -> list[int]:
    case = next(c for c in CASES if c.stem == case_name)
    _, result = migrate_copy(case, tmp_path, RULE)
    return sorted(d.line for f in result.files for d in f.diagnostics)


def test_state_difference_runs_migrated_without_the_warning(tmp_path: Path) -> None:
    """diff.py warns on flax 0.12.8 as written (`State.__sub__`); migrated to
    `nnx.statelib.diff` it prints the same here with DeprecationWarnings as errors (also
    on 0.12.12, and as the original on 0.12.3: checked by hand)."""
    import subprocess
    import sys

    case = next(c for c in CASES if c.stem == "diff")
    out, _ = migrate_copy(case, tmp_path, RULE)
    before = subprocess.run([sys.executable, "-W", "ignore", str(case)], capture_output=True, text=True, timeout=300)
    warned = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", str(case)], capture_output=True, text=True,
                            timeout=300)
    assert warned.returncode != 0 and "nnx.diff" in warned.stderr
    after = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", str(out)], capture_output=True, text=True,
                           timeout=300)
    assert after.returncode == 0, after.stderr[-2000:]
    assert before.returncode == 0 and after.stdout == before.stdout
    assert after.stdout.splitlines()[0] == "['kernel'] []"  # the state minus its bias; minus all Params: nothing
