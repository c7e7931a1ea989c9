"""Discover stage: the paths a user gave -> the Python files to look at.

Honours `--exclude` globs and .gitignore files (pathspec), skips VCS folders, virtual
environments and caches, and never follows a symlink: a linked folder is not entered
and a linked file is reported, so nothing outside the tree is read or written. Only
regular files are read: a FIFO, socket or device is reported and skipped.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from nnx_migrate.apply import read_regular_file, why_not_regular
from nnx_migrate.flax_api import FLAX_MARKERS, mentions_flax  # noqa: F401 -- re-exported

SKIPPED_DIRECTORIES = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__", ".mypy_cache",
     ".pytest_cache", ".ruff_cache", "build", "dist", "node_modules", "site-packages",
     ".eggs", ".ipynb_checkpoints"}
)
SOURCE_SUFFIXES = (".py", ".ipynb")
DOCS_SUFFIXES = (".md", ".markdown", ".rst")


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (path, why)
    missing: list[Path] = field(default_factory=list)
    only_explicit_files: bool = True  # no directory was given: callers may be unseen


def _gitignore_spec(directory: Path) -> pathspec.PathSpec | None:
    try:
        lines = read_regular_file(directory / ".gitignore").decode("utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


class _Ignores:
    """Every .gitignore from the repository root down, each matched relative to its folder."""

    def __init__(self, root: Path, enabled: bool, exclude: list[str]):
        self.root = root
        self.enabled = enabled
        self.exclude = pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None
        self.specs: dict[Path, pathspec.PathSpec | None] = {}

    def _spec(self, directory: Path):
        if directory not in self.specs:
            self.specs[directory] = _gitignore_spec(directory)
        return self.specs[directory]

    def ignored(self, path: Path, is_dir: bool) -> bool:
        if self.exclude is not None:
            relative = _relative(path, self.root)
            if relative is not None and self.exclude.match_file(relative + ("/" if is_dir else "")):
                return True
        if not self.enabled:
            return False
        for directory in (path.parent, *path.parent.parents):
            spec = self._spec(directory)
            if spec is not None:
                relative = _relative(path, directory)
                if spec.match_file(relative + ("/" if is_dir else "")):
                    return True
            if directory == self.root or (directory / ".git").exists():
                break
        return False


def _relative(path: Path, base: Path) -> str | None:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return None


def _is_virtualenv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").exists()


def _not_read(path: Path) -> str | None:
    """Why a file found is not read (a symlink, a FIFO, a device), or None."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None  # gone already: reading it reports that
    if stat.S_ISLNK(mode):
        return "is a symbolic link: not followed"
    return why_not_regular(mode)


def discover(paths: list[Path], root: Path, exclude: list[str], respect_gitignore: bool = True,
             include_docs: bool = False) -> Discovery:
    """Files under `paths`, in a stable (sorted) order, each once."""
    result = Discovery()
    ignores = _Ignores(root.absolute(), respect_gitignore, exclude)
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.absolute()
        if key in seen:
            return
        seen.add(key)
        why = _not_read(path)
        if why is not None:
            result.skipped.append((path, why))
        else:
            result.files.append(path)

    for given in paths:
        if given.is_symlink():
            result.skipped.append((given, "is a symbolic link: not followed; pass the file it points to"))
        elif given.is_dir():
            result.only_explicit_files = False
            for directory, subdirectories, filenames in os.walk(given):
                base = Path(directory)
                kept = []
                for name in sorted(subdirectories):
                    child = base / name
                    if (
                        name in SKIPPED_DIRECTORIES
                        or name.endswith(".egg-info")
                        or child.is_symlink()
                        or _is_virtualenv(child)
                        or ignores.ignored(child.absolute(), True)
                    ):
                        continue
                    kept.append(name)
                subdirectories[:] = kept
                for name in sorted(filenames):
                    if not name.endswith(SOURCE_SUFFIXES + (DOCS_SUFFIXES if include_docs else ())):
                        continue
                    child = base / name
                    if ignores.ignored(child.absolute(), False):
                        continue
                    add(child)
        elif given.exists():
            add(given)
        else:
            result.missing.append(given)
    return result
