"""Cost grows linearly with file size, for every shape of file; a file that does not parse
costs one parse; files that never mention flax cost (almost) nothing.

No timing: work is counted. The resolver's `steps` (type evaluation) and `scanned` (nodes
handed out by scans of a file and looked at by tables and code flow's joins), and the
parses of libcst and `ast`, on the generated files of benchmarks/generated.py at two
sizes. Linear growth makes 4x the lines 4x the work; the limit is 5x. (benchmarks/cost.py
times the same shapes from 5,000 to 50,000 lines.)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import libcst
import pytest

from nnx_migrate import resolve
from nnx_migrate.config import Settings
from nnx_migrate.pipeline import run

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import generated  # noqa: E402

SMALL, LARGE = 2_000, 8_000
MAX_GROWTH = 5.0  # work(4n) / work(n): 4.0 when linear


class Counted:
    """What one run did: resolver steps and scans, libcst and ast parses."""

    def __init__(self, monkeypatch) -> None:
        self.resolvers: list[resolve.Resolver] = []
        self.libcst_parses = 0
        self.ast_parses = 0
        original_init, parse_module, parse = resolve.Resolver.__init__, libcst.parse_module, ast.parse

        def init(resolver, index):
            original_init(resolver, index)
            self.resolvers.append(resolver)

        def counting_parse_module(*args, **kwargs):
            self.libcst_parses += 1
            return parse_module(*args, **kwargs)

        def counting_parse(*args, **kwargs):
            self.ast_parses += 1
            return parse(*args, **kwargs)

        monkeypatch.setattr(resolve.Resolver, "__init__", init)
        monkeypatch.setattr(libcst, "parse_module", counting_parse_module)
        monkeypatch.setattr(ast, "parse", counting_parse)

    @property
    def work(self) -> dict[str, int]:
        return {"steps": sum(r.steps for r in self.resolvers), "scanned": sum(r.scanned for r in self.resolvers),
                "libcst parses": self.libcst_parses}


def migrate(folder: Path, monkeypatch) -> tuple[Counted, object]:
    with monkeypatch.context() as patched:
        counted = Counted(patched)
        result = run([folder], Settings(), folder, write=False)
    return counted, result


def migrate_text(tmp_path: Path, name: str, text: str, monkeypatch):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "generated.py").write_text(text)
    return migrate(folder, monkeypatch)


@pytest.mark.parametrize("shape", generated.SHAPES)
def test_work_grows_linearly_with_file_size(shape: str, tmp_path: Path, monkeypatch) -> None:
    small_text, large_text = generated.generate(shape, SMALL), generated.generate(shape, LARGE)
    small, small_result = migrate_text(tmp_path, "small", small_text, monkeypatch)
    large, large_result = migrate_text(tmp_path, "large", large_text, monkeypatch)
    assert not small_result.failed and not large_result.failed
    assert small_result.changed and large_result.changed  # the shape holds rewrites: the rules did work
    lines = large_text.count("\n") / small_text.count("\n")
    for what, amount in small.work.items():
        growth = large.work[what] / max(1, amount)
        assert growth <= MAX_GROWTH / 4 * lines, (
            f"{shape}: {what} grew {growth:.1f}x for {lines:.1f}x the lines ({small.work} -> {large.work})")


def test_a_file_that_does_not_parse_is_parsed_once(tmp_path: Path, monkeypatch) -> None:
    text = generated.with_syntax_error(generated.generate("classes", SMALL))
    counted, result = migrate_text(tmp_path, "broken", text, monkeypatch)
    assert [f.error for f in result.failed] == [f"syntax error at line {text.count(chr(10))}, column 12: invalid syntax"]
    assert (counted.ast_parses, counted.libcst_parses) == (1, 0)  # no newer syntax in it: libcst is not asked


def test_a_broken_file_that_may_be_newer_python_is_read_by_libcst_once(tmp_path: Path, monkeypatch) -> None:
    """An f-string (a PEP 701 one, for all the text says) or a `type` statement: libcst's
    one parse serves both the f-string blanking and the message."""
    broken = generated.with_syntax_error(generated.generate("classes", 200) + 'label = f"{1}"\n')
    counted, result = migrate_text(tmp_path, "fstring", broken, monkeypatch)
    assert result.failed[0].error.startswith("syntax error at line")
    assert counted.ast_parses == 1 and counted.libcst_parses == (0 if sys.version_info >= (3, 12) else 1)
    newer = generated.generate("classes", 200) + "type Pair = tuple[int, int]\n"
    counted, result = migrate_text(tmp_path, "type", newer, monkeypatch)
    if sys.version_info < (3, 12):
        assert result.failed[0].error.startswith("needs Python 3.12 to parse")
        assert counted.ast_parses == 1 and counted.libcst_parses == 1
    else:
        assert not result.failed


def test_files_that_never_mention_flax_cost_nothing(tmp_path: Path, monkeypatch) -> None:
    """The work of a tree follows its NNX files: 300 files without flax beside them, which
    name no attribute the NNX classes bind, add no evaluation, no scan and no parse."""
    generated.write_few_nnx_tree(tmp_path / "alone", plain_files=0, nnx_files=6)
    generated.write_few_nnx_tree(tmp_path / "tree", plain_files=300, nnx_files=6, shared_names=False)
    alone, alone_result = migrate(tmp_path / "alone", monkeypatch)
    tree, tree_result = migrate(tmp_path / "tree", monkeypatch)
    assert tree_result.parsed == alone_result.parsed == 6
    assert tree.work == alone.work
    assert tree.ast_parses == alone.ast_parses


def test_files_without_flax_that_name_an_attribute_of_an_nnx_class_are_parsed(tmp_path: Path, monkeypatch) -> None:
    """Such a file may store the attribute (`m.scale = 1.5`, a mixin's `self.scale = ...`):
    it is parsed, and its rewrites are the same."""
    generated.write_few_nnx_tree(tmp_path / "alone", plain_files=0, nnx_files=6)
    generated.write_few_nnx_tree(tmp_path / "tree", plain_files=30, nnx_files=6)
    _, alone_result = migrate(tmp_path / "alone", monkeypatch)
    _, tree_result = migrate(tmp_path / "tree", monkeypatch)
    assert tree_result.parsed == 6 + 30
    assert [len(f.edits) for f in tree_result.changed] == [len(f.edits) for f in alone_result.changed]
