"""Per-file cost and rewrites per rule on the real corpus (tests/corpus.py: CORPUS).

    python benchmarks/per_file.py [--timeout 60] [--release LABEL-SUBSTRING] [--slowest 5]

For each release: every `.py` file migrated alone (`--check`, in this process, no cache),
timed: median, p95 and max, the slowest files, and the files over `--timeout` seconds
(stopped by an alarm: a file the tool cannot finish is listed, not waited for). Then the
whole tree migrated at once by the CLI (`--check --output-format json`, cold, all cores):
its seconds, the rewrites per rule, the files it failed and the items reported.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from corpus import CORPUS, run_bounded, wheel_sources  # noqa: E402


class Overtime(BaseException):
    """Raised by the alarm; a BaseException so that no per-file error handler swallows it."""


def _alarm(signum, frame):
    raise Overtime


def time_files(tree: Path, timeout: int) -> tuple[dict[Path, float], list[Path], list[str]]:
    """Seconds per file (each migrated alone), the files over `timeout`, and failures."""
    from nnx_migrate.config import Settings
    from nnx_migrate.pipeline import run

    seconds, over, failed = {}, [], []
    warm_up = tree.parent / "warm_up.py"  # imports libcst and the rules before the first timing
    warm_up.write_text("from flax import nnx\nx = nnx.Param(1)\ny = x.value\n")
    run([warm_up], Settings(), tree.parent, write=False)
    warm_up.unlink()
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for path in sorted(tree.rglob("*.py")):
            start = time.perf_counter()
            signal.alarm(timeout)
            try:
                result = run([path], Settings(), path.parent, write=False)
            except Overtime:
                over.append(path)
                continue
            finally:
                signal.alarm(0)
            seconds[path] = time.perf_counter() - start
            failed += [f"{f.display}: {f.error}" for f in result.failed]
    finally:
        signal.signal(signal.SIGALRM, previous)
    return seconds, over, failed


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def whole_tree(tree: Path, timeout: int) -> dict:
    """One cold `--check` of the whole tree by the CLI with all cores."""
    cores = os.cpu_count() or 1
    start = time.perf_counter()
    done = run_bounded([sys.executable, "-m", "nnx_migrate", str(tree), "--check", "--no-cache",
                        "--output-format", "json", "-j", str(cores)], timeout, cwd=tree.parent)
    if done is None:
        return {"seconds": None, "error": f"not done after {timeout} s"}
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1, 123):
        return {"seconds": seconds, "error": f"exit {done.returncode}: {done.stderr.strip()[-300:]}"}
    report = json.loads(done.stdout)
    return {
        "seconds": seconds,
        "exit": done.returncode,
        "rules": Counter(edit["rule"] for f in report["files"] for edit in f["edits"]),
        "failed": [f"{f['path']}: {f['error']}" for f in report["files"] if f["status"] == "failed"],
        "reported": sum(len(f.get("diagnostics", [])) for f in report["files"]),
        "tracebacks": done.stderr.count("Traceback"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=60, help="seconds per file before it is stopped")
    parser.add_argument("--tree-timeout", type=int, default=900, help="seconds for the whole-tree run")
    parser.add_argument("--release", action="append", help="only releases whose label contains this (repeatable)")
    parser.add_argument("--slowest", type=int, default=5, help="list this many slowest files per release")
    args = parser.parse_args()
    releases = [r for r in CORPUS if not args.release or any(s in r.label for s in args.release)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="nnx-migrate-per-file-") as scratch:
        for number, release in enumerate(releases):
            tree = Path(scratch) / str(number) / Path(release.folder).name
            shutil.copytree(wheel_sources(release.dist, release.version) / release.folder, tree)
            seconds, over, failed = time_files(tree, args.timeout)
            rows.append((release, tree, seconds, over, failed, whole_tree(tree, args.tree_timeout)))

    print(f"{os.cpu_count()} cores; Python {sys.version.split()[0]}; per-file limit {args.timeout} s")
    print()
    print("| release | files | median ms | p95 ms | max ms | over the limit | failed (alone) |")
    print("|---|---|---|---|---|---|---|")
    for release, tree, seconds, over, failed, _ in rows:
        times = [1000 * s for s in seconds.values()]
        print(f"| {release.label} | {len(seconds) + len(over)} | {statistics.median(times):.1f} "
              f"| {percentile(times, 0.95):.1f} | {max(times):.1f} | {len(over)} | {len(failed)} |")
    print()
    print("| release | whole tree, cold --check (s) | exit | tracebacks | failed | reported | rewrites per rule |")
    print("|---|---|---|---|---|---|---|")
    for release, tree, seconds, over, failed, whole in rows:
        if "error" in whole:
            print(f"| {release.label} | {whole['seconds'] or '-'} | {whole['error']} | | | | |")
            continue
        rules = ", ".join(f"{rule} {count}" for rule, count in whole["rules"].most_common())
        print(f"| {release.label} | {whole['seconds']:.1f} | {whole['exit']} | {whole['tracebacks']} "
              f"| {len(whole['failed'])} | {whole['reported']} | {rules} |")
    for release, tree, seconds, over, failed, whole in rows:
        print()
        print(f"{release.label}: slowest files alone")
        for path in sorted(seconds, key=seconds.get, reverse=True)[:args.slowest]:
            print(f"    {seconds[path] * 1000:8.0f} ms  {path.relative_to(tree.parent)}")
        for path in over:
            print(f"    over {args.timeout} s: {path.relative_to(tree.parent)}")
        for line in failed + whole.get("failed", []):
            print(f"    failed: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
