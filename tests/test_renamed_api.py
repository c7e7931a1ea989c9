"""renamed-api: fixture pairs and idempotence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fixtures import cached_python, fixture_tests, migrate_copy, single_file_cases

RULE = "renamed-api"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


def reported_lines(case_name: str, tmp_path: Path) -> list[int]:
    case = next(c for c in CASES if c.stem == case_name)
    _, result = migrate_copy(case, tmp_path, RULE)
    return sorted(d.line for f in result.files for d in f.diagnostics)


def test_flax_nnx_object_import_runs_on_every_flax(tmp_path) -> None:
    """object_module.py raises ModuleNotFoundError on flax 0.12.8 as written; migrated, it
    runs there and on 0.11.2 with DeprecationWarnings as errors, printing `0 True` as the
    original does on flax 0.10.7 (checked by hand, as on 0.12.12)."""
    import subprocess
    import sys
    from pathlib import Path

    from fixtures import TESTDATA, migrate_copy

    from nnx_migrate.verify.envs import BaselineError, baseline_python

    case = TESTDATA / "renamed-api" / "object_module.py"
    out, _ = migrate_copy(case, Path(tmp_path), "renamed-api")
    broken = subprocess.run([sys.executable, str(case)], capture_output=True, text=True, timeout=300)
    assert broken.returncode != 0 and "No module named 'flax.nnx.object'" in broken.stderr
    pythons = [sys.executable]
    try:
        pythons.append(str(baseline_python("0.11.2")))
    except BaselineError:
        pass
    for python in pythons:
        after = subprocess.run([python, "-W", "error::DeprecationWarning", str(out)], capture_output=True, text=True, timeout=300)
        assert after.returncode == 0 and after.stdout == "0 True\n", after.stderr[-2000:]


def test_shard_map_check_rep_runs_on_the_old_flax_and_migrated_on_the_new(tmp_path) -> None:
    """shard_map_check_rep.py raises TypeError on flax 0.12.8 as written (check_rep=); the
    original on 0.11.2 and the migrated file (check_vma=) on 0.12.8 with DeprecationWarnings
    as errors print the same."""
    import subprocess
    import sys
    from pathlib import Path

    import pytest
    from fixtures import TESTDATA, migrate_copy

    from nnx_migrate.verify.envs import BaselineError, baseline_python

    case = TESTDATA / "renamed-api" / "shard_map_check_rep.py"
    out, _ = migrate_copy(case, Path(tmp_path), "renamed-api")
    broken = subprocess.run([sys.executable, str(case)], capture_output=True, text=True, timeout=300)
    assert broken.returncode != 0 and "check_rep" in broken.stderr
    after = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", str(out)], capture_output=True, text=True, timeout=300)
    assert after.returncode == 0, after.stderr[-2000:]
    try:
        old_python = str(baseline_python("0.11.2"))
    except BaselineError as error:
        pytest.skip(f"no flax 0.11.2 environment: {error}")
    before = subprocess.run([old_python, "-W", "ignore", str(case)], capture_output=True, text=True, timeout=300)
    assert before.returncode == 0, before.stderr[-2000:]
    assert before.stdout == after.stdout and after.stdout.startswith("[[")


def _broken_here_runs_migrated(stem: str, tmp_path: Path, error: str):
    """The case fails on this environment's flax (0.12.8) with `error` as written; migrated it
    runs here with DeprecationWarnings as errors. Returns the migrated copy, the run's
    result and what the migrated file printed."""
    case = next(c for c in CASES if c.stem == stem)
    out, result = migrate_copy(case, tmp_path, RULE)
    broken = _run(sys.executable, case)
    assert broken.returncode != 0 and error in broken.stderr
    after = _run(sys.executable, out, "-W", "error::DeprecationWarning")
    assert after.returncode == 0, after.stderr[-2000:]
    return case, out, result, after.stdout


def _run(python: str, path: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([python, *flags, str(path)], capture_output=True, text=True, timeout=300)


def _prints_the_same_on(version: str, path: Path, stdout: str) -> None:
    """`path` prints `stdout` on flax==version too. Called last: where no such environment
    is cached the test is reported skipped with that reason (its checks made before still
    fail it), never passed without the comparison."""
    python = cached_python(version)
    before = _run(python, path)
    assert before.returncode == 0 and before.stdout == stdout, before.stderr[-2000:]


def test_mode_functions_run_migrated_as_on_0_12_3(tmp_path) -> None:
    """modes.py (0.12.1-0.12.3's eval_mode / train_mode / set_mode_info) raises
    AttributeError on flax 0.12.8 as written; migrated to nnx.view / view_info it runs here
    with DeprecationWarnings as errors and sets the attributes the old functions set (and
    prints what the original prints on flax 0.12.3, where such an environment is cached;
    checked by hand on 0.12.3 and 0.12.12)."""
    case, _, _, stdout = _broken_here_runs_migrated("modes", tmp_path, "no attribute 'eval_mode'")
    # eval: Dropout deterministic and BatchNorm on running averages; train: neither; only=Dropout: the Dropout only
    assert stdout.splitlines()[1:4] == ["True True", "False False", "True False"]
    _prints_the_same_on("0.12.3", case, stdout)


def test_mode_reports_and_near_misses(tmp_path) -> None:
    assert reported_lines("modes_reports", tmp_path) == [4, 12, 24, 25, 26]
    (tmp_path / "near").mkdir()
    assert reported_lines("modes_untouched", tmp_path / "near") == []


def test_mode_functions_stay_for_targets_that_have_them(tmp_path) -> None:
    from nnx_migrate import flax_api
    from nnx_migrate.config import Settings

    for version in ("0.12.1", "0.12.3"):
        (tmp_path / version).mkdir()
        for name in ("modes", "modes_reports"):
            case = next(c for c in CASES if c.stem == name)
            settings = Settings(select=[RULE], target_version=flax_api.parse_version(version))
            out, result = migrate_copy(case, tmp_path / version, RULE, settings)
            assert out.read_text() == case.read_text()
            assert not [d for f in result.files for d in f.diagnostics]


def test_rnn_positional_options_run_migrated(tmp_path) -> None:
    """rnn_positional.py (0.10's `nnx.RNN(cell, True, ...)`) raises TypeError on flax 0.12.8
    as written; migrated (options by name) it runs here with DeprecationWarnings as errors
    and prints what it prints on flax 0.11.2 (where cached; the original on 0.10.7 and the
    migrated file on 0.12.12 print the same, checked by hand)."""
    _, out, result, stdout = _broken_here_runs_migrated("rnn_positional", tmp_path, "positional arguments")
    assert [d.line for f in result.files for d in f.diagnostics] == [17]
    assert stdout.splitlines()[0] == "(4, 1, 3)"  # time_major=True: the output keeps the time-major layout
    _prints_the_same_on("0.11.2", out, stdout)


def test_register_variable_name_type_pair_runs_migrated(tmp_path) -> None:
    """register_pair.py (flax 0.10.0-0.10.3's register_variable_name_type_pair) raises here
    as written; migrated it runs with DeprecationWarnings as errors, the overwrite taking
    effect, as the original prints on flax 0.10.3 (checked by hand, as the migrated file on
    0.10.7, 0.11.2 and 0.12.12); the call whose value is used is reported."""
    _, _, result, stdout = _broken_here_runs_migrated("register_pair", tmp_path, "register_variable_name_type_pair")
    assert [d.line for f in result.files for d in f.diagnostics] == [17]
    assert stdout == "Counts stats\n"  # "stats" maps to Counts after the overwrite, both ways
