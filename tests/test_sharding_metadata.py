"""sharding-metadata: fixture pairs and idempotence."""

from __future__ import annotations

from pathlib import Path

from fixtures import cached_python, fixture_tests, migrate_copy, single_file_cases

RULE = "sharding-metadata"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


def reported_lines(case_name: str, tmp_path: Path) -> list[int]:
    case = next(c for c in CASES if c.stem == case_name)
    _, result = migrate_copy(case, tmp_path, RULE)
    return sorted(d.line for f in result.files for d in f.diagnostics)


def test_two_names_for_the_sharding_are_reported(tmp_path: Path) -> None:
    source = tmp_path / "both.py"
    source.write_text("import jax.numpy as jnp\nfrom flax import nnx\n\n"
                      "w = nnx.Param(jnp.ones(2), sharding=('a',), sharding_names=('a',))\n")
    (tmp_path / "out").mkdir()
    out, result = migrate_copy(source, tmp_path / "out", RULE)
    assert out.read_text() == source.read_text()
    assert [d.line for f in result.files for d in f.diagnostics] == [4]


def test_reads_of_the_array_sharding_are_reported_and_near_misses_stay(tmp_path: Path) -> None:
    # only the Variable's `.sharding` that is not used as a tuple of names (`p.sharding.spec`)
    assert reported_lines("reads_untouched", tmp_path) == [17]
    (tmp_path / "a").mkdir()
    assert reported_lines("annotation_reads", tmp_path / "a") == []


def test_below_0_12_4_reads_are_not_rewritten(tmp_path: Path) -> None:
    # `get_metadata(name, default)` raises TypeError on flax 0.12.0: the annotation reads are reported
    from nnx_migrate import flax_api
    from nnx_migrate.config import Settings

    case = next(c for c in CASES if c.stem == "annotation_reads")
    settings = Settings(select=[RULE], target_version=flax_api.parse_version("0.12.0"))
    out, result = migrate_copy(case, tmp_path, RULE, settings)
    assert out.read_text() == case.read_text()
    assert sorted(d.line for f in result.files for d in f.diagnostics) == [16, 20, 20, 21, 21, 21, 22]


import pytest  # noqa: E402


@pytest.mark.parametrize("name,old", [("annotation_reads", "0.10.7"), ("names_reads", "0.11.2")])
def test_reads_run_on_the_old_flax_and_migrated_on_the_new(name: str, old: str, tmp_path: Path) -> None:
    """The original runs on the old flax, the migrated file on this environment's (0.12.8)
    with DeprecationWarnings as errors, printing the same (PartitionSpec's repr aside, which
    is jax's); the original does not run on 0.12.8 (`v.sharding` is the array's Sharding)."""
    import subprocess
    import sys

    case = next(c for c in CASES if c.stem == name)
    out, _ = migrate_copy(case, tmp_path, RULE)

    def run(python: str, path: Path, *flags: str) -> subprocess.CompletedProcess:
        return subprocess.run([python, *flags, str(path)], capture_output=True, text=True, timeout=300)

    after = run(sys.executable, out, "-W", "error::DeprecationWarning")
    assert after.returncode == 0, after.stderr[-2000:]
    if name == "annotation_reads":
        assert "not iterable" in run(sys.executable, case, "-W", "ignore").stderr
    before = run(cached_python(old), case, "-W", "ignore")
    assert before.returncode == 0, before.stderr[-2000:]
    assert before.stdout.replace("PartitionSpec(", "P(") == after.stdout and len(after.stdout.splitlines()) >= 1
