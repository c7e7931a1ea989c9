"""Python code blocks in Markdown, MyST and reStructuredText pages (`--include-docs`).

The blocks become one Python text for the usual pipeline, joined with marker comment
lines, exactly as a notebook's cells are (see notebook.py); the migrated blocks go back in
place, re-indented, and the prose stays byte-identical. A block that does not parse on its
own (a doctest, a fragment) is left out and reported.
"""

from __future__ import annotations

import ast
import re
import textwrap
import warnings
from dataclasses import dataclass, field

from nnx_migrate import notebook

SUFFIXES = (".md", ".markdown", ".rst")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?:\{code-cell\}[ \t]*)?(?P<lang>[\w+-]*)[^\n]*$")
_RST = re.compile(r"^(?P<indent>[ \t]*)\.\. (?:code-block|code|sourcecode|testcode)::[ \t]*(?P<lang>\w*)[ \t]*$")
PYTHON = {"python", "py", "python3", "ipython3", "ipython"}


@dataclass
class Block:
    start: int  # index of the block's first code line in the page's lines
    end: int  # one past its last line
    indent: str
    code: str


@dataclass
class Page:
    lines: list[str]
    blocks: list[Block] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)  # line number -> code of blocks left out


def _parses(code: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
        return True
    except (SyntaxError, ValueError):
        return False


def load(text: str, suffix: str) -> tuple[str, Page]:
    lines = text.splitlines(keepends=True)
    page = Page(lines)
    spans = _rst_blocks(lines) if suffix == ".rst" else _fenced_blocks(lines)
    parts = []
    for start, end, indent in spans:
        body = lines[start:end]
        while body and body[0].lstrip(" \t").startswith(":") and suffix != ".rst":
            body, start = body[1:], start + 1  # MyST cell options (`:tags: [...]`)
        code = textwrap.dedent("".join(body))
        if not code.strip() or not _parses(code):
            if code.strip():
                page.skipped[start + 1] = code
            continue
        number = len(page.blocks)
        page.blocks.append(Block(start, end, indent, code))
        parts.append(notebook.MARKER.format(number) + "\n" + code + ("" if code.endswith("\n") else "\n"))
    return "".join(parts), page


def _fenced_blocks(lines: list[str]) -> list[tuple[int, int, str]]:
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
        if match.group("lang").lower() in PYTHON:
            spans.append((position + 1, closing, indent))
        position = closing + 1
    return spans


def _rst_blocks(lines: list[str]) -> list[tuple[int, int, str]]:
    spans, position = [], 0
    while position < len(lines):
        match = _RST.match(lines[position].rstrip("\r\n"))
        position += 1
        if match is None or (match.group("lang") and match.group("lang").lower() not in PYTHON):
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
            spans.append((start, end, first[: len(first) - len(first.lstrip(" \t"))]))
    return spans


def dump(text: str, page: Page) -> str:
    """The page with each block's code taken from (migrated) `text`."""
    new_code = notebook.split(text)
    lines = list(page.lines)
    for number in sorted(new_code, reverse=True):
        block = page.blocks[number]
        if new_code[number] == block.code:
            continue
        newline = "\r\n" if page.lines[block.start].endswith("\r\n") else "\n"
        code = textwrap.indent(new_code[number], block.indent) if block.indent else new_code[number]
        lines[block.start:block.end] = [line.rstrip("\r\n") + newline for line in code.splitlines(keepends=True)]
    return "".join(lines)


def locate(text: str, line: int) -> tuple[int | None, int]:
    return notebook.locate(text, line)
