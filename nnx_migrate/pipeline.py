"""One run of nnx-migrate: discover -> read and parse -> index -> rewrite -> apply.

`--diff`, `--check` and a real run all go through `run`; only `write` differs.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path

from nnx_migrate import newer_syntax
from nnx_migrate.apply import (
    FileError,
    SourceText,
    decode_source,
    read_source,
    write_atomic,
)
from nnx_migrate.config import Settings
from nnx_migrate.discover import Discovery, discover, mentions_flax
from nnx_migrate.evidence import observed_files
from nnx_migrate.index import ProjectIndex, words_of
from nnx_migrate.resolve import Resolver
from nnx_migrate.rule import Diagnostic, Edit, Rule
from nnx_migrate.workers import worker_pool

# Below this many files a process pool costs more than it saves (pre-commit passes few).
POOL_THRESHOLD = 24


@dataclass
class FileResult:
    path: Path
    display: str
    status: str  # "unchanged" | "changed" | "failed"
    edits: list[Edit] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    left_alone: list[Diagnostic] = field(default_factory=list)  # sites not shown to be NNX objects, and why
    error: str | None = None
    error_rule: str | None = None
    traceback: str | None = None
    _diff: str | None = field(default=None, repr=False)  # see `diff`
    suppressed: int = 0
    new_text: str | None = None
    encoding: str = "utf-8"
    old_text: str | None = None
    embedded: bool = False  # the texts are a notebook's cells or a page's blocks, joined
    unexecuted: int = 0  # `.value` sites neither proven nor executed by the traced run (--evidence)
    _source: SourceText | None = field(default=None, repr=False)  # what `diff` compares with

    @property
    def diff(self) -> str:
        """The unified diff of a changed file, made when first asked for (`--check` and
        `-q` never ask)."""
        if self._diff is None:
            changed = self.status == "changed" and self._source is not None and self.new_text is not None
            self._diff = self._source.diff(self.display, self.new_text) if changed else ""
        return self._diff


@dataclass
class RunResult:
    files: list[FileResult]
    discovery: Discovery
    scanned: int  # files discovered
    parsed: int  # files that passed the text check and were parsed
    wrote: bool
    evidence: str | None = None  # the evidence file used (--evidence)
    index: ProjectIndex | None = field(default=None, repr=False)  # the analysis behind a cold run

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


def run(paths: list[Path], settings: Settings, root: Path, *, write: bool, jobs: int = 1,
        cache_dir: Path | None = None, progress=None) -> RunResult:
    """`cache_dir`: reuse and store results there (None: no cache). `progress(done, total)`
    is called as files are rewritten."""
    discovery = discover(paths, root, settings.exclude, settings.respect_gitignore, settings.include_docs)
    results: list[FileResult] = []
    read: dict[Path, SourceText] = {}
    unreadable: dict[Path, bytes | None] = {}
    for path in discovery.files:
        try:
            read[path] = read_source(path)
        except FileError as error:
            results.append(FileResult(path, display_path(path), "failed", error=str(error)))
            unreadable[path] = error.data

    key = None
    if cache_dir is not None:
        from nnx_migrate import cache

        key = cache.project_key(settings, [(p, s.data) for p, s in read.items()] +
                                [(p, d or b"") for p, d in unreadable.items()], not discovery.only_explicit_files)
        entries = cache.load(cache_dir, key)
        cached = None if entries is None else _from_cache(entries, read)
        if cached is not None:
            results += cached
            return _finish(results, discovery, read, write, parsed=0, settings=settings)

    rewritten, parsed, index = _migrate(discovery, read, unreadable, settings, jobs, progress, results)
    results += rewritten
    if key is not None:
        cache.store(cache_dir, key, results)
    finished = _finish(results, discovery, read, write, parsed, settings)
    finished.index = index
    return finished


def _migrate(discovery, read, unreadable, settings, jobs, progress,
             results) -> tuple[list[FileResult], int, ProjectIndex]:
    """The cold path: parse, index, run the rules. libcst is imported only here."""
    with _cycle_collector_paused():
        return _analyze_and_rewrite(discovery, read, unreadable, settings, jobs, progress, results)


@contextlib.contextmanager
def _cycle_collector_paused():
    """Syntax trees are millions of small acyclic objects that reference counting frees;
    the cycle collector would traverse them over and over while they are built (it took
    a third of a cold run). Paused for the run, restored after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _analyze_and_rewrite(discovery, read, unreadable, settings, jobs, progress,
                         results) -> tuple[list[FileResult], int, ProjectIndex]:
    # A file that fails after round 1 (no fix-point, or its fixed text cannot be analysed)
    # stays as it was; a project-wide plan (a signature and its callers) may have counted
    # on it, so then everything is planned again without it.
    given_up: dict[Path, FileResult] = {}
    while True:
        failures: list[FileResult] = []
        kept = {path: source for path, source in read.items() if path not in given_up}
        left_out = {**unreadable, **{path: read[path].data for path in given_up}}
        rewritten, parsed, index, rules = _one_round(discovery, kept, left_out, settings, jobs, progress, failures)
        rewritten, late = _to_fix_point(rewritten, kept, discovery, left_out, settings, jobs, index)
        if not late or not _planned_edits(rewritten, rules):
            break
        given_up.update({r.path: r for r in rewritten if r.path in late})
        progress = None
    results += failures
    final = [_localized(r, read[r.path]) for r in rewritten] + list(given_up.values())
    return final, parsed + len(given_up), index


def _one_round(discovery, read, unreadable, settings, jobs, progress, results, only: set[Path] | None = None,
               previous: ProjectIndex | None = None) -> tuple[list[FileResult], int, ProjectIndex, list]:
    """Index every file of `read`, then rewrite those of `only` (None: all). Results are
    raw: their positions are in the texts the rules saw. The trees of `previous` are
    reused where a text is unchanged."""
    from nnx_migrate.registry import selected_rules

    index = ProjectIndex()
    index.complete = not discovery.only_explicit_files
    index.unprocessed.update(unreadable)
    sources: dict[Path, SourceText] = {}
    parsed = 0
    without_flax = {}
    observed = observed_files(settings)  # a file the traced run saw use flax objects, even if it never names flax
    for path, source in read.items():
        if mentions_flax(source.data) or (observed and os.path.realpath(path) in observed) \
                or previous is not None and path in previous.files:
            parsed += _index_file(index, results, sources, path, source, previous)
        else:
            without_flax[path] = source
    rules = selected_rules(settings)
    # ... and type inference, which every rule asks, must see stores that may break its proofs
    wanted = [_names_needed(rule, index) for rule in rules] + [index.words_inference_must_see()]
    needed = None if None in wanted else set().union(*wanted)  # None: every file
    if needed is None or needed:
        # a caller of something a rule changes may live in a file that never says flax
        for path, source in without_flax.items():
            if needed is None or not needed.isdisjoint(words_of(source.text)):
                parsed += _index_file(index, results, sources, path, source, previous)
        from nnx_migrate.doctests import add_needed_sessions

        add_needed_sessions(index, needed)

    rewritten = _rewrite_all(index, sources, settings, rules, jobs, progress, only=only)
    failed_now = {r.path for r in rewritten if r.status == "failed"}
    if failed_now and index.cache:
        # A project-wide plan (a signature and its callers) may have counted on a file
        # that then failed: plan again without it, so no half of a plan is written.
        for path in failed_now:
            index.unprocessed[path] = sources[path].data
        index.cache.clear()
        retried = _rewrite_all(index, sources, settings, rules, jobs, None, skip=failed_now, only=only)
        rewritten = [r for r in rewritten if r.path in failed_now] + retried
    return rewritten, parsed, index, rules


# Rounds of fixes a file may take (ruff allows 100; here a second round is already rare).
MAX_ROUNDS = 4


def _to_fix_point(first: list[FileResult], read, discovery, unreadable, settings, jobs,
                  index: ProjectIndex | None = None) -> tuple[list[FileResult], set[Path]]:
    """As ruff does: the files a round changed are analysed again, in a project index
    rebuilt with their new texts, until no rule changes them. Returns the merged results
    and the files that failed after round 1 (left as they were)."""
    final = {r.path: r for r in first}
    rounds = {r.path: [r] for r in first if r.status == "changed"}  # each file's results, round by round
    # a traced run's positions are those of the files read, not of their rewritten texts
    settings = replace(settings, evidence=None)
    latest = dict(read)
    pending = set(rounds)
    late: set[Path] = set()
    for _ in range(MAX_ROUNDS - 1):
        if not pending:
            break
        for path in pending:
            latest[path] = replace(read[path], text=rounds[path][-1].new_text, unread=())
        unparsed: list[FileResult] = []  # none: a rewrite is kept only if it parses
        again, _, index, rules = _one_round(discovery, latest, unreadable, settings, jobs, None, unparsed,
                                            only=pending, previous=index)
        if _planned_edits(again, rules):  # a plan's other files must be rewritten in this round too
            unparsed = []
            again, _, index, rules = _one_round(discovery, latest, unreadable, settings, jobs, None, unparsed,
                                                previous=index)
        pending = set()
        for result in again + [r for r in unparsed if r.path in rounds]:
            path = result.path
            if path in late or result.status == "failed" and path not in rounds:
                continue  # a file this run never changed keeps its first result (a plan left it out already)
            if result.status == "failed":
                final[path] = _left_unchanged(read[path], result, f"fixing its fixed text again failed: {result.error}")
                late.add(path)
            elif path in rounds or result.status == "changed":
                rounds.setdefault(path, [final.get(path) or _unchanged(path, read[path])]).append(result)
                if result.status == "changed":
                    pending.add(path)
    for path in pending:
        rules = sorted({edit.rule for edit in rounds[path][-1].edits})
        final[path] = _left_unchanged(read[path], rounds[path][-1], (
            f"its fixes do not converge: {', '.join(rules)} still changed it after {MAX_ROUNDS} rounds"),
            rules[0] if len(rules) == 1 else None)
        late.add(path)
    for path, history in rounds.items():
        if path not in late and len(history) > 1:
            final[path] = _merged(read[path], history)
    return list(final.values()), late


def _planned_edits(results: list[FileResult], rules) -> bool:
    """Some edit comes from a rule with a project-wide plan (its sites span files)."""
    planned = {rule.name for rule in rules if type(rule).prepare is not Rule.prepare}
    return any(edit.rule in planned for result in results for edit in result.edits)


def _unchanged(path: Path, source: SourceText) -> FileResult:
    return FileResult(path, display_path(path), "unchanged", new_text=source.text, encoding=source.encoding,
                      embedded=source.embedded is not None)


def _left_unchanged(source: SourceText, last: FileResult, why: str, rule: str | None = None) -> FileResult:
    return FileResult(last.path, last.display, "failed", error=f"{why}; file left unchanged",
                      error_rule=rule or last.error_rule, traceback=last.traceback, new_text=source.text,
                      encoding=source.encoding, embedded=source.embedded is not None)


def _merged(source: SourceText, history: list[FileResult]) -> FileResult:
    """One file's rounds as one result: the last text, every round's edits (each once) and
    notes, in the positions of the text read."""
    result = history[0]
    texts = [source.text] + [r.new_text for r in history[:-1]]  # what each round saw
    noted = {(d.rule, d.line, d.message) for d in result.diagnostics}
    for number, later in enumerate(history[1:], start=1):
        if not later.edits and not later.diagnostics:
            continue
        back = _lines_back(texts[: number + 1])
        result.edits += [replace(edit, line=back(edit.line)) for edit in later.edits]
        for diagnostic in later.diagnostics:
            diagnostic = replace(diagnostic, line=back(diagnostic.line))
            if (diagnostic.rule, diagnostic.line, diagnostic.message) not in noted:
                noted.add((diagnostic.rule, diagnostic.line, diagnostic.message))
                result.diagnostics.append(diagnostic)
        result.suppressed = max(result.suppressed, later.suppressed)  # the same lines, seen again
    result.edits.sort(key=lambda edit: (edit.line, edit.column))
    result.new_text = history[-1].new_text
    result.status = "changed"  # a file the last round left alone (the fix-point) that an earlier one changed
    return result


def _lines_back(texts: list[str]):
    """A line of the last of `texts` -> the line of the first it came from (a line of a
    changed block: the block's line at the same offset, or its first)."""
    import difflib

    from nnx_migrate.lines import split_lines

    steps = []
    for old, new in zip(texts, texts[1:]):
        matcher = difflib.SequenceMatcher(a=split_lines(old), b=split_lines(new), autojunk=False)
        steps.append(matcher.get_opcodes())

    def back(line: int) -> int:
        for opcodes in reversed(steps):
            for _, i1, i2, j1, j2 in opcodes:
                if j1 < line <= j2:
                    offset = line - 1 - j1
                    line = i1 + 1 + (offset if i2 - i1 == j2 - j1 else 0)
                    break
        return max(line, 1)

    return back


def _names_needed(rule, index: ProjectIndex) -> set[str] | None:
    """The rule's names to look for in files that never say flax; None if it cannot tell
    (a bug): then every file is seen (and the rule fails per file)."""
    try:
        return rule.names_needed_project_wide(index)
    except Exception:  # noqa: BLE001
        return None


def _finish(results: list[FileResult], discovery, read, write: bool, parsed: int, settings: Settings) -> RunResult:
    for result in results:
        if result.status == "changed" and result._diff is None:
            result._source = read[result.path]
        if write and result.status == "changed":
            source = read[result.path]
            try:
                write_atomic(result.path, source.data, source.render(result.new_text))
            except (FileError, UnicodeEncodeError) as error:
                result.status, result.error = "failed", str(error)
    results.sort(key=lambda r: r.display)
    return RunResult(results, discovery, len(discovery.files), parsed, write, settings.evidence)


def _from_cache(entries: list, read: dict[Path, SourceText]) -> list[FileResult] | None:
    """The cached results, under this run's spelling of each path; None (a miss) when an
    entry does not fit the files read, whatever is wrong with it."""
    from nnx_migrate.cache import identity

    given = {identity(path): path for path in read}
    results = []
    try:
        for entry in entries:
            path = given.pop(entry["path"], None)
            if path is None:
                if entry["status"] == "failed":
                    continue  # unreadable files were reported again by this run already
                return None
            result = FileResult(
                path, display_path(path), entry["status"], error=entry["error"], error_rule=entry["error_rule"],
                edits=[Edit(**e) for e in entry["edits"]], diagnostics=[Diagnostic(**d) for d in entry["diagnostics"]],
                left_alone=[Diagnostic(**d) for d in entry.get("left_alone", ())],
                suppressed=entry["suppressed"], encoding=entry["encoding"], new_text=entry["new_text"],
                unexecuted=entry.get("unexecuted", 0),
            )
            result.embedded = read[path].embedded is not None
            if result.status == "changed":
                result.old_text = read[path].text
                result._source = read[path]
                if result.embedded:
                    result.diff  # noqa: B018 -- putting IPython escapes back may fail: a miss, then
            results.append(result)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return results


def _index_file(index: ProjectIndex, results: list[FileResult], sources, path: Path, source: SourceText,
                previous: ProjectIndex | None = None) -> int:
    """Parse one file into the index, or record why it cannot be. Returns 1 if parsed."""
    known = previous.files.get(path) if previous is not None and not source.unread else None
    try:
        if known is not None and known.text == source.text:
            tree, blanked = known.tree, {}  # nothing changes a tree once parsed
        else:
            tree, blanked = newer_syntax.parse(source.text, str(path))
    except SyntaxError as error:
        error_text = _syntax_error_text(error, source.text)
    except (ValueError, RecursionError, MemoryError) as error:
        error_text = f"cannot parse: {error}"
    else:
        sources[path] = source
        file = index.add_file(path, source.text, tree)
        if ">>>" in source.text:  # docstring examples are migrated too
            from nnx_migrate.doctests import add_sessions

            add_sessions(index, file)
        if blanked:  # f-strings this Python cannot read: what they call is unseen
            source.unread = tuple(blanked)
            for (line, column), code in blanked.items():
                index.unprocessed[path.with_name(f"{path.name}#{line}:{column}")] = code.encode("utf-8")
        if source.embedded is not None:
            # code left out (magics, doctests) may still call what a rule changes
            from nnx_migrate.notebook import Notebook, skipped_sources

            if isinstance(source.embedded, Notebook):
                left_out = {f"cell{n + 1}": text for n, text in skipped_sources(source.embedded).items()}
            else:
                left_out = {f"line{n}": text for n, text in source.embedded.left_out.items()}
            for where, text in left_out.items():
                index.unprocessed[path.with_name(f"{path.name}#{where}")] = text.encode("utf-8")
        return 1
    results.append(FileResult(path, display_path(path), "failed", error=error_text))
    index.unprocessed[path] = source.data
    return 0


def _syntax_error_text(error: SyntaxError, text: str) -> str:
    if error.lineno is None:  # no place to point at: a NUL byte, say
        return f"cannot parse: {error.msg}"
    if not newer_syntax.NATIVE and newer_syntax.parses_as_newer_python(text):
        running = f"{sys.version_info.major}.{sys.version_info.minor}"
        return (f"needs Python 3.12 to parse (line {error.lineno}: {error.msg}); nnx-migrate runs on "
                f"Python {running}: run it with Python 3.12 or newer to migrate this file")
    where = f"line {error.lineno}" + (f", column {error.offset}" if error.offset else "")
    return f"syntax error at {where}: {error.msg}"


# What forked workers inherit: the index, resolver and rules of the run (never pickled).
_WORKER: dict = {}


def _rewrite_all(index, sources, settings, rules, jobs=1, progress=None, skip=frozenset(),
                 only: set[Path] | None = None) -> list[FileResult]:
    resolver = Resolver(index)
    for rule in rules:
        try:
            rule.prepare(index, resolver, settings)  # project-wide plans, computed once, before forking
        except Exception:  # noqa: BLE001 -- a rule asks for its plan again in analyze: each file fails there, reported
            index.cache.pop(rule.name, None)
    paths = [path for path, file in index.files.items()
             if path not in skip and file.host is None and (only is None or path in only)]
    _WORKER.update(index=index, resolver=resolver, sources=sources, settings=settings, rules=rules)
    try:
        if jobs > 1 and len(paths) >= POOL_THRESHOLD:
            try:
                resolver.prepare_project_tables()  # once here, not once per worker
            except Exception:  # noqa: BLE001 -- each worker builds them when asked, failing only those files
                pass
            with worker_pool(jobs) as pool:
                results = []
                for result in pool.imap(_rewrite_path, paths, chunksize=max(1, len(paths) // (jobs * 8))):
                    results.append(result)
                    if progress:
                        progress(len(results), len(paths))
                return results
        results = []
        for path in paths:
            results.append(_rewrite_path(path))
            if progress:
                progress(len(results), len(paths))
        return results
    finally:
        _WORKER.clear()


def _rewrite_path(path: Path) -> FileResult:
    state = _WORKER
    return _rewrite_one(state["index"].files[path], state["sources"][path], state["index"], state["resolver"],
                        state["settings"], state["rules"])


def _rewrite_one(file, source: SourceText, index, resolver, settings, rules) -> FileResult:
    """One round on one file; positions are in the text the rules saw (see `_localized`)."""
    from nnx_migrate.file_rewrite import rewrite_file
    from nnx_migrate.rewrite import RewriteError

    result = FileResult(file.path, display_path(file.path), "unchanged", new_text=source.text,
                        encoding=source.encoding, embedded=source.embedded is not None)
    try:
        rewrite = rewrite_file(file, index, resolver, settings, rules)
    except RewriteError as error:
        result.status, result.error, result.error_rule = "failed", str(error), error.rule
        result.traceback = traceback.format_exc()
        return result
    except Exception as error:  # a bug in a rule must not stop the other files
        result.status, result.error = "failed", f"internal error: {type(error).__name__}: {error}"
        result.traceback = traceback.format_exc()
        return result
    result.diagnostics = rewrite.diagnostics
    result.suppressed = rewrite.suppressed
    result.unexecuted = rewrite.unexecuted
    if rewrite.new_text != source.text:
        try:
            if source.embedded is not None:  # cells: putting IPython escapes back may fail
                source.diff(result.display, rewrite.new_text)
        except ValueError as error:  # an IPython escape could not be put back as it was
            result.status, result.error = "failed", f"{error}; file left unchanged"
            return result
        result.edits = rewrite.edits
        result.status = "changed"
        result.new_text = rewrite.new_text
    return result


def _localized(result: FileResult, source: SourceText) -> FileResult:
    """A file's final result, its positions moved into the notebook's cells (or the page's
    blocks), with the notes about what was not migrated."""
    if result.status == "failed":
        return result
    if source.embedded is not None:
        result.edits, result.diagnostics = _in_cells(source, result.edits, result.diagnostics)
        result.diagnostics += _embedded_notes(source)
    result.diagnostics += [
        Diagnostic("python-version", line, column, "this f-string is Python 3.12 syntax, which the Python running "
                   "nnx-migrate cannot read, so nothing inside it was migrated",
                   "run nnx-migrate with Python 3.12 or newer, or migrate the f-string by hand")
        for line, column in source.unread
    ]
    result.left_alone = [d for d in result.diagnostics if d.left_alone]
    result.diagnostics = [d for d in result.diagnostics if not d.left_alone]
    if result.status == "changed":
        if source.embedded is not None:  # each round put the escapes back already
            result._diff = source.diff(result.display, result.new_text)
        result.old_text = source.text
    return result


def _in_cells(source: SourceText, edits: list[Edit], diagnostics: list[Diagnostic]):
    """Positions in a notebook's (or page's) joined text -> the cell (block) and line in it."""
    from dataclasses import replace

    from nnx_migrate.notebook import Notebook, locate

    is_notebook = isinstance(source.embedded, Notebook)

    def moved(item):
        number, line = locate(source.text, item.line)
        if number is None:
            return item
        item = replace(item, column=item.column + source.embedded.prefixes.get(item.line, 0))  # after `%time `
        if is_notebook:
            return replace(item, line=line, cell=number + 1)
        return replace(item, line=source.embedded.blocks[number].start + line)  # the page's own line

    return [moved(e) for e in edits], [moved(d) for d in diagnostics]


def _embedded_notes(source: SourceText) -> list[Diagnostic]:
    from nnx_migrate.notebook import Notebook

    unmaskable = "this cell does not parse, even with its IPython magics (`%`, `!`) masked, and was not migrated"
    if isinstance(source.embedded, Notebook):
        return [Diagnostic("notebook", 1, 0, unmaskable, "migrate that cell by hand", cell=number + 1)
                for number in source.embedded.skipped]
    if source.embedded.script:
        return [Diagnostic("notebook", line, 0, unmaskable, "migrate that cell by hand") for line in source.embedded.skipped]
    return [Diagnostic("docs", line, 0, "this code block does not parse on its own (a doctest or a fragment?) "
                       "and was not migrated", "migrate it by hand") for line in source.embedded.skipped]


def run_stdin(data: bytes, path: Path, settings: Settings) -> RunResult:
    """Migrate one file's bytes (from stdin), as if they were the file at `path`. The
    index holds only this file, so it is incomplete: callers elsewhere are unseen."""
    from nnx_migrate.registry import selected_rules

    discovery = Discovery(files=[path])
    results: list[FileResult] = []
    try:
        source = decode_source(data)
    except FileError as error:
        return RunResult([FileResult(path, display_path(path), "failed", error=str(error))], discovery, 1, 0, False)
    index = ProjectIndex()
    sources: dict[Path, SourceText] = {}
    if not _index_file(index, results, sources, path, source):
        return RunResult(results, discovery, 1, 0, False)
    results, _ = _to_fix_point(_rewrite_all(index, sources, settings, selected_rules(settings)), {path: source},
                               discovery, {}, settings, 1, index)
    results = [_localized(result, source) for result in results]
    for result in results:
        result._source = source
    return RunResult(results, discovery, 1, 1, False)
