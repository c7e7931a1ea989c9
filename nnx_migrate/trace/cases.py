"""The cases file of `trace --record-cases`: the fragments each traced process wrote
(case_recorder.py) merged into one zip that `verify --cases` replays. Standard library
only: arrays are copied as the `.npy` members they already are.

The file: `cases.json` (format, the environments recorded under, the records, what was
left out) and one `<content hash>.npy` per distinct array. A record is one construction:
`class` (`module:qualname`), `file`, `site`, `args`/`kwargs` (encoded values), `state`,
`flags`, `calls`; `dependency` marks one rebuilt only because another takes it as an
argument (`{"@module": id, "instance": ..., "state": ...}`: rebuilt, then set to the state it had then; one
Module per `instance`, the object passed, so equal constructions stay distinct and a shared one
shared); `unrecordable` says why a class's construction could not be written down.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = "nnx-migrate-cases/1"
DOCUMENT = "cases.json"


@dataclass
class CasesSummary:
    output: Path
    constructions: int = 0
    classes: int = 0
    calls: int = 0
    unrecordable: dict[str, str] = field(default_factory=dict)  # class -> why
    calls_not_recorded: dict[str, str] = field(default_factory=dict)  # class -> why
    left_out: list[str] = field(default_factory=list)
    bytes: int = 0


def merge_cases(fragments: list[Path], output: Path, relative_to: Path | None = None) -> CasesSummary:
    """One cases file from the fragments (written, empty, when none recorded anything, so
    no stale file stays): equal constructions once, at most the recorder's limit per class
    and its file limit."""
    loaded = []
    for path in fragments:
        try:
            archive = zipfile.ZipFile(path)
            loaded.append((json.loads(archive.read(DOCUMENT)), archive))
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            continue  # a process killed while writing: its cases are lost
    try:
        return _merge(loaded, output, relative_to)
    finally:
        for _, archive in loaded:
            archive.close()


def _merge(loaded, output: Path, relative_to: Path | None) -> CasesSummary:
    limits = loaded[0][0].get("limits", {}) if loaded else {}
    per_class, file_limit = limits.get("per_class", 3), limits.get("file_bytes", 256 * 2 ** 20)
    environments: list[dict] = []
    records: dict[str, dict] = {}
    by_key: dict[str, str] = {}
    sources: dict[str, zipfile.ZipFile] = {}  # array digest -> the fragment holding it
    counts: dict[str, int] = {}
    counted: set[str] = set()
    left_out: list[str] = []
    used = 0
    for index, (document, archive) in enumerate(loaded):
        environment = document.get("environment", {})
        if environment not in environments:
            environments.append(environment)
        env_id = environments.index(environment)
        local = document.get("records", {})
        names = {rid: f"{index}-{rid}" for rid in local}
        left_out += [reason for reason in document.get("left_out", []) if reason not in left_out]

        def place(rid: str, chain: tuple = ()) -> str | None:
            """The merged id of local record `rid` (and of what it references), or None."""
            nonlocal used
            record = local.get(rid)
            if record is None or rid in chain:
                return None
            key = record.get("key") or f"{record['class']}|{record.get('unrecordable')}"
            if key in by_key:
                return by_key[key]
            references = {}
            for ref in _module_references(record):
                merged = place(ref, chain + (rid,))
                if merged is None:
                    return None
                references[ref] = merged
            digests = {d for d in _digests(record) if d not in sources}
            size = sum(archive.getinfo(d + ".npy").file_size for d in digests if d + ".npy" in archive.namelist())
            if used + size > file_limit:
                left_out.append(f"{record['class']} (constructed at {record.get('site')}): the "
                                f"{file_limit / 2 ** 20:.0f} MiB limit of the cases file was reached")
                return None
            for digest in digests:
                if digest + ".npy" in archive.namelist():
                    sources[digest] = archive
            used += size
            merged_record = _renamed(record, references)
            merged_record["environment"] = env_id
            for name in ("file", "site"):
                merged_record[name] = _relative(record.get(name), relative_to)
            records[names[rid]] = merged_record
            by_key[key] = names[rid]
            return names[rid]

        for rid, record in local.items():
            if record.get("dependency") or counts.get(record["class"], 0) >= per_class:
                continue
            merged = place(rid)
            if merged is not None and not record.get("unrecordable") and merged not in counted:
                counted.add(merged)
                counts[record["class"]] = counts.get(record["class"], 0) + 1
    # A class recorded after all: its unrecordable construction is not its story.
    recorded = {m["class"] for m in records.values() if not m.get("unrecordable") and not m.get("dependency")}
    records = {rid: m for rid, m in records.items() if not (m.get("unrecordable") and m["class"] in recorded)}
    document = {"format": FORMAT, "environments": environments, "records": records, "left_out": left_out,
                "processes": len(loaded), "limits": limits}
    _write(output, document, sources)
    return _summary(output, document, used)


def _module_references(value) -> list[str]:
    found = []
    if isinstance(value, dict):
        if "@module" in value:
            return [value["@module"]]
        for item in value.values():
            found += _module_references(item)
    elif isinstance(value, list):
        for item in value:
            found += _module_references(item)
    return found


def _renamed(value, references: dict[str, str]):
    if isinstance(value, dict):
        if "@module" in value:
            return {**value, "@module": references[value["@module"]]}
        return {k: _renamed(v, references) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, references) for v in value]
    return value


def _digests(value) -> set[str]:
    found = set()
    if isinstance(value, dict):
        if isinstance(value.get("array"), str):
            found.add(value["array"])
        for item in value.values():
            found |= _digests(item)
    elif isinstance(value, list):
        for item in value:
            found |= _digests(item)
    return found


def _relative(path: str | None, root: Path | None) -> str | None:
    if not path or root is None:
        return path
    try:
        return os.path.relpath(path, root) if Path(path.rsplit(":", 1)[0]).is_relative_to(root) else path
    except ValueError:
        return path


def _write(output: Path, document: dict, sources: dict[str, zipfile.ZipFile]) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(output.name + ".tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DOCUMENT, json.dumps(document, indent=1))
        for digest, source in sorted(sources.items()):
            archive.writestr(digest + ".npy", source.read(digest + ".npy"))
    os.replace(temporary, output)


def _summary(output: Path, document: dict, used: int) -> CasesSummary:
    summary = CasesSummary(output, left_out=list(document["left_out"]), bytes=used)
    classes = set()
    for record in document["records"].values():
        name = record["class"].replace(":", ".")
        if record.get("unrecordable"):
            summary.unrecordable[name] = record["unrecordable"]
        elif not record.get("dependency"):
            summary.constructions += 1
            summary.calls += len(record.get("calls", []))
            classes.add(name)
            if record.get("calls_not_recorded"):
                summary.calls_not_recorded.setdefault(name, record["calls_not_recorded"])
    summary.classes = len(classes)
    return summary


def read_document(path: Path) -> dict:
    """The cases file's document; ValueError when `path` is not one."""
    try:
        with zipfile.ZipFile(path) as archive:
            document = json.loads(archive.read(DOCUMENT))
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError) as error:
        raise ValueError(f"not a cases file written by `nnx-migrate trace --record-cases` ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"unknown cases format {document.get('format') if isinstance(document, dict) else None!r}")
    return document


def summary_lines(summary: CasesSummary, most: int = 20) -> list[str]:
    """What `trace --record-cases` says about the cases file: counts, then what was not
    recorded and why."""
    size = f"{summary.bytes / 2 ** 20:.1f} MiB" if summary.bytes >= 2 ** 20 else f"{summary.bytes // 1024} KiB"
    lines = [f"recorded {summary.constructions} construction(s) of {summary.classes} class(es) and "
             f"{summary.calls} call(s) -> {summary.output} ({size} of arrays)"]
    if not summary.constructions:
        lines[0] += ": no Module class of the project was constructed outside jax transforms"
    details = [f"not recorded: {name}: {why}" for name, why in sorted(summary.unrecordable.items())]
    details += [f"calls not recorded: {name}: {why}" for name, why in sorted(summary.calls_not_recorded.items())]
    details += [f"left out: {reason}" for reason in summary.left_out]
    lines += details[:most]
    if len(details) > most:
        lines.append(f"... and {len(details) - most} more (all under `left_out` in {summary.output.name}'s cases.json)")
    return lines
