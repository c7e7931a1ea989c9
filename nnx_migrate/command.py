"""The libcst codemod command that runs one rule standalone
(`python -m libcst.tool codemod -x nnx_migrate.codemods.<module>.<Command> PATH`)."""

from __future__ import annotations

import argparse
import ast
from pathlib import Path
from typing import ClassVar

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile
from libcst.codemod.visitors import AddImportsVisitor

from nnx_migrate import flax_api
from nnx_migrate.config import Settings
from nnx_migrate.index import ProjectIndex
from nnx_migrate.resolve import Resolver
from nnx_migrate.rule import Rule


class RuleCommand(CodemodCommand):
    """Runs one rule as a libcst codemod (`python -m libcst.tool codemod ...`).

    libcst's tool hands over one file at a time, so the project index holds only that
    file: classes defined elsewhere are not seen, and the rule does less than
    `nnx-migrate` does on the whole project.
    """

    RULE: ClassVar[type[Rule]]

    def __init__(self, context: CodemodContext, target_version: str | None = None,
                 unsafe_fixes: bool = False) -> None:
        super().__init__(context)
        self.settings = Settings(
            select=[self.RULE.name],
            target_version=flax_api.parse_version(target_version) if target_version else flax_api.NEWEST,
            unsafe_fixes=unsafe_fixes,
        )

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--target-version", default=None, help="oldest flax the result must run on")
        arg_parser.add_argument("--unsafe-fixes", action="store_true", help="also apply unsafe fixes")

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        from nnx_migrate.rewrite import analyze_file, apply_sites

        text = tree.code
        index = ProjectIndex()
        file = index.add_file(Path(self.context.filename or "module.py"), text, ast.parse(text))
        analysis = analyze_file(file, index, Resolver(index), self.settings, [self.RULE()])
        if not analysis.sites:
            raise SkipFile("nothing to migrate")
        for module, name in analysis.imports:
            AddImportsVisitor.add_needed_import(self.context, module, name)
        new_tree, _ = apply_sites(tree, analysis.sites)
        return new_tree
