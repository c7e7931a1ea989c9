"""Evidence from running code (`nnx-migrate trace`): merging the recorder's per-process
fragments, loading the evidence file, and answering the rules' one question, "what did
the run see at this source position?", where static inference could not tell.

The file (JSON):

    {"format": 1,
     "runs": [{"pid": ..., "argv": [...], "python": "3.11.7", "flax": "0.11.2", ...}],
     "files": {"zoo/model.py": {"sha256": "<hash of the bytes the run executed>",
                                "sites": [{"kind": "value-read", "line": 3, "column": 4,
                                           "end_line": 3, "end_column": 11,
                                           "values": ["array:float32"]}, ...]}}}

File paths under the evidence file's folder are relative to it (absolute otherwise), so a
project and its evidence can move together. Site kinds: `value-read` / `value-write` /
`raw_value-read` / `raw_value-write`, `sharding_names-read` and `in-place` (with the kinds of value held),
`enum-value` (an Enum member's `.value`: the look-alike), `iter_modules` / `iter_children`
(receiver class), `construct` (a Module class whose constructor takes `rngs`, whether it
was passed by position), `container` (an attribute of a Module assigned a list/tuple/dict
holding Modules, Variables or arrays). Positions are the executing instruction's, from
`co_positions()`: a rule finds its node by the node's end (line, byte column). Before
Python 3.11 only lines are recorded; such a site matches only a line with one candidate.

Evidence never overrides a static proof the other way (an Enum member, an instance of a
class that is not NNX): such a site is reported, not rewritten. A file whose content hash
differs from the recorded one gets no evidence, and a note says so.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from nnx_migrate import flax_api
from nnx_migrate.apply import read_regular_file
from nnx_migrate.findings import Diagnostic
from nnx_migrate.index import SourceFile
from nnx_migrate.infer.queries import classify_elements  # what module-containers concludes
from nnx_migrate.resolve import STATE, ContainerT, VariableT

FORMAT = 1
DEFAULT_FILE = ".nnx-migrate-evidence.json"
VALUE_KINDS = ("value-read", "value-write")
RAW_VALUE_KINDS = ("raw_value-read", "raw_value-write")
# the site kinds of each Variable attribute `variable` answers for
_VARIABLE_KINDS = {"value": VALUE_KINDS, "raw_value": RAW_VALUE_KINDS, "sharding_names": ("sharding_names-read",)}
_MERGED_LISTS = ("values", "elements")
_ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag",
                         "enum.ReprEnum"})
RULE = "evidence"


class EvidenceError(Exception):
    """The evidence file is missing or not an evidence file: a usage error."""


# -- merging fragments ---------------------------------------------------------------------
def _identity(site: dict) -> tuple:
    return tuple(sorted((k, v) for k, v in site.items() if k not in _MERGED_LISTS))


def merge(documents: list[dict]) -> dict:
    """One evidence document from several (fragments of processes, or earlier runs). A file
    recorded with two different hashes changed during the run: its evidence is dropped."""
    runs: list[dict] = []
    files: dict[str, dict] = {}
    changed: set[str] = set()
    for document in documents:
        runs.extend(document.get("runs", []))
        for path, entry in document.get("files", {}).items():
            current = files.setdefault(path, {"sha256": entry["sha256"], "sites": {}})
            if current["sha256"] != entry["sha256"]:
                changed.add(path)
            for site in entry["sites"]:
                key = _identity(site)
                existing = current["sites"].get(key)
                if existing is None:
                    current["sites"][key] = dict(site)
                    continue
                for name in _MERGED_LISTS:
                    if name in site:
                        existing[name] = sorted(set(existing.get(name, [])) | set(site[name]))
    merged = {}
    for path in sorted(files):
        if path in changed:
            continue
        sites = sorted(files[path]["sites"].values(), key=lambda s: (s["line"], s["column"] or 0, s["kind"]))
        for site in sites:
            for name in _MERGED_LISTS:
                if name in site:
                    site[name] = sorted(set(site[name]))
        merged[path] = {"sha256": files[path]["sha256"], "sites": sites}
    return {"format": FORMAT, "runs": runs, "files": merged, "changed_during_run": sorted(changed)}


def relocate(document: dict, folder: Path, absolute: bool) -> dict:
    """Paths under `folder` (the evidence file's) relative to it, or back to absolute, so
    a project and its evidence file can move together (a CI checkout, a copy)."""
    def move(name: str | None) -> str | None:
        if not name:
            return name
        if absolute:
            return name if os.path.isabs(name) else os.path.normpath(os.path.join(folder, name))
        relative = os.path.relpath(name, folder)
        return name if relative.startswith(os.pardir) else Path(relative).as_posix()

    files = {}
    for name, entry in document["files"].items():
        sites = [{**site, "init_file": move(site["init_file"])} if "init_file" in site else site
                 for site in entry["sites"]]
        files[move(name)] = {**entry, "sites": sites}
    return {**document, "files": files}


def read_document(path: Path) -> dict:
    try:
        document = json.loads(read_regular_file(Path(path)).decode("utf-8"))
    except OSError as error:
        raise EvidenceError(f"cannot read the evidence file {path}: {error.strerror or error}") from error
    except ValueError as error:
        raise EvidenceError(f"{path} is not an evidence file (not JSON: {error})") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT or not isinstance(document.get("files"), dict):
        raise EvidenceError(f"{path} is not an nnx-migrate evidence file (format {FORMAT})")
    return document


# -- the evidence of a project and of one file ----------------------------------------------
@dataclass
class Evidence:
    path: Path
    files: dict[str, dict]  # real path -> {"sha256", "sites"}
    digest: str  # of the file's bytes, for the results cache
    # ids of index nodes (constructors, their calls) that a project-wide plan rewrote on evidence
    vouched: set[int] = field(default_factory=set, repr=False)

    @classmethod
    def load(cls, path: Path) -> Evidence:
        document = read_document(path)
        digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
        return cls(path, relocate(document, path.resolve().parent, absolute=True)["files"], digest)

    def for_file(self, file: SourceFile) -> FileEvidence:
        record = self.files.get(os.path.realpath(file.path))
        if record is None:
            return FileEvidence(self, None, file)
        try:
            current = hashlib.sha256(read_regular_file(Path(file.path))).hexdigest()
        except OSError:
            current = None
        if current != record["sha256"]:
            return FileEvidence(self, None, file, stale=True)
        return FileEvidence(self, record, file)

    def constructions(self, init_file: str, class_qualname: str) -> list[tuple[str, dict]]:
        """(file, site) of every recorded construction that ran the `__init__` of the class
        `class_qualname` (module-qualified, as the index names it) defined in `init_file`."""
        found = []
        for path, record in self.files.items():
            for site in record["sites"]:
                owner = site.get("init_class")
                if site["kind"] == "construct" and owner and site.get("init_file") == init_file \
                        and (class_qualname == owner or class_qualname.endswith("." + owner)):
                    found.append((path, site))
        return found

    def is_current(self, path: str) -> bool:
        record = self.files.get(path)
        if record is None:
            return False
        try:
            return hashlib.sha256(read_regular_file(Path(path))).hexdigest() == record["sha256"]
        except OSError:
            return False


_LOADED: dict[tuple, Evidence] = {}


def project_evidence(settings) -> Evidence | None:
    """The evidence named by the settings (loaded once per process and file version)."""
    name = getattr(settings, "evidence", None)
    if not name:
        return None
    path = Path(name)
    try:
        status = path.stat()
    except OSError as error:
        raise EvidenceError(f"cannot read the evidence file {path}: {error.strerror or error}") from error
    key = (str(path.resolve()), status.st_mtime_ns, status.st_size)
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = Evidence.load(path)
    return _LOADED[key]


def observed_files(settings) -> set[str]:
    """Real paths of the files the evidence has sites in."""
    evidence = project_evidence(settings)
    return set(evidence.files) if evidence is not None else set()


def for_context(settings, file: SourceFile) -> FileEvidence:
    evidence = project_evidence(settings)
    return FileEvidence(None, None, file) if evidence is None else evidence.for_file(file)


@dataclass
class FileEvidence:
    """What the run saw in one file. Every question returns None where it saw nothing."""

    project: Evidence | None
    record: dict | None
    file: SourceFile
    stale: bool = False
    unexecuted: int = 0  # `.value` sites neither proven statically nor seen by the run
    _by_end: dict | None = field(default=None, repr=False)
    _vouched: set[int] = field(default_factory=set, repr=False)

    @property
    def active(self) -> bool:
        return self.project is not None

    def _sites(self, kinds: tuple[str, ...], node: ast.AST, candidates: tuple[type, ...] = ()) -> list[dict]:
        if self.record is None:
            return []
        if self._by_end is None:
            self._by_end = {}
            for site in self.record["sites"]:
                self._by_end.setdefault((site["kind"], site["end_line"], site["end_column"]), []).append(site)
        found = [s for kind in kinds for s in self._by_end.get((kind, node.end_lineno, node.end_col_offset), [])]
        if not found and candidates:  # recorded before Python 3.11: lines only
            line_sites = [s for kind in kinds for s in self._by_end.get((kind, node.end_lineno, None), [])]
            if line_sites and self._only_candidate_on_line(node, candidates):
                found = line_sites
        return found

    def _only_candidate_on_line(self, node: ast.AST, candidates) -> bool:
        same_line = [n for n in self.file.nodes(*candidates) if n.end_lineno == node.end_lineno
                     and getattr(n, "attr", None) == getattr(node, "attr", None)]
        return same_line == [node]

    def _vouch(self, node: ast.AST) -> None:
        self._vouched.add(id(node))

    def vouches_for(self, node: ast.AST) -> bool:
        """A site on `node` (or on the statement whose target or value it is) came from evidence."""
        if self.project is not None and id(node) in self.project.vouched:
            return True
        if not self._vouched:
            return False
        related = [node, getattr(node, "target", None), getattr(node, "value", None)]
        related += getattr(node, "targets", [])[:1]
        return any(id(n) in self._vouched for n in related if n is not None)

    # -- the questions the rules ask -------------------------------------------------------
    def variable(self, context, visit, diagnostics: list) -> VariableT | None:
        """`x.value` / `x.raw_value` / `x.sharding_names` whose receiver static inference
        could not type: a Variable if the run saw one there, holding an array if every
        value seen was one."""
        if not self.active:
            return None
        node: ast.Attribute = visit.node
        kinds = _VARIABLE_KINDS[node.attr]
        sites = self._sites(kinds, node, (ast.Attribute,))
        proof = _proof_otherwise(context, node.value, visit.scope)
        enum_member = self._sites(("enum-value",), node, (ast.Attribute,))
        if not sites:
            if proof is None and not enum_member and node.attr == "value" and "nnx" in self.file.text:
                self.unexecuted += 1
            return None
        if enum_member and proof is None:
            proof = "the run also saw an Enum member's `.value` here"
        if proof is not None:
            diagnostics.append(_disagreement(context, node, f"`.{node.attr}`", proof))
            return None
        values = [v for site in sites for v in site.get("values", [])]
        self._vouch(node)
        return VariableT(f"{flax_api.NNX}.Variable", bool(values) and all(v.startswith("array:") for v in values))

    def in_place(self, context, visit, diagnostics: list) -> VariableT | None:
        """`v += y` where the run saw a Variable's in-place operator at this statement."""
        if not self.active:
            return None
        node: ast.AugAssign = visit.node
        sites = self._sites(("in-place",), node)
        if not sites:
            return None
        proof = _proof_otherwise(context, node.target, visit.scope)
        if proof is not None:
            diagnostics.append(_disagreement(context, node, "in-place update", proof))
            return None
        values = [v for site in sites for v in site.get("values", [])]
        self._vouch(node)
        return VariableT(f"{flax_api.NNX}.Variable", bool(values) and all(v.startswith("array:") for v in values))

    def container(self, context, node: ast.stmt, kind: str | None, types: list | None, diagnostics: list):
        """`self.x = <container>` in a Module: (kind, element types) with what the run saw
        added where static inference left the kind or some element unknown."""
        if not self.active:
            return kind, types
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        sites = self._sites(("container",), target)
        if not sites:
            return kind, types
        elements = {e for site in sites for e in site.get("elements", [])}
        if kind is not None and types and all(t is not None for t in types):
            if classify_elements(types, context.index) == "plain":
                diagnostics.append(_disagreement(context, node, f"`self.{target.attr}`",
                                                 "static inference shows its elements are not Modules, Variables or arrays"))
            return kind, types
        observed_kind = kind
        if observed_kind is None:
            containers = {site.get("container") for site in sites}
            if containers <= {"list", "tuple"}:
                observed_kind = "list"
            elif containers == {"dict"}:
                observed_kind = "dict" if "other-keys" not in elements else "dict-nonstr"
            else:
                return kind, types
        data = VariableT(f"{flax_api.NNX}.Variable", True)  # stands for "data seen here"
        observed = [ContainerT(data)] if "nested" in elements else []
        if elements & {"module", "variable", "array"}:
            observed.append(data)
        if not observed:
            return kind, types
        self._vouch(node)
        return observed_kind, [t for t in (types or []) if t is not None] + observed

    def walks_module(self, context, node: ast.Call, scope) -> bool:
        """`m.iter_modules()` / `m.iter_children()` where the run saw a Module's method."""
        if not self.active:
            return False
        method = node.func.attr
        if not self._sites((method,), node):
            return False
        proof = _proof_otherwise(context, node.func.value, scope)
        if proof is not None:
            return False
        self._vouch(node)
        return True

    def notes(self, context) -> list:
        """What a person should know about this file's evidence."""
        if self.stale:
            return [Diagnostic(RULE, 1, 0, "this file changed since it was traced: its evidence is ignored",
                               "run `nnx-migrate trace` again to use evidence here")]
        return []


def _proof_otherwise(context, receiver: ast.expr, scope) -> str | None:
    """Why static inference is sure `receiver` is not a Variable/Module, or None."""
    found = context.resolver.type_of(receiver, scope)
    if found is not None:
        if isinstance(found, VariableT):
            return None
        if found == STATE and isinstance(receiver, (ast.Subscript, ast.Attribute)):
            return None  # a State's item may be a leaf Variable: "State" stands for both here
        name = getattr(found, "cls", None) or getattr(found, "name", None) or type(found).__name__
        return f"static inference shows the receiver is a {name}"
    qualified = context.resolver.qualified(receiver, scope)
    if qualified and "." in qualified:
        owner = qualified.rsplit(".", 1)[0]
        if _ENUM_BASES & set(context.index.mro(owner)):
            return f"`{qualified}` is a member of the Enum `{owner}`"
    return None


def _disagreement(context, node: ast.AST, what: str, proof: str):
    return context.diagnostic(
        RULE, node, f"{what}: the traced run saw a flax object here, but {proof}; not rewritten",
        "check which objects reach this line; rewrite it by hand if it is a Variable")


_CALLERS_UNSEEN = "so its callers cannot all be seen"  # a keyword-only-rngs block that evidence can lift


def observed_constructor_calls(context, signature, call_site) -> None:
    """keyword-only-rngs, with evidence: every call the run saw pass `rngs` by position must
    be in the plan. Such a call that static analysis missed (a registry, a factory) joins
    it if it is in the project, current and rewritable; otherwise the signature stays. A
    constructor blocked only because its class is used as a value or handed to a decorator
    (a registry) changes after all when the run constructed it and all its positional calls
    can be rewritten.
    `call_site(file, call, offset)` makes the plan's call entries."""
    evidence = context.evidence.project
    if evidence is None:
        return
    unseen_callers_only = bool(signature.blocked) and all(_CALLERS_UNSEEN in why for _, _, why in signature.blocked)
    if signature.blocked and not unseen_callers_only:
        return
    info = signature.info
    observed = evidence.constructions(os.path.realpath(info.file.path), info.qualname)
    if not observed:
        return  # never constructed in the run: nothing stands in for the callers not seen
    files = {os.path.realpath(f.path): f for f in context.index.files.values()}
    planned = {id(c.call) for c in signature.calls}
    added = []
    for path, site in observed:
        if not site.get("positional"):
            continue
        file = files.get(path)
        call = _call_ending_at(file, site["end_line"], site["end_column"]) if file is not None else None
        if call is None or not evidence.is_current(path) or not _rewritable(call, site, signature, evidence, path):
            if not signature.blocked:
                signature.blocked.append((file or info.file, call, f"the traced run called it with `rngs` by position "
                                          f"at {os.path.basename(path)}:{site['line']}, which cannot be rewritten"))
            return
        if id(call) not in planned:
            planned.add(id(call))
            added.append(call_site(file, call, 0))
    if not (added or unseen_callers_only):
        return
    signature.blocked = []
    signature.calls.extend(added)
    evidence.vouched.update([id(signature.init), *(id(c.call) for c in added)])


def _call_ending_at(file: SourceFile, line: int, column: int | None) -> ast.Call | None:
    calls = [c for c in file.nodes(ast.Call) if c.end_lineno == line and (column is None or c.end_col_offset == column)]
    return calls[0] if len(calls) == 1 else None


def _rewritable(call: ast.Call, site: dict, signature, evidence: Evidence, path: str) -> bool:
    """Plain positional arguments up to `rngs`, and every class the run saw built at this
    call takes `rngs` at the same place (and the same later parameters, if any are passed)."""
    if any(isinstance(a, ast.Starred) for a in call.args) or len(call.args) > len(signature.names):
        return False
    if site.get("rngs_index") != signature.first_keyword:
        return False
    here = [s for s in evidence.files[path]["sites"] if s["kind"] == "construct"
            and (s["end_line"], s["end_column"]) == (site["end_line"], site["end_column"])]
    if any(s.get("rngs_index") != signature.first_keyword for s in here):
        return False
    return len(call.args) <= signature.first_keyword + 1 or len({s.get("init_class") for s in here}) == 1
