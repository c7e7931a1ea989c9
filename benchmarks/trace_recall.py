"""Trace-guided recall on flax's own tests: what `nnx-migrate trace` + `--evidence` adds.

    python benchmarks/trace_recall.py [--version 0.11.2] [--keep DIR] [--jobs 2] [-k EXPR]
                                      [--trace-jobs 1] [--explain N] [--evidence FILE]

`tests/nnx` of the flax==VERSION sdist (as in suite_migration.py) is the user code. Steps:

1. trace: `nnx-migrate trace -o evidence.json -- OLD/bin/python -m pytest tests` in a copy
   of the suite, OLD being a virtual environment with flax VERSION, the jax it runs with,
   pytest, pytest-xdist, absl-py, cloudpickle and optax (made once with uv, in `envs/` of
   the corpus cache: $NNX_MIGRATE_CORPUS_CACHE, else .corpus-cache/). Serial by default:
   with `-n 2` a worker's fragment is lost when jax's own exit handler takes longer than
   pytest-xdist waits for a worker to end (see docs/inference.md);
2. migrate two more copies: `nnx-migrate tests --output-format json` (static inference
   only) and the same with `--evidence evidence.json`;
3. (a) of the sites the traced run executed in the suite (`.value` / `.raw_value` reads
   and writes of a Variable, `m.iter_modules()` / `m.iter_children()` on a Module, and
   in-place operators on a Variable and Module attributes assigned containers of data),
   the share each migration rewrote: a site counts as rewritten when the JSON report has
   an edit of its rule anchored on it;
4. (b) run the three copies (unmigrated, static, evidence) under the flax of this
   interpreter (0.12.8) and count the DeprecationWarning entries of pytest's warnings
   summary (pytest shows them by default; no filter is configured): distinct
   `file:line: message` locations, those whose message is flax's own, and those in the
   suite's files;
5. (c) tests that passed unmigrated on the new flax and fail after a migration (must be 0);
6. for up to N executed sites the evidence migration left alone (`--explain N`, default
   40), `nnx-migrate explain FILE:LINE:COL --project COPY --evidence evidence.json`, its
   verdict line tallied (the answers are kept in explain.txt with --keep).

Exit status 1 when a test broke or a run produced nothing.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))
from corpus import CorpusUnavailable, cache_dir, run_bounded  # noqa: E402
from suite_migration import junit_outcomes, pytest_arguments, sdist_tests  # noqa: E402

from nnx_migrate.rule import FileContext  # noqa: E402

TIMEOUT = 3600  # seconds for one run of the suite
# The old side's test tools, the versions the new side's environment has.
EXTRAS = ("pytest==9.2.0", "pytest-xdist==3.8.0", "absl-py==2.5.1", "cloudpickle==3.1.3", "optax==0.2.8")

# What the run records, by the rule that uses it: (site kinds, rule, row label).
CATEGORIES = (
    (("value-read", "value-write"), "value-access", "`.value` on a Variable"),
    (("raw_value-read", "raw_value-write"), "value-access", "`.raw_value` on a Variable"),
    (("iter_modules", "iter_children"), "introspection-functions", "`m.iter_modules()` / `m.iter_children()`"),
    (("in-place",), "value-access", "in-place operator on a Variable"),
    (("container",), "module-containers", "container of data on a Module attribute"),
)
REQUESTED = 3  # the first three rows are the sites issue 21 asks about


def old_python(version: str) -> Path:
    """The interpreter of a cached environment holding flax==`version` and the test tools."""
    from nnx_migrate.verify.envs import requirements_for

    requirements = requirements_for(version, EXTRAS)
    name = "-".join(r.replace("==", "-") for r in requirements[:3]) + "-pytest"
    target = cache_dir() / "envs" / name
    python = target / "bin" / "python"
    if (target / ".complete").exists() and python.exists():
        return python
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    for command in ([uv, "venv", "-q", "-p", f"{sys.version_info[0]}.{sys.version_info[1]}", str(target)],
                    [uv, "pip", "install", "-q", "--python", str(python), *requirements]):
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise CorpusUnavailable(f"{' '.join(command[:3])} failed: {result.stderr.strip()[-1500:]}")
    (target / ".complete").touch()
    return python


def copy_suite(tests: Path, root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(tests, root / "tests" / "nnx")
    (root / "tests" / "__init__.py").touch()
    return root


def migrate(root: Path, evidence: Path | None) -> dict:
    command = [sys.executable, "-m", "nnx_migrate", "tests", "-q", "--no-cache", "--output-format", "json"]
    if evidence is not None:
        command += ["--evidence", str(evidence)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=root)
    if result.returncode not in (0, 1):
        raise SystemExit(f"nnx-migrate exited {result.returncode}: {result.stderr[-3000:]}")
    return json.loads(result.stdout)


# -- (a) executed sites and whether a migration rewrote them ------------------------------------
class Source:
    """One original file: its AST (byte columns, as the recorder's) and character columns."""

    def __init__(self, path: Path):
        self.text = path.read_text(encoding="utf-8")
        self.lines = self.text.splitlines(keepends=True)
        self.tree = ast.parse(self.text)
        self.parents: dict[int, ast.AST] = {}
        self.by_end: dict[tuple[int, int], list[ast.AST]] = defaultdict(list)
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
            if hasattr(node, "end_lineno"):
                self.by_end[(node.end_lineno, node.end_col_offset)].append(node)

    def char_column(self, line: int, byte_column: int) -> int:
        return len(self.lines[line - 1].encode("utf-8")[:byte_column].decode("utf-8", errors="replace"))

    # the position a rule's edit is reported at: the rules' own code, with this char_column
    anchor = FileContext.anchor

    def site_node(self, site: dict) -> ast.AST | None:
        """The node the recorded site is: the one the rules look its evidence up by."""
        kind = site["kind"]
        for node in self.by_end.get((site["end_line"], site["end_column"]), []):
            if kind.startswith(("value-", "raw_value-")) and isinstance(node, ast.Attribute) \
                    and node.attr == kind.split("-")[0]:
                return node
            if kind in ("iter_modules", "iter_children") and isinstance(node, ast.Call) \
                    and isinstance(node.func, ast.Attribute) and node.func.attr == kind:
                return node
            if kind == "in-place" and isinstance(node, ast.AugAssign):
                return node
            if kind == "container" and isinstance(node, ast.Attribute) \
                    and isinstance(self.parents.get(id(node)), (ast.Assign, ast.AnnAssign)):
                return node
        return None

    def anchors(self, node: ast.AST) -> set[tuple[int, int]]:
        """Where an edit of this site may be reported: the node itself, `x.value.shape`'s
        `.shape` (read through the Variable), the statement writing it."""
        found = {self.anchor(node)}
        parent = self.parents.get(id(node))
        if isinstance(parent, ast.Attribute) and parent.value is node:
            found.add(self.anchor(parent))
        return found


def executed_sites(evidence: dict, root: Path) -> dict[str, list[tuple[str, tuple, set, set]]]:
    """category label -> [(path, (line, 1-based column) where it starts, kinds, anchors of
    its edit)], one entry per position
    in the suite's files (a read and a write of one `.value`, as in `v.value += 1`, are one)."""
    sites: dict[str, dict[tuple, list]] = {label: {} for _, _, label in CATEGORIES}
    for path, entry in sorted(evidence["files"].items()):
        if not path.startswith("tests/") or not (root / path).is_file():
            continue
        source = Source(root / path)
        for site in entry["sites"]:
            for kinds, _rule, label in CATEGORIES:
                if site["kind"] not in kinds:
                    continue
                node = source.site_node(site)
                key = (path, site["end_line"], site["end_column"])
                if key in sites[label]:
                    sites[label][key][2].add(site["kind"])
                    continue
                anchors = source.anchors(node) if node is not None else set()
                start = (site["line"], source.char_column(site["line"], site["column"] or 0) + 1)
                sites[label][key] = [path, start, {site["kind"]}, anchors]
    return {label: [tuple(value) for value in found.values()] for label, found in sites.items()}


def edits_by_file(report: dict) -> dict[str, dict[tuple[str, int, int], dict]]:
    found: dict[str, dict] = {}
    for file in report["files"]:
        found[file["path"]] = {(e["rule"], e["line"], e["column"] - 1): e for e in file.get("edits", [])}
    return found


def rewritten(site, rule: str, edits: dict) -> dict | None:
    path, _start, _kinds, anchors = site
    here = edits.get(path, {})
    for line, column in anchors:
        edit = here.get((rule, line, column))
        if edit is not None:
            return edit
    return None


# -- (b) DeprecationWarnings in pytest's warnings summary ------------------------------------------
WARNING_LINE = re.compile(r"^  (\S.*?):(\d+): (\w+(?:Warning|Error)): (.*)$")


def flax_messages() -> str:
    """The text of the new flax's sources: a warning whose first line is in it is flax's."""
    import flax

    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in Path(flax.__file__).parent.rglob("*.py"))


def deprecation_warnings(output: str, root: Path, flax_text: str) -> list[tuple[str, int, str, bool]]:
    """(file, line, first line of message, is flax's) of each DeprecationWarning entry in the
    warnings summary; files under `root` relative to it."""
    found = []
    summary = output.split("warnings summary", 1)
    if len(summary) < 2:
        return found
    lines = summary[1].split("-- Docs:", 1)[0].splitlines()
    for number, text in enumerate(lines):
        match = WARNING_LINE.match(text)
        if not match or match.group(3) != "DeprecationWarning":
            continue
        file, line, message = match.group(1), int(match.group(2)), match.group(4).strip()
        if not message:  # a message starting with a newline: its first line of text
            message = next((rest.strip() for rest in lines[number + 1:number + 4] if rest.strip()), "")
        try:
            file = Path(file).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
        found.append((file, line, message, message[:40] in flax_text))
    return sorted(set(found))


def kind_of(message: str) -> str:
    for needle, kind in (("'.value' access", "`.value` read"), ("'.value' setter", "`.value` write"),
                         ("'.raw_value'", "`.raw_value`"), ("iter_modules", "`m.iter_modules()`"),
                         ("iter_children", "`m.iter_children()`")):
        if needle in message:
            return kind
    return message[:70]


# -- (explain) why an executed site was left alone ---------------------------------------------------
def explain(root: Path, evidence: Path, where: str) -> str:
    result = subprocess.run([sys.executable, "-m", "nnx_migrate", "explain", where, "--project", str(root),
                             "--evidence", str(evidence)], capture_output=True, text=True, cwd=root)
    return (result.stdout + result.stderr).strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", default="0.11.2", help="the flax release whose tests/nnx is traced and migrated")
    parser.add_argument("--keep", type=Path, help="leave the copies of the suite (and evidence.json) in this folder")
    parser.add_argument("-k", dest="select", help="pytest -k expression: run only these tests")
    parser.add_argument("--jobs", type=int, default=2, help="pytest-xdist workers for the runs on the new flax")
    parser.add_argument("--trace-jobs", type=int, default=1,
                        help="pytest-xdist workers for the traced run (default: serial; see docs/inference.md)")
    parser.add_argument("--explain", type=int, default=40, metavar="N",
                        help="run `nnx-migrate explain` on up to N executed sites left alone")
    parser.add_argument("--evidence", type=Path, help="use this evidence file (of an unchanged copy) instead of tracing")
    arguments = parser.parse_args()
    import flax

    tests = sdist_tests(arguments.version)
    work = arguments.keep.resolve() if arguments.keep else Path(tempfile.mkdtemp(prefix="trace-recall-"))
    started = time.monotonic()
    timings = {}

    # 1. trace under the old flax
    traced = copy_suite(tests, work / "traced")
    evidence_file = traced / "evidence.json"
    old_outcomes: dict = {}
    trace_line = f"evidence from {arguments.evidence}"
    if arguments.evidence:
        shutil.copyfile(arguments.evidence, evidence_file)
    else:
        old = old_python(arguments.version)
        trace = [sys.executable, "-m", "nnx_migrate", "trace", "-o", str(evidence_file), "--", str(old),
                 *pytest_arguments(traced, arguments.trace_jobs, arguments.select)]
        result = run_bounded(trace, TIMEOUT, cwd=traced)
        trace_line = next((line for line in (result.stderr + result.stdout).splitlines()[::-1]
                           if line.startswith("nnx-migrate trace:")), "") if result else "timed out"
        timings["trace"] = time.monotonic() - started
        old_outcomes = junit_outcomes(traced / "junit.xml")
    if not evidence_file.exists():
        print("the traced run wrote no evidence")
        return 1
    evidence = json.loads(evidence_file.read_text())

    # 2. migrate: static inference only, and with the evidence
    roots = {"unmigrated": copy_suite(tests, work / "unmigrated")}
    reports = {}
    for side in ("static", "evidence"):
        roots[side] = copy_suite(tests, work / side)
        used = None
        if side == "evidence":
            used = roots[side] / "evidence.json"
            shutil.copyfile(evidence_file, used)
        reports[side] = migrate(roots[side], used)

    # 3. (a) recall on executed sites
    sites = executed_sites(evidence, roots["unmigrated"])
    edits = {side: edits_by_file(reports[side]) for side in reports}
    left: list[tuple[str, tuple]] = []
    recall_rows = []
    for kinds, rule, label in CATEGORIES:
        found = sites[label]
        static = sum(1 for s in found if rewritten(s, rule, edits["static"]))
        with_evidence = [rewritten(s, rule, edits["evidence"]) for s in found]
        from_evidence = sum(1 for e in with_evidence if e and e.get("from_evidence"))
        done = sum(1 for e in with_evidence if e)
        left += [(label, s) for s, e in zip(found, with_evidence) if not e]
        recall_rows.append((label, len(found), static, done, from_evidence))

    # 4. (b) and (c): the three copies on the new flax
    flax_text = flax_messages()
    runs = {}
    for side, root in roots.items():
        begun = time.monotonic()
        result = run_bounded([sys.executable, *pytest_arguments(root, arguments.jobs, arguments.select)], TIMEOUT, cwd=root)
        timings[side] = time.monotonic() - begun
        output = (result.stdout + "\n" + result.stderr) if result else ""
        (root / "pytest-output.txt").write_text(output)
        runs[side] = (junit_outcomes(root / "junit.xml"), deprecation_warnings(output, root, flax_text))

    # -- the report
    print(f"flax {arguments.version} tests/nnx: traced under flax {arguments.version} "
          f"({', '.join(sorted({r['flax'] for r in evidence['runs'] if r.get('flax')}))}, "
          f"{len(evidence['runs'])} processes), migrated and run on flax {flax.__version__} "
          f"(Python {sys.version.split()[0]})")
    print(trace_line)
    if old_outcomes:
        passed_old = sum(1 for o, _ in old_outcomes.values() if o == "passed")
        print(f"traced run: {len(old_outcomes)} tests, {passed_old} passed under flax {arguments.version}")
    print()
    print("(a) executed sites rewritten")
    print()
    print("| site the traced run executed | executed | rewritten, static only | rewritten with evidence "
          "| of which from evidence |")
    print("|---|---|---|---|---|")
    total = [0, 0, 0, 0]
    for index, (label, count, static, done, from_evidence) in enumerate(recall_rows):
        if index < REQUESTED:
            total = [total[0] + count, total[1] + static, total[2] + done, total[3] + from_evidence]
        print(f"| {label} | {count} | {_share(static, count)} | {_share(done, count)} | {from_evidence} |")
    print(f"| **`.value` / `.raw_value` / `iter_*` together** | {total[0]} | {_share(total[1], total[0])} | "
          f"{_share(total[2], total[0])} | {total[3]} |")
    for side in ("static", "evidence"):
        summary = reports[side].get("summary", {})
        counts = Counter(e["rule"] for f in reports[side]["files"] for e in f.get("edits", []))
        extra = summary.get("evidence", {})
        note = (f"; {extra.get('rewrites')} from evidence, {extra.get('unexecuted_value_sites')} `.value` sites neither "
                "proven nor seen on a Variable") if extra else ""
        rules = ", ".join(f"{rule} {n}" for rule, n in counts.most_common())
        print(f"\n{side} migration: {sum(counts.values())} edits ({rules}){note}")

    print()
    print("(b) DeprecationWarning entries in pytest's warnings summary, on flax " + flax.__version__)
    print()
    print("| suite | tests | passed | DeprecationWarning locations | flax's | flax's, in the suite's files "
          "| broken (passed unmigrated, fail here) |")
    print("|---|---|---|---|---|---|---|")
    base_passed = {n for n, (o, _) in runs["unmigrated"][0].items() if o == "passed"}
    broken_by = {}
    for side in roots:
        results, warnings_found = runs[side]
        passed = {n for n, (o, _) in results.items() if o == "passed"}
        broken_by[side] = sorted(base_passed - passed)
        flax_own = [w for w in warnings_found if w[3]]
        in_suite = [w for w in flax_own if w[0].startswith("tests/")]
        broken = "-" if side == "unmigrated" else str(len(broken_by[side]))
        print(f"| {side} | {len(results)} | {len(passed)} | {len(warnings_found)} | {len(flax_own)} "
              f"| {len(in_suite)} | {broken} |")
    print()
    print("flax's DeprecationWarnings by kind (unmigrated / static / evidence):")
    kinds = Counter()
    per_side = {side: Counter(kind_of(w[2]) for w in runs[side][1] if w[3]) for side in roots}
    for side in roots:
        kinds.update(per_side[side])
    for kind, _ in kinds.most_common():
        print(f"  {kind}: {' / '.join(str(per_side[s][kind]) for s in roots)}")
    remaining = [w for w in runs["evidence"][1] if w[3]]
    executed_lines = {(site[0], site[1][0]) for found in sites.values() for site in found}
    left_lines = {(site[0], site[1][0]) for _, site in left}
    recall_kinds = ("`.value` read", "`.value` write", "`.raw_value`", "`m.iter_modules()`", "`m.iter_children()`")
    in_scope = [w for w in remaining if w[0].startswith("tests/") and kind_of(w[2]) in recall_kinds]
    same = "the same as the original ones" if _same_line_counts(roots) else "some files changed length"
    print(f"\nof the {len(in_scope)} left on `.value` / `.raw_value` / `iter_*` lines of the suite's files (migrated "
          f"line numbers; {same}): "
          f"{sum(1 for w in in_scope if (w[0], w[1]) in left_lines)} at executed sites left alone, "
          f"{sum(1 for w in in_scope if (w[0], w[1]) in executed_lines and (w[0], w[1]) not in left_lines)} on lines "
          f"with rewritten executed sites, {sum(1 for w in in_scope if (w[0], w[1]) not in executed_lines)} on lines the "
          "traced run never executed")
    if remaining:
        print("\nflax DeprecationWarnings left after the evidence migration:")
        for file, line, message, _ in remaining:
            print(f"  {file}:{line}: {message[:100]}")
    for side in ("static", "evidence"):
        if broken_by[side]:
            print(f"\nbroken by the {side} migration:")
            for name in broken_by[side]:
                print(f"  {name}: {runs[side][0].get(name, ('missing', 'not run'))[1][:200]}")

    # 6. why the evidence migration left executed sites alone
    if left:
        print(f"\n(a) executed sites left alone with evidence: {len(left)}")
        verdicts = Counter()
        for number, (label, (path, (line, column), kinds_seen, _)) in enumerate(left):
            where = f"{path}:{line}:{column}"
            if number >= arguments.explain:
                print(f"  {where} ({label}, {'/'.join(sorted(kinds_seen))}): not explained (--explain)")
                continue
            text = explain(traced, evidence_file, where)
            with (work / "explain.txt").open("a") as answers:
                answers.write(text + "\n\n")
            verdict = _verdict(text)
            verdicts[verdict] += 1
            print(f"  {where} ({label}, {'/'.join(sorted(kinds_seen))}): {verdict}")
        print("\nverdicts:")
        for verdict, count in verdicts.most_common():
            print(f"  {count} x {verdict}")
    timings["total"] = time.monotonic() - started
    print("\nwall seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in timings.items()))
    if not arguments.keep:
        shutil.rmtree(work, ignore_errors=True)
    if not runs["unmigrated"][0]:
        print("the suite ran no test")
        return 1
    return 1 if broken_by["static"] or broken_by["evidence"] else 0


def _same_line_counts(roots: dict[str, Path]) -> bool:
    for path in (roots["unmigrated"] / "tests").rglob("*.py"):
        migrated = roots["evidence"] / path.relative_to(roots["unmigrated"])
        if len(path.read_text(encoding="utf-8").splitlines()) != len(migrated.read_text(encoding="utf-8").splitlines()):
            return False
    return True


def _share(part: int, whole: int) -> str:
    return f"{part} ({100 * part / whole:.0f}%)" if whole else "0"


def _verdict(text: str) -> str:
    """The line of `explain`'s answer that says what happened to the site (the last one
    starting with a verdict word), else its last line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith(("rewritten", "left alone", "reported", "not rewritten", "unknown", "no ")):
            return line[:220]
    return lines[-1][:220] if lines else "(no answer)"


if __name__ == "__main__":
    sys.exit(main())
