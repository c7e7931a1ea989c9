"""Benchmark: what `nnx-migrate trace` costs the program it records.

    python benchmarks/trace_overhead.py [--repeat 5]

For each workload, one process runs it once to warm up (imports, jit compilation) and then
times `--repeat` more runs in the same process; that is done without the recorder, with it
installed (as `nnx-migrate trace` installs it), and with it recording cases too
(`--record-cases`), and the table gives the ratios of the medians. The warm-up run is also
reported for `--record-cases`: it is the one that records (later runs construct the same
Modules, which are recorded once). Times are CPU seconds of the process (all its threads), which a busy shared
machine disturbs far less than wall-clock time. Workloads: examples/train_010/train.py's `main()` under flax 0.10.7, the registry
example's `main()` under flax 0.11.2 (both from the cached environments the tests build),
and a worst case: 100,000 `Variable.value` reads and writes in an eager Python loop.
Compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nnx_migrate.trace import run_trace  # noqa: E402
from nnx_migrate.verify.envs import baseline_python  # noqa: E402

HARNESS = """\
import contextlib, io, json, os, runpy, sys, time
script, repeat, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
if script == "eager":
    from flax import nnx
    import jax.numpy as jnp
    variable = nnx.Variable(jnp.ones(()))
    def main():
        for _ in range(50_000):
            variable.value = variable.value
else:
    main = runpy.run_path(script)["main"]
times = []
for _ in range(repeat + 1):
    start = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        main()
    times.append(time.process_time() - start)
json.dump(times, open(out, "w"))
"""


def measure(python: str, script: str, repeat: int, mode: str, work: Path) -> list[float]:
    """CPU seconds of each run, the warm-up first; mode: plain, traced or cases."""
    harness = work / "harness.py"
    harness.write_text(HARNESS)
    out = work / f"times-{mode}.json"
    command = [str(harness), script, str(repeat), str(out)]
    if mode != "plain":
        cases = work / "cases.npz" if mode == "cases" else None
        result = run_trace(command, work / "evidence.json", python=python, cwd=work, cases=cases)
        code = result.returncode
    else:
        code = subprocess.run([python, *command], cwd=work).returncode
    if code != 0:
        raise SystemExit(f"{script} failed under {python}")
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workloads = [
        ("examples/train_010/train.py", "0.10.7", str(REPO / "examples" / "train_010" / "train.py")),
        ("examples/registry_project/train.py", "0.11.2", str(REPO / "examples" / "registry_project" / "train.py")),
        ("100k eager .value reads+writes", "0.11.2", "eager"),
    ]
    rows = []
    for name, flax, script in workloads:
        python = str(baseline_python(flax))
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            times = {mode: measure(python, script, args.repeat, mode, work) for mode in ("plain", "traced", "cases")}
        rows.append((name, flax, *(statistics.median(times[m][1:]) for m in ("plain", "traced", "cases")),
                     times["plain"][0], times["cases"][0]))
    print(f"{'workload':40} {'flax':8} {'plain cpu s':>12} {'traced':>8} {'ratio':>6} {'+cases':>8} {'ratio':>6}"
          f" {'warm-up plain':>14} {'+cases':>8} {'ratio':>6}")
    for name, flax, plain, traced, cases, first_plain, first_cases in rows:
        print(f"{name:40} {flax:8} {plain:12.4f} {traced:8.4f} {traced / plain:6.2f} {cases:8.4f} {cases / plain:6.2f}"
              f" {first_plain:14.4f} {first_cases:8.4f} {first_cases / first_plain:6.2f}")
    print(f"(median of {args.repeat} runs after a warm-up, one process each; {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
