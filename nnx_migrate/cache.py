"""Results cache: a re-run over an unchanged tree parses nothing (and imports no libcst).

One entry per project state, keyed by the tool version, the settings that change the
result (rules, target version, unsafe fixes) and the path and content hash of every file
the run looked at: the project index is built from all of them, so any change to any of
them makes a new entry (the files of an unchanged project are never parsed again).
Lives under the user cache directory (platformdirs, honouring XDG_CACHE_HOME), or
`--cache-dir`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from nnx_migrate import __version__

FORMAT = 1


def default_directory() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("nnx-migrate")) / "results"


def project_key(settings, files: list[tuple[Path, bytes]], complete: bool) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps([
        FORMAT, __version__, settings.select, sorted(settings.ignore), list(settings.target_version),
        settings.unsafe_fixes, complete, settings.include_docs,
    ]).encode())
    for path, data in sorted(files, key=lambda item: str(item[0])):
        digest.update(str(path.absolute()).encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def load(directory: Path, key: str) -> list[dict] | None:
    try:
        return json.loads((directory / f"{key}.json").read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError):
        return None


def store(directory: Path, key: str, results) -> None:
    """Write atomically; a cache that cannot be written is skipped silently."""
    entries = []
    for result in results:
        entry = {
            "path": str(result.path), "status": result.status, "error": result.error,
            "error_rule": result.error_rule, "new_text": result.new_text if result.status == "changed" else None,
            "edits": [asdict(e) for e in result.edits], "diagnostics": [asdict(d) for d in result.diagnostics],
            "suppressed": result.suppressed, "encoding": result.encoding,
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
