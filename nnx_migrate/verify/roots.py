"""Import roots as Python finds them for a project: the folder above the topmost
`__init__.py` package, a `src/` layout, the package folders a `pyproject.toml` declares.
Each side of a comparison gets the same roots, in the same order, first on `sys.path`,
so `verify pkg/models` imports `pkg.models.x` exactly as the project itself does."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


@dataclass
class Layout:
    """Where the code under `path` is imported from: `roots` go first on sys.path (in
    order), and each Python file has its dotted module name."""

    path: Path
    roots: list[Path] = field(default_factory=list)
    extra_roots: list[Path] = field(default_factory=list)
    modules: dict[Path, str] = field(default_factory=dict)

    def module_for(self, file: Path) -> str | None:
        return self.modules.get(file.resolve())


def project_top(path: Path) -> Path | None:
    """The nearest folder at or above `path` that holds a project marker."""
    start = path.resolve()
    for folder in [start] + list(start.parents) if start.is_dir() else list(start.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return None


def declared_roots(top: Path) -> list[Path]:
    """Package folders the project declares: `src/`, and pyproject's setuptools
    `package-dir` / `packages.find.where`, poetry `packages.from`, hatch wheel `packages`."""
    roots = []
    if (top / "src").is_dir():
        roots.append(top / "src")
    try:
        config = tomllib.loads((top / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    tool = config.get("tool", {}) if isinstance(config.get("tool"), dict) else {}
    setuptools = tool.get("setuptools", {}) if isinstance(tool.get("setuptools"), dict) else {}
    package_dir = setuptools.get("package-dir")
    if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        roots.append(top / package_dir[""])
    find = setuptools.get("packages", {})
    if isinstance(find, dict) and isinstance(find.get("find"), dict):
        roots += [top / where for where in find["find"].get("where", []) if isinstance(where, str)]
    poetry = tool.get("poetry", {}) if isinstance(tool.get("poetry"), dict) else {}
    for package in poetry.get("packages", []) if isinstance(poetry.get("packages"), list) else []:
        if isinstance(package, dict) and isinstance(package.get("from"), str):
            roots.append(top / package["from"])
    hatch = tool.get("hatch", {}).get("build", {}).get("targets", {}).get("wheel", {}) \
        if isinstance(tool.get("hatch"), dict) else {}
    for package in hatch.get("packages", []) if isinstance(hatch, dict) else []:
        if isinstance(package, str):
            roots.append((top / package).parent)
    unique = []
    for root in roots:
        root = root.resolve()
        if root.is_dir() and root not in unique:
            unique.append(root)
    return unique


def import_root(file: Path, declared: list[Path]) -> Path:
    """The sys.path entry from which `file` is imported: above its topmost `__init__.py`
    package, or a declared root above that (a namespace package under `src/`)."""
    folder = file.resolve().parent
    while (folder / "__init__.py").exists() and folder.parent != folder:
        folder = folder.parent
    for root in sorted(declared, key=lambda r: len(r.parts), reverse=True):
        if folder == root or root in folder.parents:
            return root
    return folder


def module_name(file: Path, root: Path) -> str:
    parts = list(file.resolve().relative_to(root).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layout(path: Path) -> Layout:
    """The import roots and module names of the Python files at `path` (a file or folder)."""
    path = path.resolve()
    files = sorted(p for p in path.rglob("*.py") if _importable(p, path)) if path.is_dir() else [path]
    top = project_top(path)
    declared = declared_roots(top) if top else []
    result = Layout(path)
    for file in files:
        root = import_root(file, declared)
        name = module_name(file, root)
        if name and all(part.isidentifier() for part in name.split(".")):
            result.modules[file] = name
            if root not in result.roots:
                result.roots.append(root)
    # Declared roots and the project's top also serve imports of code outside `path`.
    result.extra_roots = [r for r in declared + ([top] if top else []) if r not in result.roots]
    return result


def _importable(file: Path, under: Path) -> bool:
    """Not inside a hidden folder, a virtual environment or a build folder."""
    parts = file.relative_to(under).parts[:-1]
    return not any(part.startswith(".") or part in ("build", "dist", "__pycache__", "site-packages")
                   for part in parts)


def search_paths(migrated: Layout, original: Path | None, workdir: Path) -> tuple[list[Path], list[Path]]:
    """sys.path entries for the migrated side and the original side, in the same order:
    each migrated root mapped to the same place in the original tree. Where the original's
    path does not line up by name (`--original /tmp/copy` for `pkg/models`), a mirror of
    the migrated root with the original put in place of the migrated path is built under
    `workdir`, so module names stay the same. Without an original (`--against`), only the
    migrated side's."""
    new, old = list(migrated.roots), []
    if original is None:
        return new + migrated.extra_roots, old
    original = original.resolve()
    for root in migrated.roots:
        counterpart = _counterpart(root, migrated.path, original)
        if counterpart is None:
            counterpart = _mirror(root, migrated.path, original, workdir / "original-mirror" / str(len(old)))
        old.append(counterpart)
    for root in migrated.extra_roots:
        counterpart = _counterpart(root, migrated.path, original)
        if counterpart is not None and counterpart.is_dir() and counterpart not in old:
            new.append(root)
            old.append(counterpart)
    return new, old


def _counterpart(root: Path, migrated: Path, original: Path) -> Path | None:
    if root == migrated or migrated in root.parents:
        return original / root.relative_to(migrated)
    below = migrated.relative_to(root).parts
    if len(original.parts) <= len(below) or tuple(original.parts[-len(below):]) != below:
        return None
    return original.parents[len(below) - 1]


def _mirror(root: Path, migrated: Path, original: Path, target: Path) -> Path:
    """A folder like `root` whose entries are links to root's, except on the way down to
    `migrated`, which links to `original` instead."""
    below = migrated.relative_to(root).parts
    here, source = target, root
    for depth, name in enumerate(below):
        here.mkdir(parents=True, exist_ok=True)
        for entry in source.iterdir():
            if entry.name != name:
                os.symlink(entry, here / entry.name)
        if depth == len(below) - 1:
            os.symlink(original, here / name)
        here, source = here / name, source / name
    return target
