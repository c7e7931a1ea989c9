"""The verifier's report: a rich table per case, and the same as JSON."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from nnx_migrate.verify.compare import PARTS
from nnx_migrate.verify.driver import Outcome


def print_outcome(outcome: Outcome) -> None:
    console = Console(highlight=False, soft_wrap=True)
    for side in (outcome.original, outcome.migrated):
        console.print(f"[bold]{side.label}[/]: flax {side.flax}, jax {side.jax}, device {side.device} ({escape(str(side.root))})")
    _tables(console, "across versions", outcome.comparisons)
    if outcome.same_environment:
        _tables(console, "same environment (must be identical)", outcome.same_environment)
    if outcome.same_environment_note:
        console.print(f"[yellow]same environment not compared[/]: {escape(outcome.same_environment_note)}")
    for case, warnings in sorted(outcome.deprecations.items()):
        label = "[yellow]allowed[/]" if outcome.allow_deprecations else "[red]FAIL[/]"
        for warning in warnings:
            console.print(f"{label} {case}: DeprecationWarning on the migrated side: {escape(warning)}")
    for case, why in sorted(outcome.not_run.items()):
        console.print(f"[yellow]not run[/] {case}: {escape(why)}")
    verdict = {0: "[green]all cases match[/]", 1: "[red]mismatch[/]", 3: "[yellow]no mismatch, but some cases did not run[/]"}
    console.print(verdict[outcome.exit_code()])


def _tables(console: Console, title: str, comparisons) -> None:
    cases = sorted({c.case for c in comparisons})
    for case in cases:
        table = Table(title=f"{case} - {title}", title_justify="left")
        for column in ("compared", "arrays", "max abs err", "max rel err", "result"):
            table.add_column(column, justify="right" if "err" in column or column == "arrays" else "left")
        for comparison in (c for c in comparisons if c.case == case):
            result = "[green]pass[/]" if comparison.passed else "[red]FAIL[/] " + escape("; ".join(comparison.problems))
            table.add_row(PARTS[comparison.part], str(comparison.keys), f"{comparison.max_abs:.2e}",
                          f"{comparison.max_rel:.2e}", result)
        console.print(table)


def to_json(outcome: Outcome) -> str:
    def side(s):
        return {"python": s.python, "root": str(s.root), "flax": s.flax, "jax": s.jax, "device": s.device}

    return json.dumps({
        "original": side(outcome.original),
        "migrated": side(outcome.migrated),
        "comparisons": [c.to_json() for c in outcome.comparisons],
        "same_environment": [c.to_json() for c in outcome.same_environment],
        "same_environment_note": outcome.same_environment_note,
        "not_run": outcome.not_run,
        "deprecations": outcome.deprecations,
        "exit_code": outcome.exit_code(),
    }, indent=2)
