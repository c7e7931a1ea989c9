"""The verifier's report: a rich table per case, and the same as JSON."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from nnx_migrate.verify.compare import PARTS
from nnx_migrate.verify.driver import Outcome, Recorded, Side, same_environment_title


def _side_line(console: Console, side: Side) -> None:
    where = ", ".join(str(p) for p in side.paths[:2]) + (" ..." if len(side.paths) > 2 else "")
    where = where or f"by `nnx-migrate trace --record-cases`, {side.python}"
    console.print(f"[bold]{escape(side.label)}[/]: flax {side.flax}, jax {side.jax}, python {side.python_version}, "
                  f"device {side.device}, matmul precision {side.matmul_precision} ({escape(where)})")


def print_recorded(recorded: Recorded) -> None:
    console = Console(highlight=False, soft_wrap=True, emoji=False)
    _side_line(console, recorded.original)
    ran = sum(1 for e in recorded.original.cases.values() if e.get("status") == "ok")
    console.print(f"recorded {ran} case(s) to {escape(str(recorded.path))}; compare on the other machine with "
                  f"`nnx-migrate verify MIGRATED --against {escape(recorded.path.name)}`")
    for case, why in sorted(recorded.not_run.items()):
        console.print(f"[yellow]not run[/] {escape(case)}: {escape(why)}")


def print_outcome(outcome: Outcome) -> None:
    console = Console(highlight=False, soft_wrap=True, emoji=False)
    shown = []
    for side in [outcome.original, outcome.migrated] + [g.recorded for g in outcome.recorded]:
        if all(side is not s for s in shown) and side.cases:
            shown.append(side)
            _side_line(console, side)
    _tables(console, outcome.title, outcome.comparisons, outcome)
    if outcome.same_environment:
        _tables(console, same_environment_title(outcome.same_environment_side), outcome.same_environment, outcome)
    if outcome.same_environment_note:
        console.print(f"[yellow]same environment not compared[/]: {escape(outcome.same_environment_note)}")
    for group in outcome.recorded:
        _tables(console, group.title, group.comparisons, outcome)
    for case, warnings in sorted(outcome.deprecations.items()):
        for warning in warnings:
            label = "[yellow]allowed[/] (DeprecationWarning)" if outcome.allow_deprecations else "[red]still deprecated[/]:"
            console.print(f"{label} {escape(_site_first(warning))} ({escape(case)}, a DeprecationWarning on the "
                          "migrated side)")
    for case, why in sorted(outcome.not_run.items()):
        console.print(f"[yellow]not run[/] {escape(case)}: {escape(why)}")
    if outcome.outside:
        console.print(f"{len(outcome.outside)} recorded class(es) outside {escape(str(outcome.migrated.paths[0]) if outcome.migrated.paths else 'MIGRATED')}"
                      f" not replayed: {escape(', '.join(outcome.outside[:8]))}{' ...' if len(outcome.outside) > 8 else ''}")
    for name, why in sorted(outcome.through_subclass.items()):
        console.print(f"[green]checked through a subclass[/] {escape(name)}: {escape(why)}")
    counts = outcome.class_counts()
    if counts:
        console.print(f"{counts['classes']} Module class(es) in the changed files: "
                      f"{counts['within tolerance']} within the tolerance, {counts['failed']} failed, "
                      f"{counts['through a subclass']} checked through a subclass, {counts['not checked']} "
                      "not checked")
    comparisons = outcome.all_comparisons()
    kinds = {}
    for case in {c.case for c in comparisons}:
        kinds[outcome.kind(case)] = kinds.get(outcome.kind(case), 0) + 1
    detail = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    console.print(f"{sum(kinds.values())} case(s) compared{f' ({detail})' if detail else ''}, {len(outcome.not_run)} not run")
    across = [c for c in outcome.comparisons if not outcome.exact] + [
        c for g in outcome.recorded if not g.exact for c in g.comparisons]
    if across:
        console.print(f"largest difference across environments: {max(c.max_rel for c in across):.2g} of the array's scale")
    if outcome.failed:
        console.print("[red]mismatch[/]")
    elif outcome.still_deprecated:
        count = sum(len(w) for w in outcome.deprecations.values())
        console.print(f"[red]still deprecated[/]: the numbers match, but the migrated code raised {count} flax "
                      "DeprecationWarning(s) (listed above)")
    else:
        verdict = {0: "[green]all cases match[/]", 3: "[yellow]no mismatch, but some cases did not run[/]"}
        console.print(verdict[outcome.exit_code()])


def _site_first(warning: str) -> str:
    """`file:line: message` as `file:line, message`."""
    place, _, message = warning.partition(": ")
    return f"{place}, {message}" if message else warning


def _tables(console: Console, title: str, comparisons, outcome: Outcome) -> None:
    cases = sorted({c.case for c in comparisons})
    for case in cases:
        table = Table(title=f"{escape(case)} ({outcome.kind(case)}) - {escape(title)}", title_justify="left")
        for column in ("compared", "arrays", "max abs err", "err / scale", "result"):
            table.add_column(column, justify="right" if "err" in column or column == "arrays" else "left")
        for comparison in (c for c in comparisons if c.case == case):
            result = "[green]pass[/]" if comparison.passed else "[red]FAIL[/] " + escape("; ".join(comparison.problems))
            table.add_row(PARTS[comparison.part], str(comparison.keys), f"{comparison.max_abs:.2e}",
                          f"{comparison.max_rel:.2e}", result)
        console.print(table)


def to_json(outcome: Outcome) -> str:
    """The report; `comparisons` holds every case's, automatic and recorded (each with its
    `kind`), and `recorded` how each recorded group was judged."""
    def rows(comparisons) -> list[dict]:
        return [dict(c.to_json(), kind=outcome.kind(c.case)) for c in comparisons]

    built = {case: entry.get("built") for side in [outcome.migrated] + [g.migrated for g in outcome.recorded]
             for case, entry in side.cases.items()}
    return json.dumps({
        "original": outcome.original.to_json(),
        "migrated": outcome.migrated.to_json(),
        "judged": outcome.title,
        "exact": outcome.exact,
        "rtol": 0.0 if outcome.exact else outcome.rtol,
        "atol": 0.0 if outcome.exact else outcome.atol,
        "built": dict(sorted(built.items())),
        "comparisons": rows(outcome.comparisons + [c for g in outcome.recorded for c in g.comparisons]),
        "same_environment": rows(outcome.same_environment),
        "same_environment_note": outcome.same_environment_note,
        "recorded": [{"recorded": g.recorded.to_json(), "judged": g.title, "exact": g.exact,
                      "cases": sorted({c.case for c in g.comparisons})} for g in outcome.recorded],
        "recorded_outside": outcome.outside,
        "not_run": outcome.not_run,
        "classes": outcome.class_counts(),
        "through_subclass": outcome.through_subclass,
        "deprecations": outcome.deprecations,
        "exit_code": outcome.exit_code(),
    }, indent=2)
