"""Benchmark: nnx-migrate against the libcst parse floor, on a monorepo-sized tree.

    python benchmarks/bench.py [--corpus monorepo|real] [--copies 6] [--keep DIR]

Builds a corpus. `monorepo` (the default): the `flax/nnx` sources of the flax 0.10.7 and
0.11.2 wheels (the NNX code to migrate, `--copies` times) and of the installed flax,
padded with the sources of the installed jax (code that never mentions flax). `real`: one
copy of each release of the real corpus (tests/corpus.py: CORPUS; old EasyDeL, tunix and
flax/nnx releases from PyPI), as found. Then, from one run on one machine,
prints: files and MB; the libcst parse-only floor over the files that need parsing;
nnx-migrate `--check` cold and warm with 1 job and with all cores; `python -m libcst.tool
codemod` running the value-access codemod over the same tree; the ratios; peak memory.
Absolute times on a shared machine are noisy: compare the ratios. CPU seconds (user and
system, worker processes included) are steadier on a loaded machine; for one job they are
close to what an idle machine's wall clock gives.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from corpus import CORPUS, OLD_FLAX, wheel_sources  # noqa: E402

MEASURE = (
    "import json, os, resource, signal, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "process = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,\n"
    "                           start_new_session=True)\n"
    "try:\n"
    "    code = process.wait(timeout=float(sys.argv[1]))\n"
    "except subprocess.TimeoutExpired:\n"
    "    os.killpg(process.pid, signal.SIGKILL)  # the pool workers too\n"
    "    process.wait()\n"
    "    code = 'timeout'\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(json.dumps({'seconds': time.perf_counter() - start, 'code': code, 'rss_mb': usage.ru_maxrss / 1024,\n"
    "                  'cpu': usage.ru_utime + usage.ru_stime}))\n"
)
FLOOR = (
    "import json, sys, time, libcst\n"
    "paths = sys.argv[1:]\n"
    "texts = [open(p, encoding='utf-8').read() for p in paths]\n"
    "start, cpu = time.perf_counter(), time.process_time()\n"
    "for text in texts:\n"
    "    libcst.parse_module(text)\n"
    "print(json.dumps({'seconds': time.perf_counter() - start, 'cpu': time.process_time() - cpu}))\n"
)


def build_corpus(root: Path, copies: int) -> None:
    import flax
    import jax

    for version in OLD_FLAX:
        source = wheel_sources("flax", version) / "flax" / "nnx"
        for copy in range(copies):
            shutil.copytree(source, root / f"nnx_{version.replace('.', '_')}_{copy}" / "nnx")
    shutil.copytree(Path(flax.__file__).parent / "nnx", root / "flax_current" / "nnx",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(Path(jax.__file__).parent, root / "padding_jax", ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyi"))


def build_real_corpus(root: Path) -> None:
    for release in CORPUS:
        folder = f"{release.dist}_{release.version}".replace(".", "_").replace("-", "_")
        shutil.copytree(wheel_sources(release.dist, release.version) / release.folder,
                        root / folder / Path(release.folder).name)


def measure(*command: str, cwd: Path, limit: float, expect: tuple[int, ...] = (0, 1, 123)) -> dict:
    """Seconds and peak memory of `command`, None seconds past `limit`. Exit 123 (a file failed)
    is timed too: the run did all its work; the table shows the code."""
    out = subprocess.run([sys.executable, "-c", MEASURE, str(limit), *command], cwd=cwd, capture_output=True,
                         text=True, check=True)
    result = json.loads(out.stdout)
    if result["code"] == "timeout":
        return {**result, "seconds": None}
    if result["code"] not in expect:  # a failed command would time nothing useful
        raise SystemExit(f"{' '.join(command)} exited {result['code']}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=("monorepo", "real"), default="monorepo", help="which tree to measure")
    parser.add_argument("--copies", type=int, default=6, help="copies of the old nnx sources (monorepo)")
    parser.add_argument("--keep", type=Path, help="build the corpus here and keep it")
    parser.add_argument("--limit", type=float, default=1800, help="seconds before a measured command is stopped")
    parser.add_argument("--no-codemod", action="store_true", help="skip the (slow) libcst.tool codemod row")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure the floor and each nnx-migrate row this many times, interleaved; keep the fastest "
                             "(on a busy machine)")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="nnx-migrate-bench-"))
    corpus = workdir / "corpus"
    if not corpus.exists():
        if args.corpus == "real":
            build_real_corpus(corpus)
        else:
            build_corpus(corpus, args.copies)
    files = sorted(corpus.rglob("*.py"))
    size = sum(p.stat().st_size for p in files)
    needing = [p for p in files if any(m in p.read_bytes() for m in (b"nnx", b"flax"))]
    cores = os.cpu_count() or 1
    python = sys.executable
    cache = workdir / "cache"

    floors: list[dict] = []
    best: dict[str, dict] = {}

    def migrate(label: str, jobs: int, warm: bool) -> None:
        if not warm:
            shutil.rmtree(cache, ignore_errors=True)
        result = measure(python, "-m", "nnx_migrate", "corpus", "--check", "-q", "-j", str(jobs),
                         "--cache-dir", str(cache), cwd=workdir, limit=args.limit)
        if label not in best or (result["seconds"] or float("inf")) < (best[label]["seconds"] or float("inf")):
            best[label] = result

    for _ in range(args.repeat):
        floors.append(json.loads(subprocess.run([python, "-c", FLOOR, *map(str, needing)], capture_output=True,
                                                text=True, check=True).stdout))
        migrate("nnx-migrate --check, cold, 1 job", 1, warm=False)
        migrate("nnx-migrate --check, warm, 1 job", 1, warm=True)
        migrate(f"nnx-migrate --check, cold, {cores} jobs", cores, warm=False)
        migrate(f"nnx-migrate --check, warm, {cores} jobs", cores, warm=True)
    floor = min(f["seconds"] for f in floors)
    floor_cpu = min(f["cpu"] for f in floors)
    rows = list(best.items())
    if not args.no_codemod:
        codemod_tree = workdir / "codemod"
        shutil.rmtree(codemod_tree, ignore_errors=True)
        shutil.copytree(corpus, codemod_tree)
        rows.append(("libcst.tool codemod (value-access), 1 job", measure(
            python, "-m", "libcst.tool", "codemod", "-x", "--no-format", "--hide-progress", "--jobs=1",
            "nnx_migrate.codemods.value_access.ValueAccessCommand", "codemod", cwd=workdir, limit=args.limit)))

    print(f"corpus: {len(files)} files, {size / 1e6:.1f} MB; {len(needing)} files mention flax/nnx "
          f"({sum(p.stat().st_size for p in needing) / 1e6:.1f} MB); {cores} cores; Python {sys.version.split()[0]}; "
          f"fastest of {args.repeat}; load average {os.getloadavg()[0]:.1f}")
    print()
    print("| what | seconds | x libcst parse floor | CPU seconds | CPU x floor | peak RSS (MB) | exit |")
    print("|---|---|---|---|---|---|---|")
    print(f"| libcst.parse_module of the {len(needing)} files that need parsing (the floor) | {floor:.2f} | 1.00 "
          f"| {floor_cpu:.2f} | 1.00 | | |")
    for label, result in rows:
        if result["seconds"] is None:
            print(f"| {label} | not done after {args.limit:.0f} | > {args.limit / floor:.1f} | | | | |")
        else:
            print(f"| {label} | {result['seconds']:.2f} | {result['seconds'] / floor:.2f} | {result['cpu']:.2f} "
                  f"| {result['cpu'] / floor_cpu:.2f} | {result['rss_mb']:.0f} | {result['code']} |")
    cold = dict(rows)["nnx-migrate --check, cold, 1 job"]["seconds"]
    warm = dict(rows)["nnx-migrate --check, warm, 1 job"]["seconds"]
    if cold and warm:
        print()
        print(f"warm / cold (1 job): {warm / cold:.3f}")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
