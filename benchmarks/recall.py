"""Recall against maintainers' own hand-migrations to flax 0.12.

    python benchmarks/recall.py [--ref main] [--misses FILE] [--log FILE] [--library NAME]

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

Also counted, and listed for review: look-alikes, lines the maintainers kept verbatim with
`.value` (or `iter_*`) that the tool rewrote (not necessarily wrong: maintainers migrate in
steps), and every `[...] =` write the tool made (unsafe unless shape and dtype survive).
`--misses` writes every missed target (file:line, old line, maintainers' line) and the
look-alikes; `--log` appends the figures with a timestamp and the tool's commit.
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
UNSAFE_WRITE = re.compile(r"\[\.\.\.\]\s*(?:\*\*|//|<<|>>|[-+*/@%&|^])?=(?!=)")


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
    path: str  # relative to the package's parent
    number: int  # 1-based, in the old release
    old: str
    maintainers: str
    form: str
    kind: str  # one of KINDS
    reason: str = ""  # for "not NNX": why (NOT_NNX)


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


def prose_lines(text: str) -> set[int]:
    """1-based numbers of lines whose old forms all lie in comments or strings."""
    code: set[int] = set()
    prose: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in PROSE_TOKENS:
                for offset, line in enumerate(token.string.splitlines() or [""]):
                    if any(form.count(line) for form in FORMS):
                        prose.add(token.start[0] + offset)
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


def compare_releases(old_root: Path, new_root: Path, package: str, not_nnx=()) -> Comparison:
    result = Comparison()
    new_index = {path.relative_to(new_root).as_posix(): _signature(_read(path))
                 for path in (new_root / package).rglob("*.py")}
    for old_file in sorted((old_root / package).rglob("*.py")):
        relative = old_file.relative_to(old_root).as_posix()
        old_lines = _read(old_file)
        if not any(form.count(line) for line in old_lines for form in FORMS):
            continue
        text = old_file.read_text(encoding="utf-8", errors="replace")
        prose, own_value = prose_lines(text), classes_defining_value(text)

        def kind(number: int, line: str) -> tuple[str, str]:
            reason = next((why for path, pattern, why in not_nnx if path == relative and pattern.search(line)), "")
            if reason:
                return "not NNX", reason
            if number in prose:
                return "prose", ""
            return ("defines value" if any(number in lines for lines in own_value) else "code"), ""
        pairs: dict[int, str] = {}
        kept: set[int] = set()
        for candidate in counterparts(relative, old_lines, new_root, new_index):
            new_lines = _read(new_root / candidate)
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
                entry = Line(relative, index + 1, line, after, form.name, *kind(index + 1, line))
                if index in kept:
                    result.kept.append(entry)
                elif form.count(after) < form.count(line) and form.new.search(after):
                    result.targets.append(entry)
    return result


def _read(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


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
            old = _read(old_root / path)
            source = {new: old_index for old_index, new in self.pairs[path].items()}
            for index, line in enumerate(lines):
                before = old[source[index]] if index in source else ""
                if len(UNSAFE_WRITE.findall(line)) > len(UNSAFE_WRITE.findall(before)):
                    found.append(f"{path}:{source[index] + 1 if index in source else '?'}: {line.strip()}")
        return found


def migrate(tree: Path, env: dict[str, str], jobs: int, timeout: float) -> str | None:
    """Run nnx-migrate in place over `tree`; a description of the failure, or None."""
    done = run_bounded([sys.executable, "-m", "nnx_migrate", str(tree), "-q", "--no-cache", "-j", str(jobs)],
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
        old = _read(old_root / relative)
        new = _read(output)
        run.lines[relative] = new
        run.pairs[relative] = paired_lines(old, new)[0]
    return run


def run_alone(old_root: Path, relative_paths: list[str], env: dict, scratch: Path, timeout: float) -> ToolRun:
    """Each file copied alone into an empty directory and migrated by its own process."""
    def one(item: tuple[int, str]) -> tuple[str, Path, str | None]:
        number, relative = item
        folder = scratch / f"alone{number}"
        folder.mkdir()
        shutil.copy(old_root / relative, folder / Path(relative).name)
        return relative, folder / Path(relative).name, migrate(folder, env, 1, timeout)

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


def ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.3f}" if whole else "n/a"


@dataclass
class Result:
    pair: Pair
    comparison: Comparison
    runs: dict[str, ToolRun]  # "alone", "whole"
    old_root: Path

    def targets(self, kind: str) -> list[Line]:
        return [t for t in self.comparison.targets if t.kind == kind]

    def hits(self, mode: str, lines: list[Line]) -> int:
        return sum(self.runs[mode].rewrote(line) for line in lines)

    def writes(self, mode: str) -> tuple[list[str], list[str]]:
        """The `[...] =` writes the tool added, and its `[...] op=` writes."""
        found = self.runs[mode].unsafe_writes(self.old_root)
        plain = [w for w in found if PLAIN_WRITE.search(w)]
        return plain, [w for w in found if w not in plain]


PLAIN_WRITE = re.compile(r"\[\.\.\.\]\s*=(?!=)")
MODES = ("alone", "whole")


def print_table(results: list[Result]) -> list[str]:
    """Prints the table; returns one summary line per library (for the log)."""
    apart = [kind for kind in KINDS if kind != "code"]
    print("| library (old -> new) | code targets | recall, file alone | recall, whole package "
          + "".join(f"| {kind}: rewritten alone / whole " for kind in apart)
          + "| look-alikes rewritten alone / whole | `[...] =` writes alone / whole "
          "| `[...] op=` writes alone / whole | failures alone / whole |")
    print("|---" * (8 + len(apart)) + "|")
    summary = []
    for r in results:
        code, kept = r.targets("code"), r.comparison.kept
        by_form = ", ".join(f"{f.name} {n}" for f in FORMS if (n := sum(t.form == f.name for t in code)))
        writes = {mode: r.writes(mode) for mode in MODES}
        cells = {"library": f"{r.pair.library} {r.pair.old} -> {r.pair.new}", "code": f"{len(code)} ({by_form})",
                 "alone": ratio(r.hits("alone", code), len(code)), "whole": ratio(r.hits("whole", code), len(code))}
        for kind in apart:
            lines = r.targets(kind)
            cells[kind] = f"{r.hits('alone', lines)} / {r.hits('whole', lines)} of {len(lines)}"
        cells.update({"look-alikes": f"{r.hits('alone', kept)} / {r.hits('whole', kept)} of {len(kept)} kept",
                      "[...]=": f"{len(writes['alone'][0])} / {len(writes['whole'][0])}",
                      "[...]op=": f"{len(writes['alone'][1])} / {len(writes['whole'][1])}",
                      "failures": f"{len(r.runs['alone'].failures)} / {len(r.runs['whole'].failures)}"})
        print("| " + " | ".join(cells.values()) + " |")
        summary.append("; ".join(f"{key} {value}" for key, value in cells.items()))
    code = [(r, t) for r in results for t in r.targets("code")]
    totals = {mode: sum(r.runs[mode].rewrote(t) for r, t in code) for mode in MODES}
    print(f"| all | {len(code)} | {ratio(totals['alone'], len(code))} | {ratio(totals['whole'], len(code))} "
          + "| " * (4 + len(apart)) + "|")
    summary.append(f"all: code alone {ratio(totals['alone'], len(code))}, whole {ratio(totals['whole'], len(code))}")
    return summary


def misses_report(r: Result) -> list[str]:
    lines = [f"######## {r.pair.library} {r.pair.old} -> {r.pair.new}"]
    for kind, title in KINDS.items():
        lines += ["", f"## missed targets, {title} (maintainers migrated, the tool did not)", ""]
        for target in r.targets(kind):
            missed = [mode for mode in MODES if not r.runs[mode].rewrote(target)]
            if missed or kind == "not NNX":
                lines += [f"{target.path}:{target.number}  [{target.form}] missed {' and '.join(missed) or 'by neither'}"
                          + (f"  ({target.reason})" if target.reason else ""),
                          f"    old: {target.old.strip()}", f"    new: {target.maintainers.strip()}"]
    lines += ["", "## look-alikes: maintainers kept the line, the tool rewrote it (review)", ""]
    for kept in r.comparison.kept:
        modes = [mode for mode in MODES if r.runs[mode].rewrote(kept)]
        if modes:
            run = r.runs[modes[0]]
            after = run.lines[kept.path][run.pairs[kept.path][kept.number - 1]]
            lines += [f"{kept.path}:{kept.number}  [{kept.form}] rewritten {' and '.join(modes)}",
                      f"    old:  {kept.old.strip()}", f"    tool: {after.strip()}"]
    lines += ["", "## `[...] =` and `[...] op=` writes the tool made (path:old line: the tool's line)", ""]
    for mode in MODES:
        plain, augmented = r.writes(mode)
        lines += [f"{mode}: {write}" for write in plain + augmented]
    lines += ["", "## failures", ""] + [f"{mode}: {f}" for mode in MODES for f in r.runs[mode].failures]
    return lines + [""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", help="run nnx-migrate from this git ref of the repository (default: the installed one)")
    parser.add_argument("--library", action="append", choices=[p.library for p in PAIRS], help="only these (repeatable)")
    parser.add_argument("--misses", type=Path, help="write the missed targets and the look-alikes here")
    parser.add_argument("--log", type=Path, help="append the figures here, with a timestamp")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per nnx-migrate process")
    args = parser.parse_args()
    pairs = [p for p in PAIRS if not args.library or p.library in args.library]
    results = []
    with tempfile.TemporaryDirectory(prefix="nnx-migrate-recall-") as scratch_name:
        scratch = Path(scratch_name)
        env, tool = tool_environment(args.ref, scratch)
        for pair in pairs:
            old_root = wheel_sources(pair.dist, pair.old)
            comparison = compare_releases(old_root, wheel_sources(pair.dist, pair.new), pair.package,
                                          NOT_NNX.get(pair.library, ()))
            paths = sorted({line.path for line in comparison.targets + comparison.kept})
            work = scratch / pair.library
            (work / "alone").mkdir(parents=True)
            runs = {"alone": run_alone(old_root, paths, env, work / "alone", args.timeout),
                    "whole": run_whole(old_root, pair.package, paths, env, work, args.timeout)}
            results.append(Result(pair, comparison, runs, old_root))
    print(f"tool: {tool}")
    print()
    summary = print_table(results)
    for r in results:
        for mode in MODES:
            for failure in r.runs[mode].failures:
                print(f"failure ({r.pair.library}, {mode}): {failure.splitlines()[0]}")
    if args.misses:
        args.misses.write_text("\n".join(line for r in results for line in misses_report(r)), encoding="utf-8")
        print(f"misses, look-alikes and writes: {args.misses}")
    if args.log:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        with args.log.open("a", encoding="utf-8") as log:
            log.write(f"{stamp}  tool {tool}\n" + "".join(f"    {line}\n" for line in summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
