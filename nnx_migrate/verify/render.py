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
    console.print(f"[bold]{escape(side.label)}[/]: flax {side.flax}, jax {side.jax}, python {side.python_version}, "
                  f"device {side.device}, matmul precision {side.matmul_precision} ({escape(where)})")


def print_recorded(recorded: Recorded) -> None:
    console = Console(highlight=False, soft_wrap=True, emoji=False)
    _side_line(console, recorded.original)
    ran = sum(1 for e in recorded.original.cases.values() if e.get("status") == "ok")
    console.print(f"recorded {ran} case(s) to {escape(str(recorded.path))}; compare on the other machine with "
                  f"`nnx-migrate verify MIGRATED --against {escape(recorded.path.name)}`")
    for case, why in sorted(recorded.not_run.items()):
        console.print(f"[yellow]not run[/] {case}: {escape(why)}")


def print_outcome(outcome: Outcome) -> None:
    console = Console(highlight=False, soft_wrap=True, emoji=False)
    for side in (outcome.original, outcome.migrated):
        _side_line(console, side)
    _tables(console, outcome.title, outcome.comparisons)
    if outcome.same_environment:
        _tables(console, same_environment_title(outcome.same_environment_side), outcome.same_environment)
    if outcome.same_environment_note:
        console.print(f"[yellow]same environment not compared[/]: {escape(outcome.same_environment_note)}")
    for case, warnings in sorted(outcome.deprecations.items()):
        label = "[yellow]allowed[/]" if outcome.allow_deprecations else "[red]FAIL[/]"
        for warning in warnings:
            console.print(f"{label} {case}: DeprecationWarning on the migrated side: {escape(warning)}")
    for case, why in sorted(outcome.not_run.items()):
        console.print(f"[yellow]not run[/] {case}: {escape(why)}")
    compared = len({c.case for c in outcome.comparisons})
    console.print(f"{compared} case(s) compared, {len(outcome.not_run)} not run")
    if outcome.comparisons and not outcome.exact:
        worst = max(c.max_rel for c in outcome.comparisons)
        console.print(f"largest difference across environments: {worst:.2g} of the array's scale")
    verdict = {0: "[green]all cases match[/]", 1: "[red]mismatch[/]", 3: "[yellow]no mismatch, but some cases did not run[/]"}
    console.print(verdict[outcome.exit_code()])


def _tables(console: Console, title: str, comparisons) -> None:
    cases = sorted({c.case for c in comparisons})
    for case in cases:
        table = Table(title=f"{case} - {title}", title_justify="left")
        for column in ("compared", "arrays", "max abs err", "err / scale", "result"):
            table.add_column(column, justify="right" if "err" in column or column == "arrays" else "left")
        for comparison in (c for c in comparisons if c.case == case):
            result = "[green]pass[/]" if comparison.passed else "[red]FAIL[/] " + escape("; ".join(comparison.problems))
            table.add_row(PARTS[comparison.part], str(comparison.keys), f"{comparison.max_abs:.2e}",
                          f"{comparison.max_rel:.2e}", result)
        console.print(table)


def to_json(outcome: Outcome) -> str:
    return json.dumps({
        "original": outcome.original.to_json(),
        "migrated": outcome.migrated.to_json(),
        "judged": outcome.title,
        "exact": outcome.exact,
        "rtol": 0.0 if outcome.exact else outcome.rtol,
        "atol": 0.0 if outcome.exact else outcome.atol,
        "built": {case: entry.get("built") for case, entry in sorted(outcome.migrated.cases.items())},
        "comparisons": [c.to_json() for c in outcome.comparisons],
        "same_environment": [c.to_json() for c in outcome.same_environment],
        "same_environment_note": outcome.same_environment_note,
        "not_run": outcome.not_run,
        "deprecations": outcome.deprecations,
        "exit_code": outcome.exit_code(),
    }, indent=2)
