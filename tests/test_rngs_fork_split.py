"""rngs-fork-split: fixture pairs and idempotence."""

from __future__ import annotations

from pathlib import Path

from fixtures import fixture_tests, migrate_copy, single_file_cases

RULE = "rngs-fork-split"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


def reported_lines(case_name: str, tmp_path: Path) -> list[int]:
    case = next(c for c in CASES if c.stem == case_name)
    _, result = migrate_copy(case, tmp_path, RULE)
    return sorted(d.line for f in result.files for d in f.diagnostics)


def test_stream_fork_runs_on_the_old_flax_and_migrated_on_the_new(tmp_path) -> None:
    """stream_fork.py (`rngs.params.fork(split=n)`) warns on flax 0.12.8 as written; the
    original on 0.11.2 and the migrated file on 0.12.8 with DeprecationWarnings as errors
    print the same keys."""
    import subprocess
    import sys
    from pathlib import Path

    import pytest
    from fixtures import TESTDATA, migrate_copy

    from nnx_migrate.verify.envs import BaselineError, baseline_python

    case = TESTDATA / "rngs-fork-split" / "stream_fork.py"
    out, _ = migrate_copy(case, Path(tmp_path), "rngs-fork-split")

    def run(python: str, path, *flags: str) -> subprocess.CompletedProcess:
        return subprocess.run([python, *flags, str(path)], capture_output=True, text=True, timeout=300)

    warned = run(sys.executable, case, "-W", "error::DeprecationWarning")
    assert warned.returncode != 0 and "'split' argument of 'fork' is deprecated" in warned.stderr
    after = run(sys.executable, out, "-W", "error::DeprecationWarning")
    assert after.returncode == 0, after.stderr[-2000:]
    try:
        old_python = str(baseline_python("0.11.2"))
    except BaselineError as error:
        pytest.skip(f"no flax 0.11.2 environment: {error}")
    before = run(old_python, case, "-W", "ignore")
    assert before.returncode == 0, before.stderr[-2000:]
    assert before.stdout == after.stdout and len(after.stdout.splitlines()) == 2
