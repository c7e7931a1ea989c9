"""`nnx-migrate explain PATH:LINE[:COL]`: for each site on a line (`.value`, `iter_*`, a
container stored on a Module, a constructor's signature), what the tool concluded and
why, as pyright's `reveal_type` shows a type: the type of each part of the receiver, the
bindings that reach it, and where it is unknown, the first step that is unknown."""

from __future__ import annotations

from pathlib import Path

from nnx_migrate.config import Settings
from nnx_migrate.infer.explain import Explainer, Location, _spans  # noqa: F401 -- Location re-exported
from nnx_migrate.pipeline import run
from nnx_migrate.resolve import Resolver

def parse_location(text: str) -> tuple[str, Location]:
    """`path:line[:col]` -> (path, Location); ValueError when it is not one."""
    parts = text.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return parts[0], Location(int(parts[1]), int(parts[2]))
    path, _, line = text.rpartition(":")
    if not path or not line.isdigit():
        raise ValueError(f"{text!r} is not PATH:LINE or PATH:LINE:COL")
    return path, Location(int(line))


def project_root(path: Path) -> Path:
    """The folder a migration of the whole project would be given: the nearest one above
    `path` holding `.git` or pyproject.toml, else the file's own folder."""
    start = path.resolve().parent
    for folder in (start, *start.parents):
        if (folder / ".git").exists() or (folder / "pyproject.toml").is_file():
            return folder
    return start


def explain_location(target: str, project: Path | None, settings: Settings) -> tuple[list[str], int]:
    """The report of `nnx-migrate explain`, and its exit status (2: a bad location)."""
    try:
        path_text, where = parse_location(target)
    except ValueError as error:
        return [f"nnx-migrate: error: {error}"], 2
    path = Path(path_text)
    if not path.is_file():
        return [f"nnx-migrate: error: {path}: no such file"], 2
    root = project or project_root(path)
    result = run([root], settings, root, write=False)  # no cache: a cached run keeps no analysis
    index = result.index
    file = next((f for p, f in index.files.items() if p.resolve() == path.resolve()), None) if index else None
    if file is None:
        return [f"{path}: not analysed (it does not mention flax or nnx, or is excluded)"], 0
    explainer = Explainer(index, Resolver(index))
    lines = [f"{path}:{where.line}" + (f":{where.column}" if where.column else "")]
    sites = explainer.sites(file, where)
    if not sites:
        lines.append("  no `.value`, `iter_*`, container or constructor site here")
    for node in sites:
        lines += [f"  {line}" for line in explainer.explain(file, node)]
    outcome = next((r for r in result.files if r.path.resolve() == path.resolve()), None)
    def here(item) -> bool:  # with a column, only what is anchored at the sites chosen
        return item.line == where.line and (where.column is None or any(
            _spans(node, item.column) or item.column == node.col_offset for node in sites))

    done = [e for e in outcome.edits if here(e)] if outcome is not None else []
    reported = [d for d in outcome.diagnostics if here(d)] if outcome is not None else []
    lines += [f"  rewritten ({e.rule}): {e.message}" for e in done]
    lines += [f"  reported ({d.rule}): {d.message}" for d in reported]
    if sites and not done and not reported:
        lines.append("  left alone: no site here is shown to be an NNX object")
    return lines, 0
