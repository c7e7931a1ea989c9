"""Command-line flags and `[tool.nnx-migrate]` in pyproject.toml -> one `Settings`."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path

from nnx_migrate import flax_api

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class ConfigError(Exception):
    """A bad setting: reported as a usage error (exit 2)."""


@dataclass
class Settings:
    select: list[str] | None = None  # None: every rule
    ignore: list[str] = field(default_factory=list)
    target_version: tuple[int, int, int] = flax_api.NEWEST
    unsafe_fixes: bool = False
    exclude: list[str] = field(default_factory=list)
    respect_gitignore: bool = True
    include_docs: bool = False  # also Python blocks in .md / .rst pages
    evidence: str | None = None  # an evidence file from `nnx-migrate trace`


_KEYS = {"select", "ignore", "target-version", "unsafe-fixes", "exclude", "respect-gitignore", "include-docs",
         "evidence"}


def find_pyproject(paths: list[Path]) -> Path | None:
    """The nearest pyproject.toml at or above the common directory of `paths`."""
    resolved = [p.resolve() for p in paths] or [Path.cwd()]
    try:
        common = Path(*_common_parts(resolved))
    except TypeError:
        return None
    directory = common if common.is_dir() else common.parent
    for candidate in (directory, *directory.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate / "pyproject.toml"
        if (candidate / ".git").exists():
            return None
    return None


@functools.lru_cache(maxsize=1024)
def published_project(directory: Path) -> tuple[str, Path] | None:
    """The distribution name and root folder of the installable project holding
    `directory`: the `[project] name` of the nearest pyproject.toml, or the folder of a
    setup.py / setup.cfg, searched upward to the repository's root."""
    for candidate in (directory, *directory.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                name = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("name")
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                name = None
            if isinstance(name, str) and name:
                return name, candidate
        if (candidate / "setup.py").is_file() or (candidate / "setup.cfg").is_file():
            return candidate.name, candidate
        if (candidate / ".git").exists():
            return None
    return None


def _common_parts(paths: list[Path]) -> tuple[str, ...]:
    parts = paths[0].parts
    for path in paths[1:]:
        common = []
        for a, b in zip(parts, path.parts):
            if a != b:
                break
            common.append(a)
        parts = tuple(common)
    return parts


def load_pyproject(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read [tool.nnx-migrate]: {error}") from error
    table = data.get("tool", {}).get("nnx-migrate", {})
    unknown = set(table) - _KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown [tool.nnx-migrate] keys: {', '.join(sorted(unknown))}")
    return table


def build_settings(
    pyproject: dict,
    *,
    select: list[str] | None,
    ignore: list[str] | None,
    target_version: str | None,
    unsafe_fixes: bool | None,
    exclude: list[str] | None,
    known_rules: list[str],
    include_docs: bool | None = None,
    evidence: str | None = None,
) -> Settings:
    """Flags win over pyproject values; every rule name and version is validated."""
    def pick(flag, key, default):
        return flag if flag is not None else pyproject.get(key, default)

    def rule_list(values, source):
        names = []
        for value in values or []:
            names.extend(part.strip() for part in str(value).split(",") if part.strip())
        for name in names:
            if name not in known_rules:
                raise ConfigError(
                    f"unknown rule {name!r} in {source}; known rules: {', '.join(known_rules)}"
                )
        return names

    selected = pick(select, "select", None)
    version_text = pick(target_version, "target-version", None)
    try:
        version = flax_api.parse_version(str(version_text)) if version_text else flax_api.NEWEST
    except ValueError as error:
        raise ConfigError(str(error)) from error
    return Settings(
        select=rule_list(selected, "--select") if selected is not None else None,
        ignore=rule_list(pick(ignore, "ignore", []), "--ignore"),
        target_version=version,
        unsafe_fixes=bool(pick(unsafe_fixes, "unsafe-fixes", False)),
        exclude=list(pick(exclude, "exclude", [])),
        respect_gitignore=bool(pyproject.get("respect-gitignore", True)),
        include_docs=bool(pick(include_docs, "include-docs", False)),
        evidence=str(pick(evidence, "evidence", None) or "") or None,
    )
