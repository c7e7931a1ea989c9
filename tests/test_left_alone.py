"""Nothing left alone in silence: `.value` sites that may be a Variable's but are not shown
to be one are counted by reason in the summary, listed with -v and in the JSON report."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from test_cli import nnx_migrate

from nnx_migrate.config import Settings
from nnx_migrate.pipeline import run

MODEL = textwrap.dedent("""\
    import enum

    import jax.numpy as jnp
    from flax import nnx


    class Mode(enum.Enum):
        TRAIN = 1


    class Block(nnx.Module):
        def __init__(self, **kwargs):
            self.w = nnx.Param(jnp.ones(3))
            self.__dict__.update(**kwargs)


    def read(block: Block, other, mode: Mode):
        return block.w.value, other.value, mode.value
""")


def test_sites_left_alone_are_reported_with_their_reason(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(MODEL)
    result = run([tmp_path], Settings(), tmp_path, write=False)
    left = {(d.line, d.column): d.message for f in result.files for d in f.left_alone}
    assert left == {
        (18, 11): "`.value` left alone: attributes of its class are stored by run-time names (model.py:14)",
        (18, 26): "`.value` left alone: a parameter with no annotation and no caller",
    }  # `mode.value` is an Enum's: known to be no Variable, not counted
    assert not result.diagnostics  # they are no items to fix by hand


def test_the_summary_counts_them_and_verbose_lists_each(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(MODEL)
    summary = nnx_migrate(".", "--check", "--no-cache", cwd=tmp_path).stderr
    assert "value-access: 2 sites left alone, not shown to be NNX objects" in summary
    assert "    1 attributes of its class are stored by run-time names (model.py:14)" in summary
    assert "manual attention" not in summary
    verbose = nnx_migrate(".", "--check", "--no-cache", "-v", cwd=tmp_path).stderr
    assert "model.py:18:12: value-access: `.value` left alone: attributes of its class" in verbose
    document = json.loads(nnx_migrate(".", "--check", "--no-cache", "--output-format", "json", cwd=tmp_path).stdout)
    assert document["summary"]["left_alone"] == 2
    assert [d["line"] for d in document["files"][0]["left_alone"]] == [18, 18]
