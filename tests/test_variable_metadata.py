"""variable-metadata: fixture pairs and idempotence."""

from __future__ import annotations

from pathlib import Path

from fixtures import cached_python, fixture_tests, migrate_copy, single_file_cases

RULE = "variable-metadata"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


def reported_lines(case_name: str, tmp_path: Path) -> list[int]:
    case = next(c for c in CASES if c.stem == case_name)
    _, result = migrate_copy(case, tmp_path, RULE)
    return sorted(d.line for f in result.files for d in f.diagnostics)


def test_sharding_names_store_runs_on_0_11_and_migrated_on_the_new_flax(tmp_path: Path) -> None:
    """`v.sharding_names = ...` runs on flax 0.11.2 and raises AttributeError on 0.12.8; the
    migrated `set_metadata(out_sharding=...)` runs on this environment's flax (0.12.8) with
    DeprecationWarnings as errors, giving the same partition specs and output."""
    import subprocess
    import sys

    case = next(c for c in CASES if c.stem == "sharding_names_store")
    out, _ = migrate_copy(case, tmp_path, RULE)

    def run(python: str, path: Path, *flags: str) -> subprocess.CompletedProcess:
        return subprocess.run([python, *flags, str(path)], capture_output=True, text=True, timeout=300)

    after = run(sys.executable, out, "-W", "error::DeprecationWarning")
    assert after.returncode == 0, after.stderr[-2000:]
    assert "AttributeError" in run(sys.executable, case, "-W", "ignore").stderr
    before = run(cached_python("0.11.2"), case, "-W", "error::DeprecationWarning")
    assert before.returncode == 0, before.stderr[-2000:]
    assert before.stdout.replace("PartitionSpec(", "P(") == after.stdout and "'model'" in after.stdout


def test_sharding_store_runs_migrated_with_the_annotation(tmp_path: Path) -> None:
    """0.10's `v.sharding = names` raises AttributeError on flax 0.12.8; migrated
    (`set_metadata(out_sharding=...)`) it runs with DeprecationWarnings as errors and
    get_partition_spec reads the annotation, as on flax 0.10.7 (checked by hand there and
    on 0.12.12)."""
    import subprocess
    import sys

    case = next(c for c in CASES if c.stem == "sharding_store")
    out, _ = migrate_copy(case, tmp_path, RULE)
    broken = subprocess.run([sys.executable, "-W", "ignore", str(case)], capture_output=True, text=True, timeout=300)
    assert broken.returncode != 0 and "AttributeError" in broken.stderr
    after = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", str(out)], capture_output=True, text=True,
                           timeout=300)
    assert after.returncode == 0, after.stderr[-2000:]
    assert after.stdout == "[P('model',)]\n"
