"""A real test suite, migrated and run on the new flax: no test that passed may fail.

    python benchmarks/suite_migration.py [--version 0.11.2] [--keep DIR] [-k EXPR] [--jobs N] [--rerun-baseline]

flax's own NNX tests (`tests/nnx` of the flax sdist, `pip download --no-deps --no-binary
:all: flax==VERSION`, cached with the test corpus) are the user code here: classes
defined inside test methods, asserts on `.value`, constructors under `nnx.vmap` /
`nnx.split_rngs`. The suite runs twice under the flax of this interpreter (flax 0.12.8 on
Python 3.11): as released (outcomes cached per flax, Python and selection;
`--rerun-baseline` runs it again), and after `nnx-migrate` rewrote a copy of it in place. Each
test's outcome is read from pytest's JUnit XML. The table counts passed before / after;
"broken" (passed before, fails after) must be 0, and each broken test is listed with its
first error line. Exit status 1 when a test broke.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from corpus import CorpusUnavailable, cache_dir, run_bounded  # noqa: E402

TIMEOUT = 1800  # seconds for one run of the suite


def sdist_tests(version: str) -> Path:
    """`tests/nnx` of the flax==`version` sdist, unpacked once into the corpus cache."""
    root = cache_dir() / f"flax-sdist-{version}"
    marker = root / ".complete"
    if marker.exists():
        return root / "tests" / "nnx"
    downloads = cache_dir() / "sdists"
    downloads.mkdir(parents=True, exist_ok=True)
    archive = next(downloads.glob(f"flax-{version}.tar.gz"), None)
    if archive is None:
        download = subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
             f"flax=={version}", "-d", str(downloads)], capture_output=True, text=True)
        archive = next(downloads.glob(f"flax-{version}.tar.gz"), None)
        if archive is None:
            raise CorpusUnavailable(f"cannot download the flax=={version} sdist: {download.stderr.strip()[-500:]}")
    prefix = f"flax-{version}/tests/nnx/"
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(prefix) and m.isfile()]
        for member in members:
            member.name = member.name[len(f"flax-{version}/"):]
        tar.extractall(root, members, filter="data")
    marker.touch()
    return root / "tests" / "nnx"


def pytest_arguments(folder: Path, jobs: int, select: str | None) -> list[str]:
    """`python` arguments that run the suite in `folder`, writing `folder/junit.xml`."""
    command = ["-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={folder / 'junit.xml'}",
               "-o", "junit_family=xunit2", "--rootdir", str(folder)]
    if jobs > 1:
        command += ["-n", str(jobs)]
    if select:
        command += ["-k", select]
    return [*command, "tests"]


def junit_outcomes(report: Path) -> dict[str, tuple[str, str]]:
    """test id -> (outcome, first line of its message), from pytest's JUnit XML."""
    outcomes: dict[str, tuple[str, str]] = {}
    if not report.exists():
        return outcomes
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome, message = "failed", (child.get("message") or "").splitlines()[:1]
                message = message[0] if message else ""
            elif child.tag == "skipped":
                outcome = "skipped"
        outcomes[name] = (outcome, message)
    return outcomes


def run_suite(folder: Path, jobs: int, select: str | None) -> dict[str, tuple[str, str]]:
    """test id -> (outcome, first line of its message), from one pytest run in `folder`."""
    run_bounded([sys.executable, *pytest_arguments(folder, jobs, select)], TIMEOUT, cwd=folder)
    return junit_outcomes(folder / "junit.xml")


def _baseline(folder: Path, arguments) -> dict[str, tuple[str, str]]:
    """The unmigrated suite's outcomes: run once per flax release, flax, Python and
    selection, then read from the corpus cache (the suite as released never changes)."""
    import flax

    key = f"{arguments.version}-flax{flax.__version__}-py{sys.version_info[0]}.{sys.version_info[1]}-{arguments.select or 'all'}"
    cached = cache_dir() / "suite-baselines" / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', key)}.json"
    if cached.exists() and not arguments.rerun_baseline:
        return {name: tuple(outcome) for name, outcome in json.loads(cached.read_text()).items()}
    outcomes = run_suite(folder, arguments.jobs, arguments.select)
    if outcomes:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(outcomes, indent=0, sort_keys=True))
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", default="0.11.2", help="the flax release whose tests/nnx is migrated")
    parser.add_argument("--keep", type=Path, help="leave the two copies of the suite in this folder")
    parser.add_argument("-k", dest="select", help="pytest -k expression: run only these tests")
    parser.add_argument("--jobs", type=int, default=2, help="pytest-xdist workers for each run")
    parser.add_argument("--rerun-baseline", action="store_true", help="run the unmigrated suite again, not from the cache")
    arguments = parser.parse_args()
    import flax

    tests = sdist_tests(arguments.version)
    work = arguments.keep or Path(tempfile.mkdtemp(prefix="suite-migration-"))
    sides = {}
    for side in ("original", "migrated"):
        target = work / side / "tests"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(tests, target / "nnx")
        (target / "__init__.py").touch()
        sides[side] = target.parent
    migrate = subprocess.run([sys.executable, "-m", "nnx_migrate", str(sides["migrated"] / "tests"), "-q", "--no-cache"],
                             capture_output=True, text=True, cwd=REPO)
    if migrate.returncode not in (0, 1):
        print(migrate.stdout[-3000:], migrate.stderr[-3000:], sep="\n")
        print(f"nnx-migrate exited {migrate.returncode}")
        return 1
    before = _baseline(sides["original"], arguments)
    after = run_suite(sides["migrated"], arguments.jobs, arguments.select)
    passed = {name for name, (outcome, _) in before.items() if outcome == "passed"}
    passed_after = {name for name, (outcome, _) in after.items() if outcome == "passed"}
    broken = sorted(passed - passed_after)
    fixed = sorted(passed_after - passed)
    print(f"flax {arguments.version} tests/nnx, run on flax {flax.__version__} (Python {sys.version.split()[0]})")
    print()
    print("| tests | passed unmigrated | passed migrated | broken by migration | fixed by migration |")
    print("|---|---|---|---|---|")
    print(f"| {len(before)} | {len(passed)} | {len(passed_after)} | {len(broken)} | {len(fixed)} |")
    if broken:
        print("\nbroken:")
        for name in broken:
            print(f"  {name}: {after.get(name, ('missing', 'not run'))[1][:200]}")
    if not arguments.keep:
        shutil.rmtree(work, ignore_errors=True)
    if not before:
        print("the suite ran no test")
        return 1
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
