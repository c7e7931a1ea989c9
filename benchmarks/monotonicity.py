"""More context never means fewer rewrites: each file alone against the whole tree.

    python benchmarks/monotonicity.py [--corpus NAME ...] [--limit N]

For every file of a tree that gets rewrites, nnx-migrate runs on a copy of that file
alone and on the whole tree. A rewrite the file gets alone but not in the whole run is a
loss; a loss is explained when `nnx-migrate explain` names, for that site, evidence in
another file (a store by run-time name, a caller, a binding elsewhere: a `file.py:N` of
another file). The table counts, per tree, the rewrites alone, in the whole run, the
losses and the unexplained ones; each unexplained loss is listed. Exit status 1 when one
is unexplained. The trees are the real corpus (tests/corpus.py: old flax wheels' sources
and old releases of NNX libraries, cached) and flax 0.11.2's own tests/nnx (its sdist).
"""

from __future__ import annotations

import argparse
from collections import Counter
import re
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))
from corpus import CORPUS, wheel_sources  # noqa: E402
from suite_migration import sdist_tests  # noqa: E402

from nnx_migrate.config import Settings  # noqa: E402
from nnx_migrate.explain import Explainer, Location  # noqa: E402
from nnx_migrate.pipeline import run  # noqa: E402
from nnx_migrate.resolve import Resolver  # noqa: E402

_ELSEWHERE = re.compile(r"\(([\w.-]+\.py):\d+[;)]")


def _edits(result, relative_to: Path) -> dict[Path, Counter]:
    """(rule, line) -> rewrites there: the whole run may rewrite a site in another form (an
    exact `get_value()` where a file alone gets `[...]`), which is no loss."""
    return {f.path.relative_to(relative_to): Counter((e.rule, e.line) for e in f.edits) for f in result.changed}


def compare(tree: Path, limit: int | None) -> tuple[int, int, list[tuple[Path, tuple, str]]]:
    """(rewrites alone, rewrites in the whole run, losses with their explanation or '')."""
    whole = run([tree], Settings(), tree, write=False)
    in_whole = _edits(whole, tree)
    explainer = Explainer(whole.index, Resolver(whole.index)) if whole.index is not None else None
    losses, alone_total = [], 0
    candidates = sorted(p.relative_to(tree) for p in tree.rglob("*.py"))
    for relative in candidates[:limit]:
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / relative.name
            shutil.copy(tree / relative, copy)
            alone = _edits(run([Path(scratch)], Settings(), Path(scratch), write=False), Path(scratch))
        edits = alone.get(Path(relative.name), Counter())
        alone_total += sum(edits.values())
        reported = {d.line: d.message for f in whole.files if f.path == tree / relative for d in f.diagnostics}
        for edit in sorted((edits - in_whole.get(relative, Counter())).elements()):
            why = _explanation(explainer, whole.index, tree / relative, edit, reported.get(edit[1], ""))
            losses.append((relative, edit, why))
    return alone_total, sum(sum(c.values()) for c in in_whole.values()), losses


def _explanation(explainer, index, path: Path, edit: tuple, reported: str) -> str:
    """What the whole run reported at the lost site and what explain says of it, when
    that names evidence in another file."""
    file = index.files.get(path) if index is not None else None
    if explainer is None or file is None:
        return ""
    text = " ".join([reported, *(line for node in explainer.sites(file, Location(edit[1]))
                                 for line in explainer.explain(file, node))])
    others = [name for name in _ELSEWHERE.findall(text) if name != path.name]
    return text if others else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", help="a corpus label's start (e.g. 'flax 0.11.2'); default: all")
    parser.add_argument("--limit", type=int, help="at most this many files of each tree run alone")
    arguments = parser.parse_args()
    print("| tree | rewrites alone | rewrites in the whole run | losses | unexplained |")
    print("|---|---|---|---|---|")
    unexplained_all = []
    trees = [(release.label, lambda r=release: wheel_sources(r.dist, r.version) / r.folder, release.folder)
             for release in CORPUS]
    trees.append(("flax 0.11.2 tests/nnx (sdist)", lambda: sdist_tests("0.11.2"), "tests/nnx"))
    for label, source, folder in trees:
        if arguments.corpus and not any(label.startswith(c) for c in arguments.corpus):
            continue
        with tempfile.TemporaryDirectory() as scratch:
            tree = Path(scratch) / folder  # at its path in the wheel (flax/nnx), as the corpus test has it
            shutil.copytree(source(), tree)
            alone, whole, losses = compare(tree, arguments.limit)
        unexplained = [(path, edit) for path, edit, why in losses if not why]
        unexplained_all += [(label, path, edit) for path, edit in unexplained]
        print(f"| {label} | {alone} | {whole} | {len(losses)} | {len(unexplained)} |")
    for label, path, (rule, line) in unexplained_all:
        print(f"unexplained: {label}: {path}:{line} {rule}")
    return 1 if unexplained_all else 0


if __name__ == "__main__":
    sys.exit(main())
