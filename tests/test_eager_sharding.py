"""eager-sharding: fixture pairs, idempotence, and what it reports."""

from __future__ import annotations

from pathlib import Path

from fixtures import fixture_tests, migrate_copy, single_file_cases

RULE = "eager-sharding"
CASES = single_file_cases(RULE)


test_fixture, test_idempotent = fixture_tests(RULE)


def reported_lines(case_name: str, tmp_path: Path) -> list[int]:
    case = next(c for c in CASES if c.stem == case_name)
    _, result = migrate_copy(case, tmp_path, RULE)
    return sorted(d.line for f in result.files for d in f.diagnostics if d.rule == RULE)


def test_guide_needs_no_report(tmp_path: Path) -> None:
    assert reported_lines("guide", tmp_path) == []


def test_what_cannot_be_shown_is_reported(tmp_path: Path) -> None:
    # Dense's annotation (built with no mesh), then the five `with` blocks; Embed is only
    # built inside `with` blocks that are reported, so its annotation is not
    assert reported_lines("reports", tmp_path) == [16, 31, 34, 38, 42, 48]


def test_code_in_the_new_form_is_not_reported(tmp_path: Path) -> None:
    assert reported_lines("new_form", tmp_path) == []


def test_rewritten_blocks_leave_nothing_to_report(tmp_path: Path) -> None:
    assert reported_lines("blocks", tmp_path) == []


def test_near_misses_report_only_a_mesh_not_shown_to_be_jax(tmp_path: Path) -> None:
    assert reported_lines("untouched", tmp_path) == [31]


def test_constructions_another_way_are_seen(tmp_path: Path) -> None:
    # Looped (called through a loop over a tuple), Factory (`cls(...)` in a classmethod,
    # through an instance) and Base (a subclass built with no mesh); not Protected, built
    # under `jax.set_mesh` directly and through ProtectedChild's `super().__init__`
    assert reported_lines("constructions", tmp_path) == [16, 21, 30]


def test_below_0_12_the_block_is_reported(tmp_path: Path) -> None:
    assert reported_lines("target_0_11", tmp_path) == [16]


def test_callers_in_other_files(tmp_path: Path) -> None:
    # train.py never says flax; make() builds Dense inside its `with mesh:` block (rewritten),
    # Head is built with no mesh: only Head's annotation is reported
    from fixtures import TESTDATA, assert_tree_fixture

    case = TESTDATA / RULE / "callers"
    assert_tree_fixture(case, tmp_path, RULE)
    _, result = migrate_copy(case / "input", tmp_path / "again", RULE)
    assert sorted((Path(f.display).name, d.line) for f in result.files for d in f.diagnostics) == [("models.py", 14)]


def test_without_unsafe_fixes_the_blocks_are_reported_not_rewritten(tmp_path: Path) -> None:
    # blocks.py without its --unsafe-fixes flag: jax.set_mesh keeps values, not where they live
    from nnx_migrate.config import Settings

    case = next(c for c in CASES if c.stem == "blocks")
    out, result = migrate_copy(case, tmp_path, RULE, Settings(select=[RULE]))
    assert out.read_text() == case.read_text()
    messages = {d.line: d.message for f in result.files for d in f.diagnostics if d.rule == RULE}
    assert sorted(messages) == [33, 38]
    assert all("replicated over the mesh" in m for m in messages.values())
