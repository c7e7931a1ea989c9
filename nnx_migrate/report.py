"""Report stage: one model of a run (`RunResult`), several renderers."""

from __future__ import annotations

import json
import sys
from collections import Counter

from rich.console import Console
from rich.markup import escape
from rich.syntax import Syntax

from nnx_migrate import __version__
from nnx_migrate.pipeline import RunResult

EXIT_OK = 0
EXIT_PENDING = 1
EXIT_USAGE = 2
EXIT_FAILED = 123


def exit_code(result: RunResult, check: bool, strict: bool) -> int:
    """Black's and ruff's convention: a failure beats pending changes."""
    if result.failed:
        return EXIT_FAILED
    if check and (result.changed or (strict and result.diagnostics)):
        return EXIT_PENDING
    return EXIT_OK


def print_diffs(result: RunResult, color: bool | None = None) -> None:
    """Unified diffs on stdout: highlighted on a terminal, plain (for `git apply`) when piped."""
    text = "".join(f.diff for f in result.changed)
    if not text:
        return
    if color is None:
        color = sys.stdout.isatty()
    if color:
        Console(highlight=False).print(
            Syntax(text, "diff", theme="ansi_dark", background_color="default", word_wrap=False)
        )
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def print_text_summary(result: RunResult, *, check: bool, diff: bool, quiet: bool, verbose: bool) -> None:
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    for skipped, why in result.discovery.skipped:
        if verbose or not quiet:
            console.print(f"[yellow]skipped[/] {escape(str(skipped))}: {escape(why)}")
    for missing in result.discovery.missing:
        console.print(f"[red]error[/]: {escape(str(missing))}: no such file or directory")
    for failed in result.failed:
        rule = f" [rule {failed.error_rule}]" if failed.error_rule else ""
        console.print(f"[red]error[/]: {escape(failed.display)}: {escape(failed.error or '')}{rule}; file left unchanged")
        if verbose and failed.traceback:
            console.print(escape(failed.traceback.rstrip()))
    if verbose:
        for changed in result.changed:
            for edit in changed.edits:
                flag = "" if edit.safe else " (unsafe fix)"
                console.print(f"{escape(changed.display)}:{edit.line}:{edit.column + 1}: {edit.rule}: {escape(edit.message)}{flag}")
    if not quiet:
        for file, item in result.diagnostics:
            console.print(
                f"{escape(file.display)}:{item.line}:{item.column + 1}: [bold]{item.rule}[/]: {escape(item.message)}\n"
                f"    [cyan]fix by hand:[/] {escape(item.advice)}"
                + (f"\n    [dim]see {escape(item.url)}[/]" if item.url and verbose else "")
            )
    if quiet:
        return
    dry = check or diff
    verb = "would be changed" if dry else "changed"
    changed = len(result.changed)
    failed = f", [red]{len(result.failed)} failed[/]" if result.failed else ""
    console.print(
        f"[bold]{changed} file{'s' if changed != 1 else ''} {verb}[/]"
        f" ({result.scanned} scanned, {result.parsed} parsed{failed})"
    )
    per_rule = Counter(edit.rule for f in result.changed for edit in f.edits)
    exact = Counter(edit.rule for f in result.changed for edit in f.edits if edit.exact_write)
    unsafe = Counter(edit.rule for f in result.changed for edit in f.edits if not edit.safe)
    for rule, count in sorted(per_rule.items()):
        notes = []
        if exact[rule]:
            notes.append(f"{exact[rule]} write{'s' if exact[rule] != 1 else ''} kept exact as get_value()/set_value(); "
                         "--unsafe-fixes writes `[...]` instead")
        if unsafe[rule]:
            notes.append(f"{unsafe[rule]} unsafe")
        extra = f" ({'; '.join(notes)})" if notes else ""
        console.print(f"  {rule}: {count} rewrite{'s' if count != 1 else ''}{extra}")
    for changed_file in result.changed:
        for edit in changed_file.edits:
            if edit.announce:
                console.print(f"  [cyan]note[/] {escape(changed_file.display)}:{edit.line}: {escape(edit.message)}")
    suppressed = sum(f.suppressed for f in result.files)
    if suppressed:
        console.print(f"  {suppressed} rewrite{'s' if suppressed != 1 else ''} suppressed by `# nnx-migrate: skip`")
    items = len(result.diagnostics)
    if items:
        console.print(f"[yellow]{items} item{'s' if items != 1 else ''} need{'s' if items == 1 else ''} manual attention[/] (listed above)")


def json_report(result: RunResult, *, check: bool, diff: bool) -> str:
    def edit(site):
        return {"rule": site.rule, "line": site.line, "column": site.column + 1,
                "message": site.message, "safe": site.safe, "exact_write": site.exact_write}

    def diagnostic(item):
        return {"rule": item.rule, "line": item.line, "column": item.column + 1,
                "message": item.message, "advice": item.advice, "url": item.url}

    files = [
        {
            "path": f.display,
            "status": f.status,
            "error": f.error,
            "edits": [edit(s) for s in f.edits],
            "diagnostics": [diagnostic(d) for d in f.diagnostics],
            "suppressed": f.suppressed,
        }
        for f in result.files
        if f.status != "unchanged" or f.diagnostics
    ]
    per_rule = Counter(edit.rule for f in result.changed for edit in f.edits)
    document = {
        "tool": "nnx-migrate",
        "version": __version__,
        "mode": "check" if check else "diff" if diff else "write",
        "files": files,
        "skipped": [{"path": str(p), "reason": why} for p, why in result.discovery.skipped],
        "missing": [str(p) for p in result.discovery.missing],
        "summary": {
            "scanned": result.scanned,
            "parsed": result.parsed,
            "changed": len(result.changed),
            "failed": len(result.failed),
            "rewrites": dict(sorted(per_rule.items())),
            "manual": len(result.diagnostics),
        },
    }
    return json.dumps(document, indent=2)
