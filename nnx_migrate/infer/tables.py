"""Project-wide tables, built once (before worker processes fork, `prepare_project_tables`):
every use of a name, attribute stores, imports by target, module-level functions."""

from __future__ import annotations

import ast

from nnx_migrate.index import SourceFile


class Tables:
    """A part of `Resolver` (infer/resolver.py): the question in this module's docstring."""

    def _project_function(self, qualified: str) -> ast.AST | None:
        """The module-level def of the project that `qualified` names."""
        if self._module_functions is None:
            self._module_functions = {}
            for file in self.index.files.values():
                for statement in file.tree.body:
                    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        self._module_functions.setdefault(f"{file.module}.{statement.name}", statement)
                        self._function_files[id(statement)] = file
        return self._module_functions.get(qualified)

    def _file_of(self, function: ast.AST) -> SourceFile | None:
        found = self._function_files.get(id(function))
        if found is None:
            for file in self.index.files.values():
                self.steps += 1
                if file.parents.get(id(function)) is not None:
                    found = self._function_files[id(function)] = file
                    break
        return found

    def _attribute_stores(self, name: str) -> list[tuple[ast.Attribute, SourceFile]]:
        """`<anything>.name = ...` (or `del <anything>.name`) anywhere in the project: the
        few non-reads among `name_uses`, grouped once (common names are read thousands of
        times)."""
        def build() -> dict[str, list[tuple[ast.Attribute, SourceFile]]]:
            self.name_uses(name)  # the table they come from
            stores = {}
            for spelled, uses in self._name_uses.items():
                found = [(node, file) for node, file in uses
                         if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load)]
                if found:
                    stores[spelled] = found
            return stores

        return self._table(("attribute stores",), build).get(name, [])

    def _star_imported_modules(self) -> set[str]:
        """Last components of the modules some file star-imports (`from .m import *`)."""
        if self._star_imports is None:
            self._star_imports = set()
            for file in self.index.files.values():
                for node in file.nodes(ast.ImportFrom):
                    if any(alias.name == "*" for alias in node.names):
                        self._star_imports.add((node.module or "").rpartition(".")[2])
        return self._star_imports

    def _imported_as(self, qualified: str) -> list[tuple[SourceFile, str]]:
        """(file, local name) for every module-level import of `qualified`."""
        if self._imports_by_target is None:
            self._imports_by_target = {}
            for file in self.index.files.values():
                self._project_wide_steps(len(file.imports))
                for local, target in file.imports.items():
                    self._imports_by_target.setdefault(target, []).append((file, local))
        return self._imports_by_target.get(qualified, [])

    def name_uses(self, name: str) -> list[tuple[ast.expr, SourceFile]]:
        """Every Name or Attribute node of the project spelled `name` (`f`, `x.f`)."""
        if self._name_uses is None:
            self._name_uses = {}
            for file in self.index.files.values():
                nodes = file.nodes(ast.Name, ast.Attribute)
                self._project_wide_steps(len(nodes))
                for node in nodes:
                    named = node.id if isinstance(node, ast.Name) else node.attr
                    self._name_uses.setdefault(named, []).append((node, file))
        return self._name_uses.get(name, [])

    def _string_constants(self) -> frozenset[str]:
        """Every identifier-like string literal of the project (`getattr(m, "_scale")`)."""
        if self._strings is None:
            self._strings = frozenset(
                node.value for file in self.index.files.values() for node in file.nodes(ast.Constant)
                if isinstance(node.value, str) and node.value.isidentifier()
            )
        return self._strings

    def _bindings_by_file(self) -> dict[tuple[int | None, str], tuple[list, list]]:
        """(file id or None for the whole project, attribute) -> (classes that bind the
        attribute or define it as a method, its stores from outside), grouped once."""
        if self._by_file is None:
            grouped: dict[tuple[int | None, str], tuple[list, list]] = {}
            for info in self.index.classes.values():
                for attr in set(info.attribute_bindings) | set(info.methods):
                    for key in ((None, attr), (id(info.file), attr)):
                        grouped.setdefault(key, ([], []))[0].append(info)
            for attr, values in self.index.foreign_attribute_stores.items():
                for value, file, _ in values:
                    for key in ((None, attr), (id(file), attr)):
                        grouped.setdefault(key, ([], []))[1].append((value, file))
            self._by_file = grouped
        return self._by_file

    def _constant_setattr_calls(self, attr: str) -> list[tuple[ast.expr, ast.expr, SourceFile]]:
        """(receiver, value, file) of `setattr(x, "attr", v)` / `object.__setattr__(x, "attr", v)`."""
        found = []
        for node, file in self.name_uses("setattr") + self.name_uses("__setattr__"):
            call = file.parents.get(id(node))
            if isinstance(call, ast.Call) and call.func is node and len(call.args) == 3 \
                    and isinstance(call.args[1], ast.Constant) and call.args[1].value == attr:
                found.append((call.args[0], call.args[2], file))
        return found
