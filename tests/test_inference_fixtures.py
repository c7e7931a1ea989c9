"""Revealed-type fixtures, as pyright's samples and ty's mdtests: each expression statement
of `testdata/inference/*.py` (or of each file in a folder there, one project) that ends in
`# revealed: T` must evaluate to T, in the notation `nnx-migrate explain` prints
(`resolve.reveal`). A `# revealed:` comment anywhere else is an error, so none goes unchecked."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

from nnx_migrate.index import ProjectIndex
from nnx_migrate.resolve import Resolver, reveal

CASES = Path(__file__).resolve().parent.parent / "testdata" / "inference"
MARKER = "# revealed:"


def _expectations(text: str) -> dict[int, str]:
    """line -> the type its `# revealed:` comment names."""
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT and token.string.startswith(MARKER):
            found[token.start[0]] = token.string[len(MARKER):].strip()
    return found


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.suffix == ".py" or p.is_dir())


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.stem)
def test_revealed_types(case: Path, tmp_path: Path) -> None:
    root = tmp_path / case.name
    files = sorted(case.rglob("*.py")) if case.is_dir() else [case]
    index = ProjectIndex()
    for source in files:
        target = root / source.relative_to(case) if case.is_dir() else tmp_path / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        target.write_text(text, encoding="utf-8")
        index.add_file(target, text, ast.parse(text))
    index.complete = True
    resolver = Resolver(index)
    checked = 0
    for file in index.files.values():
        expected = _expectations(file.text)
        statements = {node.lineno: node for node in file.nodes(ast.Expr) if node.end_lineno == node.lineno}
        for line, want in expected.items():
            statement = statements.get(line)
            assert statement is not None, f"{file.path.name}:{line}: `{MARKER}` on a line that is not one expression"
            node = statement.value
            got = reveal(resolver.type_of(node, resolver.scope_of(node, file)))
            assert got == want, f"{file.path.name}:{line}: `{ast.unparse(node)}` is {got}, not {want}"
            checked += 1
    assert checked, "a case with nothing revealed"
