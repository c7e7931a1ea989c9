"""Recall against maintainers' own hand-migrations to flax 0.12, on library internals and on users' code.

    python benchmarks/recall.py [--ref main] [--misses FILE] [--log FILE] [--library NAME] [--source NAME]
                                [--kinds library,tests,scripts,notebooks,markdown] [--examples N]

For each library, two releases from PyPI (`pip download --no-deps`, cached as the test
corpus is): one from before flax 0.12 and one after its maintainers migrated to 0.12.
difflib pairs the lines of each old file with those of the same path in the new release
(or, for a moved or split file, of the files sharing a fifth of its lines); a line of the
old release that held `.value`, `.iter_modules(` or `.iter_children(` and that the
maintainers rewrote to a 0.12 form (`[...]`, `get_value()`, `set_value()`,
`nnx.iter_modules(...)`, ...) is a target. nnx-migrate runs over the old release twice:
each file with targets copied alone into an empty directory, and the whole old package at
once. Recall is the fraction of the code targets the tool also rewrote (the line holds
fewer old forms afterwards); targets in comments and docstrings, inside a class that
defines `value` itself, or reviewed as not NNX (NOT_NNX) are counted apart (KINDS).

Users' code (recall_sources.py: SOURCES): the sdists of flax and bijx ship tests, examples
and notebooks, and their maintainers migrated those too. Each file is of one kind of code
(library, tests, scripts, notebooks, markdown); the same scorer runs per kind, each file
alone and the whole repository at once (the sdist's NNX-relevant tree in one folder, with
`--include-docs`, as a user runs `nnx-migrate .`). A notebook's lines are its code cells'
sources (the tool rewrites only those; the migrated notebook's JSON is read back the same
way); a Markdown page's are its own, its Python blocks the code. `--kinds` selects the
kinds scored (the whole-repository run still migrates every kind).

Also counted, and listed for review: look-alikes, lines the maintainers kept verbatim with
`.value` (or `iter_*`) that the tool rewrote (not necessarily wrong: maintainers migrate in
steps), and every `[...] =` write the tool made (unsafe unless shape and dtype survive).
`--misses` writes every missed target (file:line, old line, maintainers' line) and the
look-alikes; `--examples` prints a few missed lines per kind of users' code; `--log`
appends the figures with a timestamp and the tool's commit.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import difflib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from corpus import run_bounded, wheel_sources  # noqa: E402
from recall_sources import (CATEGORIES, SOURCES, Document, Source, read_document, sdist_sources,  # noqa: E402
                            segment_text, source_files)


@dataclass(frozen=True)
class Pair:
    library: str
    dist: str
    old: str  # before flax 0.12 (by the wheel's flax pin)
    new: str  # after the maintainers migrated to flax 0.12
    package: str  # top-level folder inside the wheel


PAIRS = (
    # flax pins its own nnx: 0.11.2 is the last 0.11; 0.12.8 is where the internals use the new forms
    Pair("flax", "flax", "0.11.2", "0.12.8", "flax"),
    # EasyDeL 0.2.0.2 pins flax==0.11.2, 0.3.0 pins flax==0.12.3
    Pair("easydel", "easydel", "0.2.0.2", "0.3.0", "easydel"),
    # bijx 1.0.1 needs flax>=0.10.4, 1.1.1 needs flax>=0.12.1 and reads no `.value` any more
    Pair("bijx", "bijx", "1.0.1", "1.1.1", "bijx"),
    # jraphx 0.0.3 needs flax>=0.11.2 (0.0.4 already 0.12.0, unmigrated), 0.1.0 needs flax>=0.12.8
    Pair("jraphx", "jraphx", "0.0.3", "0.1.0", "jraphx"),
    # No release of google-tunix on PyPI migrated yet (0.1.7, the newest, reads `.value` throughout).
)


# Reviewed by hand: targets whose receiver is not an NNX object but the library's own class
# with a `value` property, which its maintainers renamed along with the migration. The tool
# must leave these alone; they are listed apart in the misses file, not counted in recall.
NOT_NNX = {
    "bijx": [("bijx/bijections/scalar.py", re.compile(r"\bself\.(?:scale|shift|a|exponent|mean)\.value\b"),
              "TransformedParameter (a struct.dataclass with its own `value` property; 1.1 renamed it get_value)")],
}


@dataclass(frozen=True)
class Form:
    """An idiom flax 0.12 deprecates: `old` counts its occurrences in a line, `new` says a
    line holds a 0.12 replacement."""
    name: str
    old: re.Pattern
    new: re.Pattern

    def count(self, line: str) -> int:
        return len(self.old.findall(line))


_FUNCTION_PREFIX = r"(?<!\bnnx)(?<!\bgraph)"  # nnx.iter_modules(...) is the 0.12 form itself
FORMS = (
    Form(".value", re.compile(r"\.value\b"),
         re.compile(r"\[\.\.\.\]|\b(?:get|set)_value\(|\b(?:get|set)_raw_value\(")),
    Form(".iter_modules(", re.compile(_FUNCTION_PREFIX + r"\.iter_modules\("),
         re.compile(r"(?:\bnnx\.|\bgraph\.|(?<![.\w]))iter_modules\(")),
    Form(".iter_children(", re.compile(_FUNCTION_PREFIX + r"\.iter_children\("),
         re.compile(r"(?:\bnnx\.|\bgraph\.|(?<![.\w]))iter_children\(")),
)
# not an f-string's self-documenting `{x[...] = }` (nor `=!r}`, `=:.3f}`)
UNSAFE_WRITE = re.compile(r"\[\.\.\.\]\s*(?:\*\*|//|<<|>>|[-+*/@%&|^])?=(?!=)(?!\s*[}!:])")


def paired_lines(old: list[str], new: list[str]) -> tuple[dict[int, int], set[int]]:
    """Old line index -> the new line it became (kept or rewritten in place), and the set
    of old indices kept verbatim. A line holding an old form in an unequal replace block
    pairs with the most similar line of the block."""
    pairs: dict[int, int] = {}
    kept: set[int] = set()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                pairs[i1 + k] = j1 + k
                kept.add(i1 + k)
        elif tag == "replace":
            if i2 - i1 == j2 - j1:
                pairs.update({i1 + k: j1 + k for k in range(i2 - i1)})
                continue
            for i in range(i1, i2):
                if not any(form.count(old[i]) for form in FORMS):
                    continue
                best = max(range(j1, j2), key=lambda j: difflib.SequenceMatcher(None, old[i], new[j]).ratio())
                if difflib.SequenceMatcher(None, old[i], new[best]).ratio() >= 0.6:
                    pairs[i] = best
    return pairs, kept


@dataclass
class Line:
    path: str  # relative to the package's parent (a wheel) or the sdist's root
    number: int  # 1-based, in the old release (a notebook: in its code cells' lines)
    old: str
    maintainers: str
    form: str
    kind: str  # one of KINDS
    reason: str = ""  # for "not NNX": why (NOT_NNX)
    category: str = "library"  # the kind of code (recall_sources.CATEGORIES)
    where: str = ""  # ":line", or ":cell C:line L" in a notebook

    @property
    def location(self) -> str:
        return self.path + (self.where or f":{self.number}")


# What a target line is; recall is measured on "code" alone, the others are counted apart.
KINDS = {
    "code": "code",
    "prose": "in comments/docstrings (the tool leaves prose alone)",
    "defines value": "inside a class that defines `value` itself (flax's Variable: the tool leaves its `self.value`)",
    "not NNX": "not NNX (reviewed, NOT_NNX): the library's own `value`; the tool must not rewrite",
}


def classes_defining_value(text: str) -> list[range]:
    """Line ranges of the classes that define a `value` method or property."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    return [range(node.lineno, node.end_lineno + 1) for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
            and any(isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "value"
                    for item in node.body)]


PROSE_TOKENS = {tokenize.COMMENT, tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
_STRING_PREFIX = re.compile(r"^[rRbBuUfF]*")


def fstring_parts(string: str) -> tuple[str, str]:
    """An f-string token (before Python 3.12 one STRING token) split into its literal text
    and its replacement fields (`{...}`, code), each with the other's characters blanked,
    so both keep the token's lines."""
    prefix = _STRING_PREFIX.match(string).group()
    literal, fields = list(string), [" " if char != "\n" else "\n" for char in string]
    depth, index = 0, len(prefix)
    while index < len(string):
        char = string[index]
        if depth == 0 and char in "{}" and string[index + 1:index + 2] == char:
            index += 2  # `{{` or `}}`: a literal brace
            continue
        if char == "{":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif depth and char != "\n":
            fields[index], literal[index] = char, " "
        index += 1
    return "".join(literal), "".join(fields)


def prose_lines(text: str) -> set[int]:
    """1-based numbers of lines whose old forms all lie in comments or strings (an
    f-string's replacement fields are code)."""
    code: set[int] = set()
    prose: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in PROSE_TOKENS:
                string, fields = token.string, ""
                if token.type == tokenize.STRING and "f" in _STRING_PREFIX.match(string).group().lower():
                    string, fields = fstring_parts(string)
                for offset, line in enumerate(string.splitlines() or [""]):
                    if any(form.count(line) for form in FORMS):
                        prose.add(token.start[0] + offset)
                for offset, line in enumerate(fields.splitlines()):
                    if any(form.count(line) for form in FORMS):
                        code.add(token.start[0] + offset)
            elif token.type == tokenize.NAME and token.string in ("value", "iter_modules", "iter_children"):
                code.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        return set()
    return prose - code


@dataclass
class Comparison:
    targets: list[Line] = field(default_factory=list)  # maintainers rewrote to the 0.12 form
    kept: list[Line] = field(default_factory=list)  # maintainers kept the old form verbatim


def _signature(lines: list[str]) -> set[str]:
    return {line.strip() for line in lines if len(line.strip()) > 12}


def counterparts(relative: str, old_lines: list[str], new_root: Path, new_index: dict[str, set[str]]) -> list[str]:
    """The new release's files that hold this old file's code: the same path, else (moved or
    split) those sharing at least a fifth of its distinct lines, most shared first."""
    if relative in new_index:
        return [relative]
    mine = _signature(old_lines)
    shared = sorted(((len(mine & theirs) / len(mine), path) for path, theirs in new_index.items() if mine),
                    reverse=True)
    return [path for fraction, path in shared if fraction >= 0.2]


def analyse(path: Path, document: Document) -> tuple[set[int], list[range]]:
    """1-based lines in prose, and the line ranges of classes defining `value`. A `.py`
    file is read whole; a notebook's cells and a page's Python blocks one by one (IPython
    escapes blanked), and a page's lines outside its blocks that hold an old form are prose."""
    if path.suffix == ".py":
        text = path.read_text(encoding="utf-8", errors="replace")
        return prose_lines(text), classes_defining_value(text)
    prose: set[int] = set()
    own_value: list[range] = []
    inside: set[int] = set()
    for start, end in document.segments:
        text = segment_text(document, start, end)
        prose |= {start + number for number in prose_lines(text)}
        own_value += [range(start + r.start, start + r.stop) for r in classes_defining_value(text)]
        inside.update(range(start + 1, end + 1))
    prose |= {number for number, line in enumerate(document.lines, start=1)
              if number not in inside and any(form.count(line) for form in FORMS)}
    return prose, own_value


def py_files(root: Path, package: str) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in (root / package).rglob("*.py"))


def compare_releases(old_root: Path, new_root: Path, old_files: list[str], new_files: list[str], not_nnx=(),
                     category=lambda relative: "library") -> Comparison:
    """Targets and kept lines of the `old_files` (relative to `old_root`), paired with the
    `new_files`; a file pairs only with files of its own suffix."""
    result = Comparison()
    new_index = {relative: _signature(_lines(new_root / relative)) for relative in new_files}
    for relative in old_files:
        old_file = old_root / relative
        document = read_document(old_file)
        old_lines = document.lines
        if not any(form.count(line) for line in old_lines for form in FORMS):
            continue
        prose, own_value = analyse(old_file, document)

        def kind(number: int, line: str) -> tuple[str, str]:
            # NOT_NNX names paths inside the wheel; an sdist holds them deeper (src/bijx/...)
            reason = next((why for path, pattern, why in not_nnx
                           if (relative == path or relative.endswith("/" + path)) and pattern.search(line)), "")
            if reason:
                return "not NNX", reason
            if number in prose:
                return "prose", ""
            return ("defines value" if any(number in lines for lines in own_value) else "code"), ""
        pairs: dict[int, str] = {}
        kept: set[int] = set()
        suffix = old_file.suffix
        same_suffix = {path: lines for path, lines in new_index.items() if path.endswith(suffix)}
        for candidate in counterparts(relative, old_lines, new_root, same_suffix):
            new_lines = _lines(new_root / candidate)
            found, verbatim = paired_lines(old_lines, new_lines)
            for index, new_index_line in found.items():
                if index not in pairs or (index in verbatim and index not in kept):
                    pairs[index] = new_lines[new_index_line]
                    if index in verbatim:
                        kept.add(index)
        for index, line in enumerate(old_lines):
            for form in FORMS:
                if not form.count(line) or index not in pairs:
                    continue
                after = pairs[index]
                what, reason = kind(index + 1, line)
                entry = Line(relative, index + 1, line, after, form.name, what, reason, category(relative),
                             document.where(index + 1))
                if index in kept:
                    result.kept.append(entry)
                elif form.count(after) < form.count(line) and form.new.search(after):
                    result.targets.append(entry)
    return result


def _lines(path: Path) -> list[str]:
    """The lines the scorer pairs: a file's, or a notebook's code cells' (recall_sources)."""
    return read_document(path).lines


def tool_environment(ref: str | None, scratch: Path) -> tuple[dict[str, str], str]:
    """Environment that runs nnx-migrate from git `ref` of this repository (None: the
    installed one), and a label (commit) for the log."""
    env = dict(os.environ)
    if ref is None:
        import nnx_migrate

        source = Path(nnx_migrate.__file__).resolve().parent.parent
        commit = subprocess.run(["git", "-C", str(source), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(source), "status", "--porcelain", "nnx_migrate", "codemods"],
                               capture_output=True, text=True).stdout.strip()
        return env, f"installed ({source}, {commit}{' + local changes' if dirty else ''})"
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", ref], capture_output=True, text=True,
                            check=True).stdout.strip()
    snapshot = scratch / "tool"
    archive = subprocess.run(["git", "-C", str(REPO), "archive", ref, "nnx_migrate", "codemods"], capture_output=True,
                             check=True).stdout
    snapshot.mkdir()
    subprocess.run(["tar", "-x", "-C", str(snapshot)], input=archive, check=True)
    # pyproject installs codemods/ as nnx_migrate.codemods; mirror that layout for PYTHONPATH
    shutil.move(str(snapshot / "codemods"), str(snapshot / "nnx_migrate" / "codemods"))
    env["PYTHONPATH"] = str(snapshot) + os.pathsep + env.get("PYTHONPATH", "")
    return env, f"{ref} ({commit})"


@dataclass
class ToolRun:
    lines: dict[str, list[str]]  # relative path -> the tool's output
    pairs: dict[str, dict[int, int]]
    failures: list[str] = field(default_factory=list)  # timeouts, crashes, exit 123

    def rewrote(self, line: Line) -> bool:
        form = next(f for f in FORMS if f.name == line.form)
        if line.path not in self.lines or line.number - 1 not in self.pairs[line.path]:
            return False
        return form.count(self.lines[line.path][self.pairs[line.path][line.number - 1]]) < form.count(line.old)

    def unsafe_writes(self, old_root: Path) -> list[str]:
        """`[...] =` writes the tool added (lines with more of them than the line they came from)."""
        found = []
        for path, lines in self.lines.items():
            document = read_document(old_root / path)
            old = document.lines
            source = {new: old_index for old_index, new in self.pairs[path].items()}
            for index, line in enumerate(lines):
                before = old[source[index]] if index in source else ""
                if len(UNSAFE_WRITE.findall(line)) > len(UNSAFE_WRITE.findall(before)):
                    where = document.where(source[index] + 1) if index in source else ":?"
                    found.append(f"{path}{where}: {line.strip()}")
        return found


def migrate(tree: Path, env: dict[str, str], jobs: int, timeout: float, options: tuple[str, ...] = ()) -> str | None:
    """Run nnx-migrate in place over `tree`; a description of the failure, or None."""
    done = run_bounded([sys.executable, "-m", "nnx_migrate", str(tree), "-q", "--no-cache", "-j", str(jobs), *options],
                       timeout, cwd=tree.parent, env=env)
    if done is None:
        return f"not done after {timeout:.0f} s"
    if done.returncode != 0 or "Traceback" in done.stderr:
        tail = " | ".join(line.strip() for line in done.stderr.strip().splitlines()[-3:])
        return f"exit {done.returncode}{', traceback' if 'Traceback' in done.stderr else ''}; stderr ends: {tail}"
    return None


def collect(old_root: Path, outputs: dict[str, Path]) -> ToolRun:
    """The tool's output for each old file (relative path -> where the output lies)."""
    run = ToolRun({}, {})
    for relative, output in outputs.items():
        old = _lines(old_root / relative)
        new = _lines(output)
        run.lines[relative] = new
        run.pairs[relative] = paired_lines(old, new)[0]
    return run


def run_alone(old_root: Path, relative_paths: list[str], env: dict, scratch: Path, timeout: float,
              options: tuple[str, ...] = ()) -> ToolRun:
    """Each file copied alone into an empty directory and migrated by its own process."""
    def one(item: tuple[int, str]) -> tuple[str, Path, str | None]:
        number, relative = item
        folder = scratch / f"alone{number}"
        folder.mkdir()
        shutil.copy(old_root / relative, folder / Path(relative).name)
        return relative, folder / Path(relative).name, migrate(folder, env, 1, timeout, options)

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        done = list(pool.map(one, enumerate(relative_paths)))
    run = collect(old_root, {relative: output for relative, output, _ in done})
    run.failures = [f"{relative}: {failure}" for relative, _, failure in done if failure]
    return run


def run_whole(old_root: Path, package: str, relative_paths: list[str], env: dict, scratch: Path,
              timeout: float) -> ToolRun:
    """The whole old package migrated by one process with all cores."""
    tree = scratch / "whole"
    shutil.copytree(old_root / package, tree / package)
    failure = migrate(tree / package, env, os.cpu_count() or 1, timeout)
    run = collect(old_root, {relative: tree / relative for relative in relative_paths})
    run.failures = [f"{package}/: {failure}"] if failure else []
    return run


def run_repository(old_root: Path, source: Source, relative_paths: list[str], env: dict, scratch: Path,
                   timeout: float, options: tuple[str, ...]) -> ToolRun:
    """The sdist's NNX-relevant tree (all its roots, and its pyproject.toml) copied into one
    folder and migrated by one process with all cores, as a user runs `nnx-migrate .`."""
    tree = scratch / "whole" / f"{source.dist}-{source.old}"
    for entry in source.roots:
        if (old_root / entry).is_dir():
            shutil.copytree(old_root / entry, tree / entry)
        elif (old_root / entry).is_file():
            (tree / entry).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(old_root / entry, tree / entry)
    if (old_root / "pyproject.toml").is_file():
        shutil.copy(old_root / "pyproject.toml", tree / "pyproject.toml")
    failure = migrate(tree, env, os.cpu_count() or 1, timeout, options)
    run = collect(old_root, {relative: tree / relative for relative in relative_paths})
    run.failures = [f"{tree.name}/: {failure}"] if failure else []
    return run


def ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.3f}" if whole else "n/a"


@dataclass
class Result:
    pair: Pair | Source
    comparison: Comparison
    runs: dict[str, ToolRun]  # "alone", "whole"
    old_root: Path
    category: str | None = None  # a Source's results restricted to one kind of code (only())

    @property
    def label(self) -> str:
        name = self.pair.name if isinstance(self.pair, Source) else self.pair.library
        return f"{name} {self.pair.old} -> {self.pair.new}"

    def only(self, category: str) -> "Result":
        """These results for one kind of code: its files' targets, kept lines, writes and
        failures of the file-alone runs (the whole-repository run's failure stays)."""
        comparison = Comparison([t for t in self.comparison.targets if t.category == category],
                                [k for k in self.comparison.kept if k.category == category])
        return Result(self.pair, comparison, self.runs, self.old_root, category)

    def mine(self, path: str) -> bool:
        return self.category is None or self.pair.category(path) == self.category

    def targets(self, kind: str) -> list[Line]:
        return [t for t in self.comparison.targets if t.kind == kind]

    def hits(self, mode: str, lines: list[Line]) -> int:
        return sum(self.runs[mode].rewrote(line) for line in lines)

    def writes(self, mode: str) -> tuple[list[str], list[str]]:
        """The `[...] =` writes the tool added, and its `[...] op=` writes."""
        found = [w for w in self.runs[mode].unsafe_writes(self.old_root) if self.mine(w.split(":", 1)[0])]
        plain = [w for w in found if PLAIN_WRITE.search(w)]
        return plain, [w for w in found if w not in plain]

    def failures(self, mode: str) -> list[str]:
        failures = self.runs[mode].failures
        return failures if mode == "whole" else [f for f in failures if self.mine(f.split(": ", 1)[0])]


PLAIN_WRITE = re.compile(r"\[\.\.\.\]\s*=(?!=)(?!\s*[}!:])")
MODES = ("alone", "whole")


def _cells(r: Result, first: str, key: str) -> dict[str, str]:
    """The cells of one row: `first` names it (`key` in the log); then code targets, recall
    alone / whole, the targets counted apart, look-alikes, writes, failures."""
    code, kept = r.targets("code"), r.comparison.kept
    by_form = ", ".join(f"{f.name} {n}" for f in FORMS if (n := sum(t.form == f.name for t in code)))
    writes = {mode: r.writes(mode) for mode in MODES}
    cells = {key: first, "code": f"{len(code)}" + (f" ({by_form})" if by_form else ""),
             "alone": ratio(r.hits("alone", code), len(code)), "whole": ratio(r.hits("whole", code), len(code))}
    for kind in KINDS:
        if kind != "code":
            lines = r.targets(kind)
            cells[kind] = f"{r.hits('alone', lines)} / {r.hits('whole', lines)} of {len(lines)}"
    cells.update({"look-alikes": f"{r.hits('alone', kept)} / {r.hits('whole', kept)} of {len(kept)} kept",
                  "[...]=": f"{len(writes['alone'][0])} / {len(writes['whole'][0])}",
                  "[...]op=": f"{len(writes['alone'][1])} / {len(writes['whole'][1])}",
                  "failures": f"{len(r.failures('alone'))} / {len(r.failures('whole'))}"})
    return cells


def _header(first: str, whole: str) -> None:
    apart = [kind for kind in KINDS if kind != "code"]
    print(f"| {first} | code targets | recall, file alone | recall, {whole} "
          + "".join(f"| {kind}: rewritten alone / whole " for kind in apart)
          + "| look-alikes rewritten alone / whole | `[...] =` writes alone / whole "
          "| `[...] op=` writes alone / whole | failures alone / whole |")
    print("|---" * (8 + len(apart)) + "|")


def _overall(label: str, pairs: list[tuple[Result, Line]], columns: int) -> str:
    totals = {mode: sum(r.runs[mode].rewrote(t) for r, t in pairs) for mode in MODES}
    print(f"| {label} | {len(pairs)} | {ratio(totals['alone'], len(pairs))} | {ratio(totals['whole'], len(pairs))} "
          + "| " * columns + "|")
    return f"{label}: code alone {ratio(totals['alone'], len(pairs))}, whole {ratio(totals['whole'], len(pairs))}"


def print_table(results: list[Result]) -> list[str]:
    """Prints the table of the wheels' pairs; returns one summary line per library (for the log)."""
    _header("library (old -> new)", "whole package")
    summary = []
    for r in results:
        cells = _cells(r, r.label, "library")
        print("| " + " | ".join(cells.values()) + " |")
        summary.append("; ".join(f"{key} {value}" for key, value in cells.items()))
    code = [(r, t) for r in results for t in r.targets("code")]
    summary.append(_overall("all", code, 3 + len(KINDS)))
    return summary


def print_sources_table(results: list[Result], categories: list[str]) -> list[str]:
    """Prints one row per source and kind of code, then one per kind over all sources."""
    _header("source (old -> new), kind of code", "whole repository")
    summary = []
    for r in results:
        for category in categories:
            part = r.only(category)
            cells = _cells(part, f"{r.label}, {category}", "source")
            print("| " + " | ".join(cells.values()) + " |")
            summary.append("; ".join(f"{key} {value}" for key, value in cells.items()))
    for category in categories:
        code = [(r, t) for r in results for t in r.only(category).targets("code")]
        summary.append(_overall(f"all sources, {category}", code, 3 + len(KINDS)))
    code = [(r, t) for r in results for category in categories for t in r.only(category).targets("code")]
    summary.append(_overall("all sources, all kinds", code, 3 + len(KINDS)))
    return summary


def missed_examples(results: list[Result], categories: list[str], count: int) -> list[str]:
    """Up to `count` missed code targets per kind of code (missed by the whole-repository
    run first), spread over the files: at most one per file while other files have misses."""
    lines = []
    for category in categories:
        missed = [(r, t) for r in results for t in r.only(category).targets("code")
                  if not all(r.runs[mode].rewrote(t) for mode in MODES)]
        missed.sort(key=lambda item: (item[0].runs["whole"].rewrote(item[1]), item[1].path, item[1].number))
        chosen: list[int] = []
        files: set[str] = set()
        for rounds in range(count):
            for index, (r, t) in enumerate(missed):
                if len(chosen) < count and index not in chosen and (t.path not in files or rounds):
                    chosen.append(index)
                    files.add(t.path)
        if not chosen:
            continue
        lines.append(f"{category}: {len(missed)} missed (alone or whole); examples:")
        for r, t in (missed[index] for index in chosen):
            modes = [mode for mode in MODES if not r.runs[mode].rewrote(t)]
            lines += [f"  {r.pair.dist} {r.pair.old} {t.location}  [{t.form}] missed {' and '.join(modes)}",
                      f"      old: {t.old.strip()}", f"      new: {t.maintainers.strip()}"]
    return lines


def misses_report(r: Result) -> list[str]:
    lines = [f"######## {r.label}" + (f", {r.category}" if r.category else "")]
    for kind, title in KINDS.items():
        lines += ["", f"## missed targets, {title} (maintainers migrated, the tool did not)", ""]
        for target in r.targets(kind):
            missed = [mode for mode in MODES if not r.runs[mode].rewrote(target)]
            if missed or kind == "not NNX":
                lines += [f"{target.location}  [{target.form}] missed {' and '.join(missed) or 'by neither'}"
                          + (f"  ({target.reason})" if target.reason else ""),
                          f"    old: {target.old.strip()}", f"    new: {target.maintainers.strip()}"]
    lines += ["", "## look-alikes: maintainers kept the line, the tool rewrote it (review)", ""]
    for kept in r.comparison.kept:
        modes = [mode for mode in MODES if r.runs[mode].rewrote(kept)]
        if modes:
            run = r.runs[modes[0]]
            after = run.lines[kept.path][run.pairs[kept.path][kept.number - 1]]
            lines += [f"{kept.location}  [{kept.form}] rewritten {' and '.join(modes)}",
                      f"    old:  {kept.old.strip()}", f"    tool: {after.strip()}"]
    lines += ["", "## `[...] =` and `[...] op=` writes the tool made (path:old line: the tool's line)", ""]
    for mode in MODES:
        plain, augmented = r.writes(mode)
        lines += [f"{mode}: {write}" for write in plain + augmented]
    lines += ["", "## failures", ""] + [f"{mode}: {f}" for mode in MODES for f in r.failures(mode)]
    return lines + [""]


def measure_pair(pair: Pair, env: dict, scratch: Path, timeout: float) -> Result:
    old_root = wheel_sources(pair.dist, pair.old)
    new_root = wheel_sources(pair.dist, pair.new)
    comparison = compare_releases(old_root, new_root, py_files(old_root, pair.package),
                                  py_files(new_root, pair.package), NOT_NNX.get(pair.library, ()))
    paths = sorted({line.path for line in comparison.targets + comparison.kept})
    work = scratch / pair.library
    (work / "alone").mkdir(parents=True)
    runs = {"alone": run_alone(old_root, paths, env, work / "alone", timeout),
            "whole": run_whole(old_root, pair.package, paths, env, work, timeout)}
    return Result(pair, comparison, runs, old_root)


# Pages are migrated too (--include-docs) wherever a source is: its docs hold Markdown notebooks.
SOURCE_OPTIONS = ("--include-docs",)


def measure_source(source: Source, categories: list[str], env: dict, scratch: Path, timeout: float) -> Result:
    """A source's targets in `categories`; each of their files alone, and the whole NNX-relevant
    tree at once (all kinds, as a user runs it)."""
    old_root = sdist_sources(source.dist, source.old)
    new_root = sdist_sources(source.dist, source.new)
    old_files = [f for f in source_files(old_root, source.roots) if source.category(f) in categories]
    comparison = compare_releases(old_root, new_root, old_files, source_files(new_root, source.roots),
                                  NOT_NNX.get(source.name, ()), source.category)
    paths = sorted({line.path for line in comparison.targets + comparison.kept})
    work = scratch / f"sdist-{source.name}"
    (work / "alone").mkdir(parents=True)
    runs = {"alone": run_alone(old_root, paths, env, work / "alone", timeout, SOURCE_OPTIONS),
            "whole": run_repository(old_root, source, paths, env, work, timeout, SOURCE_OPTIONS)}
    return Result(source, comparison, runs, old_root)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", help="run nnx-migrate from this git ref of the repository (default: the installed one)")
    parser.add_argument("--library", action="append", choices=[p.library for p in PAIRS],
                        help="only these wheel pairs (repeatable; without --source: no sdist source)")
    parser.add_argument("--source", action="append", choices=[s.name for s in SOURCES],
                        help="only these sdist sources of users' code (repeatable; without --library: no wheel pair)")
    parser.add_argument("--kinds", type=lambda text: [k.strip() for k in text.split(",") if k.strip()],
                        default=list(CATEGORIES), metavar="KIND,...",
                        help=f"kinds of code to score: {', '.join(CATEGORIES)} (default: all; the wheel pairs are "
                        "library code; the whole-repository run still migrates every kind)")
    parser.add_argument("--examples", type=int, default=5, metavar="N",
                        help="print up to N missed lines per kind of code of the sources (default 5)")
    parser.add_argument("--misses", type=Path, help="write the missed targets and the look-alikes here")
    parser.add_argument("--log", type=Path, help="append the figures here, with a timestamp")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per nnx-migrate process")
    args = parser.parse_args()
    unknown = [k for k in args.kinds if k not in CATEGORIES]
    if unknown:
        parser.error(f"unknown kind {', '.join(unknown)} (choose from {', '.join(CATEGORIES)})")
    categories = [k for k in CATEGORIES if k in args.kinds]
    everything = not args.library and not args.source
    pairs = [p for p in PAIRS if (everything or p.library in (args.library or ())) and "library" in categories]
    sources = [s for s in SOURCES if everything or s.name in (args.source or ())]
    results, source_results = [], []
    with tempfile.TemporaryDirectory(prefix="nnx-migrate-recall-") as scratch_name:
        scratch = Path(scratch_name)
        env, tool = tool_environment(args.ref, scratch)
        for pair in pairs:
            results.append(measure_pair(pair, env, scratch, args.timeout))
        for source in sources:
            source_results.append(measure_source(source, categories, env, scratch, args.timeout))
    print(f"tool: {tool}")
    summary = []
    if results:
        print("\nMaintainers' migrations of library internals (wheels):\n")
        summary += print_table(results)
    if source_results:
        print("\nUsers' code (sdists: tests, scripts and examples, notebooks; whole repository = the NNX-relevant "
              f"tree at once; sdist runs use {' '.join(SOURCE_OPTIONS)}):\n")
        summary += print_sources_table(source_results, categories)
    for r in results + source_results:
        for mode in MODES:
            for failure in r.failures(mode):
                print(f"failure ({r.label}, {mode}): {failure.splitlines()[0]}")
    if source_results and args.examples:
        print("\nMissed code lines of users' code (examples):\n")
        print("\n".join(missed_examples(source_results, categories, args.examples)))
    if args.misses:
        reports = [line for r in results for line in misses_report(r)]
        reports += [line for r in source_results for category in categories for line in misses_report(r.only(category))]
        args.misses.write_text("\n".join(reports), encoding="utf-8")
        print(f"misses, look-alikes and writes: {args.misses}")
    if args.log:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        with args.log.open("a", encoding="utf-8") as log:
            log.write(f"{stamp}  tool {tool}\n" + "".join(f"    {line}\n" for line in summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
