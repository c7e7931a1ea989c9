"""`--review`: walk the changes hunk by hunk and write only what is accepted.

Hunks that cannot stand alone are asked about together: every hunk of the
keyword-only-rngs rule (a signature and all its call sites, across files) is one
question, and an import the rewrites need comes with the first accepted hunk of its file.
A file whose accepted hunks would not parse is left untouched, and says so.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field

from rich.console import Console
from rich.markup import escape
from rich.syntax import Syntax

from nnx_migrate.apply import FileError, write_atomic
from nnx_migrate.pipeline import FileResult, RunResult

GROUPED_RULES = ("keyword-only-rngs",)  # a signature changes with all its call sites or not at all
CONTEXT = 2


@dataclass
class Hunk:
    file: FileResult
    old_start: int  # 0-based line range in the old text
    old_end: int
    new_lines: list[str]
    rules: set[str] = field(default_factory=set)
    is_import: bool = False
    accepted: bool = False


def hunks_of(file: FileResult) -> list[Hunk]:
    old_lines = file.old_text.splitlines(keepends=True)
    new_lines = file.new_text.splitlines(keepends=True)
    hunks = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        hunk = Hunk(file, i1, i2, new_lines[j1:j2])
        hunk.rules = {e.rule for e in file.edits if i1 + 1 <= e.line <= max(i2, i1 + 1)}
        added = "".join(hunk.new_lines).strip()
        hunk.is_import = i1 == i2 and added.startswith(("from ", "import ")) and "\n" not in added
        hunks.append(hunk)
    return hunks


def _apply(file: FileResult, hunks: list[Hunk]) -> str:
    lines = file.old_text.splitlines(keepends=True)
    for hunk in sorted(hunks, key=lambda h: -h.old_start):
        if hunk.accepted:
            lines[hunk.old_start:hunk.old_end] = hunk.new_lines
    return "".join(lines)


def _show(console: Console, hunk: Hunk) -> None:
    old_lines = hunk.file.old_text.splitlines(keepends=True)
    start = max(0, hunk.old_start - CONTEXT)
    end = min(len(old_lines), hunk.old_end + CONTEXT)
    text = "".join(
        [f" {line}" for line in old_lines[start:hunk.old_start]]
        + [f"-{line}" for line in old_lines[hunk.old_start:hunk.old_end]]
        + [f"+{line}" for line in hunk.new_lines]
        + [f" {line}" for line in old_lines[hunk.old_end:end]]
    )
    rules = ", ".join(sorted(hunk.rules)) or ("import" if hunk.is_import else "")
    console.rule(f"{escape(hunk.file.display)}:{hunk.old_start + 1}  [{escape(rules)}]")
    console.print(Syntax(text, "diff", theme="ansi_dark", background_color="default"))


def review(result: RunResult, ask=input, console: Console | None = None) -> dict[str, int]:
    """Ask about every hunk; write the accepted ones. Returns counts for the summary."""
    console = console or Console(highlight=False)
    reviewable = [f for f in result.changed if f.path.suffix == ".py"]
    for file in result.changed:
        if file not in reviewable:
            console.print(f"[yellow]skipped[/] {escape(file.display)}: notebooks and pages are not reviewed "
                          "hunk by hunk (see them with --diff)")
    hunks = [h for file in reviewable for h in hunks_of(file)]
    questions: list[list[Hunk]] = []
    grouped = [h for h in hunks if h.rules & set(GROUPED_RULES)]
    for hunk in hunks:
        if hunk.is_import or hunk in grouped:
            continue
        questions.append([hunk])
    if grouped:
        questions.append(grouped)
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
            console.print(f"[bold]these {len(group)} hunks change together[/] (a signature and its call sites)")
        while True:
            answer = ask("Apply? [y]es, [n]o, [a]ll of this rule, [q]uit: ").strip().lower()[:1]
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
        new_text = _apply(file, mine)
        try:
            ast.parse(new_text)
        except SyntaxError:
            console.print(f"[red]not written[/] {escape(file.display)}: the accepted hunks do not parse on their own")
            counts["failed"] += 1
            continue
        try:
            write_atomic(file.path, file.old_text.encode(file.encoding), new_text.encode(file.encoding))
            counts["files"] += 1
        except FileError as error:
            console.print(f"[red]not written[/] {escape(file.display)}: {escape(str(error))}")
            counts["failed"] += 1
    return counts
