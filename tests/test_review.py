"""`--review`, driven through a real pseudo-terminal: only accepted hunks are written."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect

MODEL = '''import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, dim: int, rngs: nnx.Rngs):
        self.w = nnx.Param(jnp.ones((dim,)))
        self.layers = [nnx.Linear(dim, dim, rngs=rngs)]

    def __call__(self, x):
        return x * self.w.value


def build():
    return Block(2, nnx.Rngs(0))
'''
PROMPT = r"Apply\? \[y\]es, \[n\]o, \[a\]ll of [-a-z, ]+, \[q\]uit: "


def spawn(tmp_path: Path) -> pexpect.spawn:
    env = {**os.environ, "COLUMNS": "120", "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return pexpect.spawn(sys.executable, ["-m", "nnx_migrate", "src", "--review"], cwd=str(tmp_path),
                         env=env, encoding="utf-8", timeout=120)


def test_review_writes_exactly_the_accepted_hunks(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "model.py").write_text(MODEL)
    child = spawn(tmp_path)
    answers = []
    while True:
        index = child.expect([PROMPT, pexpect.EOF])
        if index == 1:
            break
        screen = child.before
        # accept the container and the signature group, reject the `.value` read
        answer = "n" if "self.w[...]" in screen and "nnx.List" not in screen else "y"
        answers.append(answer)
        child.sendline(answer)
    child.close()
    assert child.exitstatus == 0
    assert answers.count("n") == 1 and answers.count("y") == 2  # one question for the signature group
    text = (tmp_path / "src" / "model.py").read_text()
    assert "self.layers = nnx.List([" in text
    assert "def __init__(self, dim: int, *, rngs: nnx.Rngs)" in text and "Block(2, rngs=nnx.Rngs(0))" in text
    assert "return x * self.w.value" in text  # the rejected hunk


def test_quit_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "model.py").write_text(MODEL)
    child = spawn(tmp_path)
    child.expect(PROMPT)
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert (tmp_path / "src" / "model.py").read_text() == MODEL



def started_review(tmp_path: Path) -> tuple[pexpect.spawn, Path]:
    """A review of one model file, at its first question."""
    (tmp_path / "src").mkdir()
    model = tmp_path / "src" / "model.py"
    model.write_text(MODEL)
    child = spawn(tmp_path)
    child.expect(PROMPT)
    return child, model


def exit_status(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF, timeout=30)
    child.close()
    return child.exitstatus


def test_one_key_answers_without_enter(tmp_path: Path) -> None:
    child, model = started_review(tmp_path)
    questions = 1
    child.send("y")  # no Enter: line input would wait here until the timeout
    while child.expect([PROMPT, pexpect.EOF], timeout=30) == 0:
        questions += 1
        child.send("y")
    child.close()
    assert child.exitstatus == 0 and questions == 3
    text = model.read_text()
    assert "self.layers = nnx.List([" in text and "return x * self.w[...]" in text
    assert "Block(2, rngs=nnx.Rngs(0))" in text


def test_an_unknown_key_asks_again(tmp_path: Path) -> None:
    child, model = started_review(tmp_path)
    child.send("x")
    child.expect(PROMPT, timeout=30)
    child.send("q")
    assert exit_status(child) == 0
    assert model.read_text() == MODEL


def test_ctrl_c_writes_nothing_and_exits_130(tmp_path: Path) -> None:
    child, model = started_review(tmp_path)
    child.send("y")
    child.expect(PROMPT, timeout=30)
    child.sendintr()
    child.expect("interrupted; nothing written", timeout=30)
    assert exit_status(child) == 130
    assert model.read_text() == MODEL


def test_ctrl_d_counts_as_quit(tmp_path: Path) -> None:
    child, model = started_review(tmp_path)
    child.sendeof()
    child.expect(r"0 hunk\(s\) accepted", timeout=30)
    assert exit_status(child) == 0
    assert model.read_text() == MODEL
