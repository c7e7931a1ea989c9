"""Rewrite stage: run the selected rules' analyses on one file, then apply every site
they found in a single libcst pass (TorchFix's collect-then-replace). A file with no
site is never parsed by libcst."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, ImportItem
from libcst.metadata import MetadataWrapper, PositionProvider

from nnx_migrate.config import Settings
from nnx_migrate.index import ProjectIndex, SourceFile
from nnx_migrate.resolve import Resolver
from nnx_migrate.rule import Diagnostic, FileContext, Rule, Site

SKIP_COMMENT = re.compile(r"#\s*nnx-migrate:\s*skip\b")


class RewriteError(Exception):
    """A rule failed on a file; the file is left untouched."""

    def __init__(self, message: str, rule: str | None = None):
        super().__init__(message)
        self.rule = rule


@dataclass
class Rewrite:
    new_text: str
    edits: list[Site] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    suppressed: int = 0


def skipped_lines(text: str) -> set[int]:
    """Lines carrying a `# nnx-migrate: skip` comment (a real comment, not a string)."""
    if not SKIP_COMMENT.search(text):
        return set()
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT and SKIP_COMMENT.search(token.string):
            lines.add(token.start[0])
    return lines


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


def analyze_file(
    file: SourceFile, index: ProjectIndex, resolver: Resolver, settings: Settings, rules: list[Rule]
) -> tuple[list[Site], list[Diagnostic], int]:
    """Every rule's sites and diagnostics for a file, less those suppressed inline."""
    context = FileContext(file=file, index=index, resolver=resolver, settings=settings)
    sites: list[Site] = []
    diagnostics: list[Diagnostic] = []
    for rule in rules:
        try:
            found_sites, found_diagnostics = rule.analyze(context)
        except RecursionError as error:
            raise RewriteError(f"rule {rule.name}: expression too deeply nested", rule.name) from error
        except Exception as error:
            raise RewriteError(f"rule {rule.name} failed: {type(error).__name__}: {error}", rule.name) from error
        sites.extend(found_sites)
        diagnostics.extend(found_diagnostics)
    skip = skipped_lines(file.text)
    kept = [site for site in sites if not skip.intersection(site.lines)]
    diagnostics = [d for d in diagnostics if d.line not in skip]
    suppressed = len(sites) - len(kept)
    if kept and context.required_imports:
        kept.append(_import_site(sorted(context.required_imports), kept[0].rule))
    return kept, diagnostics, suppressed


def _import_site(imports: list[tuple[str, str]], rule: str) -> Site:
    def fix(module: cst.Module) -> cst.Module:
        items = [ImportItem(module_name, obj_name) for module_name, obj_name in imports]
        return AddImportsVisitor(CodemodContext(), items).transform_module(module)

    names = ", ".join(f"from {m} import {n}" for m, n in imports)
    return Site(rule, "Module", 1, 0, fix, f"add `{names}`")


def rewrite_file(
    file: SourceFile, index: ProjectIndex, resolver: Resolver, settings: Settings, rules: list[Rule]
) -> Rewrite:
    sites, diagnostics, suppressed = analyze_file(file, index, resolver, settings, rules)
    if not sites:
        return Rewrite(file.text, [], diagnostics, suppressed)
    try:
        module = cst.parse_module(file.text)
    except cst.ParserSyntaxError as error:
        raise RewriteError(f"libcst cannot parse this file: {error.message} (line {error.raw_line})") from error
    try:
        new_module, applied = apply_sites(module, sites)
    except Exception as error:
        rule = sites[0].rule if len({s.rule for s in sites}) == 1 else None
        raise RewriteError(f"applying fixes failed: {type(error).__name__}: {error}", rule) from error
    applied_ids = {id(site) for site in applied}
    missing = [site for site in sites if id(site) not in applied_ids]
    if missing:
        first = missing[0]
        raise RewriteError(
            f"internal error: {len(missing)} fix(es) found no node to apply to "
            f"(first: {first.rule} at line {first.line}); file left untouched",
            first.rule,
        )
    new_text = new_module.code
    try:
        ast.parse(new_text)
    except SyntaxError as error:
        raise RewriteError(f"internal error: the rewritten file does not parse ({error}); file left untouched") from error
    return Rewrite(new_text, applied, diagnostics, suppressed)
