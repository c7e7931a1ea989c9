"""Rule documentation lives with the rule; docs/rules/*.md is generated from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnx_migrate.registry import RULES
from nnx_migrate.ruledocs import DOCS, REQUIRED_SECTIONS, render

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_page_is_generated_and_current(rule) -> None:
    page = DOCS / f"{rule.name}.md"
    assert page.exists(), f"run `python -m nnx_migrate.ruledocs` to create {page}"
    assert page.read_text(encoding="utf-8") == render(rule), "run `python -m nnx_migrate.ruledocs`"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_page_has_every_section(rule) -> None:
    text = render(rule)
    for section in REQUIRED_SECTIONS:
        assert section in text, section
    assert text.startswith(f"# {rule.name}\n")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_has_fixtures(rule) -> None:
    folder = REPO / "testdata" / rule.name
    inputs = [p for p in folder.glob("*.py") if not p.name.endswith(".expected.py")]
    changed = [p for p in inputs if p.with_name(p.stem + ".expected.py").exists()]
    untouched = [p for p in inputs if p not in changed]
    if rule.safety != "report only":
        assert changed, "positive cases"
    assert untouched, "near-misses that must stay unchanged"


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    blocks = readme.split("```bash\n")
    install_and_run, tests = blocks[1].split("```")[0].strip(), blocks[2].split("```")[0].strip()
    assert "examples/" in install_and_run and "--diff" in install_and_run
    assert tests in ci.splitlines()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_readme_lists_the_rule(rule) -> None:
    assert f"[`{rule.name}`](docs/rules/{rule.name}.md)" in (REPO / "README.md").read_text()
