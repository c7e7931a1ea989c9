"""`nnx-migrate explain PATH:LINE[:COL]`: what was concluded about each site, and why."""

from __future__ import annotations

import textwrap
from pathlib import Path

from nnx_migrate.config import Settings
from nnx_migrate.explain import explain_location, parse_location

MODEL = textwrap.dedent("""\
    import jax.numpy as jnp
    from flax import nnx


    class Block(nnx.Module):
        def __init__(self, *, rngs: nnx.Rngs):
            self.linear = nnx.Linear(2, 3, rngs=rngs)
            self.scale = nnx.Param(jnp.ones(3))


    def show(v):
        return v.value


    def use(block: Block):
        return block.scale.value + block.linear.kernel.value.sum()
""")


def _explain(tmp_path: Path, location: str, files: dict[str, str] | None = None) -> list[str]:
    for name, text in {"model.py": MODEL, **(files or {})}.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "pyproject.toml").write_text("")  # the project's root: explain runs on the whole folder
    lines, status = explain_location(str(tmp_path / location), None, Settings())
    assert status == 0
    return lines


def test_a_rewritten_site_shows_each_part_of_its_receiver(tmp_path: Path) -> None:
    lines = _explain(tmp_path, "model.py:16")
    text = "\n".join(lines)
    assert "`block`: model.Block" in text
    assert "`block.scale`: nnx.Param[array]" in text
    assert "`block.linear.kernel`: nnx.Param[array]" in text
    assert sum(line.startswith("  rewritten (value-access)") for line in lines) == 2


def test_an_unknown_site_names_the_first_unknown_step(tmp_path: Path) -> None:
    text = "\n".join(_explain(tmp_path, "model.py:12"))
    assert "`v`: unknown" in text
    assert "parameter `v` of `show` (no annotation; no caller in the scanned paths)" in text
    assert "left alone" in text


def test_stores_by_run_time_name_are_named_with_their_place(tmp_path: Path) -> None:
    surgery = "from model import Block\n\n\ndef patch(block: Block, name, value):\n    setattr(block, name, value)\n"
    lines = _explain(tmp_path, "model.py:16:20", {"surgery.py": surgery})
    text = "\n".join(lines)
    assert "`block.scale`: unknown" in text
    assert "stored under names known only at run time (surgery.py:5)" in text
    assert "block.linear" not in text  # the column picks the one site
    assert lines[-1] == "  left alone: no site here is shown to be an NNX object"


def test_attributes_joined_by_a_copy_are_named_with_the_copy(tmp_path: Path) -> None:
    swap = "from flax import nnx\n\n\ndef swap(m: nnx.Module):\n    m.scale, m.linear = m.linear, m.scale\n"
    text = "\n".join(_explain(tmp_path, "model.py:16:20", {"swap.py": swap}))
    assert "`block.scale`: unknown" in text
    assert "`.linear`, `.scale` copy one another (swap.py:5; `... = m.scale` on what may be a `model.Block`)" in text


def test_locations_are_checked() -> None:
    assert parse_location("a/b.py:3:7")[1].column == 7
    assert parse_location("a/b.py:3")[1].line == 3
    lines, status = explain_location("model.py", None, Settings())
    assert status == 2 and "PATH:LINE" in lines[0]


def test_the_command_line(tmp_path: Path) -> None:
    from test_cli import nnx_migrate

    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "pyproject.toml").write_text("")
    shown = nnx_migrate("explain", "model.py:16", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "`block.scale`: nnx.Param[array]" in shown.stdout and "rewritten (value-access)" in shown.stdout
    wrong = nnx_migrate("explain", "model.py", cwd=tmp_path)
    assert wrong.returncode == 2 and "PATH:LINE" in wrong.stderr
