"""Files written for a newer Python than the one running nnx-migrate.

The index reads a file with the running interpreter's `ast`, the rewrite with libcst,
whose parser knows the Python 3.12 grammar. The newer syntax met most in real code is the
PEP 701 f-string (quotes, backslashes or comments inside the braces): on an older Python
each such f-string is blanked out for `ast` only, replaced by a plain string of the same
shape and byte length, so every other node keeps its place, and libcst rewrites the real
text. Nothing inside a blanked f-string is seen by the rules; the caller reports where.
Other newer syntax (`type` statements, generic classes) still raises the SyntaxError.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings

NATIVE = sys.version_info >= (3, 12)  # this Python reads PEP 701 f-strings itself
# a line with its ending, as Python's tokenizer and libcst split them
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def parse(text: str, filename: str = "<unknown>") -> tuple[ast.Module, dict[tuple[int, int], str]]:
    """The ast of `text`, and the f-strings blanked out to get it ((line, column) -> source).
    Raises SyntaxError when `text` does not parse even so."""
    try:
        return _parse(text, filename), {}
    except SyntaxError as error:
        if NATIVE or error.lineno is None:
            raise
        blanked = _blank_newer_fstrings(text)
        if blanked is None:
            raise
        shimmed, spans = blanked
        try:
            return _parse(shimmed, filename), spans
        except SyntaxError:
            raise error from None


def parses_as_newer_python(text: str) -> bool:
    """Whether libcst, which knows the Python 3.12 grammar, accepts `text`."""
    return _libcst_module(text) is not None


def _parse(text: str, filename: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarnings of the user's code are not ours
        return ast.parse(text, filename=filename)


def _libcst_module(text: str):
    import libcst

    try:
        return libcst.parse_module(text, config=libcst.PartialParserConfig(python_version="3.12"))
    except (libcst.ParserSyntaxError, ValueError, RecursionError):
        return None


def _blank_newer_fstrings(text: str) -> tuple[str, dict[tuple[int, int], str]] | None:
    """`text` with each f-string this Python cannot parse replaced by a plain string of
    the same lines and byte lengths; None when some cannot be (or libcst cannot parse)."""
    import libcst
    from libcst.metadata import MetadataWrapper, PositionProvider

    module = _libcst_module(text)
    if module is None:
        return None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    lines = _LINE.findall(text)
    found: list = []

    class Finder(libcst.CSTVisitor):
        def visit_FormattedString(self, node: libcst.FormattedString) -> bool:
            # the text itself: libcst's code_for_node drops indentation inside the braces
            first, last = positions[node].start.line - 1, positions[node].end.line - 1
            joined = "".join(lines[first:last + 1])
            start = positions[node].start.column
            end = len(joined) - len(lines[last]) + positions[node].end.column
            if not _parses_alone(joined[start:end]):
                found.append((first, last, start, end, node))
            return False  # an inner f-string goes with its outer one

    wrapper.visit(Finder())
    spans = {}
    for first, last, start, end, node in reversed(found):  # bottom-up, right to left: places stay valid
        joined = "".join(lines[first:last + 1])
        code = joined[start:end]
        if "\n" in code and len(node.end) == 1:
            return None  # a one-quote string over several lines has no plain equivalent
        body = code[len(node.start):len(code) - len(node.end)]
        blank = " " * (len(node.start) - len(node.end)) + node.end + _same_bytes(body) + node.end
        lines[first:last + 1] = [joined[:start] + blank + joined[end:]]
        spans[(first + 1, start)] = code
    return "".join(lines), dict(sorted(spans.items()))


def _parses_alone(code: str) -> bool:
    try:
        _parse(f"(\n{code}\n)", "<f-string>")
    except SyntaxError:
        return False
    return True


def _same_bytes(body: str) -> str:
    """Underscores for every byte of every character (ast's columns count UTF-8 bytes),
    keeping line breaks."""
    return "".join(c if c in "\r\n" else "_" * len(c.encode("utf-8")) for c in body)
