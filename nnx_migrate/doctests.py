"""Doctest examples (`>>>` / `...` lines) in docstrings, migrated like code.

The examples of one docstring are one session, as doctest runs them: their code, joined
with the marker lines a notebook's cells get (see notebook.py), becomes a file of the
project index of its own (so it is analysed by the same rules, with the same settings
and project facts as everything else; a name it never binds is its module's import of
that name, as doctest runs it with the module's globals, else unknown). The
migrated code goes back after the prompts; indentation, expected output and prose stay
byte-identical.

Only an example whose raw source lines are exactly the code doctest runs is rewritten:
one holding a backslash escape or a tab (in a docstring that is not raw) is analysed but
left as it is, and reported if a rule wanted to change it. An example doctest cannot
compile is left out (it binds nothing) and reported. Whatever else goes wrong fails the
whole file, which is then left byte-identical.
"""

from __future__ import annotations

import ast
import functools
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from nnx_migrate import notebook
from nnx_migrate.flax_api import mentions_flax

PROMPT_WIDTH = 4  # `>>> ` and `... `
_PS2 = re.compile(r" *\.\.\.")  # a continuation line, as doctest's own pattern finds it
_LITERAL = re.compile(r"(?P<prefix>[rRuU]?)(?P<quote>\"\"\"|'''|\"|')")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_LOOKS_NNX = re.compile(r"\bnnx\b|\.(?:value|raw_value|iter_modules|iter_children|fork)\b")
NOTE_RULE = "doctest"


@dataclass
class Example:
    line: int  # index of its first line among the lines of the text it was found in
    indent: int  # columns before the prompt
    codes: list[str]  # each line's code, prompt stripped
    writable: bool = True  # its raw lines are exactly what doctest runs
    running: list[str] | None = None  # the code doctest runs, line by line, where it differs from `codes`

    @property
    def runs(self) -> list[str]:
        """The code doctest runs, line by line."""
        return self.codes if self.running is None else self.running

    @property
    def code(self) -> str:
        """The code doctest runs."""
        return "".join(code + "\n" for code in self.runs)

    @property
    def text(self) -> str:
        """The code as the docstring shows it."""
        return "".join(code + "\n" for code in self.codes)


@functools.cache
def _parser():
    import doctest  # imports pdb and more: only where examples are looked for

    return doctest.DocTestParser()


def find_examples(text: str) -> list[Example]:
    """The examples doctest finds in `text` (lines split on `\\n`), with their code line by
    line. ValueError where doctest itself rejects the text."""
    lines = text.expandtabs().split("\n")
    examples = []
    for found in _parser().get_examples(text):
        count = 1
        while found.lineno + count < len(lines) and _PS2.match(lines[found.lineno + count]):
            count += 1
        codes = [line[found.indent + PROMPT_WIDTH:] for line in lines[found.lineno:found.lineno + count]]
        if "\n".join(codes).rstrip("\n") != found.source.rstrip("\n"):
            raise ValueError("an example's lines are not where doctest found them")
        examples.append(Example(found.lineno, found.indent, codes))
    return examples


def examples_in_block(lines: list[str], start: int, end: int) -> list[Example] | None:
    """The examples of a page's code block `lines[start:end]` (placed on the page's lines),
    or None when it is not a doctest block: it starts with `>>>`, and doctest reads it as
    its text shows (no tabs)."""
    body = [line.rstrip("\r\n") for line in lines[start:end]]
    first = next((line for line in body if line.strip()), "")
    if not first.lstrip(" ").startswith(">>>") or any("\t" in line for line in body):
        return None
    try:
        found = find_examples("\n".join(body))
    except ValueError:
        return None
    return [Example(start + example.line, example.indent, example.codes) for example in found] or None


def looks_nnx(text: str) -> bool:
    """Whether an example that cannot be migrated is worth a note: many docstrings put `>>>`
    before pseudo-code, which is prose and stays quiet."""
    return bool(_LOOKS_NNX.search(text))


def code_lines(code: str) -> list[str]:
    """An example's (migrated) code, line by line."""
    lines = code.split("\n")
    return lines[:-1] if lines and not lines[-1] else lines


def compiles(code: str) -> bool:
    """Whether doctest can compile this example (one interactive statement)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(code, "<doctest>", "single", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def session_text(examples: list[Example], included: list[int]) -> str:
    """The code of these examples, each after a marker line naming its number."""
    return "".join(notebook.MARKER.format(number) + "\n" + examples[number].code for number in included)


def prompted(lines: list[str], example: Example, codes: list[str]) -> list[str]:
    """The example's raw `lines` (with their endings) with its code replaced by `codes`;
    prompts, indentation and line endings kept."""
    old = lines[example.line:example.line + len(example.codes)]
    ending = old[0][len(old[0].rstrip("\r\n")):]
    prefix = old[0][:example.indent]
    if len(codes) == len(old):
        prompts = [line[:example.indent + PROMPT_WIDTH - 1] for line in old]
    else:
        prompts = [prefix + ">>>"] + [prefix + "..."] * (len(codes) - 1)
    new = []
    for index, (prompt, code) in enumerate(zip(prompts, codes)):
        if index < len(old) and len(codes) == len(old) and code == example.codes[index]:
            new.append(old[index])
        else:
            line_ending = old[index][len(old[index].rstrip("\r\n")):] if index < len(old) else ending
            new.append(prompt + (" " + code if code else "") + (line_ending or ending))
    if new and not old[-1].endswith(("\n", "\r")):
        new[-1] = new[-1].rstrip("\r\n")
    return new


# -- docstrings ---------------------------------------------------------------------------------

@dataclass(eq=False)
class Docstring:
    """A docstring holding examples, and the session file its examples were indexed as."""

    ordinal: int  # among the file's docstrings, in source order
    line: int  # of the literal's first line
    column: int  # characters before the literal on that line
    literal: str  # its exact text
    head: str  # prefix and opening quotes
    tail: str  # closing quotes
    body: list[str]  # the lines between the quotes, with their endings
    examples: list[Example]
    matched: bool = True  # doctest reads as many examples as the text shows
    included: list[int] = field(default_factory=list)  # examples that compile: the session's code
    session: object | None = None  # the index's SourceFile of the session (None: not indexed)

    @property
    def code(self) -> str:
        """The code of the examples that compile."""
        return "".join(self.examples[number].code for number in self.included)


_OWNERS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def docstring_nodes(tree: ast.Module, owners: list[ast.AST] | None = None) -> list[ast.Constant]:
    """Every docstring of a module, its classes and its functions, in source order
    (`owners`: the classes and functions in source order, where the index has them)."""
    if owners is None:
        owners = sorted((node for node in ast.walk(tree) if isinstance(node, _OWNERS)),
                        key=lambda node: (node.lineno, node.col_offset))
    owners = [tree, *owners]
    found = []
    for owner in owners:
        first = owner.body[0] if owner.body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            found.append(first.value)
    return found


def _offsets(text: str) -> tuple[list[str], list[int]]:
    lines = _LINE.findall(text)
    starts, position = [], 0
    for line in lines:
        starts.append(position)
        position += len(line)
    return lines, starts


def _span(lines: list[str], starts: list[int], node: ast.expr) -> tuple[int, int]:
    """Character offsets of a node (ast columns count UTF-8 bytes)."""
    def offset(line: int, byte_column: int) -> int:
        return starts[line - 1] + len(lines[line - 1].encode("utf-8")[:byte_column].decode("utf-8", "replace"))

    return offset(node.lineno, node.col_offset), offset(node.end_lineno, node.end_col_offset)


def find_docstrings(file) -> list[Docstring]:
    """The docstrings of an indexed file holding doctest examples (none, cheaply, without `>>>`)."""
    text = file.text
    if ">>>" not in text:
        return []
    lines, starts = _offsets(text)
    found = []
    for ordinal, node in enumerate(docstring_nodes(file.tree, file.nodes(*_OWNERS))):
        if ">>>" not in node.value:
            continue
        start, end = _span(lines, starts, node)
        literal = text[start:end]
        match = _LITERAL.match(literal)
        if match is None:
            continue
        head, quote = match.group(0), match.group("quote")
        body_text = literal[len(head):len(literal) - len(quote)]
        if not literal.endswith(quote) or len(literal) < len(head) + len(quote) or quote in body_text:
            continue  # implicitly concatenated literals: not one text to rewrite
        body = _LINE.findall(body_text)
        shown = body_text.replace("\r\n", "\n").replace("\r", "\n")
        try:
            examples = find_examples(shown)
            run = examples if shown == node.value else find_examples(node.value)  # what doctest runs
        except ValueError:
            continue  # doctest rejects this docstring itself
        if not examples:
            continue
        _mark_writable(examples, body, raw=match.group("prefix") in ("r", "R"))
        matched = len(run) == len(examples)  # else escapes join or split lines: the text is not what runs
        for example, running in zip(examples, run if matched else examples):
            if running.codes != example.codes or not matched:
                example.running, example.writable = running.codes, False
        column = start - starts[node.lineno - 1]
        found.append(Docstring(ordinal, node.lineno, column, literal, head, quote, body, examples, matched))
    return found


def _mark_writable(examples: list[Example], body: list[str], raw: bool) -> None:
    for example in examples:
        text = "".join(body[example.line:example.line + len(example.codes)])
        before = body[example.line - 1] if example.line else ""
        if "\t" in text or (not raw and ("\\" in text or before.rstrip("\r\n").endswith("\\"))):
            example.writable = False


def add_sessions(index, file) -> None:
    """Index the examples of each docstring of `file` as a session file of its own. As with
    files, examples that never say flax or nnx wait: see `add_needed_sessions`."""
    for docstring in find_docstrings(file):
        docstring.included = [n for n, example in enumerate(docstring.examples)
                              if docstring.matched and compiles(example.code)]
        for number, example in enumerate(docstring.examples):
            if not example.writable or number not in docstring.included:
                # examples that are never rewritten: what they show calling a changed signature must block it
                where = file.path.with_name(f"{file.path.name}#line{docstring.line + example.line}")
                index.unprocessed[where] = example.text.encode("utf-8")
        file.docstrings.append(docstring)
        if mentions_flax(docstring.code.encode("utf-8")):
            _index_session(index, file, docstring)


def add_needed_sessions(index, needed: set[str] | None) -> None:
    """Index the waiting sessions that mention a name a rule must see every use of (a
    constructor whose signature it changes; None: every session), as the pipeline does with files."""
    from nnx_migrate.index import words_of

    for file in list(index.files.values()):
        for docstring in file.docstrings:
            if docstring.session is None and docstring.included and (
                    needed is None or not needed.isdisjoint(words_of(docstring.code))):
                _index_session(index, file, docstring)


def _index_session(index, file, docstring: Docstring) -> None:
    text = session_text(docstring.examples, docstring.included)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # examples that compile alone but not together: left out
    docstring.session = index.add_file(session_path(file.path, docstring.line), text, tree)
    docstring.session.host = file


def session_path(path: Path, line: int) -> Path:
    return path.with_name(f"{path.name}#docstring{line}")
