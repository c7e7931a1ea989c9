"""One run of nnx-migrate: discover -> read and parse -> index -> rewrite -> apply.

`--diff`, `--check` and a real run all go through `run`; only `write` differs.
"""

from __future__ import annotations

import ast
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from nnx_migrate.apply import FileError, SourceText, encode_source, read_source, unified_diff, write_atomic
from nnx_migrate.config import Settings
from nnx_migrate.discover import Discovery, discover, mentions_flax
from nnx_migrate.index import ProjectIndex
from nnx_migrate.registry import selected_rules
from nnx_migrate.resolve import Resolver
from nnx_migrate.rewrite import RewriteError, rewrite_file
from nnx_migrate.rule import Diagnostic, Site


@dataclass
class FileResult:
    path: Path
    display: str
    status: str  # "unchanged" | "changed" | "failed"
    edits: list[Site] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    error: str | None = None
    error_rule: str | None = None
    traceback: str | None = None
    diff: str = ""
    suppressed: int = 0


@dataclass
class RunResult:
    files: list[FileResult]
    discovery: Discovery
    scanned: int  # files discovered
    parsed: int  # files that passed the text check and were parsed
    wrote: bool

    @property
    def changed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "changed"]

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def diagnostics(self) -> list[tuple[FileResult, Diagnostic]]:
        return [(f, d) for f in self.files for d in f.diagnostics]


def display_path(path: Path) -> str:
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.absolute().as_posix()


def _parse(path: Path, text: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarnings of the user's code are not ours
        return ast.parse(text, filename=str(path))


def run(paths: list[Path], settings: Settings, root: Path, *, write: bool) -> RunResult:
    discovery = discover(paths, root, settings.exclude, settings.respect_gitignore)
    results: list[FileResult] = []
    sources: dict[Path, SourceText] = {}
    index = ProjectIndex()
    parsed = 0
    for path in discovery.files:
        display = display_path(path)
        try:
            source = read_source(path)
        except FileError as error:
            results.append(FileResult(path, display, "failed", error=str(error)))
            continue
        if not mentions_flax(source.data):
            continue
        try:
            tree = _parse(path, source.text)
        except SyntaxError as error:
            where = f"line {error.lineno}" + (f", column {error.offset}" if error.offset else "")
            results.append(FileResult(path, display, "failed", error=f"syntax error at {where}: {error.msg}"))
            continue
        except (ValueError, RecursionError, MemoryError) as error:
            results.append(FileResult(path, display, "failed", error=f"cannot parse: {error}"))
            continue
        parsed += 1
        sources[path] = source
        index.add_file(path, source.text, tree)

    resolver = Resolver(index)
    rules = selected_rules(settings)
    for path, file in index.files.items():
        source = sources[path]
        result = FileResult(path, display_path(path), "unchanged")
        results.append(result)
        try:
            rewrite = rewrite_file(file, index, resolver, settings, rules)
        except RewriteError as error:
            result.status, result.error, result.error_rule = "failed", str(error), error.rule
            result.traceback = traceback.format_exc()
            continue
        except Exception as error:  # a bug in a rule must not stop the other files
            result.status, result.error = "failed", f"internal error: {type(error).__name__}: {error}"
            result.traceback = traceback.format_exc()
            continue
        result.diagnostics = rewrite.diagnostics
        result.suppressed = rewrite.suppressed
        if rewrite.new_text == source.text:
            continue
        result.edits = rewrite.edits
        result.status = "changed"
        result.diff = unified_diff(result.display, source.text, rewrite.new_text)
        if write:
            try:
                write_atomic(path, source.data, encode_source(rewrite.new_text, source.encoding))
            except (FileError, UnicodeEncodeError) as error:
                result.status, result.error = "failed", str(error)
    results.sort(key=lambda r: r.display)
    return RunResult(results, discovery, len(discovery.files), parsed, write)
