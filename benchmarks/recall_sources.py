"""Users' code for benchmarks/recall.py: sdists that ship tests, examples and notebooks,
the kind of code each file is, and the lines of a notebook or Markdown page as the scorer
pairs them.

An sdist (`pip download --no-deps --no-binary DIST DIST==VERSION`) is downloaded once into
the corpus cache's `sdists/` (where benchmarks/suite_migration.py keeps flax's) and its
`.py`, `.ipynb` and `.md` files (and `pyproject.toml`) are unpacked once into
`sdist-sources/DIST-VERSION/`, at their paths in the sdist.

A notebook's lines are its code cells' sources, concatenated, each cell after a marker
line (`CELL_MARKER`): markdown cells and outputs are not lines; a Markdown page's lines are
the page's own, its Python blocks (MyST `{code-cell}`, ```` ```python ````) the code in it,
the rest prose.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from corpus import CorpusUnavailable, cache_dir  # noqa: E402

# The kinds of code; a wheel's package is all "library".
CATEGORIES = {
    "library": "library (the package itself)",
    "tests": "tests (tests/, test_*.py, *_test.py)",
    "scripts": "scripts and examples (examples/, benchmarks/, docs' .py)",
    "notebooks": "notebooks (.ipynb, code cells)",
    "markdown": "Markdown pages (.md: jupytext MyST notebooks and guides, --include-docs)",
}
UNPACKED_SUFFIXES = (".py", ".ipynb", ".md")


@dataclass(frozen=True)
class Source:
    """Old and new sdist of one project; `roots` (folders or files, at their path in the
    sdist) are the NNX-relevant tree a user would migrate at once."""
    name: str
    dist: str
    old: str
    new: str
    roots: tuple[str, ...]
    library: tuple[str, ...]  # folders holding the library itself
    why: str

    def category(self, relative: str) -> str:
        path = PurePosixPath(relative)
        if path.suffix == ".ipynb":
            return "notebooks"
        if path.suffix == ".md":
            return "markdown"
        if any(relative.startswith(folder + "/") for folder in self.library):
            return "library"
        if path.parts[0] == "tests" or path.name.startswith("test_") or path.stem.endswith("_test"):
            return "tests"
        return "scripts"


SOURCES = (
    # flax 0.11.2 is the last 0.11; between it and 0.12.8 the maintainers migrated flax/nnx, tests/nnx,
    # the NNX examples and docs_nnx (examples/lm1b_nnx was removed: its lines have no counterpart)
    Source("flax", "flax", "0.11.2", "0.12.8",
           ("flax/nnx", "tests/nnx", "examples/gemma", "examples/lm1b_nnx", "examples/nnx_toy_examples",
            "benchmarks", "docs_nnx"),
           ("flax/nnx",), "flax's own tests, examples, benchmarks and docs_nnx notebooks"),
    # bijx 1.0.1 needs flax>=0.10.4, 1.1.1 needs flax>=0.12.1; its sdist ships tests/ and docs/source notebooks
    Source("bijx", "bijx", "1.0.1", "1.1.1", ("src/bijx", "tests", "docs/source"), ("src/bijx",),
           "tests/ and the docs' notebooks"),
    # Not used: the sdists of easydel (0.2.0.2, 0.3.0) and jraphx (0.0.3, 0.1.0) hold the package alone
    # (easydel/scripts has no target), the same code as their wheels; no google-tunix release migrated.
)


def sdist_sources(dist: str, version: str) -> Path:
    """The sdist of `dist==version`, unpacked (.py, .ipynb, .md, pyproject.toml) without its
    top folder; read-only use. Raises CorpusUnavailable."""
    root = cache_dir() / "sdist-sources" / f"{dist}-{version}"
    marker = root / ".complete"
    if marker.exists():
        return root
    downloads = cache_dir() / "sdists"
    downloads.mkdir(parents=True, exist_ok=True)
    names = [f"{stem}-{version}.tar.gz" for stem in {dist, dist.replace('-', '_')}]
    archive = next((downloads / name for name in names if (downloads / name).exists()), None)
    if archive is None:
        # --no-binary DIST, not :all:: the build backend (needed for the metadata) may come as a wheel
        download = subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", dist,
             f"{dist}=={version}", "-d", str(downloads)], capture_output=True, text=True)
        archive = next((downloads / name for name in names if (downloads / name).exists()), None)
        if archive is None:
            raise CorpusUnavailable(f"cannot download the {dist}=={version} sdist: {download.stderr.strip()[-500:]}")
    with tarfile.open(archive) as tar:
        members = []
        for member in tar.getmembers():
            parts = PurePosixPath(member.name).parts
            if not member.isfile() or len(parts) < 2:
                continue
            inner = PurePosixPath(*parts[1:])
            if inner.suffix in UNPACKED_SUFFIXES or inner.as_posix() == "pyproject.toml":
                member.name = inner.as_posix()
                members.append(member)
        tar.extractall(root, members, filter="data")
    marker.touch()
    return root


def source_files(root: Path, roots: tuple[str, ...]) -> list[str]:
    """Relative paths of the files under `roots` that the scorer reads (sorted)."""
    found = set()
    for entry in roots:
        path = root / entry
        if path.is_file():
            found.add(entry)
        elif path.is_dir():
            found.update(p.relative_to(root).as_posix() for p in path.rglob("*")
                         if p.is_file() and p.suffix in UNPACKED_SUFFIXES)
    return sorted(found)


# ---- documents: the lines the scorer pairs, and where the code is in them ----

CELL_MARKER = "# %% [code cell]"


@dataclass
class Document:
    lines: list[str]
    segments: list[tuple[int, int]]  # [start, end) line indices holding code; the rest is prose
    cells: list[tuple[int, int]] = field(default_factory=list)  # per line of a notebook: (cell, line in cell), 1-based

    def where(self, number: int) -> str:
        """`:line`, or `:cell C:line L` in a notebook, for the 1-based line `number`."""
        if self.cells and 0 < number <= len(self.cells):
            cell, line = self.cells[number - 1]
            return f":cell {cell}:{line}"
        return f":{number}"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def notebook_document(text: str) -> Document:
    try:
        cells = json.loads(text).get("cells", [])
    except (ValueError, AttributeError):
        return Document([], [])
    lines: list[str] = []
    segments, where = [], []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        lines.append(CELL_MARKER)
        where.append((number, 0))
        start = len(lines)
        lines.extend(source.splitlines())
        where.extend((number, offset) for offset in range(1, len(lines) - start + 1))
        segments.append((start, len(lines)))
    return Document(lines, segments, where)


_FENCE_OPEN = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*(?:\{code-cell\}[ \t]*(?P<cell>[\w+-]*)|(?P<lang>[\w+-]+))")
PYTHON_BLOCKS = {"python", "py", "python3", "ipython3", "ipython"}


def markdown_document(text: str) -> Document:
    """A Markdown page: its Python fenced blocks are the code (a `{code-cell}` without a
    language is Python, as MyST-NB runs it)."""
    lines = text.splitlines()
    segments = []
    index = 0
    while index < len(lines):
        match = _FENCE_OPEN.match(lines[index])
        if not match:
            index += 1
            continue
        fence = match.group("fence")
        language = match.group("cell") if match.group("cell") is not None else match.group("lang")
        is_cell = "{code-cell}" in lines[index]
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        if (is_cell and language in PYTHON_BLOCKS | {""}) or (not is_cell and language in PYTHON_BLOCKS):
            segments.append((index + 1, end))
        index = end + 1
    return Document(lines, segments)


def read_document(path: Path) -> Document:
    text = _text(path)
    if path.suffix == ".ipynb":
        return notebook_document(text)
    lines = text.splitlines()
    if path.suffix == ".md":
        return markdown_document(text)
    return Document(lines, [(0, len(lines))])


_MAGIC = re.compile(r"^[ \t]*(?:[%!?]|[\w.]+\?\??[ \t]*$)")
_CELL_OPTION = re.compile(r"^[ \t]*(?::[\w-]+:|---[ \t]*$)")


def segment_text(document: Document, start: int, end: int) -> str:
    """The code of one segment for ast/tokenize: IPython escapes and MyST cell options
    blanked (comment lines), so line numbers stay."""
    lines = []
    options = True
    for line in document.lines[start:end]:
        if options and _CELL_OPTION.match(line):
            lines.append("#")
            continue
        options = False
        lines.append("#" if _MAGIC.search(line) else line)
    return "\n".join(lines) + "\n"
