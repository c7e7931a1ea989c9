"""sharding-constraint: fixture pairs, idempotence, and what it reports."""

from __future__ import annotations

from pathlib import Path

from fixtures import fixture_tests, migrate_copy, single_file_cases

RULE = "sharding-constraint"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


def reported_lines(case_name: str, tmp_path: Path) -> list[int]:
    case = next(c for c in CASES if c.stem == case_name)
    _, result = migrate_copy(case, tmp_path, RULE)
    return sorted(d.line for f in result.files for d in f.diagnostics if d.rule == RULE)


def test_rewritten_calls_leave_nothing_to_report(tmp_path: Path) -> None:
    assert reported_lines("with_mesh", tmp_path) == []


def test_calls_not_shown_equivalent_are_reported(tmp_path: Path) -> None:
    # no mesh, a tuple spec, a mesh that may be None, no mesh (imported name), `*args`, a partial
    assert reported_lines("reports", tmp_path) == [17, 18, 19, 20, 21, 24]


def test_near_misses_are_not_reported(tmp_path: Path) -> None:
    assert reported_lines("untouched", tmp_path) == []


def _migrate_one(tmp_path: Path, import_line: str):
    source = tmp_path / "one.py"
    source.write_text(f"import jax\nimport numpy as np\n{import_line}\n"
                      "from jax.sharding import Mesh, PartitionSpec as P\n\n"
                      "mesh = Mesh(np.array(jax.devices()).reshape(1, -1), ('data', 'model'))\n"
                      "y = with_sharding_constraint(np.ones(2), P('data'), mesh=mesh)\n")
    (tmp_path / "out").mkdir()
    out, result = migrate_copy(source, tmp_path / "out", RULE)
    return out.read_text(), [d.line for f in result.files for d in f.diagnostics]


def test_an_import_whose_calls_are_all_rewritten_is_dropped(tmp_path: Path) -> None:
    text, reported = _migrate_one(tmp_path, "from flax.nnx import with_sharding_constraint")
    assert "jax.lax.with_sharding_constraint(np.ones(2), jax.sharding.NamedSharding(mesh, P('data')))" in text
    assert "flax" not in text  # the import went with its only name
    assert reported == []


def test_an_import_with_a_comment_is_reported_not_dropped(tmp_path: Path) -> None:
    text, reported = _migrate_one(tmp_path, "from flax.nnx import with_sharding_constraint  # old")
    assert "from flax.nnx import with_sharding_constraint  # old" in text
    assert reported == [3]
