"""introspection-functions: fixture pairs, idempotence, and the import it adds."""

from __future__ import annotations

from pathlib import Path

from fixtures import fixture_tests, migrate_copy, single_file_cases

RULE = "introspection-functions"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


def test_taken_nnx_name_is_reported_not_rewritten(tmp_path: Path) -> None:
    source = tmp_path / "taken.py"
    source.write_text(
        "from flax.nnx import Module\n\nnnx = 'something else'\n\n\n"
        "def f(m: Module):\n    return list(m.iter_modules())\n"
    )
    (tmp_path / "out").mkdir()
    out, result = migrate_copy(source, tmp_path / "out", RULE)
    assert out.read_text() == source.read_text()
    (diagnostic,) = [d for f in result.files for d in f.diagnostics]
    assert diagnostic.line == 7 and "taken" in diagnostic.message
