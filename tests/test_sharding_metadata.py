"""sharding-metadata: fixture pairs and idempotence."""

from __future__ import annotations

from pathlib import Path

from fixtures import fixture_tests, migrate_copy, single_file_cases

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
