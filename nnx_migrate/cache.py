"""Results cache: a re-run over an unchanged tree parses nothing (and imports no libcst).

One entry per project state, keyed by the tool version and the content of its own source
files (a development build or an edited rule never reuses another build's results), the
settings that change the
result (rules, target version, unsafe fixes) and the path and content hash of every file
the run looked at: the project index is built from all of them, so any change to any of
them makes a new entry (the files of an unchanged project are never parsed again).
Paths are resolved, so `proj`, `./proj` and `$PWD/proj` share an entry; an entry that
does not fit the run (damaged, another format) is a miss, never an error.
Lives under the user cache directory (platformdirs, honouring XDG_CACHE_HOME), or
under $NNX_MIGRATE_CACHE_DIR, or in `--cache-dir`.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from nnx_migrate import __version__

FORMAT = 2


CACHE_DIR_VARIABLE = "NNX_MIGRATE_CACHE_DIR"


def cache_home() -> Path:
    """Where every cache of nnx-migrate lives: results here, verify's environments too."""
    if os.environ.get(CACHE_DIR_VARIABLE):
        return Path(os.environ[CACHE_DIR_VARIABLE])
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("nnx-migrate"))


def default_directory() -> Path:
    return cache_home() / "results"


def project_key(settings, files: list[tuple[Path, bytes]], complete: bool) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps([
        FORMAT, __version__, tool_digest(), settings.select, sorted(settings.ignore), list(settings.target_version),
        settings.unsafe_fixes, complete, settings.include_docs, _evidence_digest(settings),
    ]).encode())
    for name, data in sorted((identity(path), data) for path, data in files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


@functools.cache
def tool_digest() -> str:
    """The hash of the tool's own Python sources: the engine and the rules (installed as
    nnx_migrate.codemods, which an editable install keeps in another folder). Found
    without importing the rules, so a cache hit still imports no libcst."""
    folders = [Path(__file__).parent]
    rules = importlib.util.find_spec("nnx_migrate.codemods")
    for location in (rules.submodule_search_locations or []) if rules is not None else []:
        if not Path(location).is_relative_to(folders[0]):  # a wheel has them inside
            folders.append(Path(location))
    return source_digest(folders)


def source_digest(folders: list[Path]) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def identity(path: Path) -> str:
    """The name a file has in the cache, the same however the user spelled its path."""
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):  # a symlink loop: the spelling is all there is
        return str(path.absolute())


def _evidence_digest(settings) -> str | None:
    """The evidence file changes the result as much as the sources do."""
    from nnx_migrate.evidence import project_evidence

    evidence = project_evidence(settings)
    return evidence.digest if evidence is not None else None


def load(directory: Path, key: str) -> list[dict] | None:
    try:
        entries = json.loads((directory / f"{key}.json").read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return entries if isinstance(entries, list) else None


def store(directory: Path, key: str, results) -> None:
    """Write atomically; a cache that cannot be written is skipped silently."""
    entries = []
    for result in results:
        entry = {
            "path": identity(result.path), "status": result.status, "error": result.error,
            "error_rule": result.error_rule, "new_text": result.new_text if result.status == "changed" else None,
            "edits": [asdict(e) for e in result.edits], "diagnostics": [asdict(d) for d in result.diagnostics],
            "left_alone": [asdict(d) for d in result.left_alone],
            "suppressed": result.suppressed, "encoding": result.encoding, "unexecuted": result.unexecuted,
        }
        entries.append(entry)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({"files": entries}, handle)
        os.replace(temporary, directory / f"{key}.json")
    except OSError:
        pass
