"""Report stage: one model of a run (`RunResult`), several renderers."""

from __future__ import annotations

import json
import re
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
        Console(highlight=False, emoji=False).print(
            Syntax(text, "diff", theme="ansi_dark", background_color="default", word_wrap=False)
        )
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def print_text_summary(result: RunResult, *, check: bool, diff: bool, quiet: bool, verbose: bool,
                       stdin: bool = False) -> None:
    """`stdin`: the file came from stdin; what it became went to stdout, nothing was written."""
    console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)  # `a.py:100:5` is no emoji code
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
                flag = ("" if edit.safe else " (unsafe fix)") + (" (from evidence)" if edit.from_evidence else "")
                console.print(f"{escape(_where(changed.display, edit))}:{edit.column + 1}: {edit.rule}: {escape(edit.message)}{flag}")
    if not quiet:
        for group in _repeats(result.diagnostics, lambda item: (item.rule, _gist(item.message), item.advice), verbose):
            file, item = group[0]
            message = item.message if len(group) == 1 else f"{item.message} ({_places(group)})"
            console.print(
                f"{escape(_where(file.display, item))}:{item.column + 1}: [bold]{item.rule}[/]: {escape(message)}\n"
                f"    [cyan]fix by hand:[/] {escape(item.advice)}"
                + (f"\n    [dim]see {escape(item.url)}[/]" if item.url and verbose else "")
            )
    if quiet:
        return
    if check and not diff:  # as black's "would reformat": which files, not only how many
        for changed_file in result.changed:
            console.print(f"would change {escape(changed_file.display)}")
    dry = check or diff or stdin
    verb = "would be changed" if dry else "changed"
    changed = len(result.changed)
    failed = f", [red]{len(result.failed)} failed[/]" if result.failed else ""
    printed = "" if check else "diff printed, " if diff else "printed on stdout, "
    where = f"; stdin: {printed}nothing written" if stdin else ""
    console.print(
        f"[bold]{changed} file{'s' if changed != 1 else ''} {verb}[/]"
        f" ({result.scanned} scanned, {result.parsed} parsed{failed}{where})"
    )
    per_rule = Counter(edit.rule for f in result.changed for edit in f.edits)
    exact = Counter(edit.rule for f in result.changed for edit in f.edits if edit.exact_write)
    unsafe = Counter(edit.rule for f in result.changed for edit in f.edits if not edit.safe)
    observed = Counter(edit.rule for f in result.changed for edit in f.edits if edit.from_evidence)
    for rule, count in sorted(per_rule.items()):
        notes = []
        if exact[rule]:
            notes.append(f"{exact[rule]} write{'s' if exact[rule] != 1 else ''} kept exact as get_value()/set_value(); "
                         "--unsafe-fixes writes `[...]` instead")
        if unsafe[rule]:
            notes.append(f"{unsafe[rule]} unsafe")
        if observed[rule]:
            notes.append(f"{observed[rule]} from evidence")
        extra = f" ({'; '.join(notes)})" if notes else ""
        console.print(f"  {rule}: {count} rewrite{'s' if count != 1 else ''}{extra}")
    notes = [(f, edit) for f in result.changed for edit in f.edits if edit.announce]
    for group in _repeats(notes, lambda edit: (edit.rule, _gist(edit.message)), verbose):
        file, edit = group[0]
        more = f" ({_places(group)})" if len(group) > 1 else ""
        console.print(f"  [cyan]note[/] {escape(_where(file.display, edit))}: {escape(edit.message + more)}")
    if result.evidence is not None:
        console.print(f"  evidence: {sum(observed.values())} rewrite(s) came from the traced run; "
                      f"{_unexecuted(result)} `.value` site(s) in files that mention nnx were neither proven "
                      "nor executed")
    suppressed = sum(f.suppressed for f in result.files)
    if suppressed:
        console.print(f"  {suppressed} rewrite{'s' if suppressed != 1 else ''} suppressed by `# nnx-migrate: skip`")
    _print_left_alone(console, result, verbose)
    items = len(result.diagnostics)
    if items:
        console.print(f"[yellow]{items} item{'s' if items != 1 else ''} need{'s' if items == 1 else ''} manual attention[/] (listed above)")


def _print_left_alone(console, result: RunResult, verbose: bool) -> None:
    """Nothing left alone in silence: per rule, the sites not shown to be NNX objects, by
    reason (the first place of each reason's evidence); with -v, each one."""
    left = [(f, item) for f in result.files for item in f.left_alone]
    if verbose:
        for file, item in left:
            console.print(f"{escape(_where(file.display, item))}:{item.column + 1}: {item.rule}: {escape(item.message)}")
    for rule in sorted({item.rule for _, item in left}):
        reasons = Counter(_LOCATION.sub("", _left_alone_why(item.message)) for _, item in left if item.rule == rule)
        first_place = {}
        for _, item in left:
            why = _left_alone_why(item.message)
            first_place.setdefault(_LOCATION.sub("", why), why)
        count = sum(reasons.values())
        noun = "signature" if rule == "keyword-only-rngs" else "site"
        console.print(f"  {rule}: {count} {noun}{'s' if count != 1 else ''} left alone, "
                      f"{_LEFT_ALONE_WHAT.get(rule, 'not shown to be NNX objects')}"
                      f"{'' if verbose else ' (-v lists each; `nnx-migrate explain FILE:LINE` says why)'}:")
        for reason, number in reasons.most_common():
            console.print(f"    {number} {escape(first_place[reason])}")


# what a rule's sites left alone were not shown to be (value-access, introspection: NNX objects)
_LEFT_ALONE_WHAT = {
    "module-containers": "containers whose elements are of unknown type (they may be Modules or arrays)",
    "keyword-only-rngs": "`rngs` kept positional (each is an item above)",
}
_LOCATION = re.compile(r" \([^()]*:\d+\)")  # `(model.py:12)`: reasons alike up to the place of their evidence


def _left_alone_why(message: str) -> str:
    return message.partition(" left alone: ")[2] or message


def _where(display: str, item) -> str:
    """`path:line`, or ruff's `nb.ipynb:cell 3:line` inside a notebook."""
    return f"{display}:cell {item.cell}:{item.line}" if item.cell else f"{display}:{item.line}"


def _in_cell(item, text: str) -> str:
    return f"cell {item.cell}: {text}" if item.cell else text


# A message's subject, as rules write it first: "`pkg.Model.__init__`: ..." or "`Model.__init__` keeps ..."
_SUBJECT = re.compile(r"^`[^`]+`:?\s+")
PLACES_SHOWN = 3


def _gist(message: str) -> str:
    """What a message says without the name it starts with: alike for repeated notes."""
    return _SUBJECT.sub("", message, count=1)


def _repeats(items: list[tuple], key, verbose: bool) -> list[list[tuple]]:
    """(file, item) pairs grouped by `key(item)`, in order of first appearance; with
    `verbose`, every pair alone (the full list)."""
    if verbose:
        return [[pair] for pair in items]
    groups: dict = {}
    for pair in items:
        groups.setdefault(key(pair[1]), []).append(pair)
    return list(groups.values())


def _places(group: list[tuple]) -> str:
    """The other members of a group of alike messages, shortly."""
    others = group[1:]
    shown = ", ".join(_where(file.display, item) for file, item in others[:PLACES_SHOWN])
    rest = f" and {len(others) - PLACES_SHOWN} more" if len(others) > PLACES_SHOWN else ""
    return f"and {len(others)} more like it: {shown}{rest}; -v lists each"


def _unexecuted(result: RunResult) -> int:
    return sum(f.unexecuted for f in result.files)


def json_report(result: RunResult, *, check: bool, diff: bool, stdin: bool = False) -> str:
    """`stdin`: the file came from stdin and what it became went to stdout: nothing was
    written (mode "stdin"; "check" and "diff" as for files)."""
    def edit(site):
        return {"rule": site.rule, "cell": site.cell, "line": site.line, "column": site.column + 1,
                "message": site.message, "safe": site.safe, "exact_write": site.exact_write,
                "from_evidence": site.from_evidence}

    def diagnostic(item):
        return {"rule": item.rule, "cell": item.cell, "line": item.line, "column": item.column + 1,
                "message": item.message, "advice": item.advice, "url": item.url}

    files = [
        {
            "path": f.display,
            "status": f.status,
            "error": f.error,
            "edits": [edit(s) for s in f.edits],
            "diagnostics": [diagnostic(d) for d in f.diagnostics],
            "left_alone": [diagnostic(d) for d in f.left_alone],
            "suppressed": f.suppressed,
        }
        for f in result.files
        if f.status != "unchanged" or f.diagnostics or f.left_alone
    ]
    per_rule = Counter(edit.rule for f in result.changed for edit in f.edits)
    document = {
        "tool": "nnx-migrate",
        "version": __version__,
        "mode": "check" if check else "diff" if diff else "stdin" if stdin else "write",
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
            "left_alone": sum(len(f.left_alone) for f in result.files),
        },
    }
    if result.evidence is not None:
        document["summary"]["evidence"] = {
            "file": result.evidence,
            "rewrites": sum(e.from_evidence for f in result.changed for e in f.edits),
            "unexecuted_value_sites": _unexecuted(result),
        }
    return json.dumps(document, indent=2)


def _github_escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_annotations(result: RunResult, *, check: bool) -> str:
    """GitHub Actions workflow commands: one annotation per failure, rewrite and manual item."""
    lines = []

    def annotate(level: str, file: str, message: str, line: int | None = None, column: int | None = None,
                 title: str | None = None) -> None:
        properties = [f"file={_github_escape(file, True)}"]
        if line is not None:
            properties.append(f"line={line}")
        if column is not None:
            properties.append(f"col={column}")
        if title:
            properties.append(f"title={_github_escape(title, True)}")
        lines.append(f"::{level} {','.join(properties)}::{_github_escape(message)}")

    for failed in result.failed:
        annotate("error", failed.display, f"nnx-migrate could not process this file: {failed.error}")
    for changed in result.changed:
        for edit in changed.edits:
            verb = "would rewrite" if check or not result.wrote else "rewrote"
            annotate("error" if check else "notice", changed.display, _in_cell(edit, f"{verb}: {edit.message}"),
                     edit.line, edit.column + 1, f"nnx-migrate {edit.rule}")
    for file, item in result.diagnostics:
        annotate("warning", file.display, _in_cell(item, f"{item.message}. Fix by hand: {item.advice}"), item.line, item.column + 1,
                 f"nnx-migrate {item.rule}")
    return "\n".join(lines)


def sarif_report(result: RunResult) -> str:
    """SARIF 2.1.0, with each rewrite's fix as replacements (which ruff's output leaves out)."""
    from nnx_migrate.registry import RULES

    rules = [
        {"id": rule.name, "name": rule.name, "shortDescription": {"text": rule.summary},
         "fullDescription": {"text": rule.documentation.strip().splitlines()[0].lstrip("# ")},
         "help": {"text": rule.documentation.strip(), "markdown": rule.documentation.strip()},
         "properties": {"needed_from_flax": rule.needed_from, "fix_safety": rule.safety}}
        for rule in RULES
    ]
    index_of = {rule["id"]: position for position, rule in enumerate(rules)}
    results = []

    def location(file: str, item) -> dict:
        # in a notebook, as ruff: the notebook's uri, the position inside the cell (named in properties)
        region = {"startLine": item.line, "startColumn": item.column + 1}
        if item.cell:
            region["properties"] = {"cell": item.cell}
        return {"physicalLocation": {"artifactLocation": {"uri": file}, "region": region}}

    for changed in result.changed:
        texts = _file_texts(changed)
        hunks = _replacements(*texts) if texts else []
        claimed: set[int] = set()
        for edit in changed.edits:
            entry = {"ruleId": edit.rule, "ruleIndex": index_of.get(edit.rule, -1), "level": "warning",
                     "kind": "fail", "message": {"text": _in_cell(edit, edit.message)},
                     "locations": [location(changed.display, edit)]}
            hunk = next((h for h in hunks if h["first_line"] <= edit.line <= h["last_line"] and id(h) not in claimed), None)
            if hunk is not None:
                claimed.add(id(hunk))
                entry["fixes"] = [{
                    "description": {"text": edit.message},
                    "artifactChanges": [{"artifactLocation": {"uri": changed.display},
                                         "replacements": [hunk["replacement"]]}],
                }]
            results.append(entry)
    for file, item in result.diagnostics:
        results.append({"ruleId": item.rule, "ruleIndex": index_of.get(item.rule, -1), "level": "note",
                        "kind": "review", "message": {"text": _in_cell(item, f"{item.message}. Fix by hand: {item.advice}")},
                        "locations": [location(file.display, item)]})
    for failed in result.failed:
        results.append({"ruleId": failed.error_rule or "nnx-migrate", "level": "error", "kind": "fail",
                        "message": {"text": f"could not process this file: {failed.error}"},
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": failed.display}}}]})
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "nnx-migrate", "version": __version__, "semanticVersion": __version__,
                                "informationUri": "https://pypi.org/project/nnx-migrate/", "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(document, indent=2)


def _file_texts(changed) -> tuple[str, str] | None:
    """The file's text before and after. A page's or jupytext script's is read again (None
    once it was written); a notebook gets none: its lines are inside cells, as in ruff's."""
    if not changed.embedded:
        return changed.old_text, changed.new_text
    if changed.path.suffix == ".ipynb":
        return None
    from nnx_migrate import docblocks
    from nnx_migrate.apply import read_unchanged

    source = read_unchanged(changed.path, changed.old_text)
    if source is None:
        return None
    return "".join(source.embedded.lines), docblocks.dump(changed.new_text, source.embedded)


def _replacements(old: str, new: str) -> list[dict]:
    """Line hunks turning `old` into `new`, as SARIF replacements (character offsets)."""
    import difflib

    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    offsets = [0]
    for line in old_lines:
        offsets.append(offsets[-1] + len(line))
    hunks = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        hunks.append({
            "first_line": i1 + 1, "last_line": max(i1 + 1, i2),
            "replacement": {"deletedRegion": {"charOffset": offsets[i1], "charLength": offsets[i2] - offsets[i1]},
                            "insertedContent": {"text": "".join(new_lines[j1:j2])}},
        })
    return hunks
