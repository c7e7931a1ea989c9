"""Nothing left alone in silence: `.value` sites, containers, kept signatures, `iter_*` walks
and in-place updates that may be NNX objects' but are not shown to be are counted by reason
in the summary, listed with -v and in the JSON report."""

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


KINDS = textwrap.dedent("""\
    import jax.numpy as jnp
    from flax import nnx


    class Stack(nnx.Module):
        def __init__(self, block, n: int):
            self.blocks = []
            for _ in range(n):
                self.blocks.append(block())


    class Mapped(nnx.Module):
        @nnx.split_rngs(splits=2)
        def __init__(self, din: int, rngs: nnx.Rngs):
            self.w = nnx.Param(jnp.ones(din))


    class Counter(nnx.Module):
        def __init__(self):
            self.count = nnx.Param(jnp.zeros(()))


    def walk(model):
        return list(model.iter_modules())


    def accumulate(counter: Counter, steps):
        total = counter.count
        for step in steps:
            total += step
        return total
""")


def test_containers_signatures_walks_and_in_place_updates_left_alone(tmp_path: Path) -> None:
    (tmp_path / "kinds.py").write_text(KINDS)
    result = run([tmp_path], Settings(), tmp_path, write=False)
    left = sorted((d.line, d.rule, d.message) for f in result.files for d in f.left_alone)
    assert left == [
        (7, "module-containers", "`self.blocks` (a list/tuple, element `block()`) left alone: "
                                 "a parameter with no annotation and no caller"),
        (14, "keyword-only-rngs", "`Mapped.__init__` left alone: "
                                  "transform-wrapped constructor (a decorator may map or split its arguments)"),
        (24, "introspection-functions", "`.iter_modules()` left alone: a parameter with no annotation and no caller"),
        (30, "value-access", "in-place update `total += ...` left alone: the target may be a Variable (kinds.py:28), "
                             "but what an earlier update (in a loop) made of it is not shown"),
    ]
    # the kept signature is also an item with its detail; the others are not items
    assert [(d.line, d.rule) for _, d in result.diagnostics] == [(14, "keyword-only-rngs")]
    assert (tmp_path / "kinds.py").read_text() == KINDS


def test_each_kind_is_counted_by_reason_in_the_summary(tmp_path: Path) -> None:
    (tmp_path / "kinds.py").write_text(KINDS)
    summary = nnx_migrate(".", "--check", "--no-cache", cwd=tmp_path).stderr
    assert "module-containers: 1 site left alone, containers whose elements are of unknown type" in summary
    assert "keyword-only-rngs: 1 signature left alone, `rngs` kept positional" in summary
    assert "    1 transform-wrapped constructor (a decorator may map or split its arguments)" in summary
    assert "introspection-functions: 1 site left alone" in summary
    assert "    1 the target may be a Variable (kinds.py:28), but what an earlier update" in summary
    document = json.loads(nnx_migrate(".", "--check", "--no-cache", "--output-format", "json", cwd=tmp_path).stdout)
    assert document["summary"]["left_alone"] == 4
    assert sorted(d["rule"] for d in document["files"][0]["left_alone"]) == [
        "introspection-functions", "keyword-only-rngs", "module-containers", "value-access"]
