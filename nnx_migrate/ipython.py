"""IPython escapes in notebook cells: masked to Python for the rules, restored byte for byte.

What counts as an escape follows IPython's own input transformer (inputtransformer2),
as ruff's and nbQA's notebook support do:

- at the start of a logical line (not inside brackets, a string or a continued line):
  `%magic`, `!shell`, `!!shell`, `?obj`, `??obj`, and the auto-call forms `/f x`,
  `,f a b`, `;f a b`; the escape runs to the end of its backslash-continued line;
- a logical line ending in `?` or `??` (`obj?`, `model.layers??`): help;
- `target = !cmd` and `target = %magic args`: assignment from a shell or a magic;
- `%%magic` on the first non-blank line of a cell: a cell magic. Those whose body is
  Python (`%%time`, `%%timeit`, `%%capture`, ...) keep their body in the text; the others
  (`%%bash`, `%%writefile`, `%%html`, ...) make the whole cell foreign to Python.

An escape line becomes a placeholder statement carrying a token comment
(`...  # nnx-ipython0-3`), so blocks and line numbers stay as they were. `%time STMT` and
`%timeit [options] STMT` hold Python, and so does the setup statement of
`%%timeit [options] SETUP`: the line becomes `STMT  # token` and STMT is migrated like
any other code; the `%time ` in front is put back afterwards. Restoring
checks every placeholder came back exactly once and unchanged, and refuses otherwise.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field

ESCAPE_STARTS = ("!", "?", "%", ",", ";", "/")
# cell magics whose body is Python run in (or for) the notebook: the same list as ruff's
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "ipytest", "python", "python3", "pypy"})
_OPTIONS_WITH_VALUE = {"timeit": "nrpv", "time": ""}  # getopt spec of the magics holding a statement
_OPTION_FLAGS = {"timeit": "tcqo", "time": ""}
_LONG_OPTIONS = {"time": ("--no-raise-error",), "timeit": ()}
_LINE_MAGIC = re.compile(r"%(?P<name>\w+)(?P<space>[ \t]+|$)")
_SETUP_CELL_MAGIC = re.compile(r"%%(?P<name>timeit)(?P<space>[ \t]+|$)")  # `%%timeit [options] setup`
_CELL_MAGIC = re.compile(r"%%(?P<name>\w+)")
_HELP_TARGET = re.compile(r"%{0,2}(?!\d)[\w*]+(?:\.(?!\d)[\w*]+|\[-?[0-9]+\])*\?\??$")
# jupytext percent scripts keep their magics commented out: `# %time x = f()`
_COMMENTED_MAGIC = re.compile(r"#[ \t]?(?=%\w)")


class MaskError(ValueError):
    """Masked code that cannot be restored faithfully (a placeholder was changed)."""


@dataclass
class Escape:
    indent: str
    original: str  # the escape's lines as written, without the last line ending
    lines: int  # physical lines it spans
    prefix: str | None = None  # `%time ` before a statement that stays in the text


@dataclass
class MaskedCell:
    text: str  # Python: each escape replaced by a placeholder, as many lines as before
    foreign: bool = False  # a `%%bash`-like cell magic: no Python at all
    residual: str = ""  # escape text not analysed as Python (it may still name things)
    prefixes: dict[int, int] = field(default_factory=dict)  # 1-based line -> columns of `%time ` before its Python


def parses(code: str) -> bool:
    """Whether `code` is Python the running interpreter parses."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def _single_statement(code: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return len(ast.parse(code.strip()).body) == 1
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


@dataclass
class _Scan:
    """Python's lexical state from one physical line to the next."""

    depth: int = 0
    string: str | None = None  # the open triple quote
    continued: bool = False

    def at_logical_start(self) -> bool:
        return self.depth == 0 and self.string is None and not self.continued

    def feed(self, line: str) -> str:
        """Advance over one physical line; returns its code, strings and comments blanked."""
        code = []
        position, end = 0, len(line.rstrip("\r\n"))
        self.continued = False
        while position < end:
            char = line[position]
            if self.string is not None:
                if char == "\\":
                    position += 2
                    continue
                if line.startswith(self.string, position):
                    position += len(self.string)
                    self.string = None
                    code.append(" ")
                    continue
                position += 1
                continue
            if char == "#":
                break
            if char in "\"'":
                triple = char * 3
                if line.startswith(triple, position):
                    self.string = triple
                    position += 3
                    continue
                closing = position + 1
                while closing < end and line[closing] != char:
                    closing += 2 if line[closing] == "\\" else 1
                position = closing + 1
                code.append(" ")
                continue
            if char == "\\" and position == end - 1:
                self.continued = True
            elif char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            code.append(char)
            position += 1
        return "".join(code)


def _statement_after_options(magic: str, arguments: str) -> int | None:
    """Where the statement starts in `%time`/`%timeit` arguments (getopt rules), or None
    for options the magic would reject."""
    position = 0
    while True:
        match = re.compile(r"[ \t]*(\S+)").match(arguments, position)
        if match is None:
            return len(arguments)
        word = match.group(1)
        if word in _LONG_OPTIONS[magic]:
            position = match.end()
            continue
        if not word.startswith("-") or word == "-":
            return match.start(1)
        if word == "--":
            return match.end()
        letters = word[1:]
        for index, letter in enumerate(letters):
            if letter in _OPTION_FLAGS[magic]:
                continue
            if letter not in _OPTIONS_WITH_VALUE[magic]:
                return None
            if index == len(letters) - 1:  # its value is the next word
                value = re.compile(r"[ \t]+\S+").match(arguments, match.end())
                if value is None:
                    return None
                position = value.end()
                break
            position = match.end()
            break
        else:
            position = match.end()


class Masker:
    """Masks the cells of one file; its tokens occur nowhere else in that file."""

    def __init__(self, raw: str):
        salt = 0
        while f"nnx-ipython{salt}-" in raw:
            salt += 1
        self.tag = f"nnx-ipython{salt}-"
        self._token = re.compile(r"# " + re.escape(self.tag) + r"(\d+)$")
        self.escapes: dict[str, Escape] = {}

    def _add(self, escape: Escape) -> str:
        token = f"{self.tag}{len(self.escapes)}"
        self.escapes[token] = escape
        return token

    def mask(self, source: str, *, commented_magics: bool = False) -> MaskedCell | None:
        """The cell's Python with its escapes masked; None when it cannot be done safely
        (the masked code does not parse, or an escape IPython itself would reject)."""
        mark = len(self.escapes)
        cell = self._mask(source, commented_magics)
        if cell is None:
            for token in list(self.escapes)[mark:]:
                del self.escapes[token]  # a cell left out keeps no placeholders
        return cell

    def _mask(self, source: str, commented_magics: bool) -> MaskedCell | None:
        lines = source.splitlines(keepends=True)
        out: list[str] = []
        cell = MaskedCell("")
        residual: list[str] = []
        index = 0
        first = next((number for number, line in enumerate(lines) if line.strip()), len(lines))
        header = _CELL_MAGIC.match(lines[first]) if first < len(lines) else None
        if header is not None and not lines[first].rstrip().endswith("?"):  # (`%%time?` is help)
            if header.group("name") not in PYTHON_CELL_MAGICS:
                # not Python run in the kernel: it calls nothing the notebook defines
                return MaskedCell("", foreign=True)
            out.extend(lines[:first])
            header_line = lines[first]
            header_body = header_line.rstrip("\r\n")
            held = self._holding(header_body, "", header_body, None, _SETUP_CELL_MAGIC)
            if held is not None:  # `%%timeit -n 3 x = setup()`: the setup statement is Python
                out.append(held[0] + header_line[len(header_body):])
                cell.prefixes[first + 1] = len(held[1])
            else:
                out.append(self._whole_line(lines[first:first + 1], "", residual))
            index = first + 1
        scan = _Scan()
        while index < len(lines):
            line = lines[index]
            if not scan.at_logical_start():
                scan.feed(line)
                out.append(line)
                index += 1
                continue
            body = line.rstrip("\r\n")
            stripped = body.lstrip(" \t")
            indent = body[: len(body) - len(stripped)]
            commented = _COMMENTED_MAGIC.match(stripped) if commented_magics else None
            escape_end = index + 1 if commented else self._escape_end(lines, index, scan, stripped)
            if escape_end is None:
                scan.feed(line)
                out.append(line)
                index += 1
                continue
            span = lines[index:escape_end]
            held = self._holding(stripped, indent, body, commented) if len(span) == 1 else None
            if held is not None:
                held_line, prefix = held
                out.append(held_line + line[len(body):])
                cell.prefixes[index + 1] = len(prefix)  # masking keeps every line where it was
            elif commented:
                scan.feed(line)  # a commented-out magic without a statement: a comment as it is
                out.append(line)
            else:
                out.append(self._whole_line(span, indent, residual))
            index = escape_end
        cell.text = "".join(out)
        cell.residual = "\n".join(residual)
        if not parses(cell.text):
            return None
        return cell

    def _escape_end(self, lines: list[str], index: int, scan: _Scan, stripped: str) -> int | None:
        """One past the last line of the escape starting at `lines[index]`, or None."""
        if stripped.startswith(ESCAPE_STARTS):
            end = index + 1
            while lines[end - 1].rstrip("\r\n").endswith("\\") and end < len(lines):
                end += 1
            return end
        probe = _Scan(scan.depth, scan.string, scan.continued)
        code = probe.feed(lines[index]).rstrip()
        if probe.at_logical_start() and code.endswith("?") and _HELP_TARGET.search(code.strip()):
            return index + 1
        if probe.at_logical_start() and _assigns_from_escape(code):
            return index + 1
        return None

    def _holding(self, stripped: str, indent: str, body: str, commented: re.Match | None,
                 magic_pattern: re.Pattern = _LINE_MAGIC) -> tuple[str, str] | None:
        """`%time STMT` -> (`STMT  # token`, the `%time ` taken off), or None: the statement
        stays Python. `commented`: the `# ` of a jupytext-commented magic, kept in the prefix."""
        comment = commented.group(0) if commented else ""
        magic = stripped[len(comment):]
        match = magic_pattern.match(magic)
        if match is None or match.group("name") not in _OPTIONS_WITH_VALUE:
            return None
        arguments = magic[match.end():]
        start = _statement_after_options(match.group("name"), arguments)
        if start is None:
            return None
        statement = arguments[start:]
        if not statement.strip() or not _single_statement(statement):
            return None
        prefix = comment + magic[: match.end() + start]
        token = self._add(Escape(indent, body, 1, prefix))
        return f"{indent}{statement}  # {token}", prefix

    def _whole_line(self, span: list[str], indent: str, residual: list[str]) -> str:
        original = "".join(span)
        ending = original[len(original.rstrip("\r\n")):]
        original = original[: len(original) - len(ending)]
        if not original.lstrip(" \t").startswith("?") and not original.rstrip().endswith("?"):
            residual.append(original)  # help names things without calling them
        token = self._add(Escape(indent, original, len(span)))
        placeholder = [f"{indent}...  # {token}"] + [f"{indent}# {token}"] * (len(span) - 1)
        newline = next((line[len(line.rstrip("\r\n")):] for line in span if line.endswith(("\n", "\r"))), "\n")
        return newline.join(placeholder) + ending

    def unmask(self, text: str, seen: dict[str, int] | None = None) -> str:
        """`text` with every placeholder turned back into its escape, byte for byte.
        `seen` collects the placeholders met, across calls (see `check_all_restored`)."""
        out: list[str] = []
        seen = {} if seen is None else seen
        for line in text.splitlines(keepends=True):
            body = line.rstrip("\r\n")
            ending = line[len(body):]
            match = self._token.search(body)
            if match is None:
                out.append(line)
                continue
            token = self.tag + match.group(1)
            escape = self.escapes.get(token)
            if escape is None:
                raise MaskError(f"unknown IPython placeholder {token}")
            count = seen.get(token, 0)
            seen[token] = count + 1
            head = body[: match.start()]
            if escape.prefix is not None:
                statement = head[len(escape.indent):]
                if count or not head.startswith(escape.indent) or not statement.endswith("  ") \
                        or not _single_statement(statement):
                    raise MaskError(f"the statement after `{escape.prefix.strip()}` no longer fits on its line")
                out.append(escape.indent + escape.prefix + statement[:-2] + ending)
            elif head == (f"{escape.indent}...  " if count == 0 else escape.indent):
                if count + 1 == escape.lines:  # its last line: the escape comes back whole
                    out.append(escape.original + ending)
            else:
                raise MaskError(f"an IPython escape's placeholder was changed: {escape.original.splitlines()[0]!r}")
        for token, escape in self.escapes.items():
            expected = 1 if escape.prefix is not None else escape.lines
            if token in seen and seen[token] != expected:
                raise MaskError(f"an IPython escape's placeholder was duplicated or lost: {escape.original!r}")
        return "".join(out)

    def check_all_restored(self, seen: dict[str, int]) -> None:
        """Every escape masked in the file was met while unmasking it."""
        lost = [escape.original for token, escape in self.escapes.items() if token not in seen]
        if lost:
            raise MaskError(f"an IPython escape's placeholder was lost: {lost[0]!r}")

    def is_cell_magic(self, line: str) -> bool:
        """Whether `line` is the placeholder of a `%%magic` line."""
        match = self._token.search(line.rstrip("\r\n"))
        escape = self.escapes.get(self.tag + match.group(1)) if match else None
        return escape is not None and escape.original.startswith("%%")


def _assigns_from_escape(code: str) -> bool:
    """`target = !cmd` or `target = %magic ...` (IPython's SystemAssign / MagicAssign):
    the first `=` outside brackets, followed by `!` or by `%` and a name."""
    depth = 0
    for position, char in enumerate(code):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif char == "=" and depth == 0:
            before = code[position - 1] if position else ""
            after = code[position + 1:position + 2]
            if before in "=!<>+-*/%&|^@:" and before or after == "=":
                return False
            rest = code[position + 1:].lstrip(" \t")
            return rest.startswith("!") or bool(re.match(r"%\w", rest))
    return False
