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


def test_removed_names_are_reported_from_the_release_that_removed_them(tmp_path: Path) -> None:
    # nnx.fork (import), nnx.mutable_array, nnx.array_ref, nnx.Vmap; not nnx.fork_rngs,
    # nnx.jit, another package's Jit
    assert reported_lines("removed_names", tmp_path) == [4, 10, 11, 12]
    from nnx_migrate import flax_api
    from nnx_migrate.config import Settings

    case = next(c for c in CASES if c.stem == "removed_names")
    (tmp_path / "old").mkdir()
    settings = Settings(select=[RULE], target_version=flax_api.parse_version("0.11.0"))
    _, result = migrate_copy(case, tmp_path / "old", RULE, settings)
    # a 0.11.0 target still has mutable_array (renamed in 0.11.1) and array_ref (gone in 0.12.1)
    assert sorted(d.line for f in result.files for d in f.diagnostics) == [4, 12]


def test_perturb_and_with_metadata_hooks_are_reported(tmp_path: Path) -> None:
    assert reported_lines("perturb_and_hooks", tmp_path) == [10, 11, 22]


def test_split_rngs_over_a_scan_after_a_vmapped_init_is_reported(tmp_path: Path) -> None:
    assert reported_lines("scan_over_layers", tmp_path) == [20]


def test_the_reported_split_rngs_raises_here_and_runs_without_it(tmp_path: Path) -> None:
    """What the report says, on this environment's flax (0.12.8): the 0.10 pattern raises,
    and with the reported decorator removed it runs."""
    import subprocess
    import sys

    case = next(c for c in CASES if c.stem == "scan_over_layers")
    lines = case.read_text().splitlines(keepends=True)
    assert lines[19].strip() == "@nnx.split_rngs(splits=5)"
    fixed = tmp_path / "fixed.py"
    fixed.write_text("".join(lines[:19] + lines[20:]))
    before = subprocess.run([sys.executable, "-W", "ignore", str(case)], capture_output=True, text=True, timeout=300)
    assert before.returncode != 0 and "fold_in accepts a single key" in before.stderr
    after = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", str(fixed)], capture_output=True, text=True,
                           timeout=300)
    assert after.returncode == 0, after.stderr[-2000:]
    assert after.stdout.splitlines()[-1] == "(1, 3)"


def test_sequential_called_with_keywords_is_reported(tmp_path: Path) -> None:
    assert reported_lines("sequential_kwargs", tmp_path) == [19, 29]


def test_rnn_cell_options_are_reported_from_the_release_that_warns(tmp_path: Path) -> None:
    assert reported_lines("rnn_cells", tmp_path) == [9, 10, 27]
    from nnx_migrate import flax_api
    from nnx_migrate.config import Settings

    case = next(c for c in CASES if c.stem == "rnn_cells")
    for version, lines in (("0.12.0", []), ("0.12.3", [9])):  # carry_init warns from 0.12.1, keep_rngs from 0.12.7
        (tmp_path / version).mkdir()
        settings = Settings(select=[RULE], target_version=flax_api.parse_version(version))
        _, result = migrate_copy(case, tmp_path / version, RULE, settings)
        assert sorted(d.line for f in result.files for d in f.diagnostics) == lines
