"""Jupyter notebooks: their code cells become one Python text for the usual pipeline,
and the migrated text goes back into the cells. Outputs, metadata, cell ids and the
JSON layout stay as they were.

Cells are joined with a marker comment line between them; statements never span cells,
so every rewrite stays inside its cell (a cell may gain or lose lines). IPython escapes
(magics, shell lines, help) are masked to Python placeholders and put back byte for byte
(see ipython.py); a cell whose escapes cannot be masked safely, or that does not parse,
is left as it is and reported, and a `%%bash`-like cell is not Python at all.
A notebook whose JSON would not round-trip byte for byte is not processed at all.
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
            raise NotebookError("its JSON layout would change on writing (not written by Jupyter/nbformat?)")
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
    document = json.loads(json.dumps(notebook.document))  # a copy
    for number, cell in enumerate(document["cells"]):
        if number not in sources:
            continue
        old = _source(cell)
        new = sources[number]
        if not old.endswith("\n") and new.endswith("\n"):
            new = new[:-1]  # Jupyter stores a cell without its final newline
        if new == old:
            continue
        cell["source"] = new.splitlines(keepends=True) if isinstance(cell.get("source"), list) else new
    return _dump(document, notebook)


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
