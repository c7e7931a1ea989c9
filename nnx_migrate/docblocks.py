"""Python code blocks in Markdown, MyST and reStructuredText pages (`--include-docs`).

The blocks become one Python text for the usual pipeline, joined with marker comment
lines, exactly as a notebook's cells are (see notebook.py); the migrated blocks go back in
place, re-indented, and the prose stays byte-identical. A block that does not parse on its
own (a doctest, a fragment) is left out and reported.

Blocks an IPython kernel runs (MyST `{code-cell}`, ```` ```ipython ````) get their IPython
escapes masked as a notebook's cells do; so do the cells of a jupytext percent script
(`.py` with `# %%` cells, magics commented out as `# %time ...` or left as they are).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from nnx_migrate import doctests, notebook
from nnx_migrate.ipython import Masker, parses

SUFFIXES = (".md", ".markdown", ".rst")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<cell>\{code-cell\}[ \t]*)?(?P<lang>[\w+-]*)[^\n]*$")
_PERCENT_MARKER = re.compile(r"^# %%(?:[ \t].*)?$", re.MULTILINE)
_COMMENTED_STATEMENT_MAGIC = re.compile(r"^[ \t]*#[ \t]?%(?:time|timeit)[ \t]", re.MULTILINE)
_RST = re.compile(r"^(?P<indent>[ \t]*)\.\. (?:code-block|code|sourcecode|testcode|doctest)::[ \t]*(?P<lang>\w*)[ \t]*$")
PYTHON = {"python", "py", "python3", "ipython3", "ipython", "pycon"}
IPYTHON = {"ipython3", "ipython"}


@dataclass
class Block:
    start: int  # index of the block's first code line in the page's lines
    end: int  # one past its last line
    indent: str
    code: str
    example: doctests.Example | None = None  # a doctest example: its code goes back after the prompts


@dataclass
class Page:
    lines: list[str]
    masker: Masker
    script: bool = False  # a jupytext percent script, not a page
    blocks: list[Block] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)  # line number -> code of blocks left out
    left_out: dict[int, str] = field(default_factory=dict)  # line number -> code no rule saw
    prefixes: dict[int, int] = field(default_factory=dict)  # line of the text -> columns of `%time ` before it


def is_percent_script(text: str) -> bool:
    """A jupytext percent script that needs IPython handling: `# %%` cells, and magics
    left in (so it does not parse) or commented out around a statement (`# %time f(x)`)."""
    if not _PERCENT_MARKER.search(text):
        return False
    return bool(_COMMENTED_STATEMENT_MAGIC.search(text)) or not parses(text)


def load(text: str, suffix: str) -> tuple[str, Page]:
    lines = text.splitlines(keepends=True)
    page = Page(lines, Masker(text), script=suffix == ".py")
    if page.script:
        spans = _percent_cells(lines)
    else:
        spans = _rst_blocks(lines) if suffix == ".rst" else _fenced_blocks(lines)
    parts = []
    text_lines = 0
    for start, end, indent, ipython in spans:
        body = lines[start:end]
        if body and body[0].strip() == "---" and suffix not in (".rst", ".py"):
            closing = next((n for n, line in enumerate(body[1:], start=1) if line.strip() == "---"), None)
            if closing is not None:  # MyST cell options as a YAML block
                body, start = body[closing + 1:], start + closing + 1
        while body and body[0].lstrip(" \t").startswith(":") and suffix not in (".rst", ".py"):
            body, start = body[1:], start + 1  # MyST cell options (`:tags: [...]`)
        code = "".join(body) if page.script else textwrap.dedent("".join(body))
        if not code.strip():
            continue
        masked = page.masker.mask(code, commented_magics=page.script) if ipython else None
        if masked is not None and masked.residual:
            page.left_out[start + 1] = masked.residual
        if masked is not None and masked.foreign:
            continue
        python = masked.text if masked is not None else code
        if (ipython and masked is None) or not parses(python):
            examples = None if ipython else doctests.examples_in_block(lines, start, end)
            if examples is None:
                page.skipped[start + 1] = code
                page.left_out[start + 1] = code
                continue
            pieces = _example_blocks(page, examples)
        else:
            pieces = [(Block(start, end, indent, code), python)]
        for block, python in pieces:
            number = len(page.blocks)
            page.blocks.append(block)
            parts.append(notebook.MARKER.format(number) + "\n" + python + ("" if python.endswith("\n") else "\n"))
            if masked is not None:
                page.prefixes.update({text_lines + 1 + line: width for line, width in masked.prefixes.items()})
            text_lines += 1 + len(python.splitlines())
    return "".join(parts), page


def _example_blocks(page: Page, examples: list[doctests.Example]) -> list[tuple[Block, str]]:
    """Each example of a doctest block is a block of its own (the page's blocks are one
    session already); one doctest cannot compile binds nothing and is left out."""
    pieces = []
    for example in examples:
        if doctests.compiles(example.code):
            block = Block(example.line, example.line + len(example.codes), "", example.code, example)
            pieces.append((block, example.code))
        else:
            page.left_out[example.line + 1] = example.text
            if doctests.looks_nnx(example.text):
                page.skipped[example.line + 1] = example.text
    return pieces


def _percent_cells(lines: list[str]) -> list[tuple[int, int, str, bool]]:
    """The cells of a percent script: the lines between `# %%` markers (and before the first)."""
    markers = [number for number, line in enumerate(lines) if _PERCENT_MARKER.match(line.rstrip("\r\n"))]
    bounds = [-1, *markers, len(lines)]
    return [(first + 1, last, "", True) for first, last in zip(bounds, bounds[1:]) if last > first + 1]


def _fenced_blocks(lines: list[str]) -> list[tuple[int, int, str, bool]]:
    spans, position = [], 0
    while position < len(lines):
        match = _FENCE.match(lines[position].rstrip("\r\n"))
        if match is None:
            position += 1
            continue
        fence, indent = match.group("fence"), match.group("indent")
        closing = position + 1
        while closing < len(lines) and not lines[closing].strip().startswith(fence):
            closing += 1
        language = match.group("lang").lower()
        if language in PYTHON:
            spans.append((position + 1, closing, indent, bool(match.group("cell")) or language in IPYTHON))
        position = closing + 1
    return spans


def _rst_blocks(lines: list[str]) -> list[tuple[int, int, str, bool]]:
    spans, position = [], 0
    while position < len(lines):
        match = _RST.match(lines[position].rstrip("\r\n"))
        position += 1
        if match is None:
            if lines[position - 1].lstrip(" \t").startswith(">>>") and (position == 1 or not lines[position - 2].strip()):
                start = position - 1  # a doctest block: a paragraph of `>>>` examples, up to a blank line
                while position < len(lines) and lines[position].strip():
                    position += 1
                spans.append((start, position, "", False))
            continue
        if match.group("lang") and match.group("lang").lower() not in PYTHON:
            continue
        directive_indent = len(match.group("indent"))
        while position < len(lines) and lines[position].strip().startswith(":"):
            position += 1  # directive options
        start = position
        end = position
        while position < len(lines):
            line = lines[position]
            if line.strip() and len(line) - len(line.lstrip(" \t")) <= directive_indent:
                break
            position += 1
            if line.strip():
                end = position
        if end > start:
            first = next(line for line in lines[start:end] if line.strip())
            spans.append((start, end, first[: len(first) - len(first.lstrip(" \t"))], False))
    return spans


def dump(text: str, page: Page) -> str:
    """The page with each block's code taken from (migrated) `text`."""
    return dump_blocks(notebook.split(text, page.masker), page)


def dump_blocks(new_code: dict[int, str], page: Page) -> str:
    """The page with these blocks' code (block number -> code) replaced."""
    lines = list(page.lines)
    for number in sorted(new_code, reverse=True):
        block = page.blocks[number]
        if new_code[number] == block.code:
            continue
        if block.example is not None:
            lines[block.start:block.end] = doctests.prompted(page.lines, block.example, doctests.code_lines(new_code[number]))
            continue
        newline = "\r\n" if page.lines[block.start].endswith("\r\n") else "\n"
        code = textwrap.indent(new_code[number], block.indent) if block.indent else new_code[number]
        replaced = [line.rstrip("\r\n") + newline for line in code.splitlines(keepends=True)]
        if replaced and not page.lines[block.end - 1].endswith(("\n", "\r")):
            replaced[-1] = replaced[-1].rstrip("\r\n")  # the file's last line had no line ending
        lines[block.start:block.end] = replaced
    return "".join(lines)


def locate(text: str, line: int) -> tuple[int | None, int]:
    return notebook.locate(text, line)
