"""Jupyter notebooks: their code cells become one Python text for the usual pipeline,
and the migrated text goes back into the cells. Outputs, metadata, cell ids and the
JSON layout stay as they were.

Cells are joined with a marker comment line between them; statements never span cells,
so every rewrite stays inside its cell (a cell may gain or lose lines). A cell with
IPython magics (`%`, `!`) is not part of the text: it is left as it is and reported.
A notebook whose JSON would not round-trip byte for byte is not processed at all.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field

MARKER = "# nnx-migrate: embedded code {}"
_MARKER_LINE = re.compile(r"^# nnx-migrate: embedded code (\d+)\r?\n?$")
_MAGIC = re.compile(r"^\s*[%!]", re.MULTILINE)


class NotebookError(ValueError):
    """Not a notebook nnx-migrate can rewrite without changing its layout."""


@dataclass
class Notebook:
    document: dict
    indent: int | str | None
    trailing_newline: bool
    cells: list[int] = field(default_factory=list)  # indices of the code cells in the text
    skipped: list[int] = field(default_factory=list)  # code cells with magics


def _dump(document: dict, indent, trailing_newline: bool) -> str:
    return json.dumps(document, indent=indent, ensure_ascii=False) + ("\n" if trailing_newline else "")


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
    notebook = Notebook(document, indent, raw.endswith("\n"))
    if _dump(document, indent, notebook.trailing_newline) != raw:
        raise NotebookError("its JSON layout would change on writing (not written by Jupyter/nbformat?)")
    parts = []
    for number, cell in enumerate(document["cells"]):
        if cell.get("cell_type") != "code":
            continue
        source = _source(cell)
        if _MAGIC.search(source):
            notebook.skipped.append(number)
            continue
        notebook.cells.append(number)
        parts.append(MARKER.format(number) + "\n" + source + ("" if source.endswith("\n") or not source else "\n"))
    return "".join(parts), notebook


def split(text: str) -> dict[int, str]:
    """Cell number -> source, from a (migrated) notebook text."""
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
        cells[first] = leading + cells[first]
    return {number: "".join(lines) for number, lines in cells.items()}


def dump(text: str, notebook: Notebook) -> str:
    """The notebook JSON with the cells' sources taken from `text`."""
    sources = split(text)
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
    return _dump(document, notebook.indent, notebook.trailing_newline)


def cell_diffs(display: str, old_text: str, new_text: str, label: str = "cell") -> str:
    """A unified diff per changed cell (or docs block), each headed with its number."""
    old_cells, new_cells = split(old_text), split(new_text)
    out = []
    for number, old in old_cells.items():
        new = new_cells.get(number, old)
        if new != old:
            out.extend(difflib.unified_diff(
                old.splitlines(keepends=True), new.splitlines(keepends=True),
                fromfile=f"a/{display}:{label}_{number}", tofile=f"b/{display}:{label}_{number}",
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
    """The code cells left out (magics): callers a rule must still know about."""
    return {number: _source(notebook.document["cells"][number]) for number in notebook.skipped}
