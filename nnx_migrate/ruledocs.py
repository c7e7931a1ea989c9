"""Rule documentation: rendered from each rule's module docstring, so `nnx-migrate rules
NAME` in an installed wheel prints what docs/rules/NAME.md shows.

Regenerate the checked-in pages with `python -m nnx_migrate.ruledocs`; a test fails when
they are out of date.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

from nnx_migrate.registry import RULES
from nnx_migrate.rule import Rule

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"
REQUIRED_SECTIONS = ("## What it does", "## Why", "## Example", "## Use instead", "## When the fix is unsafe")


def render(rule: type[Rule]) -> str:
    text = inspect.cleandoc(rule.documentation)
    facts = (
        f"\n\n---\nRule `{rule.name}` · needed from flax {rule.needed_from} · fix: {rule.safety}\n"
    )
    head, _, rest = text.partition("\n")
    return f"{head}\n{rest.rstrip()}{facts}"


def main() -> int:
    DOCS.mkdir(parents=True, exist_ok=True)
    for rule in RULES:
        (DOCS / f"{rule.name}.md").write_text(render(rule), encoding="utf-8")
        print(f"wrote {DOCS / (rule.name + '.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
