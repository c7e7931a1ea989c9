"""How the cost of a cold run grows with file size, for each shape of file.

    python benchmarks/cost.py [--sizes 5000,10000,20000,50000] [--shapes classes,...]
                              [--repeat 1] [--timeout 900] [--no-syntax-error] [--no-tree]

Each case runs in a fresh subprocess (`run([folder], Settings(), folder, write=False)`,
one job, no cache), on one generated file (benchmarks/generated.py): its CPU seconds
(`time.process_time` around the run, imports left out), the process's peak RSS, and the
seconds per 10,000 lines (with `--repeat N`, the least CPU of N runs: on a shared
machine other processes only ever add to it). The last column of a shape's largest size is the ratio of its
per-line cost to that of the smallest size: 1.0 is linear growth.

Then the same `classes` files with a syntax error on their last line (a file that does
not parse must cost one parse: the libcst parse of that file is printed beside it), and
a tree of 1,000 files that never mention flax plus 24 NNX files, against the same 24
files alone and libcst's parse of them (the floor): the tree must cost about what its
NNX files cost.

The code measured is the `nnx_migrate` that the interpreter imports (set PYTHONPATH to
measure another checkout).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generated  # noqa: E402


def _case(kind: str, shape: str, lines: int, folder: Path) -> dict:
    """Runs in the subprocess: build the case, migrate it, report."""
    import resource

    from nnx_migrate.config import Settings
    from nnx_migrate.pipeline import run

    if kind == "tree":
        plain, nnx = generated.write_few_nnx_tree(folder)
        lines = plain + nnx
    elif kind == "nnx-only":  # the tree's NNX files alone
        generated.write_few_nnx_tree(folder, plain_files=0)
        lines = sum(p.read_text().count("\n") for p in folder.rglob("*.py"))
    else:
        text = generated.generate(shape, lines)
        if kind == "syntax-error":
            text = generated.with_syntax_error(text)
        (folder / "generated.py").write_text(text)
        lines = text.count("\n")
    import libcst

    warm_up = folder.parent / f"{folder.name}-warm-up"  # the rules and libcst imported before the clock starts
    warm_up.mkdir()
    (warm_up / "w.py").write_text("from flax import nnx\nx = nnx.Param(1)\ny = x.value\n")
    run([warm_up], Settings(), warm_up, write=False)
    start = time.process_time()
    result = run([folder], Settings(), folder, write=False)
    cpu = time.process_time() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the run's peak, before the floor's parse
    floor = None
    if kind in ("syntax-error", "nnx-only"):  # what libcst's parse of the same files costs
        texts = [p.read_text() for p in sorted(folder.rglob("*.py"))]
        start = time.process_time()
        for text in texts:
            try:
                libcst.parse_module(text)
            except libcst.ParserSyntaxError:
                pass
        floor = time.process_time() - start
    return {"lines": lines, "cpu": cpu, "floor": floor, "parsed": result.parsed,
            "failed": len(result.failed), "changed": len(result.changed),
            "rss_mb": rss_mb}


def measure(kind: str, shape: str, lines: int, timeout: float, repeat: int = 1) -> dict | None:
    """The case's report from a fresh subprocess (the run of least CPU of `repeat`), None
    past `timeout` seconds."""
    command = [sys.executable, __file__, "--case", kind, shape, str(lines)]
    found = []
    for _ in range(repeat):
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
        except subprocess.TimeoutExpired:
            return None
        found.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return min(found, key=lambda report: report["cpu"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="5000,10000,20000,50000")
    parser.add_argument("--shapes", default=",".join(generated.SHAPES))
    parser.add_argument("--timeout", type=float, default=900, help="seconds per run of a case")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case; the least CPU is shown")
    parser.add_argument("--no-syntax-error", action="store_true")
    parser.add_argument("--no-tree", action="store_true")
    parser.add_argument("--case", nargs=3, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.case:
        kind, shape, lines = arguments.case
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "case").mkdir()
            print(json.dumps(_case(kind, shape, int(lines), Path(folder) / "case")))
        return

    sizes = [int(s) for s in arguments.sizes.split(",")]
    cases = [("file", shape) for shape in arguments.shapes.split(",")]
    if not arguments.no_syntax_error:
        cases.append(("syntax-error", "classes"))
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; CPU seconds of the run, one job, no cache")
    print()
    print("| shape | lines | CPU s | peak MB | CPU s per 10k lines | largest / smallest per line |")
    print("|---|---|---|---|---|---|")
    for kind, shape in cases:
        label = shape if kind == "file" else f"{shape}, syntax error on the last line"
        first = None
        for position, size in enumerate(sizes):
            found = measure(kind, shape, size, arguments.timeout, arguments.repeat)
            if found is None:
                print(f"| {label} | {size} | over {arguments.timeout:.0f} | | | |", flush=True)
                continue
            per = found["cpu"] / found["lines"] * 10_000
            first = per if first is None else first
            ratio = f"{per / first:.2f}" if position == len(sizes) - 1 else ""
            floor = f" (libcst parse {found['floor']:.2f})" if found["floor"] is not None else ""
            print(f"| {label} | {found['lines']} | {found['cpu']:.2f}{floor} | {found['rss_mb']:.0f} | {per:.3f} | "
                  f"{ratio} |", flush=True)
    if not arguments.no_tree:
        tree = measure("tree", "classes", 0, arguments.timeout, arguments.repeat)
        alone = measure("nnx-only", "classes", 0, arguments.timeout, arguments.repeat)
        print()
        print("| tree | lines | files parsed | CPU s | peak MB | x the NNX files alone | x libcst parse of the NNX files |")
        print("|---|---|---|---|---|---|---|")
        for label, found in (("1,000 files without flax + 24 NNX files", tree), ("the 24 NNX files alone", alone)):
            if found is None or alone is None:
                print(f"| {label} | | | over {arguments.timeout:.0f} | | | |")
                continue
            print(f"| {label} | {found['lines']} | {found['parsed']} | {found['cpu']:.2f} | {found['rss_mb']:.0f} | "
                  f"{found['cpu'] / alone['cpu']:.2f} | {found['cpu'] / alone['floor']:.2f} |")


if __name__ == "__main__":
    main()
