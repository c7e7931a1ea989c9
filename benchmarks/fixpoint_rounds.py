"""What the fix-point costs on the real corpus (tests/corpus.py: CORPUS).

    python benchmarks/fixpoint_rounds.py [--jobs N]

For each release, one cold `--check` run in this process: the files it changed, the rounds
it took, the files a later round changed again, and the CPU seconds of this process in
round 1 against the later rounds (with one job, all of the work).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from corpus import CORPUS, wheel_sources  # noqa: E402

from nnx_migrate import pipeline  # noqa: E402
from nnx_migrate.config import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1)
    jobs = parser.parse_args().jobs
    rounds: list[tuple[bool, float, list[str]]] = []  # (round 1?, CPU seconds, files it changed)
    one_round = pipeline._one_round

    def timed(*args, **kwargs):
        start = time.process_time()
        found = one_round(*args, **kwargs)
        later = kwargs.get("previous") is not None
        rounds.append((not later, time.process_time() - start,
                       [r.display for r in found[0] if r.status == "changed"] if later else []))
        return found

    pipeline._one_round = timed
    first_total = later_total = 0.0
    for release in CORPUS:
        with tempfile.TemporaryDirectory() as folder:
            tree = Path(folder) / Path(release.folder).name
            shutil.copytree(wheel_sources(release.dist, release.version) / release.folder, tree)
            rounds.clear()
            result = pipeline.run([tree], Settings(), Path(folder), write=False, jobs=jobs)
        first = sum(seconds for is_first, seconds, _ in rounds if is_first)
        later = sum(seconds for is_first, seconds, _ in rounds if not is_first)
        again = sorted({path for _, _, changed in rounds for path in changed})
        first_total, later_total = first_total + first, later_total + later
        print(f"{release.label}: {len(result.changed)} of {len(result.files)} files changed, {len(rounds)} rounds, "
              f"round 1 {first:.2f} s, later rounds {later:.2f} s; changed again by a later round: {again or 'none'}")
    print(f"all: round 1 {first_total:.1f} s, later rounds {later_total:.1f} s "
          f"(+{100 * later_total / max(first_total, 1e-9):.0f}%)")


if __name__ == "__main__":
    main()
