"""Files written for a newer Python than the one running nnx-migrate.

The index reads a file with the running interpreter's `ast`, the rewrite with libcst,
whose parser knows the Python 3.12 grammar. The newer syntax met most in real code is the
PEP 701 f-string (quotes, backslashes or comments inside the braces): on an older Python
each such f-string is blanked out for `ast` only, replaced by a plain string of the same
shape and byte length, so every other node keeps its place, and libcst rewrites the real
text. Nothing inside a blanked f-string is seen by the rules; the caller reports where.
Other newer syntax (`type` statements, generic classes) still raises the SyntaxError.

A file that does not parse costs one parse: libcst is asked only when the text holds
something of the newer grammar (an f-string, `type X`, `def f[T]` / `class C[T]`), and
then once, its verdict serving both the f-string blanking and the error message; a text
with none of them is no newer Python's code, and its SyntaxError is reported as it is.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings

NATIVE = sys.version_info >= (3, 12)  # this Python reads PEP 701 f-strings itself
# a line with its ending, as Python's tokenizer and libcst split them
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
# Where Python 3.12's grammar reads what 3.11's does not: a PEP 701 f-string (any f-string
# prefix), a PEP 695 `type` statement or type parameter list. A match may be in a comment
# or a string: then libcst is asked in vain. Each pattern starts with a plain character
# and what may not precede it is checked by hand (a look-behind or a leading option makes
# the search try every position of the text).
_F_QUOTE = re.compile(r"[fF][rR]?['\"]")  # f"", fr"" (and rf"": `r` before the f)
_TYPE_OR_PARAMETERS = (re.compile(r"type[ \t\f\\\r\n]+[^\W\d]"),
                       re.compile(r"(?:def|class)[ \t\f\\\r\n]+[^\W\d]\w*[ \t\f\\\r\n]*\["))
_WORD = re.compile(r"\w")
_last_verdict: list = [None, False]  # [text, whether libcst read it]: the one libcst parse of a text that failed


def parse(text: str, filename: str = "<unknown>") -> tuple[ast.Module, dict[tuple[int, int], str]]:
    """The ast of `text`, and the f-strings blanked out to get it ((line, column) -> source).
    Raises SyntaxError when `text` does not parse even so."""
    try:
        return _parse(text, filename), {}
    except SyntaxError as error:
        if NATIVE or error.lineno is None or not _may_be_newer(text):
            raise
        blanked = _blank_newer_fstrings(text)
        if blanked is None:
            raise
        shimmed, spans = blanked
        if not spans:
            raise  # no f-string to blank (`type X = ...`): the text would fail the same way
        try:
            return _parse(shimmed, filename), spans
        except SyntaxError:
            raise error from None


def parses_as_newer_python(text: str) -> bool:
    """Whether libcst, which knows the Python 3.12 grammar, accepts `text` (a text that
    `parse` just failed on is not parsed again)."""
    if not _may_be_newer(text):
        return False
    if _last_verdict[0] is text:
        return _last_verdict[1]
    return _libcst_module(text) is not None


def _may_be_newer(text: str) -> bool:
    """Whether `text` may hold syntax newer than this Python's (beyond 3.11's, only 3.12's)."""
    if sys.version_info < (3, 11):
        return True  # 3.11's syntax too (`except*`, `*Ts`): libcst decides

    def starts_a_word(position: int, dot: bool) -> bool:
        return position == 0 or not (_WORD.match(text, position - 1) or dot and text[position - 1] == ".")

    for match in _F_QUOTE.finditer(text):
        start = match.start()
        if start and text[start - 1] in "rR" and match.group()[1] not in "rR":
            start -= 1  # rf"..."
        if starts_a_word(start, False):
            return True
    return any(starts_a_word(match.start(), True) for pattern in _TYPE_OR_PARAMETERS
               for match in pattern.finditer(text))


def _parse(text: str, filename: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarnings of the user's code are not ours
        return ast.parse(text, filename=filename)


def _libcst_module(text: str):
    import libcst

    try:
        module = libcst.parse_module(text, config=libcst.PartialParserConfig(python_version="3.12"))
    except (libcst.ParserSyntaxError, ValueError, RecursionError):
        module = None
    _last_verdict[:] = [text, module is not None]
    return module


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
