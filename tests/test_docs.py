"""Rule documentation lives with the rule; docs/rules/*.md is generated from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nnx_migrate.config import Settings
from nnx_migrate.pipeline import run
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


def _python_block(text: str, section: str) -> str:
    """The first ```python block under `## section`."""
    after = text.split(f"## {section}\n", 1)[1]
    return re.search(r"```python\n(.*?)```", after, re.S).group(1)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_page_example_gives_its_use_instead(rule, tmp_path: Path) -> None:
    """As Fixit's examples, a page's Example is a test: run through the rule it gives the
    page's "Use instead" (a report-only rule reports it and leaves it as it is)."""
    example = _python_block(rule.documentation, "Example")
    (tmp_path / "example.py").write_text(example, encoding="utf-8")
    # a page whose "Use instead" opens "With `--unsafe-fixes`:" shows that flag's output
    unsafe = rule.documentation.split("## Use instead\n", 1)[1].startswith("With `--unsafe-fixes`")
    result = run([tmp_path], Settings(select=[rule.name], unsafe_fixes=unsafe), tmp_path, write=True)
    migrated = (tmp_path / "example.py").read_text(encoding="utf-8")
    if rule.safety == "report only":
        assert migrated == example
        assert any(d.rule == rule.name for f in result.files for d in f.diagnostics)
    else:
        assert migrated == _python_block(rule.documentation, "Use instead")
