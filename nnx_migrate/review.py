"""`--review`: walk the changes hunk by hunk and write only what is accepted.

Notebooks and pages are reviewed cell by cell (block by block), each hunk headed with
the cell it is in (`nb.ipynb:cell 3:2`), IPython escapes shown as written.

Hunks that cannot stand alone are asked about together: every hunk of the
keyword-only-rngs rule (a signature and all its call sites, across files) is one
question, and an import the rewrites need comes with the first accepted hunk of its file.
A file whose accepted hunks would not parse is left untouched, and says so.
On a terminal an answer is one key, without Enter.
"""

from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass, field

from rich.console import Console
from rich.markup import escape
from rich.syntax import Syntax

from nnx_migrate import docblocks, newer_syntax, notebook
from nnx_migrate.apply import FileError, SourceText, read_unchanged, write_atomic
from nnx_migrate.ipython import Masker
from nnx_migrate.pipeline import FileResult, RunResult

GROUPED_RULES = ("keyword-only-rngs",)  # a signature changes with all its call sites or not at all
CONTEXT = 2


@dataclass
class Hunk:
    file: FileResult
    old_start: int  # 0-based line range in the old text (of the part)
    old_end: int
    new_lines: list[str]
    rules: set[str] = field(default_factory=set)
    is_import: bool = False
    accepted: bool = False
    part: int | None = None  # the notebook cell or page block it is in (None: the whole file)
    old_lines: list[str] = field(default_factory=list)  # the part's lines, as they were
    where: str = ""  # `file:line` or `nb.ipynb:cell 3:line`, for the header


@dataclass
class _Parts:
    """A notebook or page seen as its cells or blocks, IPython escapes in place."""

    source: SourceText
    old: dict[int, str]
    new: dict[int, str]


def _hunks(file: FileResult, old: str, new: str, part: int | None = None, first_line: int = 0,
           cell: int | None = None) -> list[Hunk]:
    """`first_line`: the part's line 0 in the numbering of the file's edits."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    edit_lines = [(e.rule, e.line - first_line) for e in file.edits if e.cell == cell]  # in this part's numbering
    hunks = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for start, end, new_start, new_end in _split_by_edit(edit_lines, i1, i2, j1, j2):
            where = f"{file.display}:cell {cell}:{start + 1}" if cell else f"{file.display}:{first_line + start + 1}"
            hunk = Hunk(file, start, end, new_lines[new_start:new_end], part=part, old_lines=old_lines, where=where)
            hunk.rules = {rule for rule, line in edit_lines if start + 1 <= line <= max(end, start + 1)}
            added = "".join(hunk.new_lines).strip()
            hunk.is_import = start == end and added.startswith(("from ", "import ")) and "\n" not in added
            hunks.append(hunk)
    return hunks


def _split_by_edit(edit_lines: list[tuple[str, int]], i1: int, i2: int, j1: int, j2: int) -> list[tuple]:
    """Adjacent changed lines from different rewrites, as separate hunks, so one rule's
    question does not carry another's lines. Only a block of lines replaced one for one
    can be split: a line where an edit starts opens a hunk, lines after it belong to it."""
    starts = sorted({line - 1 for _, line in edit_lines if i1 < line - 1 < i2})
    if i2 - i1 != j2 - j1 or not starts:
        return [(i1, i2, j1, j2)]
    bounds = [i1, *starts, i2]
    return [(a, b, j1 + a - i1, j1 + b - i1) for a, b in zip(bounds, bounds[1:])]


def hunks_of(file: FileResult, parts: _Parts | None = None) -> list[Hunk]:
    if parts is None:
        return _hunks(file, file.old_text, file.new_text)
    embedded = parts.source.embedded
    hunks = []
    for number, old in parts.old.items():
        new = parts.new.get(number, old)
        if isinstance(embedded, notebook.Notebook):
            hunks += _hunks(file, old, new, number, cell=number + 1)
        else:
            hunks += _hunks(file, old, new, number, first_line=embedded.blocks[number].start)
    return hunks


def _parts(file: FileResult) -> _Parts | None:
    """The cells or blocks of a changed notebook or page, read again (None if it changed)."""
    source = read_unchanged(file.path, file.old_text)
    if source is None:
        return None
    masker = source.embedded.masker
    return _Parts(source, notebook.split(file.old_text, masker), notebook.split(file.new_text, masker))


def _apply(lines: list[str], hunks: list[Hunk]) -> str:
    lines = list(lines)
    for hunk in sorted(hunks, key=lambda h: -h.old_start):
        if hunk.accepted:
            lines[hunk.old_start:hunk.old_end] = hunk.new_lines
    return "".join(lines)


def _new_text(file: FileResult, hunks: list[Hunk], parts: _Parts | None) -> str | None:
    """The file with the accepted hunks, or None when they do not parse on their own."""
    if parts is None:
        text = _apply(file.old_text.splitlines(keepends=True), hunks)
        return text if _parses_as_a_file(text) else None
    embedded = parts.source.embedded
    sources = {}
    for number in {h.part for h in hunks if h.accepted}:
        mine = [h for h in hunks if h.part == number]
        sources[number] = _apply(mine[0].old_lines, mine)
        if Masker(sources[number]).mask(sources[number], commented_magics=getattr(embedded, "script", False)) is None:
            return None
    if isinstance(embedded, notebook.Notebook):
        return notebook.dump_sources(sources, embedded)
    return docblocks.dump_blocks(sources, embedded)


def _parses_as_a_file(text: str) -> bool:
    """Whether `text` parses, PEP 701 f-strings included on an older Python (newer_syntax)."""
    try:
        newer_syntax.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _show(console: Console, hunk: Hunk) -> None:
    old_lines = hunk.old_lines
    start = max(0, hunk.old_start - CONTEXT)
    end = min(len(old_lines), hunk.old_end + CONTEXT)
    text = "".join(
        [f" {line}" for line in old_lines[start:hunk.old_start]]
        + [f"-{line}" for line in old_lines[hunk.old_start:hunk.old_end]]
        + [f"+{line}" for line in hunk.new_lines]
        + [f" {line}" for line in old_lines[hunk.old_end:end]]
    )
    rules = ", ".join(sorted(hunk.rules)) or ("import" if hunk.is_import else "")
    console.rule(f"{escape(hunk.where)}  {escape(f'[{rules}]')}")
    console.print(Syntax(text, "diff", theme="ansi_dark", background_color="default"))


def _questions(hunks: list[Hunk]) -> list[list[Hunk]]:
    """The hunks, as questions: one per hunk, except that a hunk where no rewrite starts
    goes with the hunk before it (the rest of a rewrite over several lines), and the
    grouped rules' hunks are one question, asked last. Imports are never asked about."""
    questions: list[list[Hunk]] = []
    grouped: list[Hunk] = []
    previous: list[Hunk] | None = None
    for hunk in hunks:
        if hunk.is_import:
            continue
        if not hunk.rules and previous is not None and (previous[-1].file, previous[-1].part) == (hunk.file, hunk.part):
            previous.append(hunk)
            continue
        if hunk.rules & set(GROUPED_RULES):
            grouped.append(hunk)
            previous = grouped
        else:
            previous = [hunk]
            questions.append(previous)
    return questions + ([grouped] if grouped else [])


def _stdin_is_terminal() -> bool:
    try:
        import termios  # noqa: F401  (not on Windows)

        return sys.stdin.isatty()
    except (ImportError, AttributeError, ValueError):  # no stdin, or a closed one
        return False


def read_key(prompt: str) -> str:
    """One key from the terminal, read in cbreak mode (no Enter needed; Ctrl-C still
    interrupts). Enter and spaces are passed over, so typing `y` Enter answers once.
    Ctrl-D or the end of the input raise EOFError, as `input` does."""
    import termios
    import tty

    sys.stdout.write(prompt)
    sys.stdout.flush()
    descriptor = sys.stdin.fileno()
    saved = termios.tcgetattr(descriptor)
    try:
        tty.setcbreak(descriptor)
        key = " "
        while key in ("\r", "\n", " "):
            key = os.read(descriptor, 1).decode("utf-8", errors="replace")
    finally:
        termios.tcsetattr(descriptor, termios.TCSADRAIN, saved)
    ended = key in ("", "\x04")
    sys.stdout.write(("" if ended else key) + "\n")  # cbreak does not echo
    sys.stdout.flush()
    if ended:
        raise EOFError
    return key


def review(result: RunResult, ask=None, console: Console | None = None) -> dict[str, int]:
    """Ask about every hunk; write the accepted ones. Returns counts for the summary.
    `ask(prompt)` answers: by default one key on a terminal, a line of input otherwise."""
    console = console or Console(highlight=False, emoji=False)
    if ask is None:
        ask = read_key if _stdin_is_terminal() else input
    parts = {id(file): _parts(file) for file in result.changed if file.embedded}
    reviewable = [f for f in result.changed if not f.embedded or parts[id(f)] is not None]
    for file in result.changed:
        if file not in reviewable:
            console.print(f"[yellow]skipped[/] {escape(file.display)}: changed on disk since it was read")
    hunks = [h for file in reviewable for h in hunks_of(file, parts.get(id(file)))]
    questions = _questions(hunks)
    accept_all: set[str] = set()
    quit_now = False
    for group in questions:
        if quit_now:
            break
        rules = set().union(*(h.rules for h in group))
        if rules and rules <= accept_all:
            for hunk in group:
                hunk.accepted = True
            continue
        for hunk in group:
            _show(console, hunk)
        if len(group) > 1:
            why = "a signature and its call sites" if rules & set(GROUPED_RULES) else "one rewrite over several lines"
            console.print(f"[bold]these {len(group)} hunks change together[/] ({why})")
        while True:
            try:
                answer = ask(f"Apply? [y]es, [n]o, [a]ll of {', '.join(sorted(rules)) or 'these'}, [q]uit: ")
            except EOFError:  # input ended: the rest is rejected, as with [q]uit
                answer = "q"
            answer = answer.strip().lower()[:1]
            if answer in ("y", "n", "a", "q"):
                break
        if answer == "q":
            quit_now = True
        elif answer in ("y", "a"):
            for hunk in group:
                hunk.accepted = True
            if answer == "a":
                accept_all |= rules
    counts = {"accepted": 0, "rejected": 0, "files": 0, "failed": 0}
    for file in reviewable:
        mine = [h for h in hunks if h.file is file]
        if any(h.accepted for h in mine if not h.is_import):
            for hunk in mine:
                if hunk.is_import:
                    hunk.accepted = True  # the accepted rewrites need it
        counts["accepted"] += sum(h.accepted for h in mine if not h.is_import)
        counts["rejected"] += sum(not h.accepted for h in mine if not h.is_import)
        if not any(h.accepted for h in mine):
            continue
        file_parts = parts.get(id(file))
        new_text = _new_text(file, mine, file_parts)
        if new_text is None:
            console.print(f"[red]not written[/] {escape(file.display)}: the accepted hunks do not parse on their own")
            counts["failed"] += 1
            continue
        old_data = file_parts.source.data if file_parts else file.old_text.encode(file.encoding)
        try:
            write_atomic(file.path, old_data, new_text.encode(file.encoding))
            counts["files"] += 1
        except FileError as error:
            console.print(f"[red]not written[/] {escape(file.display)}: {escape(str(error))}")
            counts["failed"] += 1
    return counts
