"""One file's rewrite: its code (rewrite.py), then the doctest examples in its docstrings,
each docstring's examples one session file of the index (doctests.py finds and indexes
them; this module migrates them and puts the code back after the prompts)."""

from __future__ import annotations

import ast
from dataclasses import replace

from nnx_migrate import newer_syntax, notebook
from nnx_migrate.config import Settings
from nnx_migrate.doctests import (
    _OWNERS, NOTE_RULE, PROMPT_WIDTH, Docstring, _offsets, _parser, _span, code_lines, docstring_nodes, find_examples,
    looks_nnx, prompted,
)
from nnx_migrate.findings import Diagnostic
from nnx_migrate.index import ProjectIndex, SourceFile
from nnx_migrate.resolve import Resolver
from nnx_migrate.rewrite import Rewrite, RewriteError, analyze_file, apply_analysis
from nnx_migrate.rule import Rule


def rewrite_file(
    file: SourceFile, index: ProjectIndex, resolver: Resolver, settings: Settings, rules: list[Rule]
) -> Rewrite:
    rewrite = apply_analysis(file, analyze_file(file, index, resolver, settings, rules))
    if file.docstrings:
        rewrite = rewrite_docstrings(file, rewrite, index, resolver, settings, rules)
    return rewrite


def rewrite_docstrings(file, rewrite, index, resolver, settings, rules):
    """`rewrite` (of the file's code) with the file's docstring examples migrated too."""
    replaced: dict[int, str] = {}  # docstring ordinal -> its new literal
    expected: dict[int, list[list[str]]] = {}  # docstring ordinal -> each example's code, as doctest will read it
    edits, diagnostics = list(rewrite.edits), list(rewrite.diagnostics)
    suppressed, unexecuted = rewrite.suppressed, rewrite.unexecuted
    for docstring in file.docstrings:
        diagnostics += _uncompiled_notes(docstring)
        session = docstring.session
        if session is None:
            continue
        analysis = analyze_file(session, index, resolver, settings, rules)
        suppressed += analysis.suppressed
        unexecuted += analysis.context.evidence.unexecuted
        diagnostics += [_moved(docstring, session.text, d) for d in analysis.diagnostics]
        if not analysis.sites:
            continue
        if analysis.imports:
            names = ", ".join(f"from {m} import {n}" for m, n in analysis.imports)
            _refuse_to_drop(docstring, session.text, [s.as_edit() for s in analysis.sites],
                            f"does not import what its migrated form needs (`{names}`)")
            diagnostics.append(_note(docstring, docstring.included[0], "these docstring examples were not migrated: "
                                     f"they would need `{names}`, which they do not import", "migrate them by hand"))
            continue
        session_rewrite = apply_analysis(session, analysis)
        new_codes = notebook.split(session_rewrite.new_text)
        body = list(docstring.body)
        final = [example.runs for example in docstring.examples]
        kept = []
        for number in reversed(docstring.included):
            example = docstring.examples[number]
            codes = code_lines(new_codes.get(number, example.code))
            if codes == example.runs:
                continue
            in_example = [e for e in session_rewrite.edits if notebook.locate(session.text, e.line)[0] == number]
            if not example.writable:
                _refuse_to_drop(docstring, session.text, in_example, "holds a backslash escape or a tab")
                diagnostics.append(_note(docstring, number, "this docstring example holds a backslash escape or a "
                                         "tab, so its text is not the code doctest runs; it was not migrated",
                                         "migrate it by hand"))
                continue
            body[example.line:example.line + len(example.codes)] = prompted(body, example, codes)
            final[number] = codes
            kept += in_example
        if body != docstring.body:
            replaced[docstring.ordinal] = docstring.head + "".join(body) + docstring.tail
            expected[docstring.ordinal] = final
            # a class an example defines has no callers outside its docstring: nothing to announce
            edits += [replace(_moved(docstring, session.text, edit), announce=False) for edit in kept]
    if not replaced:
        return type(rewrite)(rewrite.new_text, edits, diagnostics, suppressed, unexecuted)
    new_text = _splice(file, rewrite.new_text, replaced, expected)
    return type(rewrite)(new_text, sorted(edits, key=lambda e: (e.line, e.column)), diagnostics, suppressed, unexecuted)


def _uncompiled_notes(docstring: Docstring) -> list:
    if not docstring.matched:
        nnx_like = [n for n, example in enumerate(docstring.examples) if looks_nnx(example.text)]
        return [_note(docstring, nnx_like[0], "this docstring's backslash escapes change the lines doctest reads, "
                      "so its examples were not migrated", "migrate them by hand")] if nnx_like else []
    return [_note(docstring, n, "this docstring example does not compile, so doctest cannot run it; it was not "
                  "migrated", "migrate it by hand")
            for n, example in enumerate(docstring.examples)
            if n not in docstring.included and looks_nnx(example.text)]


def _refuse_to_drop(docstring: Docstring, text: str, edits: list, why: str) -> None:
    """A call site a project-wide plan counted on must be rewritten, or the plan fails:
    the file fails, and the pipeline plans again without it."""
    planned = [e for e in edits if e.announce or e.rule == "keyword-only-rngs"]
    if planned:
        line, _ = _position(docstring, text, planned[0].line, 0)
        raise RewriteError(f"a docstring example (line {line}) {why}, but a changed signature needs it rewritten; "
                           "file left untouched", planned[0].rule)


def _position(docstring: Docstring, text: str, line: int, column: int) -> tuple[int, int]:
    """A position in the session's text -> the file's line and column."""
    number, offset = notebook.locate(text, line)
    if number is None:
        number, offset = docstring.included[0], 1
    return _example_position(docstring, number, max(offset, 1) - 1, column)


def _example_position(docstring: Docstring, number: int, offset: int, column: int) -> tuple[int, int]:
    example = docstring.examples[number]
    body_line = example.line + min(offset, len(example.codes) - 1)
    start = docstring.column + len(docstring.head) if body_line == 0 else 0
    return docstring.line + body_line, start + example.indent + PROMPT_WIDTH + column


def _moved(docstring: Docstring, text: str, item):
    line, column = _position(docstring, text, item.line, item.column)
    return replace(item, line=line, column=column)


def _note(docstring: Docstring, number: int, message: str, advice: str):
    line, column = _example_position(docstring, number, 0, 0)
    return Diagnostic(NOTE_RULE, line, column - PROMPT_WIDTH, message, advice)


def _splice(file, text: str, replaced: dict[int, str], expected: dict[int, list[list[str]]]) -> str:
    """`text` (the file's code, maybe already rewritten) with these docstrings replaced;
    each must still read as it did when the file was indexed."""
    old = {docstring.ordinal: docstring for docstring in file.docstrings}
    spans = _literal_spans(file, text, [old[ordinal] for ordinal in replaced])
    for ordinal in sorted(replaced, reverse=True):
        start, end = spans[ordinal]
        text = text[:start] + replaced[ordinal] + text[end:]
    _check(text, [(old[ordinal], replaced[ordinal], expected[ordinal]) for ordinal in replaced])
    return text


def _literal_spans(file, text: str, docstrings: list[Docstring]) -> dict[int, tuple[int, int]]:
    """Where each docstring's literal lies in `text`: where the index saw it when the code
    did not change, where its text occurs once, else where a new parse puts it."""
    if text != file.text:
        found = {}
        for docstring in docstrings:
            at = text.find(docstring.literal)
            if at < 0 or text.find(docstring.literal, at + 1) >= 0:
                break
            found[docstring.ordinal] = (at, at + len(docstring.literal))
        else:
            return found
    nodes = docstring_nodes(file.tree, file.nodes(*_OWNERS)) if text == file.text else \
        docstring_nodes(newer_syntax.parse(text)[0])
    lines, starts = _offsets(text)
    spans = {}
    for docstring in docstrings:
        span = _span(lines, starts, nodes[docstring.ordinal]) if docstring.ordinal < len(nodes) else (0, -1)
        if text[span[0]:span[1]] != docstring.literal:
            raise RewriteError(f"internal error: the docstring at line {docstring.line} moved while the code was "
                               "rewritten; file left untouched")
        spans[docstring.ordinal] = span
    return spans


def _check(text: str, changes: list[tuple[Docstring, str, list[list[str]]]]) -> None:
    """Each new docstring is one string literal holding the same examples and output as
    doctest reads them, only their code changed as intended, and the file parses."""
    try:
        for docstring, literal, codes in changes:
            body = literal[len(docstring.head):len(literal) - len(docstring.tail)]
            if docstring.tail in body:
                raise ValueError("it would end early")
            old_value, new_value = ast.literal_eval(docstring.literal), ast.literal_eval(literal)
            if [e.want for e in _parser().get_examples(new_value)] != [e.want for e in _parser().get_examples(old_value)]:
                raise ValueError("its expected output changed")
            if [e.codes for e in find_examples(new_value)] != codes:
                raise ValueError("its examples do not read back as migrated")
        newer_syntax.parse(text)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError) as error:
        raise RewriteError(f"internal error: a migrated docstring does not read back ({error}); file left "
                           "untouched") from error
