"""Jupyter notebooks: their code cells become one Python text for the usual pipeline,
and the migrated text goes back into the cells. Outputs, metadata, cell ids and the
JSON layout stay as they were.

Cells are joined with a marker comment line between them; statements never span cells,
so every rewrite stays inside its cell (a cell may gain or lose lines). IPython escapes
(magics, shell lines, help) are masked to Python placeholders and put back byte for byte
(see ipython.py); a cell whose escapes cannot be masked safely, or that does not parse,
is left as it is and reported, and a `%%bash`-like cell is not Python at all.
A notebook whose JSON would not round-trip byte for byte through `json.dumps` (keys not in
nbformat's order, Colab's `\u003c` escapes, another indent) keeps its bytes: only the
changed cells' `source` values are written into the original file text, each line that
was there before in its original encoding, new lines encoded as the file encodes (its
escapes, its separator between lines).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field

from nnx_migrate.ipython import Masker

MARKER = "# nnx-migrate: embedded code {}"
_MARKER_LINE = re.compile(r"^# nnx-migrate: embedded code (\d+)\r?\n?$")


class NotebookError(ValueError):
    """Not a notebook nnx-migrate can rewrite without changing its layout."""


@dataclass
class Notebook:
    document: dict
    indent: int | str | None
    trailing_newline: bool
    masker: Masker
    ascii_only: bool = False  # non-ASCII text written as \u escapes
    newline: str = "\n"  # "\r\n" for a notebook checked out on Windows
    cells: list[int] = field(default_factory=list)  # indices of the code cells in the text
    skipped: list[int] = field(default_factory=list)  # code cells that could not be masked or parsed
    left_out: dict[int, str] = field(default_factory=dict)  # cell -> code no rule saw (it may call things)
    prefixes: dict[int, int] = field(default_factory=dict)  # line of the text -> columns of `%time ` before it
    raw: str | None = None  # the file's text, where sources are spliced into it (its layout does not round-trip)
    spans: dict[int, "_Span"] = field(default_factory=dict)  # cell -> where its `source` value lies in `raw`


@dataclass
class _Span:
    """A cell's `source` value in the file's text: [start, end), and for a list the raw
    text of each element and what lies between them."""
    start: int
    end: int
    elements: list[tuple[int, int]] | None  # None: a single string


def _skip(raw: str, at: int) -> int:
    while at < len(raw) and raw[at] in " \t\r\n":
        at += 1
    return at


_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _scan(raw: str, at: int, path: tuple, found: dict) -> int:
    """Scan the JSON value at `at` (after whitespace); record the span of each
    `cells[i].source` in `found`; return where the value ends."""
    at = _skip(raw, at)
    char = raw[at:at + 1]
    if char == "{":
        at = _skip(raw, at + 1)
        if raw[at:at + 1] == "}":
            return at + 1
        while True:
            key, at = json.decoder.scanstring(raw, _skip(raw, at) + 1)
            at = _skip(raw, at)
            if raw[at:at + 1] != ":":
                raise NotebookError("not valid JSON")
            start = _skip(raw, at + 1)
            at = _scan(raw, start, (*path, key), found)
            if len(path) == 2 and path[0] == "cells" and key == "source":
                found[path[1]] = (start, at)
            at = _skip(raw, at)
            if raw[at:at + 1] == "}":
                return at + 1
            if raw[at:at + 1] != ",":
                raise NotebookError("not valid JSON")
            at += 1
    if char == "[":
        at = _skip(raw, at + 1)
        if raw[at:at + 1] == "]":
            return at + 1
        index = 0
        while True:
            at = _scan(raw, at, (*path, index), found)
            at = _skip(raw, at)
            index += 1
            if raw[at:at + 1] == "]":
                return at + 1
            if raw[at:at + 1] != ",":
                raise NotebookError("not valid JSON")
            at += 1
    if char == '"':
        return json.decoder.scanstring(raw, at + 1)[1]
    for literal in ("true", "false", "null"):
        if raw.startswith(literal, at):
            return at + len(literal)
    match = _NUMBER.match(raw, at)
    if not match:
        raise NotebookError("not valid JSON")
    return match.end()


def _spans(raw: str) -> dict[int, _Span]:
    found: dict[int, tuple[int, int]] = {}
    _scan(raw, 0, (), found)
    spans = {}
    for number, (start, end) in found.items():
        elements = None
        if raw[start] == "[":
            elements, at = [], _skip(raw, start + 1)
            while raw[at] != "]":
                stop = json.decoder.scanstring(raw, at + 1)[1]
                elements.append((at, stop))
                at = _skip(raw, stop)
                at = _skip(raw, at + 1) if raw[at] == "," else at
        spans[number] = _Span(start, end, elements)
    return spans


def _encoder(raw: str):
    """A function encoding a string as this file encodes its strings: non-ASCII written
    as it is or as \\u escapes, and the characters it escapes that JSON need not (Colab
    writes `<`, `>`, `&`, `'` as \\u003c ...)."""
    ascii_only = not any(ord(c) > 127 for c in raw) and re.search(r"\\u(?:00[89a-fA-F]|0[1-9a-fA-F]|[1-9a-fA-F])", raw) is not None
    escaped = {}
    for char in "<>&'=":
        for spelled in (f"\\u{ord(char):04x}", f"\\u{ord(char):04X}"):
            if spelled in raw:
                escaped[char] = spelled
                break
    slash = "\\/" in raw

    def encode(text: str) -> str:
        out = json.dumps(text, ensure_ascii=ascii_only)
        for char, spelled in escaped.items():
            out = out.replace(char, spelled)
        return out.replace("/", "\\/") if slash else out
    return encode


def _dump(document: dict, notebook: Notebook) -> str:
    """The JSON text, laid out as the notebook's file was (what nbformat and Colab write)."""
    text = json.dumps(document, indent=notebook.indent, ensure_ascii=notebook.ascii_only)
    return text.replace("\n", notebook.newline) + (notebook.newline if notebook.trailing_newline else "")


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def load(raw: str) -> tuple[str, Notebook]:
    """The Python text of the notebook's code cells, and what is needed to put it back."""
    try:
        document = json.loads(raw)
    except ValueError as error:
        raise NotebookError(f"not valid JSON: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise NotebookError("not a Jupyter notebook (no cells)")
    first_indented = re.search(r"\n([ \t]+)\"", raw)
    indent = len(first_indented.group(1)) if first_indented and first_indented.group(1).strip(" ") == "" else None
    notebook = Notebook(document, indent, raw.endswith("\n"), Masker(raw), newline="\r\n" if "\r\n" in raw else "\n")
    if _dump(document, notebook) != raw:
        notebook.ascii_only = True
        if _dump(document, notebook) != raw:
            notebook.raw = raw  # sources are written into the file's own text
            try:
                notebook.spans = _spans(raw)
            except (ValueError, IndexError) as error:  # JSON that json.loads takes and JSON does not (NaN)
                raise NotebookError(f"its JSON cannot be rewritten in place: {error}") from error
    parts: list[str] = []
    lines = 0
    for number, cell in enumerate(document["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if not isinstance(source, str) and not (isinstance(source, list) and all(isinstance(s, str) for s in source)):
            raise NotebookError(f"cell {number + 1} has a source that is not text")
        source = _source(cell)
        masked = notebook.masker.mask(source)
        if masked is None:
            notebook.skipped.append(number)
            notebook.left_out[number] = source
            continue
        if masked.residual:
            notebook.left_out[number] = masked.residual
        if masked.foreign:
            continue
        notebook.cells.append(number)
        code = masked.text
        parts.append(MARKER.format(number) + "\n" + code + ("" if code.endswith("\n") or not code else "\n"))
        notebook.prefixes.update({lines + 1 + line: width for line, width in masked.prefixes.items()})
        lines += 1 + len(code.splitlines())
    return "".join(parts), notebook


def split(text: str, masker: Masker | None = None) -> dict[int, str]:
    """Cell number -> source, from a (migrated) notebook text, its IPython escapes put
    back by `masker` (MaskError if one cannot be)."""
    cells: dict[int, list[str]] = {}
    leading: list[str] = []
    current = None
    for line in text.splitlines(keepends=True):
        match = _MARKER_LINE.match(line)
        if match:
            current = int(match.group(1))
            cells[current] = []
        elif current is not None:
            cells[current].append(line)
        else:
            leading.append(line)  # e.g. an import added at the top: it joins the first cell
    if leading and cells:
        first = next(iter(cells))
        # an import added at the top goes after a cell magic's line, which must stay first
        header = 1 if masker is not None and cells[first] and masker.is_cell_magic(cells[first][0]) else 0
        cells[first][header:header] = leading
    if masker is None:
        return {number: "".join(lines) for number, lines in cells.items()}
    seen: dict[str, int] = {}
    sources = {number: masker.unmask("".join(lines), seen) for number, lines in cells.items()}
    masker.check_all_restored(seen)
    return sources


def dump(text: str, notebook: Notebook) -> str:
    """The notebook JSON with the cells' sources taken from `text`."""
    return dump_sources(split(text, notebook.masker), notebook)


def dump_sources(sources: dict[int, str], notebook: Notebook) -> str:
    """The notebook JSON with these cells' sources (cell number -> source) replaced."""
    if notebook.raw is not None:
        return _splice_sources(sources, notebook)
    document = json.loads(json.dumps(notebook.document))  # a copy
    for number, new in _changed(sources, document):
        cell = document["cells"][number]
        cell["source"] = new.splitlines(keepends=True) if isinstance(cell.get("source"), list) else new
    return _dump(document, notebook)


def _changed(sources: dict[int, str], document: dict):
    """(cell number, new source) of the cells whose source changes."""
    for number, cell in enumerate(document["cells"]):
        if number not in sources:
            continue
        old = _source(cell)
        new = sources[number]
        if not old.endswith("\n") and new.endswith("\n"):
            new = new[:-1]  # Jupyter stores a cell without its final newline
        if new != old:
            yield number, new


def _splice_sources(sources: dict[int, str], notebook: Notebook) -> str:
    """The file's own text with the changed cells' `source` values replaced, and nothing
    else touched."""
    raw = notebook.raw
    encode = _encoder(raw)
    pieces, at = [], 0
    for number, new in _changed(sources, notebook.document):
        span = notebook.spans.get(number)
        if span is None:
            raise NotebookError(f"cell {number + 1} has no source in the file's text")
        if span.elements is None:
            value = encode(new)
        elif not span.elements:
            value = "[" + ", ".join(encode(line) for line in new.splitlines(keepends=True)) + "]"
        else:
            known = {}
            for start, stop in span.elements:
                known.setdefault(json.loads(raw[start:stop]), raw[start:stop])
            first, last = span.elements[0], span.elements[-1]
            opening, closing = raw[span.start:first[0]], raw[last[1]:span.end]
            between = raw[span.elements[0][1]:span.elements[1][0]] if len(span.elements) > 1 \
                else "," + (opening[1:] if opening[1:] else " ")
            lines = [known.get(line) or encode(line) for line in new.splitlines(keepends=True)]
            value = opening + between.join(lines) + closing if lines else "[]"
        pieces.append(raw[at:span.start])
        pieces.append(value)
        at = span.end
    pieces.append(raw[at:])
    return "".join(pieces)


def cell_diffs(display: str, old_text: str, new_text: str, label: str = "cell", masker: Masker | None = None) -> str:
    """A unified diff per changed cell (or docs block), each headed with its number."""
    old_cells, new_cells = split(old_text, masker), split(new_text, masker)
    out = []
    for number, old in old_cells.items():
        new = new_cells.get(number, old)
        if new != old:
            name = f"{label}_{number + 1 if label == 'cell' else number}"  # cells counted as ruff counts them
            out.extend(difflib.unified_diff(
                old.splitlines(keepends=True), new.splitlines(keepends=True),
                fromfile=f"a/{display}:{name}", tofile=f"b/{display}:{name}",
            ))
            if out and not out[-1].endswith("\n"):
                out[-1] += "\n"
    return "".join(out)


def locate(text: str, line: int) -> tuple[int | None, int]:
    """(cell number, line within the cell) of a line of the joined text."""
    cell, start = None, 0
    for number, content in enumerate(text.splitlines(), start=1):
        if number > line:
            break
        match = _MARKER_LINE.match(content)
        if match:
            cell, start = int(match.group(1)), number
    return cell, line - start


def skipped_sources(notebook: Notebook) -> dict[int, str]:
    """Code no rule saw (cells left out, shell and magic lines): callers a rule must still
    know about."""
    return notebook.left_out
