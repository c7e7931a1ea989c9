"""Rewrite stage: run the selected rules' analyses on one file, then apply every site
they found in a single libcst pass (TorchFix's collect-then-replace). A file with no
site is never parsed by libcst."""

from __future__ import annotations

import ast
import keyword
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from nnx_migrate import newer_syntax
from nnx_migrate.config import Settings
from nnx_migrate.index import ProjectIndex, SourceFile
from nnx_migrate.lines import LINE as _LINE
from nnx_migrate.resolve import AnalysisBudgetExceeded, Resolver
from nnx_migrate.rule import Diagnostic, Edit, FileContext, Rule, Site
from nnx_migrate.suppression import skipped_lines



class RewriteError(Exception):
    """A rule failed on a file; the file is left untouched."""

    def __init__(self, message: str, rule: str | None = None):
        super().__init__(message)
        self.rule = rule


@dataclass
class Rewrite:
    new_text: str
    edits: list[Edit] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    suppressed: int = 0
    unexecuted: int = 0  # `.value` sites neither proven nor seen by the traced run (with --evidence)


@dataclass
class Analysis:
    """Everything the rules found in one file, before anything is rewritten."""

    context: FileContext
    sites: list[Site]
    diagnostics: list[Diagnostic]
    suppressed: int
    imports: list[tuple[str, str]]  # (module, name) to import, e.g. ("flax", "nnx")


def _anchor_node(node: cst.CSTNode) -> cst.CSTNode:
    if isinstance(node, cst.Attribute):
        return node.attr
    if isinstance(node, cst.Assign):
        return _anchor_node(node.targets[0].target)
    if isinstance(node, (cst.AugAssign, cst.AnnAssign)):
        return _anchor_node(node.target)
    if isinstance(node, cst.Call):
        return _anchor_node(node.func)
    if isinstance(node, cst.FunctionDef):
        return node.name
    return node


class _Applier(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, sites: list[Site]):
        super().__init__()
        self.by_anchor: dict[tuple, list[Site]] = defaultdict(list)
        for site in sites:
            self.by_anchor[(site.node_type, site.line, site.column)].append(site)
        self.node_types = {site.node_type for site in sites}
        self.applied: list[Site] = []

    def on_leave(self, original_node, updated_node):
        node_type = type(original_node).__name__
        if node_type not in self.node_types:
            return updated_node
        position = self.get_metadata(PositionProvider, _anchor_node(original_node)).start
        for site in self.by_anchor.get((node_type, position.line, position.column), ()):
            updated_node = site.fix(updated_node)
            self.applied.append(site)
        return updated_node


def apply_sites(module: cst.Module, sites: list[Site]) -> tuple[cst.Module, list[Site]]:
    """Apply every site in one pass; returns the new module and the sites applied."""
    applier = _Applier(sites)
    new_module = MetadataWrapper(module, unsafe_skip_copy=True).visit(applier)
    return new_module, applier.applied


# Finding each site's node by position needs libcst's positions of every node (a second,
# slower generation of the code). Where every anchor is a name, it is renamed in the text
# to a marker that names its sites, found by that name after parsing, and named back.
_MARKER = "__nnx_migrate_site_{}__"
_MARKER_PREFIX = _MARKER.split("{", 1)[0]
_IDENTIFIER = re.compile(r"[^\W\d]\w*")


def _mark_anchors(text: str, sites: list[Site]) -> tuple[str, dict[str, tuple[str, list[Site]]]] | None:
    """`text` with each site's anchor name replaced by a marker, and marker -> (the name,
    its sites); None when some anchor is not a name (the caller finds nodes by position)."""
    if _MARKER_PREFIX in text:
        return None
    lines = _LINE.findall(text)
    by_position: dict[tuple[int, int], list[Site]] = defaultdict(list)
    for site in sites:
        by_position[(site.line, site.column)].append(site)
    markers: dict[str, tuple[str, list[Site]]] = {}
    for (line, column), here in sorted(by_position.items(), reverse=True):  # right to left: columns stay valid
        if not 1 <= line <= len(lines):
            return None
        found = _IDENTIFIER.match(lines[line - 1], column)
        if found is None or keyword.iskeyword(found.group()) or column > 0 and lines[line - 1][column - 1].isidentifier():
            return None
        marker = _MARKER.format(len(markers))
        markers[marker] = (found.group(), here)
        lines[line - 1] = lines[line - 1][:column] + marker + lines[line - 1][found.end():]
    return "".join(lines), markers


class _MarkedApplier(cst.CSTTransformer):
    """Applies sites whose anchors `_mark_anchors` renamed, and names the anchors back."""

    def __init__(self, markers: dict[str, tuple[str, list[Site]]]):
        super().__init__()
        self.markers = markers
        self.node_types = {site.node_type for _, sites in markers.values() for site in sites}
        self.applied: list[Site] = []

    def on_leave(self, original_node, updated_node):
        if isinstance(updated_node, cst.Name) and updated_node.value in self.markers:
            updated_node = updated_node.with_changes(value=self.markers[updated_node.value][0])
        node_type = type(original_node).__name__
        if node_type not in self.node_types:
            return updated_node
        anchor = _anchor_node(original_node)
        if isinstance(anchor, cst.Name) and anchor.value in self.markers:
            for site in self.markers[anchor.value][1]:
                if site.node_type == node_type:
                    updated_node = site.fix(updated_node)
                    self.applied.append(site)
        return updated_node


def analyze_file(
    file: SourceFile, index: ProjectIndex, resolver: Resolver, settings: Settings, rules: list[Rule]
) -> Analysis:
    """Every rule's sites and diagnostics for a file, less those suppressed inline."""
    context = FileContext(file=file, index=index, resolver=resolver, settings=settings)
    sites: list[Site] = []
    diagnostics: list[Diagnostic] = []
    resolver.begin_file(file)
    try:
        for rule in rules:
            try:
                found_sites, found_diagnostics = rule.analyze(context)
            except AnalysisBudgetExceeded as error:
                raise RewriteError(str(error), rule.name) from error
            except RecursionError as error:
                raise RewriteError(f"rule {rule.name}: expression too deeply nested", rule.name) from error
            except Exception as error:
                raise RewriteError(f"rule {rule.name} failed: {type(error).__name__}: {error}", rule.name) from error
            sites.extend(found_sites)
            diagnostics.extend(found_diagnostics)
    finally:
        resolver.end_file()
    diagnostics.extend(context.evidence.notes(context))
    skip = skipped_lines(file.text)
    kept = [site for site in sites if not skip.intersection(site.lines)]
    diagnostics = [d for d in diagnostics if d.line not in skip]
    imports = sorted(context.required_imports) if kept else []
    return Analysis(context, kept, diagnostics, len(sites) - len(kept), imports)


def apply_analysis(file: SourceFile, analysis: Analysis) -> Rewrite:
    """The file's text with every site of `analysis` applied (and the imports they need)."""
    unexecuted = analysis.context.evidence.unexecuted
    if not analysis.sites:
        return Rewrite(file.text, [], analysis.diagnostics, analysis.suppressed, unexecuted)
    lines = _LINE.findall(file.text)
    applied: list[Site] = []
    # libcst parses only the statements that hold sites, each spliced back in place
    # (rewritten bottom-up, then joined in one pass: not a splice into the list of every
    # line per region, which made a file of many sites cost its length times their number)
    regions = _regions(analysis.context, analysis.sites)
    chunks = [_rewrite_chunk("".join(lines[first - 1 : last]), first, sites, applied)
              for first, last, sites in reversed(regions)]
    pieces, done = [], 0
    for (first, last, _), chunk in zip(regions, reversed(chunks)):
        pieces += lines[done : first - 1]
        pieces.append(chunk)
        done = last
    new_text = "".join(pieces + lines[done:])
    if analysis.imports:
        new_text = _add_imports(new_text, file.tree, analysis.imports)
    applied_ids = {id(site) for site in applied}
    missing = [site for site in analysis.sites if id(site) not in applied_ids]
    if missing:
        first = missing[0]
        raise RewriteError(
            f"internal error: {len(missing)} fix(es) found no node to apply to "
            f"(first: {first.rule} at line {first.line}); file left untouched",
            first.rule,
        )
    try:
        newer_syntax.parse(new_text)
    except SyntaxError as error:
        raise RewriteError(f"internal error: the rewritten file does not parse ({error}); file left untouched") from error
    edits = [site.as_edit() for site in sorted(applied, key=lambda s: (s.line, s.column))]
    if analysis.imports:
        names = ", ".join(f"from {m} import {n}" for m, n in analysis.imports)
        edits.insert(0, Edit(analysis.sites[0].rule, 1, 0, f"add `{names}`"))
    return Rewrite(new_text, edits, analysis.diagnostics, analysis.suppressed, unexecuted)


# a line with its ending, split as Python's tokenizer does (not str.splitlines, which
# also splits on form feeds and other separators)
def _regions(context: FileContext, sites: list[Site]) -> list[tuple[int, int, list[Site]]]:
    """Merged, sorted (first line, last line, sites) of the statements to re-parse."""
    spans = []
    for site in sites:
        statement = site.statement
        while statement is not None and not _starts_its_line(context, statement):
            statement = context.enclosing_statement(context.parent(statement))
        if statement is None:  # a site outside any statement: the whole module
            spans.append((1, len(_lines(context)), site))
            continue
        first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", []))])
        spans.append((first, statement.end_lineno, site))
    spans.sort(key=lambda span: (span[0], -span[1]))
    regions: list[tuple[int, int, list[Site]]] = []
    for first, last, site in spans:
        if regions and first <= regions[-1][1]:
            start, end, members = regions[-1]
            regions[-1] = (start, max(end, last), members + [site])
        else:
            regions.append((first, last, [site]))
    return regions


def _lines(context: FileContext) -> list[str]:
    """The file's lines with their endings, split once per file."""
    if context.lines is None:
        context.lines = _LINE.findall(context.file.text)
    return context.lines


def _starts_its_line(context: FileContext, statement: ast.stmt) -> bool:
    """Nothing but indentation precedes the statement on its first line (not `else: x`,
    not `a = 1; x`), so its lines can be parsed on their own."""
    line = _lines(context)[statement.lineno - 1].encode("utf-8")
    prefix, rest = line[: statement.col_offset], line[statement.col_offset :]
    return not prefix.strip() and not rest.startswith(b"elif")  # an `elif` is an If in an If


def _rewrite_chunk(chunk: str, first: int, sites: list[Site], applied: list[Site]) -> str:
    newline = "\r\n" if chunk.endswith("\r\n") else "\r" if chunk.endswith("\r") else "\n"
    indented = chunk[:1] in (" ", "\t")
    wrapper = f"if 1:{newline}" if indented else ""  # lets libcst parse an indented block
    offset = first - 1 - (1 if indented else 0)
    shifted = [replace(site, line=site.line - offset) for site in sites]
    originals = {id(copy): site for copy, site in zip(shifted, sites)}
    found = _apply_marked(wrapper + chunk, shifted)
    if found is None:  # some anchor is not a name libcst sees as one: find nodes by position
        try:
            module = cst.parse_module(wrapper + chunk)
        except cst.ParserSyntaxError as error:
            raise RewriteError(f"libcst cannot parse this file: {error.message} (line {error.raw_line + offset})") from error
        found = _applying(lambda: apply_sites(module, shifted), sites)
        found = (found[0].code, found[1])
    code, done = found
    applied.extend(originals[id(site)] for site in done)
    return code[len(wrapper):]


def _apply_marked(text: str, sites: list[Site]) -> tuple[str, list[Site]] | None:
    """The new text and the sites applied, each found by its renamed anchor; None when an
    anchor cannot be renamed, or when not every site was found through its name (a
    keyword, or a node whose anchor libcst sees differently): the caller goes by position."""
    marked = _mark_anchors(text, sites)
    if marked is None:
        return None
    try:
        module = cst.parse_module(marked[0])
    except cst.ParserSyntaxError:
        return None
    applier = _MarkedApplier(marked[1])
    new_module = _applying(lambda: module.visit(applier), sites)
    code = new_module.code
    if len(applier.applied) != len(sites) or _MARKER_PREFIX in code:
        return None
    return code, applier.applied


def _applying(apply, sites: list[Site]):
    try:
        return apply()
    except Exception as error:
        rule = sites[0].rule if len({s.rule for s in sites}) == 1 else None
        raise RewriteError(f"applying fixes failed: {type(error).__name__}: {error}", rule) from error


def _add_imports(text: str, tree: ast.Module, imports: list[tuple[str, str]]) -> str:
    """Add `from M import N` lines after the module's leading imports."""
    body = tree.body
    position = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        position = body[0].end_lineno  # after the docstring
    for statement in body[1:] if position else body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            position = statement.end_lineno
        elif not (isinstance(statement, ast.Expr) and position == 0):
            break
    lines = _LINE.findall(text)
    newline = next((line[len(line.rstrip("\r\n")):] for line in lines if line.endswith(("\n", "\r"))), "\n")
    if position and position <= len(lines) and not lines[position - 1].endswith(("\n", "\r")):
        lines[position - 1] += newline
    added = [f"from {module} import {name}{newline}" for module, name in imports]
    return "".join(lines[:position] + added + lines[position:])
